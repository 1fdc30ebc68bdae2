"""export_packet: check, lay out, stamp and write an appeal packet, or write nothing."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from claimdesk.errors import ExhibitProblemsError, PacketCancelled, PacketExportError
from claimdesk.packets.assemble import (
    ExhibitFailed,
    Piece,
    Tick,
    add_piece,
    lay_out,
    progress_counter,
)
from claimdesk.packets.model import (
    Cancelled,
    ExhibitProblem,
    ExhibitRange,
    PacketOptions,
    PacketResult,
    PacketSource,
    Progress,
    stamp_text,
)
from claimdesk.packets.preflight import Unreadable, open_pdf, retry_repaired, survey
from claimdesk.packets.split import old_parts, write_split
from claimdesk.packets.streaming import OutputError, StreamingPdf
from claimdesk.partials import Partial, new_partial, remove_stale_partials

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def export_packet(
    source: PacketSource,
    out: Path,
    options: PacketOptions,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> PacketResult:
    """Write the packet to ``out`` (or its parts, or a ZIP); raise and leave nothing otherwise."""
    out = Path(out)
    if options.as_zip and out.suffix.lower() != ".zip":
        out = out.with_suffix(".zip")
    _check_options(options, out)
    # Partials of an export of this name that was killed outright (claimdesk/partials.py).
    remove_stale_partials(out)
    letter_pages = _letter_pages(source.letter_pdf)
    planned, problems = survey(source, options.paper, cancelled, progress)
    if problems and not options.omit_unreadable:
        raise ExhibitProblemsError(problems)
    omitted: list[ExhibitProblem] = list(problems)
    exhibits = [
        Piece(
            "exhibit", "", p.exhibit.title, p.exhibit.date_text, p.pages, data=p.rendered, planned=p
        )
        for p in planned
    ]
    while True:
        pieces = lay_out(source, options, exhibits, letter_pages)
        try:
            paths = _write(pieces, out, options, progress, cancelled)
        except ExhibitFailed as failure:
            plan = failure.piece.planned
            if plan is not None and retry_repaired(plan):
                failure.piece.data = plan.rendered  # PDFium's copy, the same pages
                continue
            # Found only while copying pages: leave it out (with consent) and lay out again.
            if failure.piece.planned is None:  # the letter, or a page ClaimDesk drew
                raise PacketExportError(
                    f"The {failure.piece.title.lower()} cannot be copied into the packet: "
                    f"{failure.problem.reason}. Generate it again, or choose another PDF of it."
                ) from None
            if not options.omit_unreadable:
                raise ExhibitProblemsError([failure.problem]) from None
            omitted.append(failure.problem)
            exhibits = [e for e in exhibits if e is not failure.piece]
            continue
        total = sum(p.pages for p in pieces)
        ranges = [
            ExhibitRange(
                p.label,
                p.title,
                stamp_text(options.stamp_prefix, p.first + 1),
                stamp_text(options.stamp_prefix, p.first + p.pages),
            )
            for p in pieces
            if p.kind == "exhibit"
        ]
        # Only now that the new packet is whole: a failed or cancelled export keeps the old one.
        removed, stale = ([], []) if options.as_zip else _remove_old_parts(out, paths)
        return PacketResult(paths, total, ranges, omitted, removed, stale)


def _check_options(options: PacketOptions, out: Path) -> None:
    prefix = options.stamp_prefix
    try:
        prefix.encode("cp1252")
    except UnicodeEncodeError:
        raise PacketExportError(
            f"The page-number prefix '{prefix}' has characters a page stamp cannot show; use "
            "letters, digits and dashes (the case number, for example)."
        ) from None
    if len(prefix) > 40 or any(ch < " " for ch in prefix):
        raise PacketExportError(
            "The page-number prefix must be one short line (at most 40 characters)."
        )
    if options.split_bytes is not None and options.as_zip:
        raise PacketExportError(
            "Choose either parts under a size limit or a ZIP of separate files, not both."
        )
    if options.split_bytes is not None and options.split_bytes < 64 * 1024:
        raise PacketExportError(
            "The size limit for each part is too small; portals usually allow 10 MB or more."
        )
    if not out.parent.is_dir():
        raise PacketExportError(
            f"The folder {out.parent} does not exist; choose another place to save the packet."
        )


def _letter_pages(letter: bytes | None) -> int:
    if letter is None:
        return 0
    try:
        return len(open_pdf(letter).pages)
    except Unreadable as error:
        raise PacketExportError(
            f"The appeal letter cannot be used: {error.reason}. Generate the letter again, or "
            "choose another PDF of it."
        ) from None


@contextmanager
def temporary_files() -> Iterator[list[Partial]]:
    """Temporary files to clean up: every one not moved into place is removed on the way out."""
    made: list[Partial] = []
    try:
        yield made
    finally:
        for partial in made:
            partial.discard()


def temp_path(out: Path, made: list[Partial]) -> Path:
    """A hidden, private file beside ``out`` (same disk, so the rename is atomic), in ``made``.

    Locked while this export runs, so an export killed outright leaves partials the next
    export of ``out`` can tell from another window's and remove (claimdesk/partials.py).
    """
    partial = new_partial(out)
    made.append(partial)
    return partial.path


def _move_into_place(made: list[Partial], finished: list[tuple[Path, Path]]) -> None:
    by_path = {partial.path: partial for partial in made}
    for path, final in finished:
        by_path[path].replace(final)


def _write(
    pieces: list[Piece],
    out: Path,
    options: PacketOptions,
    progress: Progress | None,
    cancelled: Cancelled | None,
) -> list[Path]:
    total = sum(p.pages for p in pieces) + 1
    tick = progress_counter(total, progress)
    try:
        with temporary_files() as made:
            if options.as_zip:
                finished = [(temp_path(out, made), out)]
                _write_zip(pieces, finished[0][0], options, tick, cancelled)
            elif options.split_bytes:
                finished = write_split(
                    pieces, out, options, tick, cancelled, lambda o: temp_path(o, made)
                )
            else:
                finished = [(temp_path(out, made), out)]
                _write_single(pieces, finished[0][0], options, tick, cancelled)
            if cancelled is not None and cancelled():
                raise PacketCancelled()
            tick("Saving")
            _move_into_place(made, finished)
            return [final for _, final in finished]
    except (OSError, OutputError) as failure:
        error = failure.error if isinstance(failure, OutputError) else failure
        raise PacketExportError(
            f"Could not write {out}: {error.strerror or error}. Nothing was saved; check the "
            "disk has room and the folder can be written to."
        ) from None


def _remove_old_parts(out: Path, written: list[Path]) -> tuple[list[Path], list[Path]]:
    """Delete NAME-partN files an earlier, longer export left; return (removed, still there)."""
    removed: list[Path] = []
    stale: list[Path] = []
    try:
        found = old_parts(out, written)
    except OSError:
        return removed, stale  # the folder cannot be listed: the new packet is saved all the same
    for path in found:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError:
            stale.append(path)
        else:
            removed.append(path)
    return removed, stale


def _write_single(
    pieces: list[Piece],
    path: Path,
    options: PacketOptions,
    tick: Tick,
    cancelled: Cancelled | None,
) -> None:
    with path.open("wb") as stream:
        pdf = StreamingPdf(stream, f"Appeal packet {options.stamp_prefix}")
        for piece in pieces:
            if cancelled is not None and cancelled():
                raise PacketCancelled()
            add_piece(pdf, piece, options, tick, cancelled)
        pdf.finish()


def _write_zip(
    pieces: list[Piece],
    path: Path,
    options: PacketOptions,
    tick: Tick,
    cancelled: Cancelled | None,
) -> None:
    # PDFs are compressed already: storing them is as small and much faster.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for number, piece in enumerate(pieces, start=1):
            if cancelled is not None and cancelled():
                raise PacketCancelled()
            name = f"{number:02d} {safe_name(piece.file_title)}.pdf"
            with archive.open(name, "w") as entry:
                pdf = StreamingPdf(entry, piece.bookmark)
                add_piece(pdf, piece, options, tick, cancelled)
                pdf.finish()


def safe_name(title: str) -> str:
    """A title usable as a file name on Windows, macOS and Linux."""
    cleaned = _UNSAFE.sub(" ", title).strip().strip(".")
    return re.sub(r"\s+", " ", cleaned)[:80].rstrip() or "Exhibit"
