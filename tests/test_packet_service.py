"""The packet built from a demo case: its documents in packet order, its chronology, its letter."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader
from sqlalchemy import text

from claimdesk.errors import ExhibitProblemsError
from claimdesk.packets import check_exhibits
from claimdesk.services import Services
from claimdesk.services.demo import load_demo


def letter_pdf(pages: int = 2) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for n in range(pages):
        pdf.add_page()
        pdf.cell(0, 10, f"Request for internal appeal, page {n + 1}")
    return bytes(pdf.output())


@pytest.fixture
def case(services: Services) -> int:
    """The first demo case, with every document in the packet, newest first."""
    claim_id = next(
        c for c in load_demo(services) if services.claims.get(c).case_number.endswith("0001")
    )
    documents = services.documents.documents(claim_id)
    services.documents.set_packet_order(claim_id, [d.id for d in reversed(documents)])
    return claim_id


def test_exhibits_follow_the_packet_order(services: Services, case: int) -> None:
    documents = services.documents.documents(case)
    services.documents.set_packet_order(case, [documents[2].id, documents[0].id])
    source = services.packets.source(case, None)
    assert [e.title for e in source.exhibits] == [documents[2].title, documents[0].title]
    assert source.exhibits[0].load() == services.documents.content(documents[2].id)
    assert source.case_number == services.claims.get(case).case_number


def test_chronology_holds_calls_requests_letters_and_decisions(
    services: Services, case: int
) -> None:
    packets = services.packets
    claim = services.claims.get(case)
    entries = packets.chronology(claim)
    kinds = {e.kind for e in entries}
    assert {"Denial", "Call", "Request sent"} <= kinds
    calls = [c for c in services.calls.calls(case) if not c.superseded]
    call_entries = [e for e in entries if e.kind == "Call"]
    assert len(call_entries) == len(calls)
    for call in calls:
        match = [e for e in call_entries if e.reference == call.call_reference]
        assert match and call.person_name in match[0].who
        if call.person_staff_id:
            assert call.person_staff_id in match[0].who
    assert sum(e.kind == "Request sent" for e in entries) == len(services.requests.requests(case))
    sent = [letter for letter in services.letters.letters(case) if letter.sent_on]
    assert sum(e.kind == "Letter sent" for e in entries) == len(sent)
    assert not any(e.kind == "Letter written" for e in entries)


def test_packet_from_the_demo_case(services: Services, case: int, tmp_path: Path) -> None:
    packets = services.packets
    document = services.documents.attach(case, "appeal.pdf", letter_pdf(), kind="other")
    record = services.letters.record(
        case, kind="internal_appeal", template_name="internal_appeal", document_id=document.id
    )
    # The demo case's own appeal letter was sent days ago; the newest one sent goes on top.
    services.letters.mark_sent(record.id, services.clock.today(), "fax")
    found = packets.latest_appeal_letter(case)
    assert found is not None and found[0] == "internal_appeal"
    # The letter's own PDF is also a document on the case, so the packet order leaves it out.
    ordered = [d.id for d in services.documents.documents(case) if d.id != document.id]
    services.documents.set_packet_order(case, ordered)
    out = tmp_path / "packet.pdf"
    result = packets.export(case, out, found[1], packets.options(case))
    reader = PdfReader(out)
    exhibit_pages = sum(services.documents.get(i).pages or 0 for i in ordered)
    chronology = result.exhibits[-1]
    chronology_pages = int(chronology.last_stamp[-6:]) - int(chronology.first_stamp[-6:]) + 1
    assert len(reader.pages) == 2 + 1 + exhibit_pages + chronology_pages
    assert "Request for internal appeal, page 1" in reader.pages[0].extract_text()
    assert len(result.exhibits) == len(ordered) + 1
    claim = services.claims.get(case)
    assert result.exhibits[0].first_stamp == f"{claim.case_number}-000004"
    # A US case is printed on US Letter paper.
    assert [round(float(x)) for x in reader.pages[2].mediabox[2:]] == [612, 792]


def test_damaged_stored_document_is_named(services: Services, case: int, tmp_path: Path) -> None:
    documents = services.documents.documents(case)
    victim = documents[1]
    with services.db.write() as session:
        session.execute(
            text("UPDATE document_contents SET data = :data WHERE document_id = :id"),
            {"id": victim.id, "data": b"\x00"},
        )
    packets = services.packets
    problems = check_exhibits(packets.source(case, None))
    assert [p.file_name for p in problems] == [victim.original_name]
    assert "damaged" in problems[0].reason
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "packet.pdf"
    with pytest.raises(ExhibitProblemsError, match=re.escape(victim.title)):
        packets.export(case, out, None, packets.options(case))
    assert list(folder.iterdir()) == []
    result = packets.export(case, out, None, packets.options(case, omit_unreadable=True))
    assert [p.title for p in result.omitted] == [victim.title]
    assert victim.title not in PdfReader(io.BytesIO(out.read_bytes())).pages[0].extract_text()


def run_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    import argparse

    from claimdesk import cli
    from claimdesk.cli_packet import register

    original = cli.build_parser

    def build() -> argparse.ArgumentParser:
        parser = original()
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        if "packet" not in sub.choices:  # until cli.py registers the command itself
            cli.COMMANDS.update(register(sub))
        return parser

    monkeypatch.setattr(cli, "build_parser", build)
    code = cli.main(["--user", "Test Caseworker", *args])  # the services fixture's account
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_packet_with_a_letter_file_and_without_one(
    services: Services,
    case: int,
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    number = services.claims.get(case).case_number
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(letter_pdf(3))
    out = tmp_path / "packet.pdf"
    stale = tmp_path / "packet-part2.pdf"  # from an earlier, split export to the same name
    stale.write_bytes(b"%PDF-1.4 old part")
    db = f"sqlite:///{db_path}"
    code, printed, err = run_cli(
        monkeypatch, capsys, "--db", db, "packet", number, "--out", str(out),
        "--letter", str(letter),
    )  # fmt: skip
    assert code == 0, err
    assert f"Wrote {out}" in printed and f"  A  {number}-000005" in printed
    assert f"Removed {stale}" in printed and not stale.exists()
    assert "Request for internal appeal, page 3" in PdfReader(out).pages[2].extract_text()
    code, printed, err = run_cli(
        monkeypatch, capsys, "--db", db, "packet", number, "--out", str(out), "--zip",
        "--no-chronology",
    )  # fmt: skip
    assert code == 0, err
    # Without --letter: the appeal letter kept on the case (the demo's, sent by fax) on top.
    assert "no appeal letter" not in err
    assert (tmp_path / "packet.zip").exists() and "Chronology" not in printed
    with zipfile.ZipFile(tmp_path / "packet.zip") as archive:
        assert archive.namelist()[0] == "01 Appeal letter.pdf"
    code, _, err = run_cli(
        monkeypatch, capsys, "--db", db, "packet", number, "--out", str(tmp_path / "x" / "p.pdf")
    )
    assert code == 1 and "does not exist" in err
