"""Intake: a denial letter read offline (its text, or OCR of a scan or a photo) and its fields
found by the rules in resources/intake/rules.json; bad files refused in one sentence."""

from __future__ import annotations

import io
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader, PdfWriter

from claimdesk.cli import main
from claimdesk.errors import OcrUnavailable, ReadingCancelled, ReadingError
from claimdesk.intake import read_letter
from claimdesk.ocr import engine as ocr_engine
from claimdesk.ocr.reader import read_document
from tests.intake_letters import (
    LETTERS,
    TRUTH,
    letter_by_key,
    letter_pdf,
    photo_jpeg,
    scan_image,
    scan_pdf,
    truth,
)


def values(result: object) -> dict[str, object]:
    fields = result.fields  # type: ignore[attr-defined]
    return {
        name: (f.value.isoformat() if isinstance(f.value, date) else f.value) if f else None
        for name, f in fields.items()
    }


def wrong(result: object, key: str) -> dict[str, tuple[object, object]]:
    got = values(result)
    return {
        name: (got.get(name), want)
        for name, want in letter_by_key(key).truth().items()
        if got.get(name) != want
    }


def test_the_committed_truth_is_what_the_generator_says() -> None:
    assert json.loads(TRUTH.read_text(encoding="utf-8")) == truth()


@pytest.mark.parametrize("key", [letter.key for letter in LETTERS])
def test_every_field_of_every_born_digital_letter(key: str) -> None:
    """A PDF with text is read from its text (no OCR) and every field is found exactly."""
    result = read_letter(letter_pdf(letter_by_key(key)), f"{key}.pdf")
    assert [p.how for p in result.document.pages] == ["text"]
    assert wrong(result, key) == {}


def test_a_200_dpi_scan_is_read_by_ocr_with_its_fields() -> None:
    key = "uk_private_surgery"
    result = read_letter(scan_pdf(letter_by_key(key), 200), "scan.pdf", snippets=True)
    assert [p.how for p in result.document.pages] == ["ocr"]
    assert "pre-existing condition" in result.text
    problems = wrong(result, key)
    assert len(problems) <= 1, problems  # one OCR slip allowed on a noisy scan
    # The snippet beside each field is the picture of the line it was read from.
    snippet = Image.open(io.BytesIO(result.snippets["claim_number"]))
    assert snippet.width > 3 * snippet.height


def test_a_sideways_phone_photo_is_turned_upright() -> None:
    key = "us_erisa_mri"
    result = read_letter(photo_jpeg(letter_by_key(key), sideways=True), "photo.jpg")
    got = values(result)
    assert got["claim_number"] == "C2026-0418877"
    assert got["letter_date"] == "2026-03-09"
    assert "not medically necessary" in result.text


def test_a_page_that_is_only_a_picture_of_the_page_is_straightened() -> None:
    image = scan_image(letter_by_key("ca_drug_plan"), 200).rotate(3, expand=True, fillcolor=255)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    result = read_letter(buffer.getvalue(), "tilted.png")
    assert values(result)["claim_number"] == "SA-2026-66018"


def test_numeric_dates_are_read_in_the_letters_country() -> None:
    """03/04 is 3 April in the UK and March 4 in the US: the country decides."""
    from claimdesk.intake.fields import load_rules, parse_date

    rules = load_rules()
    assert parse_date("Date: 03/04/2026", "GB", rules) == date(2026, 4, 3)
    assert parse_date("Date: 03/04/2026", "US", rules) == date(2026, 3, 4)
    assert parse_date("3rd March 2026", "IN", rules) == date(2026, 3, 3)
    assert parse_date("2026-04-20", "CA", rules) == date(2026, 4, 20)
    assert parse_date("26 Feb 2026", "AU", rules) == date(2026, 2, 26)
    assert parse_date("13/02/2026", "US", rules) == date(2026, 2, 13)  # no 13th month


