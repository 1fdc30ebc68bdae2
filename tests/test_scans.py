"""Scanned documents become searchable: their OCR text is kept by the file's SHA-256, read once;
a case opened from a denial letter keeps the letter as its denial letter, all in one unit."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from claimdesk.cli import main
from claimdesk.errors import OcrUnavailable, ValidationError
from claimdesk.models.enums import DocumentKind
from claimdesk.ocr import engine as ocr_engine
from claimdesk.services import ClaimInput, Services
from tests.builders import full_case
from tests.intake_letters import letter_by_key, letter_pdf, scan_pdf

SCAN = scan_pdf(letter_by_key("uk_private_surgery"), 200)


def hits(services: Services, words: str) -> set[str]:
    result = services.search.search(words)
    return {hit.kind for case in result.cases for hit in case.hits}


def test_words_in_a_scan_are_found_once_it_is_read_and_it_is_never_read_twice(
    services: Services,
) -> None:
    claim_id = full_case(services)
    document = services.documents.attach(claim_id, "scan.pdf", SCAN)
    assert "document" not in hits(services, "arthroscopy")  # a picture has no text of its own
    unread = services.scans.unread(claim_id)
    assert document.id in unread  # (with the case's other files)

    assert services.scans.read_unread(claim_id) == len(unread)
    assert "document" in hits(services, "arthroscopy")
    assert "document" in hits(services, "Bluewater")
    assert services.scans.unread(claim_id) == []
    # The same file on another case is not read again: its text is kept by its SHA-256.
    other = full_case(services, "Jürgen Müller")
    services.documents.attach(other, "copy.pdf", SCAN)
    assert services.scans.unread(other) == []
    result = services.search.search("arthroscopy")
    assert len(result.cases) == 2


def test_without_an_engine_reading_scans_says_how_to_add_one_and_keeps_nothing(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    claim_id = full_case(services)
    document = services.documents.attach(claim_id, "scan.pdf", SCAN)
    monkeypatch.setattr(ocr_engine, "DISABLED", True)
    with pytest.raises(OcrUnavailable, match="OCR extra"):
        services.scans.read_unread(claim_id)
    assert document.id in services.scans.unread(claim_id)  # tried again once there is one
    # A PDF with its own text needs no engine.
    text = services.documents.attach(
        claim_id, "letter.pdf", letter_pdf(letter_by_key("ca_drug_plan"))
    )
    services.scans.read(text.id)
    assert "document" in hits(services, "Ustekinumab")


def test_a_damaged_file_is_kept_as_read_with_no_text(services: Services) -> None:
    claim_id = full_case(services)
    document = services.documents.attach(
        claim_id, "broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
    )
    services.scans.read(document.id)
    assert document.id not in services.scans.unread(claim_id)


def intake_input(**changes: object) -> ClaimInput:
    values: dict[str, object] = {
        "claimant_name": "Oliver Bennett",
        "plan_type": "uk_private",
        "claim_type": "health",
        "country": "GB",
        "insurer_name": "Bluewater Health Insurance Ltd",
        "denial_letter_date": date(2026, 3, 14),
    }
    values.update(changes)
    return ClaimInput(**values)  # type: ignore[arg-type]


def test_a_case_opened_from_a_letter_keeps_it_as_its_denial_letter(services: Services) -> None:
    detail = services.claims.open_case(intake_input(), denial_letter=("letter.pdf", SCAN))
    (document,) = services.documents.documents(detail.id)
    assert document.kind == DocumentKind.DENIAL_LETTER
    assert document.document_date == date(2026, 3, 14)
    assert services.documents.content(document.id) == SCAN


def test_a_refused_case_keeps_no_letter_either(services: Services) -> None:
    before = len(services.claims.list_claims())
    with pytest.raises(ValidationError):
        services.claims.open_case(intake_input(claimant_name=""), denial_letter=("l.pdf", SCAN))
    assert len(services.claims.list_claims()) == before


def test_cli_search_reads_scans_first(
    services: Services, capsys: pytest.CaptureFixture[str], db_path: Path
) -> None:
    claim_id = full_case(services)
    services.documents.attach(claim_id, "scan.pdf", SCAN)
    who = ["--db", f"sqlite:///{db_path}", "--user", "Test Caseworker"]
    assert main([*who, "search", "arthroscopy"]) == 1
    capsys.readouterr()
    assert main([*who, "search", "--read-scans", "arthroscopy"]) == 0
    out, err = capsys.readouterr()
    assert "documents not read yet" in err and "arthroscopy" in out.lower()
    assert json.dumps(services.scans.unread()) == "[]"
