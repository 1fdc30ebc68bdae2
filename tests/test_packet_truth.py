"""What the appeal packet tells an outside reader is true (issue 12, items 2 and 4).

The chronology lists only letters that were sent, by their titles, never a template's file
name or an office's template set, and no internal note unless asked for; the letter's list of
enclosures is the packet's own list of exhibits, letter for letter; the appeal letter kept on
the case is the one the packet finds.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from claimdesk.letters.templates import TemplateStore, read_header
from claimdesk.packets.model import CHRONOLOGY_TITLE, INDEX_TITLE, ChronologyEntry
from claimdesk.services import Services
from claimdesk.services.demo import load_demo
from claimdesk.services.letter_context import format_date
from claimdesk.services.packets import is_appeal_letter
from claimdesk.storage import open_database
from tests.pinned import pinned_clock
from tests.signin import as_user

# The letters that go out with the packet, and the demo case each is written on.
ENCLOSING = {
    "internal_appeal": range(6),
    "external_review_request": range(4),
    "complaint_uk_fos": [4],
    "complaint_in_ombudsman": [5],
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Services, list[int]]]:
    """The six demo cases, read only: tests that change a case use ``fresh`` instead."""
    folder = tmp_path_factory.mktemp("truth")
    database = open_database(f"sqlite:///{folder / 'demo.sqlite'}")
    services = as_user(database, "Truth Tester", folder, clock=pinned_clock())
    ids = load_demo(services)
    yield services, ids
    database.dispose()


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[tuple[Services, list[int]]]:
    database = open_database(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    services = as_user(database, "Truth Tester", tmp_path, clock=pinned_clock())
    yield services, load_demo(services)
    database.dispose()


def chronology_text(entries: list[ChronologyEntry]) -> str:
    return "\n".join(f"{e.kind} | {e.who} | {e.reference} | {e.text}" for e in entries)


def enclosure_lines(services: Services, claim_id: int, kind: str) -> list[str]:
    preview = services.lettering.preview(claim_id, kind)
    blocks = list(preview.blocks)
    heading = [i for i, b in enumerate(blocks) if b.kind == "subheading"]
    assert heading and blocks[heading[-1]].text == "Enclosures", kind
    return blocks[heading[-1] + 1].text.split("\n")


def test_appeal_letters_are_told_by_their_kind() -> None:
    for kind in ("appeal", "internal_appeal", "erisa_appeal", "Appeal", "external_review_request"):
        assert is_appeal_letter(kind), kind
    assert is_appeal_letter("complaint_uk_fos")
    for kind in ("records_request", "specialist_briefing", "call_confirmation"):
        assert not is_appeal_letter(kind), kind


def test_chronology_lists_only_letters_sent_by_their_titles(
    fresh: tuple[Services, list[int]],
) -> None:
    services, ids = fresh
    packets = services.packets
    for claim_id in ids:
        claim = services.claims.get(claim_id)
        # A letter written and kept, never sent: not something that happened outside.
        services.lettering.generate(claim_id, "records_request", "docx", force=True)
        letters = services.letters.letters(claim_id)
        sent = [letter for letter in letters if letter.sent_on]
        entries = packets.chronology(claim, packets.options(claim_id))
        text = chronology_text(entries)
        assert ".jinja" not in text
        for letter in letters:
            assert letter.template_name not in text  # "ERISA disability appeal (demo)"
        assert "Records request" not in text and "prepared" not in text
        letter_entries = [e for e in entries if e.kind == "Letter sent"]
        assert len(letter_entries) == len(sent)
        for letter, entry in zip(sent, sorted(letter_entries, key=lambda e: e.when), strict=True):
            assert entry.when == letter.sent_on
            assert entry.who == letter.recipient
            assert letter.sent_method is not None
            how = {"fax": "by fax", "certified_mail": "by certified mail"}[letter.sent_method.value]
            assert entry.text == f"Appeal letter sent {how}."

    # Sent, it is there, by its template's title and how it went.
    claim_id = ids[0]
    written = services.lettering.generate(claim_id, "records_request", "docx", force=True)
    assert written.letter is not None
    services.letters.mark_sent(written.letter.id, services.clock.today(), "portal")
    entries = packets.chronology(services.claims.get(claim_id))
    title = services.lettering.store.info("records_request").title
    assert f"{title} sent through the online portal." in [e.text for e in entries]


def test_internal_notes_only_when_ticked(fresh: tuple[Services, list[int]]) -> None:
    services, ids = fresh
    packets = services.packets
    claim_id = ids[3]
    claim = services.claims.get(claim_id)
    notes = [n.body for n in services.claims.notes(claim_id)]
    assert notes, "the demo case has internal notes"
    secret = "Do NOT use Dr. Ambrose Keating-Vail"
    assert any(secret in n for n in notes)

    left_out = chronology_text(packets.chronology(claim, packets.options(claim_id)))
    assert secret not in left_out and "Internal note" not in left_out
    ticked = packets.options(claim_id, include_internal_notes=True)
    included = packets.chronology(claim, ticked)
    assert [e.text for e in included if e.kind == "Internal note"] == [
        " ".join(n.split()) for n in notes
    ]

    # And in the packet itself, on the chronology's pages.
    def chronology_pages(options: object, out: Path) -> str:
        result = packets.export(claim_id, out, None, options)  # type: ignore[arg-type]
        last = result.exhibits[-1]
        assert last.title == CHRONOLOGY_TITLE
        reader = PdfReader(io.BytesIO(out.read_bytes()))
        first, end = int(last.first_stamp[-6:]), int(last.last_stamp[-6:])
        return " ".join(
            " ".join(reader.pages[n - 1].extract_text().split()) for n in range(first, end + 1)
        )

    folder = services.lettering.office_dir
    assert folder is not None
    assert "Keating-Vail for anything" not in chronology_pages(
        packets.options(claim_id), folder.parent / "plain.pdf"
    )
    assert "Keating-Vail for anything" in chronology_pages(ticked, folder.parent / "notes.pdf")


@pytest.mark.parametrize(
    ("kind", "case"), [(k, c) for k, cases in ENCLOSING.items() for c in cases]
)
def test_letter_encloses_exactly_the_packets_exhibits(
    demo: tuple[Services, list[int]], kind: str, case: int
) -> None:
    services, ids = demo
    claim_id = ids[case]
    packets = services.packets
    listed = packets.exhibit_list(claim_id)
    assert listed[0].title == INDEX_TITLE and listed[0].letter == ""
    assert listed[-1].title == CHRONOLOGY_TITLE
    country = services.claims.get(claim_id).country
    expected = []
    for entry in listed:
        when = (
            format_date(date.fromisoformat(entry.date_text), country) if entry.date_text else None
        )
        expected.append(entry.label + (f" ({when})" if when else ""))
    assert enclosure_lines(services, claim_id, kind) == expected
    assert expected[1].startswith("Exhibit A – ")


@pytest.mark.parametrize("case", range(6))
def test_packet_index_letters_the_exhibits_as_the_list_does(
    demo: tuple[Services, list[int]], case: int, tmp_path: Path
) -> None:
    services, ids = demo
    claim_id = ids[case]
    packets = services.packets
    options = packets.options(claim_id)
    listed = packets.exhibit_list(claim_id, options)
    out = tmp_path / "packet.pdf"
    result = packets.export(claim_id, out, None, options)
    assert [(r.letter, r.title) for r in result.exhibits] == [
        (e.letter, e.title) for e in listed if e.letter
    ]
    # The index lists itself, then every exhibit by its letter.
    index = " ".join(PdfReader(out).pages[0].extract_text().split())
    assert f"Index {INDEX_TITLE}" in index
    for entry in listed[1:]:
        assert f"{entry.letter} {entry.title.split(':')[0]}" in index
    # Without the chronology, the list and the packet both stop before it.
    bare = packets.options(claim_id, include_chronology=False)
    assert [e.title for e in packets.exhibit_list(claim_id, bare)][-1] != CHRONOLOGY_TITLE


def test_every_template_that_encloses_the_packet_says_so() -> None:
    store = TemplateStore(None)
    for kind in ENCLOSING:
        assert read_header(store.source(kind)).get("encloses_packet") == "True", kind
        assert "{% block enclosures %}" not in store.source(kind), kind
    assert "encloses_packet" not in read_header(store.source("records_request"))


def test_the_appeal_letter_kept_on_the_case_is_found(fresh: tuple[Services, list[int]]) -> None:
    services, ids = fresh
    packets = services.packets
    claim_id = ids[3]
    demo_letter = services.letters.letters(claim_id)[0]
    assert demo_letter.kind == "appeal" and demo_letter.sent_on is not None
    found = packets.appeal_letter(claim_id)
    assert found is not None and found.record.id == demo_letter.id and found.has_pdf
    assert found.label == f"Appeal letter sent {demo_letter.sent_on:%d %b %Y}"
    kept = packets.latest_appeal_letter(claim_id)
    assert kept is not None and kept[1].startswith(b"%PDF")

    # A newer appeal written but not sent does not displace the one that was sent.
    services.lettering.generate(claim_id, "internal_appeal", "pdf", force=True)
    again = packets.appeal_letter(claim_id)
    assert again is not None and again.record.id == demo_letter.id

    # The newest one sent wins, and kept only as a Word file it is named, not dropped.
    word = services.lettering.generate(claim_id, "internal_appeal", "docx", force=True)
    assert word.letter is not None
    services.letters.mark_sent(word.letter.id, services.clock.today(), "fax")
    newest = packets.appeal_letter(claim_id)
    assert newest is not None and newest.record.id == word.letter.id and not newest.has_pdf
    title = services.lettering.store.info("internal_appeal").title
    assert newest.label == f"{title} sent {services.clock.today():%d %b %Y}"
    assert "Word file (DOCX)" in newest.problem and "Letters tab" in newest.problem
    assert packets.latest_appeal_letter(claim_id) is None


def test_a_letter_whose_enclosures_no_longer_match_is_caught(
    fresh: tuple[Services, list[int]],
) -> None:
    services, ids = fresh
    packets = services.packets
    claim_id = ids[3]
    # The demo's own letter was written elsewhere and lists no exhibits: nothing to compare.
    kept = packets.latest_appeal_letter(claim_id)
    assert kept is not None and packets.enclosures_disagree(claim_id, kept[1]) == ""

    letter = services.lettering.generate(claim_id, "internal_appeal", "pdf", force=True).data
    assert packets.enclosures_disagree(claim_id, letter) == ""
    # The packet without its chronology is not what the letter lists.
    bare = packets.options(claim_id, include_chronology=False)
    assert "does not match" in packets.enclosures_disagree(claim_id, letter, bare)
    # Nor is a packet whose exhibits were put in another order.
    placed = [d for d in services.documents.documents(claim_id) if d.packet_position]
    placed.sort(key=lambda d: d.packet_position or 0)
    services.documents.set_packet_order(claim_id, [d.id for d in reversed(placed)])
    differs = packets.enclosures_disagree(claim_id, letter)
    assert "does not match" in differs and "Letters tab" in differs
    assert f"Exhibit A – {placed[-1].title}" in differs