def test_an_office_adds_its_own_labels(tmp_path: Path) -> None:
    from claimdesk.intake.fields import load_rules

    rules = json.loads(json.dumps(load_rules()))
    rules["labels"]["claim_number"].append("Dossier")
    (tmp_path / "intake").mkdir()
    (tmp_path / "intake" / "rules.json").write_text(json.dumps(rules), encoding="utf-8")
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 8, "Northwind Health Plan\nDossier: ZX-44812\nPatient: Ann Lee\n" + "x " * 30)
    data = bytes(pdf.output())
    assert values(read_letter(data, "a.pdf"))["claim_number"] is None
    assert values(read_letter(data, "a.pdf", data_dir=tmp_path))["claim_number"] == "ZX-44812"


# ---- bad input: a sentence, or empty fields; never a traceback or a hang -----------------------


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(letter_pdf(LETTERS[0]))))
    writer.encrypt("secret", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_an_encrypted_pdf_is_refused_asking_for_an_unlocked_copy() -> None:
    with pytest.raises(ReadingError, match="password"):
        read_letter(encrypted_pdf(), "locked.pdf")


@pytest.mark.parametrize(
    ("data", "words"),
    [(b"", "empty"), (b"Hello, this is an e-mail", "not a PDF or a picture")],
)
def test_not_a_letter_file_is_refused(data: bytes, words: str) -> None:
    with pytest.raises(ReadingError, match=words):
        read_letter(data, "x.pdf")


def test_a_blank_page_gives_empty_fields_without_ocr() -> None:
    buffer = io.BytesIO()
    Image.new("L", (1700, 2200), 250).save(buffer, format="PNG")
    result = read_letter(buffer.getvalue(), "blank.png")
    assert [p.how for p in result.document.pages] == ["blank"]
    assert result.found == 0 and result.text == ""


def test_a_document_that_is_not_a_letter_gives_empty_fields() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 8, "Banana bread. Mash three ripe bananas with butter and sugar. " * 5)
    result = read_letter(bytes(pdf.output()), "recipe.pdf")
    assert result.found == 0


def test_a_200_page_file_reads_only_a_letters_worth() -> None:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for n in range(200):
        pdf.add_page()
        pdf.multi_cell(0, 8, f"Claim file page {n + 1}. " + "Progress note. " * 10)
    result = read_letter(bytes(pdf.output()), "claim-file.pdf")
    assert len(result.document.pages) == 12
    assert result.document.notes == ["Only the first 12 of 200 pages were read."]


def test_a_page_past_its_time_limit_is_skipped_with_a_note() -> None:
    result = read_letter(scan_pdf(LETTERS[0], 200), "scan.pdf", page_seconds=0.001)
    assert [p.how for p in result.document.pages] == ["timed out"]
    assert "took longer than" in result.document.notes[0]


def test_reading_stops_when_asked() -> None:
    with pytest.raises(ReadingCancelled):
        read_document(letter_pdf(LETTERS[0]), "a.pdf", cancelled=lambda: True)


def test_without_an_engine_a_scan_says_how_to_add_one_and_a_text_pdf_still_reads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ocr_engine, "DISABLED", True)
    with pytest.raises(OcrUnavailable, match="brew install tesseract"):
        read_letter(scan_pdf(LETTERS[0], 200), "scan.pdf")
    assert read_letter(letter_pdf(LETTERS[0]), "a.pdf").found > 10


# ---- the command line -------------------------------------------------------------------------


