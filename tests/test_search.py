"""Global search: what it finds, that it follows every change, and queries that must not break."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from fpdf import FPDF

from claimdesk.errors import ValidationError
from claimdesk.services import CallInput, Services
from claimdesk.services import search as search_module
from claimdesk.services.dto import HIT_END, HIT_START
from claimdesk.services.search import fts_phrase, make_snippet, query_terms
from claimdesk.storage import open_database
from tests.builders import full_case
from tests.pinned import NOW
from tests.signin import as_user

SAMPLE_0001 = Path(__file__).parent / "resources" / "schema" / "0001.sqlite"


def letter_pdf(*lines: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def found(services: Services, query: str) -> set[tuple[str, str]]:
    """(case number, kind) of every hit."""
    result = services.search.search(query)
    return {(case.case_number, hit.kind) for case in result.cases for hit in case.hits}


@pytest.fixture
def two_cases(services: Services) -> tuple[int, int]:
    return full_case(services, "Maria Lopez"), full_case(services, "Jürgen Müller")


def test_finds_calls_by_name_staff_id_reference_and_promise(
    services: Services, two_cases: tuple[int, int]
) -> None:
    first, _ = two_cases
    number = services.claims.get(first).case_number
    assert (number, "call") in found(services, "Dana Ortiz")
    assert (number, "call") in found(services, "E-4471")  # a reference with a dash
    assert (number, "call") in found(services, "mail the claim")  # a promise, by word starts
    assert (number, "call") in found(services, "would not name")  # what was refused


def test_finds_notes_accents_and_devanagari(services: Services, two_cases: tuple[int, int]) -> None:
    numbers = {services.claims.get(c).case_number for c in two_cases}
    assert {n for n, kind in found(services, "cafe") if kind == "note"} == numbers
    assert {n for n, _ in found(services, "देवनागरी")} == numbers
    # Without the umlaut, as people type names they heard on the phone.
    hits = services.search.search("Muller")
    assert [c.claimant_name for c in hits.cases] == ["Jürgen Müller"]


def test_finds_the_text_inside_a_pdf_and_names_it(services: Services) -> None:
    claim_id = full_case(services)
    services.documents.attach(
        claim_id,
        "reviewer.pdf",
        letter_pdf("Physician reviewer determination", "Criteria: MCG A-0489 (26th edition)"),
        kind="reviewer_report",
        title="Reviewer's report",
    )
    result = services.search.search("A-0489")
    hits = [h for case in result.cases for h in case.hits]
    assert [(h.kind, h.title) for h in hits] == [("document", "Reviewer's report")]
    assert f"{HIT_START}A-0489{HIT_END}" in hits[0].snippet.replace(f"{HIT_END}-{HIT_START}", "-")


def test_a_damaged_pdf_is_still_found_by_its_title(services: Services) -> None:
    claim_id = full_case(services)
    services.documents.attach(claim_id, "broken.pdf", b"%PDF-1.7 garbage", title="Fax from Acme")
    assert "document" in {h.kind for c in services.search.search("fax acme").cases for h in c.hits}


def test_every_change_is_searchable_at_once(services: Services) -> None:
    claim_id = full_case(services)
    assert not services.search.search("Quillfeather").cases
    call = services.calls.log_call(
        claim_id,
        CallInput(
            occurred_at=NOW - timedelta(hours=1),
            person_name="Ines Quillfeather",
            call_reference="QX-99812",
            summary="Promised the medical director's notes",
        ),
    )
    result = services.search.search("Quillfeather")
    assert [(h.kind, h.record_id) for c in result.cases for h in c.hits] == [("call", call.id)]
    services.claims.update_case(claim_id, denial_reason="Not covered: lacks prior authorization")
    assert found(services, "prior authorization")
    assert not found(services, "requested ablation")  # the old wording is gone from the index


def test_a_document_is_read_once_not_at_every_change(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    claim_id = full_case(services)
    services.documents.attach(claim_id, "a.pdf", letter_pdf("Zyxwv report"), title="Report")
    calls: list[str] = []
    real = search_module.extract_text
    monkeypatch.setattr(
        search_module, "extract_text", lambda data, kind: calls.append(kind) or real(data, kind)
    )
    services.search.refresh()
    extracted = len(calls)
    assert extracted >= 1
    services.claims.add_note(claim_id, "Another note")
    assert found(services, "zyxwv") and len(calls) == extracted


def test_queries_users_type_never_break_the_search(
    services: Services, two_cases: tuple[int, int]
) -> None:
    for query in ["NEAR(", "a AND OR NOT", "REF-1 (", "col:umn", "'; DROP TABLE", "^x", '"a']:
        services.search.search(query)  # no FTS5 syntax error reaches the user
    for query in ["  ", '"', "*", "--- ***"]:
        with pytest.raises(ValidationError, match="Type a word"):
            services.search.search(query)


def test_too_many_hits_are_cut_and_said(services: Services, two_cases: tuple[int, int]) -> None:
    result = services.search.search("a", limit=3)
    assert result.total_hits == 3 and result.truncated


def test_results_are_grouped_by_case(services: Services, two_cases: tuple[int, int]) -> None:
    result = services.search.search("claim file")
    assert len(result.cases) == 2
    assert len({c.claim_id for c in result.cases}) == 2
    assert all(len(c.hits) >= 1 for c in result.cases)


def test_the_like_path_finds_the_same_cases(services: Services, two_cases: tuple[int, int]) -> None:
    """PostgreSQL (and a Python without FTS5) search the entries with LIKE."""
    with_fts = {c.claim_id for c in services.search.search("dana ortiz").cases}
    services.search._fts = False
    result = services.search.search("dana ortiz")
    assert {c.claim_id for c in result.cases} == with_fts
    snippet = result.cases[0].hits[0].snippet
    assert f"{HIT_START}Dana{HIT_END}" in snippet


def test_a_database_from_before_the_index_is_searchable(tmp_path: Path) -> None:
    path = tmp_path / "claimdesk.sqlite"
    shutil.copy(SAMPLE_0001, path)
    db = open_database(f"sqlite:///{path}", backup_dir=tmp_path / "backups")
    try:
        services = as_user(db, "Upgrader")
        assert services.search.pending() == len(services.claims.list_claims())
        result = services.search.search("peer-to-peer")
        assert result.cases
        assert services.search.pending() == 0
    finally:
        db.dispose()


def test_query_helpers() -> None:
    assert query_terms('"medical necessity" REF-1  x') == ["medical necessity", "REF-1", "x"]
    assert fts_phrase("REF-1") == '"REF 1"*'
    assert fts_phrase("a AND b") == '"a AND b"*'
    assert make_snippet("One two three", ["two"]) == f"One {HIT_START}two{HIT_END} three"


def test_search_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from claimdesk.cli import main

    assert main(["--data-dir", str(tmp_path), "demo"]) == 0
    capsys.readouterr()
    assert main(["--data-dir", str(tmp_path), "search", "peer-to-peer", "Whitcombe"]) == 0
    out = capsys.readouterr().out
    assert "CD-2026-0001  Marisol Quintero-Vance" in out
    assert "with Dana Whitcombe, ref. CS-5560214" in out  # demo dates follow today
    assert out.rstrip().endswith("1 hit in 1 case.")
    assert main(["--data-dir", str(tmp_path), "search", "--reindex", "zzqx"]) == 1
    assert "Nothing found for 'zzqx'" in capsys.readouterr().out
    assert main(["--data-dir", str(tmp_path), "search", "*"]) == 1
    assert "Type a word" in capsys.readouterr().err


def test_a_case_written_behind_the_services_back_is_indexed_too(
    services: Services, db_path: Path
) -> None:
    import sqlite3

    claim_id = full_case(services)
    services.search.refresh()
    with sqlite3.connect(db_path) as connection:  # as bench/make_office_db.py does
        connection.execute("DELETE FROM search_entries WHERE claim_id = ?", (claim_id,))
    assert services.search.pending() == 1
    # Cases without any entry are looked for when the database is opened (at its first
    # search); after that a search reads only the queue every unit of work fills, so it costs
    # nothing when nothing changed. An explicit refresh (search --reindex) looks again.
    assert not services.search.search("Dana Ortiz").cases
    reopened = as_user(services.context.db)
    assert reopened.search.search("Dana Ortiz").cases
    with sqlite3.connect(db_path) as connection:
        connection.execute("DELETE FROM search_entries WHERE claim_id = ?", (claim_id,))
    assert services.search.refresh() == 1
    assert services.search.search("Dana Ortiz").cases


def test_a_specialist_renamed_in_the_directory_is_found_by_the_new_name(
    services: Services,
) -> None:
    claim_id = full_case(services)
    [opinion] = services.opinions.opinions(claim_id)
    services.search.refresh()
    services.specialists.update(opinion.specialist_id, name="Dr. Ottoline Vasquez-Reed")
    hits = services.search.search("Vasquez-Reed")
    assert [(c.claim_id, h.kind) for c in hits.cases for h in c.hits] == [(claim_id, "opinion")]


# One table of queries, run on both backends (the test is parametrized over SQLite's FTS5 and
# PostgreSQL's tsvector): what each finds, as (claimant, kind of record) pairs, must be these.
QUERY_TABLE: list[tuple[str, set[tuple[str, str]]]] = [
    ("Lopez", {("Maria Lopez", "claim")}),
    ("lop", {("Maria Lopez", "claim")}),  # a word's start is enough
    ("Muller", {("Jürgen Müller", "claim")}),  # accents ignored
    ("MÜLLER", {("Jürgen Müller", "claim")}),
    ("R4711", {("Maria Lopez", "note")}),
    ("REF-88", {("Jürgen Müller", "note")}),  # punctuation splits words, as typed
    ('"prior authorization"', {("Maria Lopez", "note")}),  # a phrase, in order
    ('"authorization prior"', set()),
    ("appeal deadline", {("Jürgen Müller", "note")}),  # every word, anywhere in the record
    ("appeal nowhere", set()),
    ("example", {("Maria Lopez", "note")}),  # an e-mail address is words too
    ("café", {("Jürgen Müller", "note")}),
    ("cafe", {("Jürgen Müller", "note")}),
    ("देवनागरी", {("Maria Lopez", "note")}),
    ("zzzz", set()),
]


@pytest.fixture
def query_cases(services: Services) -> None:
    from claimdesk.services import ClaimInput

    for name, notes in (
        (
            "Maria Lopez",
            [
                "Ticket R4711: prior authorization was never requested",
                "Write to maria@example.com",
                "देवनागरी लिपि में नोट",
            ],
        ),
        ("Jürgen Müller", ["REF-88 sent; appeal filed before the deadline", "Met at the café"]),
    ):
        claim = services.claims.open_case(
            ClaimInput(
                claimant_name=name,
                plan_type="erisa_group_health",
                claim_type="health",
                country="US",
                insurer_name="Northwind Health",
            )
        )
        for note in notes:
            services.claims.add_note(claim.id, note)


@pytest.mark.parametrize(("query", "expected"), QUERY_TABLE, ids=[q for q, _ in QUERY_TABLE])
def test_the_query_table_finds_the_same_on_every_backend(
    services: Services, query_cases: None, query: str, expected: set[tuple[str, str]]
) -> None:
    result = services.search.search(query)
    assert {(case.claimant_name, hit.kind) for case in result.cases for hit in case.hits} == (
        expected
    )
