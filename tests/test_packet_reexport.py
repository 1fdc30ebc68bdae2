"""Exporting again to the same name: the old packet's extra parts go, nothing else does."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimdesk.errors import ExhibitProblemsError, PacketCancelled
from claimdesk.packets import Exhibit, PacketResult, export_packet
from tests.test_packets import counting_cancel, exhibit, options, source, stamps, text_pdf

LIMIT = 100_000  # the smallest limit a scan of noise fits under: a part or two per scan
UNRELATED = [
    "appeal-part-notes.pdf",
    "appeal-part3.docx",
    "other-part1.pdf",
    "appeal-partX.pdf",
    "appeal-part03.pdf",
    "appeal-part3.pdf.bak",
]


def scans(count: int) -> list[Exhibit]:
    return [
        exhibit(f"Scan {n}", f"scan{n}.pdf", "application/pdf", text_pdf(2, f"S{n}", noise=300))
        for n in range(count)
    ]


def names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def parts(count: int) -> set[str]:
    return {f"appeal-part{n}.pdf" for n in range(1, count + 1)}


@pytest.fixture
def old(tmp_path: Path) -> PacketResult:
    """A split packet already saved as appeal-part1..N.pdf, beside files that are not its."""
    for name in UNRELATED:
        (tmp_path / name).write_bytes(b"keep me")
    result = export_packet(source(scans(4)), tmp_path / "appeal.pdf", options(split_bytes=LIMIT))
    assert len(result.paths) >= 3 and result.removed == []
    return result


def test_fewer_parts_remove_the_extra_old_parts(tmp_path: Path, old: PacketResult) -> None:
    result = export_packet(source(scans(1)), tmp_path / "appeal.pdf", options(split_bytes=LIMIT))
    assert 1 < len(result.paths) < len(old.paths)
    assert names(tmp_path) == parts(len(result.paths)) | set(UNRELATED)
    assert result.removed == old.paths[len(result.paths) :] and result.stale == []
    # What is left is the new packet, whole, numbered from its first page.
    numbers = [n for path in result.paths for n in stamps(path)]
    assert numbers == list(range(1, result.page_count + 1))


def test_unsplit_export_removes_every_old_part(tmp_path: Path, old: PacketResult) -> None:
    out = tmp_path / "appeal.pdf"
    result = export_packet(source(scans(1)), out, options())
    assert result.paths == [out]
    assert names(tmp_path) == {"appeal.pdf", *UNRELATED}
    assert result.removed == old.paths
    for name in UNRELATED:
        assert (tmp_path / name).read_bytes() == b"keep me"


def test_split_that_fits_in_one_file_removes_every_old_part(
    tmp_path: Path, old: PacketResult
) -> None:
    out = tmp_path / "appeal.pdf"
    result = export_packet(source(scans(1)), out, options(split_bytes=10_000_000))
    assert result.paths == [out] and result.removed == old.paths
    assert names(tmp_path) == {"appeal.pdf", *UNRELATED}


def test_same_or_more_parts_remove_nothing(tmp_path: Path, old: PacketResult) -> None:
    result = export_packet(source(scans(4)), tmp_path / "appeal.pdf", options(split_bytes=LIMIT))
    assert result.paths == old.paths and result.removed == []
    assert names(tmp_path) == parts(len(old.paths)) | set(UNRELATED)


def test_zip_and_other_names_leave_the_parts_alone(tmp_path: Path, old: PacketResult) -> None:
    before = names(tmp_path)
    zipped = export_packet(source(scans(1)), tmp_path / "appeal.pdf", options(as_zip=True))
    other = export_packet(source(scans(1)), tmp_path / "summary.pdf", options())
    assert zipped.removed == [] and other.removed == []
    assert names(tmp_path) == before | {"appeal.zip", "summary.pdf"}


@pytest.mark.parametrize("after", [0, 5, 9])  # 9: the last check, just before saving
def test_cancelled_export_keeps_the_old_parts(
    tmp_path: Path, old: PacketResult, after: int
) -> None:
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    for mode in ({}, {"split_bytes": LIMIT}):
        with pytest.raises(PacketCancelled):
            export_packet(
                source(scans(1)), tmp_path / "appeal.pdf", options(**mode), None,
                counting_cancel(after),
            )  # fmt: skip
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_failed_export_keeps_the_old_parts(tmp_path: Path, old: PacketResult) -> None:
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    bad = exhibit("Bad", "bad.pdf", "application/pdf", b"not a pdf")
    with pytest.raises(ExhibitProblemsError):
        export_packet(source([bad]), tmp_path / "appeal.pdf", options())
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_old_part_that_cannot_be_removed_is_reported(
    tmp_path: Path, old: PacketResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = old.paths[-1]  # open in a PDF viewer on Windows, say
    unlink = Path.unlink

    def refuse(path: Path, missing_ok: bool = False) -> None:
        if path == locked:
            raise PermissionError(13, "The file is in use")
        unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", refuse)
    out = tmp_path / "appeal.pdf"
    result = export_packet(source(scans(1)), out, options())
    assert result.paths == [out] and stamps(out)[0] == 1
    assert result.stale == [locked] and result.removed == old.paths[:-1]
    assert locked.exists()