@pytest.mark.manual_setup  # no password anywhere: intake must not ask for one
def test_cli_intake_json_needs_no_data_folder_and_no_sign_in(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLAIMDESK_PASSWORD_FILE", raising=False)
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(letter_pdf(letter_by_key("in_health_cashless")))
    data_dir = tmp_path / "data"
    monkeypatch.setenv("CLAIMDESK_DATA_DIR", str(data_dir))
    assert main(["intake", str(letter), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["fields"]["claim_number"]["value"] == "CL-MH-44120987"
    assert printed["fields"]["letter_date"]["value"] == "2026-03-05"
    assert printed["fields"]["appeal_deadline_days"]["value"] == 15
    assert printed["fields"]["group_number"] is None
    assert "robotic surgery is excluded" in printed["text"]
    assert not data_dir.exists()  # no database, no logs: nothing was made


def test_cli_intake_prints_fields_for_people(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(letter_pdf(letter_by_key("us_erisa_mri")))
    assert main(["intake", str(letter)]) == 0
    out = capsys.readouterr().out
    assert "Claim number          C2026-0418877" in out
    assert "Group number          GRP-22871" in out


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (encrypted_pdf, "password-protected"),
        (lambda: b"not a letter at all", "not a PDF or a picture"),
    ],
)
def test_cli_intake_refuses_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make: object, words: str
) -> None:
    path = tmp_path / "bad.pdf"
    path.write_bytes(make())  # type: ignore[operator]
    assert main(["intake", str(path)]) == 1
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1


def test_cli_intake_without_an_engine_says_how_to_add_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr_engine, "DISABLED", True)
    path = tmp_path / "scan.pdf"
    path.write_bytes(scan_pdf(LETTERS[0], 200))
    assert main(["intake", str(path)]) == 1
    assert "No OCR engine is installed" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("read", "kept"),
    [
        ("not medically °", "not medically"),
        ("' Claim No.: RX26-0098812", "Claim No.: RX26-0098812"),
        ("_Harbour Health Insurance Pty Ltd", "Harbour Health Insurance Pty Ltd"),
        ("the visits are | not covered", "the visits are not covered"),
        ("in ‘restricted’ services", "in ‘restricted’ services"),  # real quotes stay
    ],
)
def test_a_scanners_specks_are_dropped_and_the_words_kept(read: str, kept: str) -> None:
    from claimdesk.intake.fields import clean

    assert clean(read) == kept


def test_a_page_fed_upside_down_is_turned_round() -> None:
    image = scan_image(letter_by_key("au_private_hospital"), 200).rotate(180)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    result = read_letter(buffer.getvalue(), "upside-down.png")
    assert values(result)["claim_number"] == "AU-CL-880415"


@pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="no system tesseract (scripts/test installs Debian's tesseract-ocr)",
)
def test_the_system_tesseract_reads_a_scan_through_its_pipes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The fallback where no wheel installs (macOS): the page goes in on stdin, never to a
    temporary file."""
    import tempfile

    monkeypatch.setattr(ocr_engine, "PREFER_COMMAND", True)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = read_letter(scan_pdf(letter_by_key("uk_private_surgery"), 200), "scan.pdf")
    assert result.document.engine == "Tesseract (system program)"
    assert values(result)["claim_number"] == "CLM-UK-55120"
    assert "pre-existing condition" in result.text
    assert list(tmp_path.iterdir()) == []  # nothing of the letter written anywhere


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="no system tesseract")
def test_the_system_tesseract_keeps_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr_engine, "PREFER_COMMAND", True)
    result = read_letter(scan_pdf(LETTERS[0], 200), "scan.pdf", page_seconds=0.001)
    assert [p.how for p in result.document.pages] == ["timed out"]


def test_a_poster_sized_page_is_drawn_small_enough_to_read() -> None:
    pdf = FPDF(unit="pt", format=(7200, 7200))  # 100 inches square: 30,000 px at 300 dpi
    pdf.add_page()
    buffer = io.BytesIO()
    scan_image(letter_by_key("us_erisa_mri"), 200).save(buffer, format="PNG")
    pdf.image(buffer, x=0, y=0, w=7200)
    result = read_letter(bytes(pdf.output()), "poster.pdf")
    assert [p.how for p in result.document.pages] == ["ocr"]


def test_an_office_adds_languages_in_its_data_folder(tmp_path: Path) -> None:
    """Its own tessdata folder (with a copy of eng) is used with every language in it."""
    folder, languages = ocr_engine.tessdata_for(tmp_path)
    assert (folder, languages) == (ocr_engine.bundled_tessdata(), "eng")
    office = tmp_path / "tessdata"
    office.mkdir()
    (office / "fra.traineddata").write_bytes(b"")
    # Without English beside it, the office's folder is not used (eng is always read).
    assert ocr_engine.tessdata_for(tmp_path)[0] == ocr_engine.bundled_tessdata()
    shutil.copy(ocr_engine.bundled_tessdata() / "eng.traineddata", office)
    assert ocr_engine.tessdata_for(tmp_path) == (office, "eng+fra")
