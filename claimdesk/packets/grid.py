"""A ruled table drawn line by line, with its own word wrapping.

fpdf2's ``table()`` re-measures a growing line for every character it adds, which made a
60-entry chronology take longer than merging 500 pages. Words are measured once here (and
cached), and the whole layout is planned before anything is drawn, so the number of pages a
table will take is known without drawing it.
"""

from __future__ import annotations

from dataclasses import dataclass

from fpdf import FPDF

from claimdesk.letters.fonts import SANS

HEAD_FILL = (228, 232, 238)
ZEBRA = (246, 247, 249)
RULE = (150, 150, 150)


@dataclass(frozen=True)
class Grid:
    """Column widths (shares of the text width), alignment, and type sizes."""

    headings: tuple[str, ...]
    shares: tuple[float, ...]
    align: tuple[str, ...]
    family: str
    size: float
    line_height: float
    padding: float = 4.0
    head_size: float = 8.0


@dataclass(frozen=True)
class Block:
    """Some lines of one row, placed on a page: a row taller than a page comes in pieces."""

    page: int  # 0-based, counted from the page the table starts on
    y: float
    height: float
    row: int
    cells: tuple[tuple[str, ...], ...]
    heading_before: bool


class Wrapper:
    """Greedy word wrapping with each word's width measured once per font."""

    def __init__(self, pdf: FPDF) -> None:
        self._pdf = pdf
        self._widths: dict[tuple[str, float, str], float] = {}

    def width(self, text: str) -> float:
        key = (self._pdf.font_family + self._pdf.font_style, self._pdf.font_size_pt, text)
        found = self._widths.get(key)
        if found is None:
            found = self._widths[key] = self._pdf.get_string_width(text)
        return found

    def wrap(self, text: str, room: float) -> list[str]:
        lines: list[str] = []
        space = self.width(" ")
        for paragraph in text.split("\n"):
            line, used = "", 0.0
            for word in paragraph.split():
                size = self.width(word)
                if size > room:  # a word longer than the column: break it where it must
                    if line:
                        lines.append(line)
                    pieces = self._break_word(word, room)
                    lines.extend(pieces[:-1])
                    line, used = pieces[-1], self.width(pieces[-1])
                elif not line:
                    line, used = word, size
                elif used + space + size <= room:
                    line, used = f"{line} {word}", used + space + size
                else:
                    lines.append(line)
                    line, used = word, size
            lines.append(line)
        return lines or [""]

    def _break_word(self, word: str, room: float) -> list[str]:
        pieces, current = [], ""
        for ch in word:
            if current and self._pdf.get_string_width(current + ch) > room:
                pieces.append(current)
                current = ""
            current += ch
        return [*pieces, current]


