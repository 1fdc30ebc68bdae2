"""The sample cases of ``claimdesk demo`` and the small PDF writer behind their documents."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from claimdesk.models.enums import (
    AppealLevel,
    DenialCategory,
    DocumentKind,
    Outcome,
    PlanType,
)
from claimdesk.services import Services
from claimdesk.services import demo as demo_module
from claimdesk.services.demo import (
    PAGE_A4,
    PAGE_LETTER,
    PdfLine,
    load_demo,
    render_pdf,
    text_width,
    wrap,
)
from claimdesk.services.dto import ClaimDetail
from claimdesk.storage import open_database
from tests.pinned import NOW, TODAY, pinned_clock
from tests.signin import as_user

CLAIMANT_ZONES = {
    "America/Los_Angeles",
    "America/Chicago",
    "America/New_York",
    "Europe/London",
    "Asia/Kolkata",
}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """One demo database shared by the tests that only read it (a load takes a second or two)."""
    database = open_database(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite'}")
    shared = as_user(database, "Test Caseworker", clock=pinned_clock())
    load_demo(shared)
    yield shared
    database.dispose()


@pytest.fixture
def demo(loaded: Services) -> list[ClaimDetail]:
    return [loaded.claims.get(i) for i in sorted(s.id for s in loaded.claims.list_claims())]


def _by_plan(claims: list[ClaimDetail], plan: PlanType) -> ClaimDetail:
    return next(c for c in claims if c.plan_type == plan)


def test_demo_covers_the_six_plan_types_and_countries(
    loaded: Services, demo: list[ClaimDetail]
) -> None:
    assert len(demo) >= 6
    where = {(c.plan_type, c.country, c.currency) for c in demo}
    assert {
        (PlanType.ERISA_GROUP_HEALTH, "US", "USD"),
        (PlanType.ACA_INDIVIDUAL, "US", "USD"),
        (PlanType.MEDICARE_ADVANTAGE, "US", "USD"),
        (PlanType.ERISA_DISABILITY, "US", "USD"),
        (PlanType.UK_PRIVATE, "GB", "GBP"),
        (PlanType.IN_HEALTH, "IN", "INR"),
    } <= where
    assert _by_plan(demo, PlanType.ERISA_GROUP_HEALTH).region == "CA"
    assert _by_plan(demo, PlanType.ACA_INDIVIDUAL).denial_category == DenialCategory.EXPERIMENTAL
    for claim in demo:
        assert claim.denial_reason and claim.reviewer_name and claim.criteria_cited
        assert claim.denial_letter_date is not None and claim.denial_received_date is not None
        assert claim.denial_letter_date <= claim.denial_received_date <= TODAY
        assert "{" not in claim.denial_reason + claim.proof_of_receipt  # placeholders filled


def test_every_case_has_the_record_a_fight_needs(loaded: Services, demo: list[ClaimDetail]) -> None:
    for claim in demo:
        calls = loaded.calls.calls(claim.id)
        assert len(calls) >= 4, claim.claimant_name
        assert any(c.refused for c in calls), claim.claimant_name
        assert any(p.due_date for c in calls for p in c.promises), claim.claimant_name
        assert loaded.requests.requests(claim.id), claim.claimant_name
        kinds = {d.kind for d in loaded.documents.documents(claim.id)}
        assert {DocumentKind.DENIAL_LETTER, DocumentKind.SPECIALIST_REPORT} <= kinds
        opinions = loaded.opinions.opinions(claim.id)
        assert opinions and all(o.currency == claim.currency for o in opinions)
        assert loaded.deadlines.deadlines(claim.id), claim.claimant_name
        assert loaded.claims.notes(claim.id), claim.claimant_name


def test_attached_pdfs_are_real_and_name_the_claimant_or_insurer(
    loaded: Services, demo: list[ClaimDetail]
) -> None:
    for claim in demo:
        for document in loaded.documents.documents(claim.id):
            data = loaded.documents.content(document.id)
            assert data.startswith(b"%PDF-") and len(data) < 8_000, document.original_name
            reader = PdfReader(io.BytesIO(data), strict=True)
            assert document.pages == len(reader.pages) >= 1
            text = "\n".join(page.extract_text() for page in reader.pages)
            assert claim.claimant_name in text or claim.insurer_name in text, document.title
            assert "{" not in text, document.title


def test_requests_are_overdue_received_and_still_in_time(
    loaded: Services, demo: list[ClaimDetail]
) -> None:
    today = TODAY
    requests = [r for c in demo for r in loaded.requests.requests(c.id)]
    statuses = {r.status(today) for r in requests}
    assert {"overdue", "received", "requested"} <= statuses
    assert any(r.status(today) == "overdue" and r.follow_ups for r in requests)
    assert any(r.received_on and r.document_id for r in requests)
    for request in requests:
        assert request.sent_on <= today
        assert request.received_on is None or request.received_on <= today


def test_a_corrected_call_keeps_the_original(loaded: Services, demo: list[ClaimDetail]) -> None:
    now = NOW
    calls = [call for c in demo for call in loaded.calls.calls(c.id)]
    superseded = [c for c in calls if c.superseded]
    assert superseded
    corrections = {c.id: c for c in calls if c.amends_id is not None}
    for original in superseded:
        correction = corrections[original.amended_by_id or 0]
        assert correction.amends_id == original.id and correction.amendment_reason
    for call in calls:
        assert call.occurred_at <= now, call.summary
        assert call.time_zone in CLAIMANT_ZONES


def test_the_demo_looks_alive_whenever_it_is_run(loaded: Services, demo: list[ClaimDetail]) -> None:
    today = TODAY
    soon = loaded.deadlines.open_until(today + timedelta(days=14))
    assert any(d.due_on >= today for d in soon)
    recent = [
        call
        for c in demo
        for call in loaded.calls.calls(c.id)
        if call.occurred_at.date() >= today - timedelta(days=21)
    ]
    assert len(recent) >= 6


def test_review_levels_ime_and_costs_where_they_fit(
    loaded: Services, demo: list[ClaimDetail]
) -> None:
    escalated = 0
    for claim in demo:
        appeals = loaded.appeals.appeals(claim.id)
        upheld = [a for a in appeals if a.outcome == Outcome.UPHELD]
        later = {a.level for a in appeals} & {AppealLevel.EXTERNAL_REVIEW, AppealLevel.OMBUDSMAN}
        escalated += bool(upheld and later)
    assert escalated >= 3
    disability = _by_plan(demo, PlanType.ERISA_DISABILITY)
    (ime,) = loaded.imes.imes(disability.id)
    assert ime.examiner_name and ime.report_document_id is not None
    uk = loaded.opinions.opinions(_by_plan(demo, PlanType.UK_PRIVATE).id)
    assert uk[0].currency == "GBP" and uk[0].owed_minor == 45_000
    india = _by_plan(demo, PlanType.IN_HEALTH)
    assert india.currency == "INR" and "केळकर" in india.claimant_address
    assert any("सुनील" in note.body for note in loaded.claims.notes(india.id))


def test_the_directory_flags_a_conflict_and_lists_a_gp(
    loaded: Services, demo: list[ClaimDetail]
) -> None:
    directory = loaded.specialists.search()
    assert 8 <= len(directory) <= 12
    conflicted = [s for s in directory if s.conflict_of_interest]
    assert conflicted and all("IME" in s.conflict_notes for s in conflicted)
    assert any(s.is_general_practitioner for s in directory)
    assert any(s.academic for s in directory)
    assert all(s.certification_body for s in directory)


def test_loading_twice_adds_cases_but_not_specialists(services: Services) -> None:
    first = load_demo(services)
    assert first == sorted(first) == sorted(c.id for c in services.claims.list_claims())
    specialists = services.specialists.search()
    organisations = services.claims.organisations()
    again = load_demo(services)
    assert len(again) == len(first) >= 6
    assert not set(again) & set(first)
    assert len(services.claims.list_claims()) == 2 * len(first)
    assert services.specialists.search() == specialists
    assert services.claims.organisations() == organisations


def test_no_demo_text_runs_past_the_margin_or_into_the_next_column(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    overflows: list[str] = []

    def measuring(
        title: str,
        lines: list[str | PdfLine],
        page_size: tuple[float, float] = PAGE_LETTER,
    ) -> bytes:
        measure = page_size[0] - 2 * demo_module.MARGIN
        for line in lines:
            assert isinstance(line, PdfLine)
            cells = line.columns or ((0.0, line.text),)
            limits = [next_offset - 4 for next_offset, _ in cells[1:]] + [measure + 1]
            for (offset, cell), limit in zip(cells, limits, strict=True):
                if offset + text_width(cell, line.size, line.bold) > limit:
                    overflows.append(f"{title}: {cell}")
        return render_pdf(title, lines, page_size)

    monkeypatch.setattr(demo_module, "render_pdf", measuring)
    load_demo(services)
    assert overflows == []


def test_pdf_text_is_escaped_and_wrapped() -> None:
    tricky = r"Reviewer (not a cardiologist) wrote C:\notes \(sic) - cost £450 ‘quoted’"
    data = render_pdf("Escaping (test)", [tricky, PdfLine("Bold line", bold=True)])
    reader = PdfReader(io.BytesIO(data), strict=True)
    text = reader.pages[0].extract_text()
    assert tricky in text and "Bold line" in text
    assert reader.metadata is not None and reader.metadata.title == "Escaping (test)"
    long = "word " * 400
    assert all(len(line) < 120 for line in wrap(long, 480, 10))


def test_long_documents_run_onto_more_pages() -> None:
    lines = [f"Paragraph {i}: " + "lorem ipsum dolor " * 20 for i in range(40)]
    data = render_pdf("Long", lines, page_size=PAGE_A4)
    reader = PdfReader(io.BytesIO(data), strict=True)
    assert len(reader.pages) >= 3
    assert [float(x) for x in reader.pages[0].mediabox[2:]] == pytest.approx(PAGE_A4, abs=0.01)
    assert "Paragraph 39" in reader.pages[-1].extract_text()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler's pdftoppm not installed")
def test_poppler_renders_a_demo_letter(tmp_path: Path) -> None:
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(render_pdf("Letter", ["Dear Ms. Example,", "Body text (with parentheses)."]))
    result = subprocess.run(
        ["pdftoppm", "-png", "-r", "30", str(pdf), str(tmp_path / "page")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and not result.stderr
    assert (tmp_path / "page-1.png").stat().st_size > 0


def test_each_sample_case_was_last_active_at_its_latest_call(
    loaded: Services, demo: list[ClaimDetail]
) -> None:
    now = loaded.clock.now()
    for claim in demo:
        calls = [c.occurred_at for c in loaded.calls.calls(claim.id)]
        assert claim.updated_at == max(calls) < now, claim.case_number
    # "Last activity" no longer reads the same on every case (the moment they were loaded).
    assert len({claim.updated_at for claim in demo}) == len(demo)


def test_an_imported_case_keeps_its_last_activity(
    loaded: Services, demo: list[ClaimDetail]
) -> None:
    original = demo[0]
    copy = loaded.claims.get(loaded.exchange.import_case(loaded.exchange.export_case(original.id)))
    assert copy.updated_at == original.updated_at
