"""The bundled letter templates, rendered for every demo case, as the claimant and as an office."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from claimdesk.letters.check import check_facts, check_letter
from claimdesk.letters.letterhead import Letterhead
from claimdesk.letters.markup import Block, parse, plain_text
from claimdesk.letters.render import render_text
from claimdesk.letters.templates import TemplateStore, read_header
from claimdesk.services import Services
from claimdesk.services.demo import load_demo
from claimdesk.services.letter_context import build_context
from claimdesk.services.lettering import LetterRefusedError, quoted_texts
from claimdesk.storage import open_database
from tests.pinned import pinned_clock
from tests.signin import as_user

KINDS = (
    "records_request",
    "records_second_request",
    "specialist_briefing",
    "internal_appeal",
    "peer_to_peer_request",
    "second_opinion_authorization",
    "network_gap_exception",
    "ime_report_request",
    "call_confirmation",
    "external_review_request",
    "complaint_uk_fos",
    "complaint_au_afca",
    "complaint_ca_olhi",
    "complaint_in_ombudsman",
)
DEMO_CASES = range(6)
OFFICE = Letterhead(
    organisation="Northside Patient Advocacy",
    signatory="Dana Whitfield",
    role="Caseworker",
    address="12 Mill Street\nSpringfield",
    email="help@example.org",
)
CLAIMANT = Letterhead()

# Fields a letter may leave empty on a demo case because the case lacks a fact the letter
# truly needs (no IME on file, a second opinion not yet reported, no treating doctor's
# statement in the packet...). Anything else empty is a template bug.
NEEDED_FACTS = {
    "ime",
    "opinion",
    "opinion.conclusion",
    "opinion.examined_on",
    "opinion.cpt_code",
    "treating_physician_statement",
    "call",
    "request_to_chase",
    "complaint_to_insurer",
    "grievance_to_insurer",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    database = open_database(f"sqlite:///{tmp_path_factory.mktemp('letters') / 'demo.sqlite'}")
    services = as_user(database, "Test Caseworker", clock=pinned_clock())
    load_demo(services)
    yield services
    database.dispose()


@pytest.fixture(scope="module")
def claim_ids(demo: Services) -> list[int]:
    return sorted(summary.id for summary in demo.claims.list_claims())


def context(
    demo: Services, claim_id: int, letterhead: Letterhead, kind: str | None = None
) -> dict[str, Any]:
    return build_context(
        demo.case_sources(), demo.packets.exhibit_list, claim_id, letterhead, None, kind
    )


def render(kind: str, ctx: dict[str, Any]) -> tuple[list[Block], tuple[str, ...]]:
    rendered = render_text(TemplateStore(None).environment(), kind + ".jinja", ctx)
    return parse(rendered.text), rendered.blanks


def outside_quotes(blocks: list[Block]) -> str:
    return "\n".join(block.text for block in blocks if block.kind != "quote")


def test_every_bundled_letter_is_present_with_its_header() -> None:
    store = TemplateStore(None)
    assert {info.kind for info in store.letters()} >= set(KINDS)
    for kind in KINDS:
        header = read_header(store.source(kind))
        assert header.get("version") == "2026.1", kind
        assert header.get("title") and header.get("summary") and header.get("recipient"), kind


@pytest.mark.parametrize("office", [False, True], ids=["claimant", "office"])
@pytest.mark.parametrize("case", DEMO_CASES)
@pytest.mark.parametrize("kind", KINDS)
def test_letter_carries_the_case_facts(
    demo: Services, claim_ids: list[int], kind: str, case: int, office: bool
) -> None:
    ctx = context(demo, claim_ids[case], OFFICE if office else CLAIMANT, kind)
    blocks, blanks = render(kind, ctx)
    text = plain_text(blocks)

    headings = [b for b in blocks if b.kind == "heading"]
    assert len(headings) == 1 and headings[0].text.strip(), "one subject heading"
    assert ctx["claimant"]["name"] in text
    if ctx["claim"]["insurer_claim_number"]:
        assert ctx["claim"]["insurer_claim_number"] in text
    if kind != "specialist_briefing" and ctx["plan"]["policy_number"]:
        assert ctx["plan"]["policy_number"] in text
    assert ctx["today"] in text

    findings = check_letter(blocks, blanks, quoted_texts(ctx))
    wording = [f for f in findings if f.kind == "wording"]
    assert not wording, wording
    unexpected = [
        f.subject for f in findings if f.kind == "empty" and f.subject not in NEEDED_FACTS
    ]
    assert not unexpected, unexpected

    for bad in ("[None]", "None", "..", ".,", " ,", " .", ",,"):
        assert bad not in outside_quotes(blocks).replace("Inc.,", "Inc,").replace(
            "Ltd.,", "Ltd,"
        ), bad
    if office:
        assert "Northside Patient Advocacy" in text and "Dana Whitfield" in text
        assert f"On behalf of {ctx['claimant']['name']}" in text
    else:
        assert "We act for" not in text and "our client" not in text


@pytest.mark.parametrize("case", DEMO_CASES)
def test_internal_appeal_deploys_the_second_opinion(
    demo: Services, claim_ids: list[int], case: int
) -> None:
    ctx = context(demo, claim_ids[case], CLAIMANT, "internal_appeal")
    blocks, blanks = render("internal_appeal", ctx)
    text = plain_text(blocks)
    quotes = [b.text for b in blocks if b.kind == "quote"]
    assert ctx["claim"]["denial_reason"] in quotes

    opinion = ctx["opinion"]
    if opinion is None:
        assert "opinion" in blanks
        return
    specialist = opinion["specialist"]
    assert specialist["name"] in text
    if specialist["institution"]:
        assert specialist["institution"] in text
    if specialist["board_certification"]:
        assert specialist["board_certification"].rstrip(".") in text
    # The demo's default opinion for an appeal is always one whose report arrived.
    assert opinion["has_report"] and opinion["conclusion"]
    assert opinion["conclusion"] in quotes
    assert "opinion.conclusion" not in blanks
    if opinion["guidelines_cited"]:
        for guideline in opinion["guidelines_cited"].split(";"):
            assert guideline.strip().rstrip(".") in text
    if opinion["examined"] and opinion["examined_on"]:
        assert opinion["examined_on"] in text
    if ctx["plan"]["erisa"]:
        assert "2560.503-1(h)(3)(ii), (iii) and (v)" in text


def test_internal_appeal_without_an_opinion_flags_the_missing_specialist(
    demo: Services, claim_ids: list[int]
) -> None:
    ctx = context(demo, claim_ids[0], OFFICE, "internal_appeal")
    ctx["opinion"] = None
    blocks, blanks = render("internal_appeal", ctx)
    # Nothing is said about a specialist the case does not have, and nothing is left blank...
    assert not blanks
    assert "specialist" not in plain_text(blocks).split("## What")[0].lower().replace(
        "specialist in the relevant field", ""
    )
    assert ctx["claim"]["denial_reason"] in [b.text for b in blocks if b.kind == "quote"]
    assert "overturn the denial" in plain_text(blocks)
    # ...and the check refuses the letter in plain words.
    findings = check_facts("internal_appeal", ctx)
    assert [f.blocking for f in findings] == [True]
    assert "no second opinion is recorded on this case" in findings[0].message
    assert "Specialists tab" in findings[0].message


def test_enclosures_are_listed_under_their_own_heading(
    demo: Services, claim_ids: list[int]
) -> None:
    ctx = context(demo, claim_ids[0], CLAIMANT)
    ctx["enclosures"] = [
        {"exhibit": None, "title": "Index of exhibits", "date": None, "kind": "Index of exhibits",
         "label": "Index of exhibits", "document": False},
        {
            "exhibit": "A",
            "title": "Second-opinion report (electrophysiology)",
            "date": "November 15, 2026",
            "kind": "Second-opinion report",
            "label": "Exhibit A – Second-opinion report (electrophysiology)",
            "document": True,
        },
        {"exhibit": "B", "title": "Specialist's CV", "date": None, "kind": "Specialist's CV",
         "label": "Exhibit B – Specialist's CV", "document": True},
    ]  # fmt: skip
    for kind in ("internal_appeal", "external_review_request", "complaint_uk_fos"):
        assert read_header(TemplateStore(None).source(kind))["encloses_packet"] == "True"
        blocks, blanks = render(kind, {**ctx, "encloses_packet": True})
        subheadings = [b.text for b in blocks if b.kind == "subheading"]
        assert subheadings[-1] == "Enclosures", kind
        heading = next(i for i, b in enumerate(blocks) if b.text == "Enclosures")
        assert blocks[heading + 1].text.split("\n") == [
            "Index of exhibits",
            "Exhibit A – Second-opinion report (electrophysiology) (November 15, 2026)",
            "Exhibit B – Specialist's CV",
        ], kind
        findings = check_letter(blocks, blanks, quoted_texts(ctx))
        assert not [f for f in findings if f.kind == "wording"]
        # A letter that does not enclose the packet lists nothing.
        blocks, _ = render(kind, {**ctx, "encloses_packet": False})
        assert "Enclosures" not in [b.text for b in blocks], kind


def test_a_treating_doctors_statement_in_the_packet_is_referred_to(
    demo: Services, claim_ids: list[int]
) -> None:
    ctx = context(demo, claim_ids[0], CLAIMANT)
    _, blanks = render("second_opinion_authorization", ctx)
    assert "treating_physician_statement" in blanks
    ctx["enclosures"] = [
        {
            "title": "Letter of Dr. Velasquez-Lund",
            "date": "October 2, 2026",
            "kind": "Treating physician's letter",
        }
    ]
    blocks, blanks = render("second_opinion_authorization", ctx)
    assert not blanks
    assert "Letter of Dr. Velasquez-Lund" in plain_text(blocks)


def test_specialist_briefing_quotes_the_denial_and_asks_five_questions(
    demo: Services, claim_ids: list[int]
) -> None:
    for claim_id in claim_ids:
        ctx = context(demo, claim_id, OFFICE)
        blocks, _ = render("specialist_briefing", ctx)
        assert ctx["claim"]["denial_reason"] in [b.text for b in blocks if b.kind == "quote"]
        assert [b.number for b in blocks if b.kind == "number"] == [1, 2, 3, 4, 5]
        text = plain_text(blocks)
        assert f"Dear {ctx['opinion']['specialist']['name']}," in text
        assert "full written report" in text


def test_second_request_lists_each_overdue_request(demo: Services, claim_ids: list[int]) -> None:
    for claim_id in claim_ids:
        ctx = context(demo, claim_id, CLAIMANT)
        text = plain_text(render("records_second_request", ctx)[0])
        for request in ctx["chosen_requests"]:
            assert request["sent_on"] in text and request["due_on"] in text
            if request["reference"]:
                assert request["reference"] in text
            assert re.search(rf"\b{request['days_overdue']} days? overdue", text)
        assert ("502(c)(1)" in text) == ctx["plan"]["erisa"]


def test_call_confirmation_names_the_call(demo: Services, claim_ids: list[int]) -> None:
    for claim_id in claim_ids:
        ctx = context(demo, claim_id, CLAIMANT)
        call = ctx["call"]
        text = plain_text(render("call_confirmation", ctx)[0])
        assert f"As discussed on {call['date']}" in text
        assert call["person_name"] in text
        for value in (call["staff_id"], call["reference"], call["refusal_detail"]):
            if value:
                assert value in text
        for promise in call["promises"]:
            assert promise["description"].rstrip(".") in text
        assert "within 10 days" in text


def test_jurisdiction_specific_wording(demo: Services, claim_ids: list[int]) -> None:
    ctx = context(demo, claim_ids[0], CLAIMANT)  # California
    assert "1374.30" in plain_text(render("external_review_request", ctx)[0])
    ctx["plan"]["region"] = "NY"
    assert "4914" in plain_text(render("external_review_request", ctx)[0])
    ctx = context(demo, claim_ids[1], CLAIMANT)  # ACA marketplace plan
    assert "45 CFR 156.230" in plain_text(render("network_gap_exception", ctx)[0])
    uk_ctx = context(demo, claim_ids[4], CLAIMANT, "complaint_uk_fos")
    uk = plain_text(render("complaint_uk_fos", uk_ctx)[0])
    assert "Exchange Tower" in uk and "DISP 2.8.2R" in uk
    india_ctx = context(demo, claim_ids[5], CLAIMANT, "complaint_in_ombudsman")
    india = plain_text(render("complaint_in_ombudsman", india_ctx)[0])
    # Addressed to the office for Maharashtra (the claimant's state) from the directory.
    assert "rule 14" in india and "Office of the Insurance Ombudsman, Pune" in india
    assert "Pune 411 030" in india
    ctx = context(demo, claim_ids[4], CLAIMANT)
    ctx["plan"]["region"] = "QC"
    assert "Autorité des marchés financiers" in plain_text(render("complaint_ca_olhi", ctx)[0])
    au_ctx = context(demo, claim_ids[4], CLAIMANT, "complaint_au_afca")
    au = plain_text(render("complaint_au_afca", au_ctx)[0])
    assert "GPO Box 3" in au


def _squashed(text: str) -> str:
    """Text with all whitespace removed: PDF extraction breaks lines where the page did."""
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("kind", KINDS)
def test_every_letter_is_written_in_both_formats_with_the_case_in_it(
    demo: Services, claim_ids: list[int], kind: str
) -> None:
    import io

    import docx
    from pypdf import PdfReader

    for claim_id in claim_ids:
        claim = demo.claims.get(claim_id)
        reference = claim.insurer_claim_number or claim.policy_number
        preview = demo.lettering.preview(claim_id, kind)
        subject = next(b.text for b in preview.blocks if b.kind == "heading")
        refused = [f.message for f in preview.findings if f.blocking]
        if refused:
            # A letter the record cannot support (a UK complaint on a US case, an IME letter
            # with no IME) is refused even when forced, for the reason the check gave.
            with pytest.raises(LetterRefusedError) as caught:
                demo.lettering.generate(claim_id, kind, "pdf", force=True, record=False)
            assert caught.value.findings == refused
            continue
        for fmt in ("docx", "pdf"):
            made = demo.lettering.generate(claim_id, kind, fmt, force=True, record=False)
            if fmt == "docx":
                document = docx.Document(io.BytesIO(made.data))
                text = "\n".join(p.text for p in document.paragraphs)
                text += "\n".join(p.text for p in document.sections[0].first_page_header.paragraphs)
            else:
                reader = PdfReader(io.BytesIO(made.data))
                text = "\n".join(page.extract_text() for page in reader.pages)
            where = f"{kind} for {claim.case_number} as {fmt}"
            assert _squashed(claim.claimant_name) in _squashed(text), where
            assert _squashed(reference) in _squashed(text), where
            assert _squashed(subject) in _squashed(text), where
