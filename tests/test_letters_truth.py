"""Letters that are true and addressed (issue 12, items 1 and 3).

Every letter of every demo case either comes out clean (no template syntax, no field names,
no placeholders, an addressee with a postal address) in the preview, the DOCX and the PDF, or
the check refuses it in plain words. An appeal never states a conclusion the record does not
hold, never says "examined" of a records-only review, and uses by default the second opinion
whose report arrived.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from claimdesk.errors import LetterCheckError
from claimdesk.letters import directory
from claimdesk.letters.markup import plain_text
from claimdesk.models.enums import OpinionStatus
from claimdesk.services import Services
from claimdesk.services.demo import load_demo
from claimdesk.services.letter_context import LetterOptions, default_opinion
from claimdesk.services.lettering import LetterRefusedError
from claimdesk.storage import open_database
from tests.gui_support import make_env, open_case
from tests.pinned import pinned_clock
from tests.signin import as_user

# What a template leaves behind when it goes wrong.
_SYNTAX = ("{{", "}}", "{%", "%}", "{#", "#}", ".jinja")
_FIELD_PATH = re.compile(
    r"\b(?:opinion|claim|claimant|plan|insurer|administrator|recipient|sender|ime|call|"
    r"appeals|rights|next_deadline|enclosures|requests)(?:\[\])?\.[a-z_]+"
)
_PLACEHOLDER = re.compile(r"\[[A-Za-z_. ]+\]")
_SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def _leftovers(text: str) -> list[str]:
    found = [token for token in _SYNTAX if token in text]
    found += _FIELD_PATH.findall(text)
    found += _PLACEHOLDER.findall(text)
    found += re.findall(r"\bNone\b", text)
    found += re.findall(r"\(\s*\)", text)
    return found


def _plain_message(message: str) -> list[str]:
    """What makes a finding unreadable to the person sending the letter."""
    bad = [token for token in _SYNTAX if token in message]
    bad += _FIELD_PATH.findall(message)
    bad += _SNAKE.findall(message)
    return bad


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Services, dict[str, int]]]:
    folder = tmp_path_factory.mktemp("letters-truth")
    database = open_database(f"sqlite:///{folder / 'demo.sqlite'}")
    services = as_user(database, "Truth Tester", folder, clock=pinned_clock())
    load_demo(services)
    ids = {c.case_number: c.id for c in services.claims.list_claims()}
    yield services, ids
    database.dispose()


def _docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    for table in document.tables:
        text += "\n".join(cell.text for row in table.rows for cell in row.cells)
    return text


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _squashed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_letter_of_every_demo_case_is_clean_and_addressed_or_refused_plainly(
    demo: tuple[Services, dict[str, int]],
) -> None:
    services, ids = demo
    writer = services.lettering
    kinds = [info.kind for info in writer.templates()]
    written = refused = 0
    for case_number, claim_id in sorted(ids.items()):
        for kind in kinds:
            where = f"{kind} for {case_number}"
            preview = writer.preview(claim_id, kind)
            for finding in preview.findings:
                assert not _plain_message(finding.message), (where, finding.message)
                assert finding.message.rstrip().endswith((".", ")")), (where, finding.message)
            if preview.findings:
                refused += 1
                error_type = (
                    LetterRefusedError
                    if any(f.blocking for f in preview.findings)
                    else LetterCheckError
                )
                with pytest.raises(error_type) as caught:
                    writer.generate(claim_id, kind, "pdf", record=False)
                assert caught.value.findings, where
                continue
            written += 1
            text = plain_text(list(preview.blocks))
            assert not _leftovers(text), (where, _leftovers(text))
            # The recipient block: name and the first line of the postal address, before
            # the subject heading.
            recipient = preview.recipient
            assert recipient and recipient["name"] and recipient["address"], where
            subject = next(b.text for b in preview.blocks if b.kind == "heading")
            head = text.split(subject, 1)[0]
            assert str(recipient["name"]) in head, where
            assert str(recipient["address"]).splitlines()[0] in head, where
            for fmt in ("docx", "pdf"):
                made = writer.generate(claim_id, kind, fmt, record=False)
                body = _docx_text(made.data) if fmt == "docx" else _pdf_text(made.data)
                assert not _leftovers(body), (where, fmt, _leftovers(body))
                assert _squashed(str(recipient["name"])) in _squashed(body), (where, fmt)
                assert _squashed(str(recipient["address"]).splitlines()[0]) in _squashed(body), (
                    where,
                    fmt,
                )
    # Most demo letters are written; some (a UK complaint on a US case) are refused.
    assert written >= 45 and refused >= 30, (written, refused)


def test_the_appeal_defaults_to_the_opinion_whose_report_arrived(
    demo: tuple[Services, dict[str, int]],
) -> None:
    services, ids = demo
    claim_id = ids["CD-2026-0004"]
    opinions = {o.specialist_name: o for o in services.opinions.opinions(claim_id)}
    reported = opinions["Dr. Mireille Okonkwo-Laurent"]
    booked = opinions["Dr. Samuel Teague-Oduya"]
    assert booked.status is OpinionStatus.APPOINTMENT and booked.report_received_on is None
    writer = services.lettering
    assert writer.default_opinion_id(claim_id, "internal_appeal") == reported.id
    # A briefing is for the specialist still to report.
    assert writer.default_opinion_id(claim_id, "specialist_briefing") == booked.id
    text = plain_text(list(writer.preview(claim_id, "internal_appeal").blocks))
    assert "Okonkwo-Laurent" in text and "Teague-Oduya" not in text
    assert reported.conclusion in text


def test_the_appeal_on_an_opinion_without_a_report_is_refused_in_plain_words(
    demo: tuple[Services, dict[str, int]],
) -> None:
    services, ids = demo
    claim_id = ids["CD-2026-0004"]
    booked = next(
        o for o in services.opinions.opinions(claim_id) if o.specialist_name.endswith("Oduya")
    )
    options = LetterOptions(opinion_id=booked.id)
    preview = services.lettering.preview(claim_id, "internal_appeal", options)
    text = plain_text(list(preview.blocks))
    # Nothing the record does not hold: no conclusion, no "considered and does not share".
    assert "does not share" not in text and "conclusion is" not in text
    assert "Teague-Oduya" not in text
    assert not _leftovers(text)
    assert [f.message for f in preview.findings if f.blocking] == [
        "Dr. Samuel Teague-Oduya has not sent a report yet (appointment booked): choose the "
        "opinion whose report arrived, or record the report first (Specialists tab)."
    ]
    with pytest.raises(LetterRefusedError) as caught:
        services.lettering.generate(claim_id, "internal_appeal", "pdf", options, force=True)
    assert "cannot be overridden" in str(caught.value)
    assert "opinion." not in str(caught.value)


def _case_with_opinion(services: Services, **opinion: object) -> tuple[int, int]:
    claim_id = open_case(services)
    services.claims.update_case(
        claim_id,
        denial_reason="Not medically necessary under policy MP-1.",
        disputed_service="Cardiac ablation",
        denial_letter_date=services.clock.today() - timedelta(days=42),
    )
    specialist = services.specialists.add(
        name="Dr. Ada Records", specialty="Cardiology", address="1 Heart Way\nSpringfield"
    )
    record = services.opinions.start(claim_id, specialist.id, **opinion)
    return claim_id, record.id


def test_the_only_opinion_without_a_report_refuses_the_appeal(services: Services) -> None:
    claim_id, _ = _case_with_opinion(services, status="appointment", review_mode="examination")
    preview = services.lettering.preview(claim_id, "internal_appeal")
    blocking = [f.message for f in preview.findings if f.blocking]
    assert blocking == [
        "Dr. Ada Records has not sent a report yet (appointment booked): choose the opinion "
        "whose report arrived, or record the report first (Specialists tab)."
    ]
    text = plain_text(list(preview.blocks))
    assert "examined" not in text and "does not share" not in text
    with pytest.raises(LetterRefusedError):
        services.lettering.generate(claim_id, "internal_appeal", "docx", force=True)


@pytest.mark.parametrize(
    ("mode", "says_examined"), [("records_only", False), ("examination", True)]
)
def test_a_records_only_review_is_never_called_an_examination(
    services: Services, mode: str, says_examined: bool
) -> None:
    today = services.clock.today()
    extra = {"examined_on": today - timedelta(days=20)} if mode == "examination" else {}
    claim_id, _ = _case_with_opinion(
        services,
        status="report_received",
        review_mode=mode,
        report_received_on=today - timedelta(days=10),
        conclusion="The ablation is medically necessary.",
        **extra,
    )
    for kind in ("internal_appeal", "external_review_request"):
        text = plain_text(list(services.lettering.preview(claim_id, kind).blocks))
        assert "The ablation is medically necessary." in text, kind
        assert bool(re.search(r"\bexamined\b", text)) is says_examined, kind
        if not says_examined:
            assert "reviewed the medical records" in text, kind


def test_the_newest_report_is_the_default(services: Services) -> None:
    today = services.clock.today()
    claim_id, older = _case_with_opinion(
        services,
        status="report_received",
        review_mode="records_only",
        report_received_on=today - timedelta(days=3),
        conclusion="Later report.",
    )
    second = services.specialists.add(name="Dr. Ben Early", specialty="Cardiology")
    # Started after, but its report came earlier.
    services.opinions.start(
        claim_id,
        second.id,
        status="report_received",
        review_mode="records_only",
        report_received_on=today - timedelta(days=30),
        conclusion="Earlier report.",
    )
    third = services.specialists.add(name="Dr. Cy Waiting", specialty="Cardiology")
    services.opinions.start(claim_id, third.id, status="briefed")
    chosen = default_opinion(services.opinions.opinions(claim_id), "internal_appeal")
    assert chosen is not None and chosen.id == older
    text = plain_text(list(services.lettering.preview(claim_id, "internal_appeal").blocks))
    assert "Later report." in text and "Earlier report." not in text


def test_a_letter_without_the_recipients_address_is_flagged_before_it_is_written(
    services: Services,
) -> None:
    claim_id, _ = _case_with_opinion(
        services,
        status="report_received",
        review_mode="records_only",
        report_received_on=services.clock.today(),
        conclusion="Necessary.",
    )
    preview = services.lettering.preview(claim_id, "records_request")
    message = (
        "The letter goes to Acme Health Plan, but no postal address is recorded for it: add "
        "the address on the case's Overview (Address…) or in Tools ▸ Organisations."
    )
    assert message in [f.message for f in preview.findings]
    before = services.letters.letters(claim_id)
    with pytest.raises(LetterCheckError) as caught:
        services.lettering.generate(claim_id, "records_request", "pdf")
    assert message in caught.value.findings
    assert services.letters.letters(claim_id) == before


def test_the_directory_is_sourced_data_and_addresses_by_jurisdiction() -> None:
    entries = directory.entries()
    assert {e.country for e in entries} >= {"GB", "AU", "CA", "IN", "US"}
    for entry in entries:
        assert entry.name and entry.address and entry.source and entry.checked, entry.id
        assert entry.website.startswith("https://"), entry.id
        assert entry.phone or entry.email, entry.id
    ids = {e.id for e in entries}
    assert {"gb-fos", "au-afca", "ca-olhi", "in-cio", "us-ca-dmhc", "us-ca-cdi"} <= ids
    assert {"us-ny-dfs", "us-federal-hhs", "in-io-pune", "in-io-delhi"} <= ids

    def body(kind: str, country: str, region: str | None) -> str | None:
        found = directory.for_letter(kind, country, region)
        return found.id if found else None

    assert body("external_review_request", "US", "CA") == "us-ca-dmhc"
    assert body("external_review_request", "US", "NY") == "us-ny-dfs"
    # Elsewhere the plan forwards the request: no State body to address.
    assert body("external_review_request", "US", "TX") is None
    assert body("complaint_in_ombudsman", "IN", "MH") == "in-io-pune"
    assert body("complaint_in_ombudsman", "IN", "KA") == "in-io-bengaluru"
    assert body("complaint_uk_fos", "GB", None) == "gb-fos"
    assert body("complaint_au_afca", "AU", "NSW") == "au-afca"


def test_a_directory_body_becomes_an_organisation_the_letters_then_use(
    services: Services,
) -> None:
    claim_id = open_case(services)
    services.claims.update_case(claim_id, region="CA")
    context = services.lettering.context(claim_id, kind="external_review_request")
    assert context["recipient"]["source"] == "directory"
    assert context["recipient"]["name"] == "California Department of Managed Health Care"
    assert "980 Ninth Street" in context["recipient"]["address"]
    made = services.lettering.add_directory_organisation("us-ca-dmhc")
    assert made.address.startswith("980 Ninth Street") and made.fax == "916-255-5241"
    assert "dmhc.ca.gov" in made.notes and "checked" in made.notes
    # Once only.
    assert services.lettering.add_directory_organisation("us-ca-dmhc").id == made.id
    context = services.lettering.context(claim_id, kind="external_review_request")
    assert context["recipient"]["source"] == "case"
    assert context["recipient"]["directory_id"] == "us-ca-dmhc"


def test_the_letter_dialog_is_big_enough_and_picks_the_reported_opinion(
    qtbot: QtBot, demo: tuple[Services, dict[str, int]], tmp_path: Path
) -> None:
    from claimdesk.gui.letter_dialog import WriteLetterDialog

    services, ids = demo
    claim_id = ids["CD-2026-0004"]
    dialog = WriteLetterDialog(make_env(services, tmp_path), claim_id, kind="internal_appeal")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.generate_button.isEnabled(), timeout=15_000)
    reported = services.lettering.default_opinion_id(claim_id, "internal_appeal")
    assert dialog.opinion.currentData() == reported
    assert "Okonkwo-Laurent" in dialog.view.toPlainText()
    assert "Prairie Freight Logistics" in dialog.recipient.text()
    # Nothing cut: the kind list is as wide as its longest title, the format choices fit.
    widest = max(
        dialog.kinds.fontMetrics().horizontalAdvance(dialog.kinds.item(row).text())
        for row in range(dialog.kinds.count())
    )
    assert dialog.kinds.viewport().width() >= widest
    for radio in (dialog.pdf, dialog.docx):
        assert radio.width() >= radio.sizeHint().width(), radio.text()
    screen = dialog.screen().availableGeometry()
    assert dialog.width() >= min(1200, int(screen.width() * 0.9))
    assert dialog.width() <= screen.width() and dialog.height() <= screen.height()

    # Choosing the specialist without a report: the preview says why, and nothing is written.
    booked = next(
        o.id for o in services.opinions.opinions(claim_id) if o.report_received_on is None
    )
    dialog.opinion.setCurrentIndex(dialog.opinion.findData(booked))
    qtbot.waitUntil(lambda: "has not sent a report yet" in dialog.findings.text(), timeout=15_000)
    assert not dialog.generate_button.isEnabled()


def test_a_letter_cites_only_its_own_time_limit(demo: tuple[Services, dict[str, int]]) -> None:
    from claimdesk.letters.letterhead import Letterhead
    from claimdesk.letters.markup import parse
    from claimdesk.letters.render import render_text
    from claimdesk.services.letter_context import build_context

    services, ids = demo
    claim_id = ids["CD-2026-0005"]
    context = build_context(
        services.case_sources(),
        services.packets.exhibit_list,
        claim_id,
        Letterhead(),
        None,
        "complaint_uk_fos",
    )
    other = {"title": "Other", "due_on": "1 May 2027", "citation": "OTHER RULE"}
    own = {"title": "Refer to the FOS", "due_on": "9 June 2027", "citation": "DISP 2.8.2R"}
    environment = services.lettering.store.environment()

    def said(deadlines: list[dict[str, object]]) -> list[str]:
        context["deadlines"] = deadlines
        rendered = render_text(environment, "complaint_uk_fos.jinja", context)
        text = plain_text(list(parse(rendered.text)))
        return [line for line in text.splitlines() if "time limit" in line]

    # Another deadline on the case is not the referral's time limit: nothing is claimed.
    assert said([{**other, "rule_id": "UK-final-response", "party": "Insurer"}]) == []
    assert said(
        [
            {**other, "rule_id": "UK-final-response", "party": "Insurer"},
            {**own, "rule_id": "UK-FOS-refer", "party": "Claimant"},
        ]
    ) == ["This complaint is made within the time limit, which ends on 9 June 2027 (DISP 2.8.2R)."]


def test_the_letters_tab_names_the_template_in_words() -> None:
    from claimdesk.letters.templates import describe_version_label

    assert describe_version_label("2026.1 bundled 2de51225") == (
        "ClaimDesk's standard letter (2026.1)"
    )
    assert describe_version_label("2026.2 office 0badf00d") == "Office version (2026.2)"
    assert describe_version_label("2026.1 office 2026-11-03 1a2b3c4d") == (
        "Office version of 3 Nov 2026"
    )
    assert describe_version_label("something else") == "something else"
