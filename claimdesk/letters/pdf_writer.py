"""A letter as a PDF with its fonts embedded, so it looks the same on every machine and script."""

from __future__ import annotations

from fpdf import FPDF

from claimdesk.letters.document import LetterDocument, is_closing, sign_off
from claimdesk.letters.fonts import SANS, SERIF, add_fonts, cut_to_latin, needs_devanagari
from claimdesk.letters.markup import Block

_MARGIN = 25.0  # mm
_LINE = 5.4  # mm for 11 pt text
_INK = (26, 26, 26)
_GREY = (95, 95, 95)
_RULE = (150, 150, 150)
_INDENT = {"bullet": 7.0, "number": 7.0, "quote": 10.0}


class _LetterPdf(FPDF):
    def __init__(self, letter: LetterDocument) -> None:
        super().__init__(unit="mm", format="letter" if letter.letter_paper else "A4")
        self.letter = letter
        self.set_margins(_MARGIN, 20, _MARGIN)
        self.set_auto_page_break(True, margin=22)
        self.set_title(letter.title)
        self.set_author(letter.sender_name)
        self.set_creator("ClaimDesk")
        texts = [letter.sender_name, *letter.sender_lines, letter.running_head]
        texts += [run.text for block in letter.blocks for run in block.runs]
        styles = {"B"}  # headings
        for block in letter.blocks:
            for run in block.runs:
                bold = run.bold or block.kind in ("heading", "subheading")
                italic = run.italic or block.kind == "quote"
                styles.add(("B" if bold else "") + ("I" if italic else ""))
        add_fonts(self, serif_styles=styles, devanagari=needs_devanagari(texts))

    def header(self) -> None:
        if self.page_no() == 1:
            self._letterhead()
            return
        self.set_font(SANS, "", 8.5)
        self.set_text_color(*_GREY)
        self.cell(0, 5, self.letter.running_head, new_x="LMARGIN", new_y="NEXT")
        self.ln(4)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(SANS, "", 8.5)
        self.set_text_color(*_GREY)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")

    def _letterhead(self) -> None:
        self.set_font(SANS, "B", 14)
        self.set_text_color(*_INK)
        # Left-aligned: fpdf2's multi_cell justifies by default, which spreads a short line.
        self.multi_cell(0, 7, self.letter.sender_name, align="L", new_x="LMARGIN", new_y="NEXT")
        if self.letter.sender_lines:
            self.set_font(SANS, "", 8.5)
            self.set_text_color(*_GREY)
            self.multi_cell(
                0,
                4.2,
                "  ·  ".join(self.letter.sender_lines),
                align="L",
                new_x="LMARGIN",
                new_y="NEXT",
            )
        self.ln(2)
        self.set_draw_color(*_RULE)
        self.set_line_width(0.3)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(8)


def write_pdf(letter: LetterDocument) -> bytes:
    pdf = _LetterPdf(letter)
    pdf.alias_nb_pages()
    pdf.add_page()
    blocks = letter.blocks
    kept = sign_off(blocks)
    for index, block in enumerate(blocks):
        if kept is not None and index == kept.start and _breaks(pdf, blocks[kept]):
            pdf.add_page()
        _block(pdf, block, blocks[index + 1] if index + 1 < len(blocks) else None)
    cut_to_latin(pdf)
    return bytes(pdf.output())


def _breaks(pdf: _LetterPdf, group: tuple[Block, ...]) -> bool:
    """Whether ``group`` (the sign-off), drawn from where ``pdf`` stands, would not end on
    this page, and is short enough to move to the next one whole.

    It is tried on a scratch document of the same letter, started at the same height: fpdf2's
    own trial rendering (offset_rendering) copied the whole document twice, a fifth of every
    letter's time, and drawing the letter again when the sign-off broke cost as much."""
    trial = _LetterPdf(pdf.letter)
    trial.add_page()
    trial.set_y(pdf.get_y())
    top = trial.get_y()
    for index, block in enumerate(group):
        _draw(trial, block)
        if index + 1 < len(group):
            _space_after(trial, block, group[index + 1])
    height = trial.get_y() - top + (trial.page_no() - 1) * trial.eph
    # A paragraph taller than about half a page would leave a page mostly blank behind it;
    # it is left to break, and the closing follows its last lines.
    return trial.page_no() != 1 and height <= trial.eph * 0.55


def _block(pdf: _LetterPdf, block: Block, following: Block | None) -> None:
    _draw(pdf, block)
    _space_after(pdf, block, following)


def _draw(pdf: _LetterPdf, block: Block) -> None:
    pdf.set_text_color(*_INK)
    if block.kind in ("heading", "subheading"):
        size = 12.0 if block.kind == "heading" else 11.0
        pdf.ln(2 if block.kind == "heading" else 3)
        # Keep a heading with at least two lines of what follows it.
        if pdf.will_page_break(_LINE * 3):
            pdf.add_page()
        _write_runs(pdf, block, size=size, force_bold=True)
        pdf.ln(_LINE * size / 11.0)
        return
    indent = _INDENT.get(block.kind, 0.0)
    left = _MARGIN + indent
    if block.kind in ("bullet", "number"):
        marker = "•" if block.kind == "bullet" else f"{block.number}."
        pdf.set_font(SERIF, "", 11)
        pdf.set_x(_MARGIN + 1)
        pdf.cell(indent - 1, _LINE, marker)
    pdf.set_left_margin(left)
    if block.kind == "quote":
        pdf.set_right_margin(_MARGIN + indent)
        top = pdf.get_y()
        page = pdf.page_no()
    pdf.set_x(left)
    _write_runs(pdf, block, size=11.0, force_italic=block.kind == "quote")
    if block.kind == "quote":
        if pdf.page_no() == page:
            pdf.set_draw_color(*_RULE)
            pdf.set_line_width(0.6)
            pdf.line(left - 4, top + 0.8, left - 4, pdf.get_y() + _LINE - 1)
        pdf.set_right_margin(_MARGIN)
    pdf.set_left_margin(_MARGIN)
    pdf.ln(_LINE)


def _space_after(pdf: _LetterPdf, block: Block, following: Block | None) -> None:
    """The gap below a block (room for the signature below the closing)."""
    if block.kind in ("heading", "subheading"):
        pdf.ln(2.5)
    elif (
        block.kind in ("bullet", "number")
        and following is not None
        and (following.kind == block.kind)
    ):
        pdf.ln(1.2)
    elif is_closing(block):
        pdf.ln(14)
    else:
        pdf.ln(3)


def _write_runs(
    pdf: FPDF,
    block: Block,
    *,
    size: float,
    force_bold: bool = False,
    force_italic: bool = False,
) -> None:
    height = _LINE * size / 11.0
    for run in block.runs:
        style = ("B" if run.bold or force_bold else "") + (
            "I" if run.italic or force_italic else ""
        )
        pdf.set_font(SERIF, style, size)
        if run.text == "\n":
            pdf.ln(height)
            continue
        pdf.write(height, run.text)
