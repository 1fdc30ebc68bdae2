"""The packet's layout (which piece lands on which pages) and the stamped pages themselves."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from fpdf.errors import FPDFException

from claimdesk.errors import PacketCancelled, PacketExportError
from claimdesk.packets import convert
from claimdesk.packets.model import (
    Cancelled,
    ExhibitProblem,
    PacketOptions,
    PacketSource,
    Progress,
    exhibit_list,
    stamp_text,
)
from claimdesk.packets.pages import IndexRow, render_generated
from claimdesk.packets.preflight import PDF_ERRORS, Planned, Unreadable, load, open_pdf
from claimdesk.packets.streaming import StreamingPdf

Tick = Callable[[str], None]  # one more step done; the argument says what
CANCEL_EVERY = 25  # pages between looks at the cancel flag inside one big exhibit


@dataclass
class Piece:
    """One part of the packet: the letter, the index, or an exhibit (the chronology is one)."""

    kind: str  # "letter", "index", "exhibit"
    label: str  # the exhibit letter, "" for the letter and the index
    title: str
    date_text: str
    pages: int
    first: int = 0  # 0-based page of the packet it starts on
    data: bytes | None = field(default=None, repr=False)  # drawn pages; None: load the exhibit
    planned: Planned | None = field(default=None, repr=False)
    source_pages: tuple[int, int] | None = None  # which pages of ``data`` are this piece's

    @property
    def bookmark(self) -> str:
        return f"Exhibit {self.label} – {self.title}" if self.label else self.title

    @property
    def file_title(self) -> str:
        return f"Exhibit {self.label} - {self.title}" if self.label else self.title


class ExhibitFailed(Exception):
    """An exhibit that passed the check failed while its pages were copied."""

    def __init__(self, piece: Piece, reason: str) -> None:
        super().__init__(reason)
        self.piece = piece
        self.problem = ExhibitProblem(
            piece.title, piece.planned.exhibit.file_name if piece.planned else "", reason
        )


def lay_out(
    source: PacketSource,
    options: PacketOptions,
    exhibits: list[Piece],
    letter_pages: int,
) -> list[Piece]:
    """Letter, index, exhibits, chronology, with first pages set and the drawn pages made."""
    pieces: list[Piece] = []
    if source.letter_pdf is not None:
        pieces.append(
            Piece("letter", "", "Appeal letter", "", letter_pages, data=source.letter_pdf)
        )
    # The labels and titles come from exhibit_list, as the appeal letter's enclosures do.
    listed = exhibit_list(
        [p.planned.exhibit for p in exhibits if p.planned is not None],
        options,
        source.prepared_on,
    )
    index = Piece("index", "", listed[0].title, "", 1)
    pieces.append(index)
    documents = iter(exhibits)
    chronology = None
    for entry in listed[1:]:
        if entry.kind == "chronology":
            chronology = Piece("exhibit", entry.letter, entry.title, entry.date_text, 1)
            pieces.append(chronology)
        else:
            piece = next(documents)
            piece.label = entry.letter
            pieces.append(piece)

    # The index's own length moves every later page number: the pages are planned first,
    # then the rows asked for, numbered for the lengths the plan found.
    def rows_for(index_pages: int, chronology_pages: int) -> list[IndexRow]:
        index.pages = index_pages
        if chronology is not None:
            chronology.pages = chronology_pages
        page = 0
        for piece in pieces:
            piece.first = page
            page += piece.pages
        return _rows(pieces, options.stamp_prefix)

    drawn = render_generated(
        rows_for,
        source.chronology if chronology is not None else None,
        source.case_number,
        source.claimant_name,
        options.stamp_prefix,
        options.paper,
        source.record_integrity,
    )
    if (drawn.index_pages, drawn.chronology_pages) != (
        index.pages,
        chronology.pages if chronology is not None else 0,
    ) or len(open_pdf(drawn.data).pages) != drawn.index_pages + drawn.chronology_pages:
        raise PacketExportError(
            "The exhibit index could not be laid out; shorten the longest exhibit titles and "
            "try again."
        )
    index.data = drawn.data
    index.source_pages = (drawn.chronology_pages, drawn.chronology_pages + drawn.index_pages)
    if chronology is not None:
        chronology.data = drawn.data
        chronology.source_pages = (0, drawn.chronology_pages)
    return pieces


def _rows(pieces: list[Piece], prefix: str) -> list[IndexRow]:
    return [
        IndexRow(
            p.label or ("Index" if p.kind == "index" else "Letter"),
            p.title,
            p.date_text,
            stamp_text(prefix, p.first + 1),
            stamp_text(prefix, p.first + p.pages),
            p.pages,
        )
        for p in pieces
    ]


def piece_pdf(piece: Piece, paper: str) -> bytes:
    """The piece's pages as a PDF: drawn ones kept from the check, others loaded now."""
    if piece.data is not None:
        return piece.data
    planned = piece.planned
    assert planned is not None
    try:
        data = load(planned.exhibit)
        if planned.kind == "image":
            return convert.image_to_pdf(data, paper)
        return data
    except Unreadable as error:
        raise ExhibitFailed(piece, error.reason) from None
    except (OSError, ValueError, SyntaxError, FPDFException) as error:
        raise ExhibitFailed(piece, f"it could not be turned into pages ({error})") from None


def add_piece(
    pdf: StreamingPdf,
    piece: Piece,
    options: PacketOptions,
    tick: Tick,
    cancelled: Cancelled | None,
    bookmark: bool = True,
) -> None:
    """Copy the piece's pages into ``pdf``, each stamped with its packet page number.

    Only this piece is in memory while it is copied: its file goes as soon as its last page is
    written.
    """
    stream = io.BytesIO(piece_pdf(piece, options.paper))  # nothing else holds the bytes
    try:
        reader = open_pdf(stream, check_pages=False)
        low, high = piece.source_pages or (0, len(reader.pages))
        if high - low != piece.pages:
            raise Unreadable("it changed while the packet was being made; export again")
        start = pdf.page_count
        copier = pdf.copier(reader, low, high)
        for offset in range(piece.pages):
            if offset % CANCEL_EVERY == 0 and cancelled is not None and cancelled():
                raise PacketCancelled()
            copier.add(low + offset, stamp_text(options.stamp_prefix, piece.first + offset + 1))
            tick(piece.bookmark)
        copier.close()
    except Unreadable as error:
        raise ExhibitFailed(piece, error.reason) from None
    except PDF_ERRORS as error:
        raise ExhibitFailed(piece, f"it is damaged ({str(error)[:120]})") from None
    finally:
        # The reader lingers in its reference cycles until the collector runs; the file's
        # bytes need not linger with it.
        stream.close()
    if bookmark:
        pdf.bookmark(piece.bookmark, start)


def progress_counter(total: int, progress: Progress | None) -> Tick:
    """A tick() that reports one more step done of ``total``."""
    done = 0

    def tick(what: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(min(done, total), total, what)

    return tick
