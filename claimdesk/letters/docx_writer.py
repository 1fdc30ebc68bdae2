"""A letter as a Word document: real headings, paragraphs and lists, a letterhead and page
numbers, so an office can still edit the wording in Word before it goes out."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from claimdesk.letters.document import LetterDocument, is_closing, sign_off
from claimdesk.letters.markup import Block, Run

# Word cannot embed our fonts the way a PDF does; these two are on every Windows and macOS
# machine (Nirmala UI and Kokila carry Devanagari), and LibreOffice maps them to lookalikes.
LATIN_FONT = "Georgia"
COMPLEX_FONT = "Nirmala UI"
_INK = RGBColor(0x1A, 0x1A, 0x1A)
_GREY = RGBColor(0x55, 0x55, 0x55)


def write_docx(letter: LetterDocument) -> bytes:
    document = Document()
    _styles(document)
    section = document.sections[0]
    if letter.letter_paper:
        section.page_width, section.page_height = Mm(215.9), Mm(279.4)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.different_first_page_header_footer = True
    _letterhead(section.first_page_header, letter)
    _running_head(section.header, letter)
    for footer in (section.first_page_footer, section.footer):
        _page_numbers(footer)

    numbering_restart: Any = None
    kept = sign_off(letter.blocks)
    together = range(len(letter.blocks))[kept] if kept is not None else range(0)
    for index, block in enumerate(letter.blocks):
        if block.kind == "number" and block.number == 1:
            numbering_restart = _new_numbering(document)
        paragraph = _block(document, block, numbering_restart)
        if is_closing(block):
            paragraph.paragraph_format.space_after = Pt(36)
        if index == 0:
            paragraph.paragraph_format.space_before = Pt(6)
        if index in together:
            # Word keeps the last paragraph, the closing and the signature on one page.
            paragraph.paragraph_format.keep_together = True
            if index != together[-1]:
                paragraph.paragraph_format.keep_with_next = True
    properties = document.core_properties
    properties.title = letter.title
    properties.author = letter.sender_name
    properties.comments = ""
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _styles(document: Any) -> None:
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(11)
    normal.font.color.rgb = _INK
    _complex_font(normal.element)
    normal.paragraph_format.space_after = Pt(8)
    normal.paragraph_format.line_spacing = 1.15
    for name, size in (("Heading 1", 12), ("Heading 2", 11)):
        style = document.styles[name]
        style.font.name = LATIN_FONT
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = _INK
        _complex_font(style.element)
        style.paragraph_format.space_before = Pt(12)
        style.paragraph_format.space_after = Pt(6)
    quote = document.styles["Quote"]
    quote.font.name = LATIN_FONT
    quote.font.italic = True
    quote.font.color.rgb = _INK
    quote.paragraph_format.left_indent = Mm(10)
    quote.paragraph_format.right_indent = Mm(10)


def _complex_font(element: Any) -> None:
    """Name the Devanagari font for complex-script text (Word picks fonts per script)."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:cs"), COMPLEX_FONT)


def _block(document: Any, block: Block, numbering: Any) -> Any:
    if block.kind == "heading":
        paragraph = document.add_heading(level=1)
    elif block.kind == "subheading":
        paragraph = document.add_heading(level=2)
    elif block.kind == "bullet":
        paragraph = document.add_paragraph(style="List Bullet")
        paragraph.paragraph_format.space_after = Pt(4)
    elif block.kind == "number":
        paragraph = document.add_paragraph(style="List Number")
        paragraph.paragraph_format.space_after = Pt(4)
        if numbering is not None:
            num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = 0
            num_pr.get_or_add_numId().val = numbering
    elif block.kind == "quote":
        paragraph = document.add_paragraph(style="Quote")
    else:
        paragraph = document.add_paragraph()
    _runs(paragraph, block.runs)
    return paragraph


def _runs(paragraph: Any, runs: tuple[Run, ...]) -> None:
    for run in runs:
        if run.text == "\n":
            paragraph.add_run().add_break()
            continue
        added = paragraph.add_run(run.text)
        added.bold = run.bold or None
        added.italic = run.italic or None


def _new_numbering(document: Any) -> int | None:
    """A fresh numbering instance, so each numbered list in a letter starts again at 1."""
    try:
        style = document.styles["List Number"]
        num_id = style.element.pPr.numPr.numId.val
        numbering = document.part.numbering_part.element
        abstract = numbering.num_having_numId(num_id).abstractNumId.val
        num = numbering.add_num(abstract)
        num.add_lvlOverride(ilvl=0).add_startOverride(1)
        return int(num.numId)
    except (AttributeError, KeyError):
        return None  # a template without that style: Word's own numbering continues


def _letterhead(header: Any, letter: LetterDocument) -> None:
    header.is_linked_to_previous = False
    name = header.paragraphs[0]
    name.alignment = WD_ALIGN_PARAGRAPH.LEFT
    run = name.add_run(letter.sender_name)
    run.bold = True
    run.font.size = Pt(14)
    run.font.color.rgb = _INK
    name.paragraph_format.space_after = Pt(0)
    if letter.sender_lines:
        details = header.add_paragraph()
        text = details.add_run("  ·  ".join(letter.sender_lines))
        text.font.size = Pt(9)
        text.font.color.rgb = _GREY
        _bottom_rule(details)


def _running_head(header: Any, letter: LetterDocument) -> None:
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    run = paragraph.add_run(letter.running_head)
    run.font.size = Pt(9)
    run.font.color.rgb = _GREY


def _page_numbers(footer: Any) -> None:
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for piece in ("Page ", "PAGE", " of ", "NUMPAGES"):
        if piece.isupper():
            _field(paragraph, piece)
        else:
            run = paragraph.add_run(piece)
            run.font.size = Pt(9)
            run.font.color.rgb = _GREY


def _field(paragraph: Any, code: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {code} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _bottom_rule(paragraph: Any) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "4"), ("w:color", "888888")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)