def plan(pdf: FPDF, grid: Grid, rows: list[list[str]], start_y: float, top_y: float) -> list[Block]:
    """Where every row goes: the table starts at ``start_y``; later pages start at ``top_y``."""
    wrapper = Wrapper(pdf)
    widths = [share / sum(grid.shares) * pdf.epw for share in grid.shares]
    pdf.set_font(grid.family, "", grid.size)
    bottom = pdf.h - pdf.b_margin
    head = grid.line_height + 2 * grid.padding
    blocks: list[Block] = []
    page, y = 0, start_y + head
    for number, row in enumerate(rows):
        cells = [
            wrapper.wrap(text, w - 2 * grid.padding) for text, w in zip(row, widths, strict=True)
        ]
        done = 0
        tallest = max(len(c) for c in cells)
        while done < tallest:
            room = int((bottom - y - 2 * grid.padding) // grid.line_height)
            # Keep a short row whole, and never leave a lone line of a long one at a page foot.
            if room < min(tallest - done, 3) and y > top_y + head + 0.5:
                page, y = page + 1, top_y + head
                continue
            room = max(room, 1)
            take = min(room, tallest - done)
            chunk = tuple(tuple(c[done : done + take]) for c in cells)
            height = take * grid.line_height + 2 * grid.padding
            first_on_page = not blocks or blocks[-1].page != page
            blocks.append(Block(page, y, height, number, chunk, first_on_page))
            y += height
            done += take
    return blocks


def pages_needed(blocks: list[Block]) -> int:
    return (blocks[-1].page + 1) if blocks else 1


def draw(pdf: FPDF, grid: Grid, blocks: list[Block], start_y: float, top_y: float) -> None:
    """Draw the planned table: heading row on every page it touches, zebra rows, rules."""
    widths = [share / sum(grid.shares) * pdf.epw for share in grid.shares]
    head = grid.line_height + 2 * grid.padding
    breaks, margin = pdf.auto_page_break, pdf.b_margin
    pdf.set_auto_page_break(False)  # the plan already put every line on its page
    try:
        _draw_blocks(pdf, grid, blocks, widths, head, start_y, top_y)
    finally:
        pdf.set_auto_page_break(breaks, margin=margin)


def _draw_blocks(
    pdf: FPDF,
    grid: Grid,
    blocks: list[Block],
    widths: list[float],
    head: float,
    start_y: float,
    top_y: float,
) -> None:
    current = 0
    if not blocks:
        _heading(pdf, grid, widths, start_y, head)
        return
    for block in blocks:
        while current < block.page:
            pdf.add_page(orientation=str(pdf.cur_orientation.value))
            current += 1
        if block.heading_before:
            _heading(pdf, grid, widths, (start_y if block.page == 0 else top_y), head)
        if block.row % 2 == 1:
            pdf.set_fill_color(*ZEBRA)
            pdf.rect(pdf.l_margin, block.y, pdf.epw, block.height, style="F")
        pdf.set_font(grid.family, "", grid.size)
        x = pdf.l_margin
        for lines, width, align in zip(block.cells, widths, grid.align, strict=True):
            for n, line in enumerate(lines):
                y = block.y + grid.padding + n * grid.line_height
                _text(pdf, x + grid.padding, y, width - 2 * grid.padding, grid, line, align)
            x += width
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.4)
        bottom = block.y + block.height
        pdf.line(pdf.l_margin, bottom, pdf.l_margin + pdf.epw, bottom)
    pdf.set_xy(pdf.l_margin, blocks[-1].y + blocks[-1].height + 6)


def _heading(pdf: FPDF, grid: Grid, widths: list[float], y: float, height: float) -> None:
    pdf.set_fill_color(*HEAD_FILL)
    pdf.rect(pdf.l_margin, y, pdf.epw, height, style="F")
    pdf.set_font(SANS, "B", grid.head_size)
    x = pdf.l_margin
    for title, width, align in zip(grid.headings, widths, grid.align, strict=True):
        _text(pdf, x + grid.padding, y + grid.padding, width - 2 * grid.padding, grid, title, align)
        x += width
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.8)
    pdf.line(pdf.l_margin, y + height, pdf.l_margin + pdf.epw, y + height)


def _text(pdf: FPDF, x: float, y: float, width: float, grid: Grid, line: str, align: str) -> None:
    """One line of a cell, placed where ``pdf.cell(width, grid.line_height, line, align=align)``
    at (x, y) puts it. Without text shaping (no script needs it) it is written straight to
    the page: fpdf2's cell() lays out every line as styled fragments, which was most of the
    index's and the chronology's time (issue 16)."""
    if pdf.text_shaping:
        pdf.set_xy(x, y)
        pdf.cell(width, grid.line_height, line, align=align)
        return
    if not line:
        return
    if align == "R":
        dx = width - pdf.c_margin - pdf.get_string_width(line)
    elif align == "C":
        dx = (width - pdf.get_string_width(line)) / 2
    else:
        dx = pdf.c_margin
    # cell()'s baseline: half the line's height, and 0.3 of the font size below it.
    pdf.text(x + dx, y + 0.5 * grid.line_height + 0.3 * pdf.font_size, line)
