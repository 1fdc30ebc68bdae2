"""Attaching files: empty, huge, oddly named, corrupt, and damaged in storage."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter

from claimdesk.errors import DocumentError
from claimdesk.services import ClaimInput, Services
from claimdesk.services.documents import safe_file_name


@pytest.fixture
def claim_id(services: Services) -> int:
    return services.claims.open_case(
        ClaimInput("Maria Lopez", "erisa_group_health", "health", "US", "Acme")
    ).id


def pdf_with_pages(count: int) -> bytes:
    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_is_kept_with_its_pages_and_checksum(services: Services, claim_id: int) -> None:
    data = pdf_with_pages(3)
    info = services.documents.attach(
        claim_id, "denial.pdf", data, kind="denial_letter", document_date="2026-03-01"
    )
    assert (info.media_type, info.pages, info.size_bytes) == ("application/pdf", 3, len(data))
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.title == "denial"
    assert services.documents.content(info.id) == data


def test_empty_file_is_refused_with_advice(services: Services, claim_id: int) -> None:
    with pytest.raises(DocumentError, match=r"empty \(0 bytes\)"):
        services.documents.attach(claim_id, "scan.pdf", b"")
    assert services.documents.documents(claim_id) == []


def test_fifty_megabyte_document_round_trips(services: Services, claim_id: int) -> None:
    data = os.urandom(1024) * (50 * 1024)  # 50 MiB
    info = services.documents.attach(claim_id, "claim-file-scan.tiff", data)
    assert info.size_bytes == 50 * 2**20
    assert services.documents.content(info.id) == data


def test_too_large_a_file_is_refused_before_reading(
    services: Services, claim_id: int, tmp_path: Path
) -> None:
    big = tmp_path / "huge.pdf"
    with big.open("wb") as handle:
        handle.truncate(300 * 2**20)  # sparse: no real disk used
    with pytest.raises(DocumentError, match="Split the scan"):
        services.documents.attach_file(claim_id, big)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\maria\\Desktop\\EOB.pdf", "EOB.pdf"),
        ("re\x00port\x07.pdf", "report.pdf"),
        ("line\nbreak.pdf", "linebreak.pdf"),
        ("..", "document"),
        ("/", "document"),
        ("", "document"),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_file_names_never_become_paths(given: str, kept: str) -> None:
    assert safe_file_name(given) == kept


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_file_name_is_safe(name: str) -> None:
    kept = safe_file_name(name)
    assert kept and "/" not in kept and "\\" not in kept and kept not in {".", ".."}
    assert not any(ord(c) < 32 or ord(c) == 127 for c in kept)
    assert len(kept) <= 255


def test_hostile_name_is_stored_safely(services: Services, claim_id: int) -> None:
    info = services.documents.attach(claim_id, "../../../tmp/evil\x1b[31m.pdf", b"%PDF-1.4\n")
    assert info.original_name == "evil[31m.pdf"


def test_corrupt_pdf_is_kept_but_pages_unknown(services: Services, claim_id: int) -> None:
    info = services.documents.attach(claim_id, "broken.pdf", b"%PDF-1.7\n\x00garbage" * 10)
    assert info.media_type == "application/pdf" and info.pages is None


def test_missing_and_unreadable_files_get_clear_messages(
    services: Services, claim_id: int, tmp_path: Path
) -> None:
    with pytest.raises(DocumentError, match="does not exist"):
        services.documents.attach_file(claim_id, tmp_path / "nope.pdf")
    with pytest.raises(DocumentError, match="is a folder"):
        services.documents.attach_file(claim_id, tmp_path)


def test_damaged_stored_copy_is_detected(services: Services, claim_id: int) -> None:
    info = services.documents.attach(claim_id, "a.pdf", b"%PDF-1.4 original")
    from sqlalchemy import text

    with services.db.write() as session:
        session.execute(text("UPDATE document_contents SET data = :data"), {"data": b"\x00"})
    with pytest.raises(DocumentError, match="damaged"):
        services.documents.content(info.id)


def test_packet_order(services: Services, claim_id: int) -> None:
    a = services.documents.attach(claim_id, "a.pdf", b"%PDF-a")
    b = services.documents.attach(claim_id, "b.pdf", b"%PDF-b")
    services.documents.set_packet_order(claim_id, [b.id, a.id])
    positions = {d.id: d.packet_position for d in services.documents.documents(claim_id)}
    assert positions == {b.id: 1, a.id: 2}
    services.documents.set_packet_order(claim_id, [a.id])
    positions = {d.id: d.packet_position for d in services.documents.documents(claim_id)}
    assert positions == {a.id: 1, b.id: None}
