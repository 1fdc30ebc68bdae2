"""Splitting a packet into parts that each fit under an upload limit (portals often cap 10 MB)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

from claimdesk.errors import PacketCancelled, PacketExportError
from claimdesk.packets.assemble import Piece, Tick, add_piece
from claimdesk.packets.model import Cancelled, PacketOptions, stamp_text
from claimdesk.packets.streaming import ByteCounter, StreamingPdf

# Parts are packed to this share of the limit: merging changes a file's size by a little.
SAFETY = 0.97


@dataclass(frozen=True)
class Unit:
    """A run of pages of one piece that goes into a part whole."""

    piece: int
    start: int  # first page within the piece, 0-based
    stop: int  # one past the last
    size: int


def write_split(
    pieces: list[Piece],
    out: Path,
    options: PacketOptions,
    tick: Tick,
    cancelled: Cancelled | None,
    temp: Callable[[Path], Path],
) -> list[tuple[Path, Path]]:
    """Write the parts to temporary files; return (temporary, final) path pairs."""
    limit = options.split_bytes
    assert limit is not None
    files: list[Path] = []
    for piece in pieces:
        if cancelled is not None and cancelled():
            raise PacketCancelled()
        path = temp(out)
        with path.open("wb") as stream:
            pdf = StreamingPdf(stream, piece.bookmark)
            add_piece(pdf, piece, options, tick, cancelled, bookmark=False)
            pdf.finish()
        files.append(path)
    units: list[Unit] = []
    for number, (piece, path) in enumerate(zip(pieces, files, strict=True)):
        size = path.stat().st_size
        if size <= limit * SAFETY:
            units.append(Unit(number, 0, piece.pages, size))
        else:
            units.extend(_page_units(number, piece, path, limit, options.stamp_prefix))
    budget = limit * SAFETY
    for _ in range(4):
        parts = _pack(units, budget)
        written = [_write_part(part, pieces, files, temp(out)) for part in parts]
        if all(p.stat().st_size <= limit for p in written):
            if len(written) == 1:
                return [(written[0], out)]
            return [(path, part_path(out, n)) for n, path in enumerate(written, start=1)]
        budget *= 0.9
    raise PacketExportError(
        "The packet could not be split under the size limit; choose a larger limit."
    )


def part_path(out: Path, number: int) -> Path:
    """Where part ``number`` (from 1) of a packet saved as ``out`` goes: NAME-partN.pdf."""
    return out.with_name(f"{out.stem}-part{number}{out.suffix}")


def old_parts(out: Path, written: list[Path]) -> list[Path]:
    """Parts of an earlier export to ``out`` that this one did not write, in part order.

    Only names part_path could have given (no leading zeros, same case and suffix) and only
    plain files: anything else beside the packet is the user's.
    """
    pattern = re.compile(re.escape(out.stem) + r"-part([1-9][0-9]*)" + re.escape(out.suffix))
    keep = {path.name for path in written}
    found: list[tuple[int, Path]] = []
    with os.scandir(out.parent) as entries:
        for entry in entries:
            match = pattern.fullmatch(entry.name)
            if match and entry.name not in keep and entry.is_file(follow_symlinks=False):
                found.append((int(match.group(1)), Path(entry.path)))
    return [path for _, path in sorted(found)]


def _page_units(number: int, piece: Piece, path: Path, limit: int, prefix: str) -> list[Unit]:
    """A piece too big for one part, page by page, so it can be broken between pages."""
    reader = PdfReader(path)
    units = []
    for index in range(len(reader.pages)):
        counter = ByteCounter()
        alone = StreamingPdf(counter, "")
        alone.copier(reader, index, index + 1).add(index, None)
        size = alone.finish()
        if size > limit * SAFETY:
            stamp = stamp_text(prefix, piece.first + index + 1)
            raise PacketExportError(
                f"Page {stamp} of {piece.bookmark} is {size / 2**20:.1f} MB on its own, over "
                f"the {limit / 2**20:.1f} MB limit. Scan that page again at a lower "
                "resolution (150-200 dpi, greyscale), or choose a larger limit."
            )
        units.append(Unit(number, index, index + 1, size))
    return units


def _pack(units: list[Unit], budget: float) -> list[list[Unit]]:
    """Consecutive units, as many per part as fit; neighbouring pages of a piece join up."""
    parts: list[list[Unit]] = [[]]
    used = 0
    for unit in units:
        if parts[-1] and used + unit.size > budget:
            parts.append([])
            used = 0
        last = parts[-1][-1] if parts[-1] else None
        if last is not None and last.piece == unit.piece and last.stop == unit.start:
            parts[-1][-1] = Unit(unit.piece, last.start, unit.stop, last.size + unit.size)
        else:
            parts[-1].append(unit)
        used += unit.size
    return parts


def _write_part(part: list[Unit], pieces: list[Piece], files: list[Path], path: Path) -> Path:
    with path.open("wb") as stream:
        pdf = StreamingPdf(stream, "Appeal packet (part)")
        for unit in part:
            piece = pieces[unit.piece]
            start = pdf.page_count
            copier = pdf.copier(PdfReader(files[unit.piece]), unit.start, unit.stop)
            for index in range(unit.start, unit.stop):
                copier.add(index, None)  # stamped already
            copier.close()
            title = piece.bookmark if unit.start == 0 else f"{piece.bookmark} (continued)"
            pdf.bookmark(title, start)
        pdf.finish()
    return path
