"""The pages ClaimDesk writes itself: the exhibit index and the chronology exhibit.

Both go into one document (fonts are embedded once; that is most of what these pages cost),
chronology first because the index must know how long the chronology is. The packet then
takes each one's pages from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

from claimdesk.letters.fonts import SANS, SERIF, cut_to_latin
from claimdesk.packets import grid
from claimdesk.packets.grid import Grid
from claimdesk.packets.layout import GREY, PacketDocument, new_document
from claimdesk.packets.model import ChronologyEntry

INDEX_GRID = Grid(
    headings=("Exhibit", "Title", "Date", "Pages"),
    shares=(9, 44, 14, 33),
    align=("C", "L", "L", "L"),
    family=SERIF,
    size=9.5,
    line_height=13,
)
CHRONOLOGY_GRID = Grid(
    headings=("Date", "Kind", "Who", "Reference", "What happened"),
    shares=(12, 11, 21, 14, 42),
    align=("L", "L", "L", "L", "L"),
    family=SERIF,
    size=8.5,
    line_height=11,
    padding=3.5,
)


@dataclass(frozen=True)
class IndexRow:
    """One line of the index: an exhibit (or the letter, with no exhibit letter)."""

    label: str
    title: str
    date_text: str
    first_stamp: str
    last_stamp: str
    pages: int


@dataclass(frozen=True)
class Generated:
    """The drawn pages: chronology pages first, then the index's."""

    data: bytes
    chronology_pages: int
    index_pages: int


# rows_for(index_pages, chronology_pages): the index rows once both lengths are known.
RowsFor = Callable[[int, int], list[IndexRow]]


def render_generated(
    rows_for: RowsFor,
    chronology: list[ChronologyEntry] | None,
    case_number: str,
    claimant: str,
    prefix: str,
    paper: str,
    integrity: str = "",
) -> Generated:
    """The chronology (unless None) and the index, laid out before they are drawn."""
    ordered = sorted(chronology, key=sort_key) if chronology is not None else None
    texts = [case_number, claimant, prefix, *(r.title for r in rows_for(1, 1))]
    texts += [r.date_text for r in rows_for(1, 1)]
    texts += [f"{e.who} {e.reference} {e.text}" for e in ordered or []]
    pdf = new_document(paper, texts)
    chronology_pages = 0
    if ordered is not None:
        chronology_pages = _draw_chronology(pdf, ordered, case_number, claimant)
    index_pages = _draw_index(
        pdf, rows_for, chronology_pages, case_number, claimant, prefix, integrity
    )
    cut_to_latin(pdf)
    return Generated(bytes(pdf.output()), chronology_pages, index_pages)


def _start_section(pdf: PacketDocument, orientation: str, running_head: str) -> None:
    pdf.running_head = ""  # none on a section's first page: its title says it all
    pdf.add_page(orientation=orientation)
    pdf.running_head = running_head


def _title_block(pdf: PacketDocument, title: str, case_number: str, claimant: str) -> None:
    pdf.set_font(SERIF, "B", 17)
    pdf.cell(0, 24, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(SANS, "", 9.5)
    pdf.set_text_color(*GREY)
    line = f"Case {case_number}" + (f"  ·  {claimant}" if claimant else "")
    pdf.cell(0, 14, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(10)


def _paragraph(pdf: PacketDocument, text: str, size: float, height: float) -> None:
    pdf.set_font(SERIF, "", size)
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)


def range_text(first: str, last: str, prefix_len: int) -> str:
    """A stamp range, the second without the prefix they share: CD-1-000012 – 000019."""
    if first == last:
        return first
    return f"{first} – {last[prefix_len:]}"


def _draw_index(
    pdf: PacketDocument,
    rows_for: RowsFor,
    chronology_pages: int,
    case_number: str,
    claimant: str,
    prefix: str,
    integrity: str,
) -> int:
    first_page = pdf.page + 1
    _start_section(pdf, "portrait", f"Case {case_number}  ·  Index of exhibits")
    _title_block(pdf, "Index of exhibits", case_number, claimant)
    _paragraph(
        pdf,
        "Every page of this packet carries a number at its bottom right. The ranges below "
        "refer to those numbers.",
        10,
        14,
    )
    if integrity:
        # Above the table, so its line never changes how many pages the table takes.
        pdf.set_font(SANS, "", 8.5)
        pdf.set_text_color(*GREY)
        pdf.multi_cell(
            0,
            12,
            f"record integrity: {integrity}  (the fingerprint of the case record's audit "
            "trail when this packet was made; any later change to the record shows against it)",
            align="L",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_text_color(0, 0, 0)
        pdf.ln(6)
    shared = len(prefix) + 1 if prefix else 0
    start = pdf.get_y()
    # The stamps have a fixed width, so the layout with trial numbers is the final layout.
    trial = _index_cells(rows_for(1, chronology_pages), shared)
    pages = grid.pages_needed(grid.plan(pdf, INDEX_GRID, trial, start, pdf.t_margin))
    cells = _index_cells(rows_for(pages, chronology_pages), shared)
    blocks = grid.plan(pdf, INDEX_GRID, cells, start, pdf.t_margin)
    grid.draw(pdf, INDEX_GRID, blocks, start, pdf.t_margin)
    return pdf.page - first_page + 1


def _index_cells(rows: list[IndexRow], shared: int) -> list[list[str]]:
    cells = []
    for row in rows:
        count = f"{row.pages} page" + ("" if row.pages == 1 else "s")
        stamps = range_text(row.first_stamp, row.last_stamp, shared)
        cells.append([row.label, row.title, row.date_text or "—", f"{stamps}\n{count}"])
    return cells


def _when_text(when: datetime | date) -> str:
    if isinstance(when, datetime):
        zone = when.tzname() or ""
        return f"{when:%Y-%m-%d}\n{when:%H:%M} {zone}".rstrip()
    return f"{when:%Y-%m-%d}"


def sort_key(entry: ChronologyEntry) -> tuple[date, int, time]:
    """By day; on one day, entries without a time first, then by clock time."""
    when = entry.when
    if isinstance(when, datetime):
        return when.date(), 1, when.time().replace(tzinfo=None)
    return when, 0, time(0)


def _draw_chronology(
    pdf: PacketDocument, ordered: list[ChronologyEntry], case_number: str, claimant: str
) -> int:
    """Every call, request, letter and decision in date order, as a landscape table."""
    _start_section(pdf, "landscape", f"Case {case_number}  ·  Chronology")
    _title_block(pdf, "Chronology of the claim", case_number, claimant)
    _paragraph(
        pdf,
        "Every call, request for documents, letter and decision recorded on this case, oldest "
        "first. Times are local to where each call was made; names and reference numbers are "
        "as given at the time.",
        9.5,
        13,
    )
    if not ordered:
        pdf.set_font(SERIF, "", 10)
        pdf.cell(0, 14, "Nothing has been recorded on this case yet.")
        return pdf.page
    cells = [[_when_text(e.when), e.kind, e.who, e.reference, e.text] for e in ordered]
    start = pdf.get_y()
    blocks = grid.plan(pdf, CHRONOLOGY_GRID, cells, start, pdf.t_margin)
    grid.draw(pdf, CHRONOLOGY_GRID, blocks, start, pdf.t_margin)
    return pdf.page
