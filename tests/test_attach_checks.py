"""Files checked when they are chosen: what cannot be attached usefully is named at once."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from claimdesk.services import Services
from claimdesk.services.documents import MAX_DOCUMENT_BYTES, attach_problems, check_attachable
from tests.pdf_corpus import CORPUS, Sample, text_pdf

READABLE = [s for s in CORPUS if s.pages]
REFUSED = [s for s in CORPUS if not s.pages]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_good_pdf_and_a_good_picture_pass(tmp_path: Path) -> None:
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(picture, format="PNG")
    assert check_attachable(write(tmp_path, "denial.pdf", text_pdf(2, "Denial"))) == []
    assert check_attachable(write(tmp_path, "photo.png", picture.getvalue())) == []
    assert check_attachable(write(tmp_path, "notes.txt", b"Call with Acme, 3 March.\n")) == []


def test_an_empty_file_is_named_with_what_to_do(tmp_path: Path) -> None:
    [problem] = check_attachable(write(tmp_path, "blank scan.pdf", b""))
    assert problem.startswith("'blank scan.pdf' is empty (0 bytes)")
    assert "attach it again" in problem


def test_a_text_file_renamed_pdf(tmp_path: Path) -> None:
    email = "Dear claimant,\nyour appeal was received — naïve café.\n" * 50
    [problem] = check_attachable(write(tmp_path, "appeal.pdf", email.encode()))
    assert problem.startswith("'appeal.pdf' is not a PDF: it holds plain text")
    assert "print it to a PDF" in problem


def test_a_picture_renamed_pdf(tmp_path: Path) -> None:
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(picture, format="JPEG")
    [problem] = check_attachable(write(tmp_path, "eob.pdf", picture.getvalue()))
    assert "picture (JPEG)" in problem and "end in .jpg" in problem


def test_binary_junk_named_pdf(tmp_path: Path) -> None:
    [problem] = check_attachable(write(tmp_path, "scan.pdf", bytes(range(256)) * 8))
    assert problem.startswith("'scan.pdf' is not a PDF, though its name ends in .pdf")


def test_a_password_protected_pdf(tmp_path: Path) -> None:
    locked = next(s for s in CORPUS if s.name == "aes256-user-password.pdf")
    [problem] = check_attachable(write(tmp_path, locked.name, locked.make()))
    assert "password-protected" in problem and "save an unlocked copy" in problem


def test_a_damaged_pdf(tmp_path: Path) -> None:
    [problem] = check_attachable(write(tmp_path, "broken.pdf", b"%PDF-1.7\n\x00garbage" * 10))
    assert problem.startswith("'broken.pdf' cannot be opened as a PDF: it is damaged")
    assert "print it to a new PDF" in problem


def test_too_big_a_file(tmp_path: Path) -> None:
    big = tmp_path / "huge.pdf"
    with big.open("wb") as handle:
        handle.truncate(MAX_DOCUMENT_BYTES + 1)  # sparse: no real disk used
    [problem] = check_attachable(big)
    assert "Split the scan" in problem


def test_missing_folder_and_unreadable(tmp_path: Path) -> None:
    [missing] = check_attachable(tmp_path / "gone.pdf")
    assert "does not exist" in missing
    [folder] = check_attachable(tmp_path)
    assert "is a folder" in folder
    if os.geteuid() != 0:  # root reads anything
        secret = write(tmp_path, "secret.pdf", text_pdf(1, "Secret"))
        secret.chmod(0)
        [denied] = check_attachable(secret)
        assert "permission" in denied


@pytest.mark.parametrize("sample", READABLE, ids=lambda s: s.name)
def test_every_pdf_a_viewer_opens_passes(tmp_path: Path, sample: Sample) -> None:
    assert check_attachable(write(tmp_path, sample.name, sample.make())) == []


@pytest.mark.parametrize("sample", REFUSED, ids=lambda s: s.name)
def test_every_pdf_no_engine_opens_is_named(tmp_path: Path, sample: Sample) -> None:
    [problem] = check_attachable(write(tmp_path, sample.name, sample.make()))
    assert problem.startswith(f"'{sample.name}'")
    assert sample.refusal in problem or (
        sample.name == "text-named.pdf" and "plain text" in problem
    )


def test_the_service_offers_the_check(services: Services, tmp_path: Path) -> None:
    assert services.documents.check_attachable(write(tmp_path, "a.pdf", b"")) != []


def test_bytes_already_read_are_checked_the_same_way() -> None:
    assert attach_problems("a.pdf", text_pdf(1, "A")) == []
    [problem] = attach_problems("../x/mail.pdf", b"Hello,\nplain text.\n")
    assert problem.startswith("'mail.pdf' is not a PDF")
