"""The look shared by every page ClaimDesk draws into a packet: paper, fonts, running head."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fpdf import FPDF

from claimdesk.letters.fonts import SANS, SERIF, add_fonts, fonts_dir
from claimdesk.packets.model import PAPER_SIZES

# The faces packet pages use. fpdf2 embeds (subsets) every font registered on a document, used
# or not, and that is most of the time a page of ClaimDesk's own costs: register only these,
# unless a script needs the full set with its Devanagari fallback.
_FACES = {
    (SERIF, ""): "NotoSerif-Regular.ttf",
    (SERIF, "B"): "NotoSerif-Bold.ttf",
    (SANS, ""): "NotoSans-Regular.ttf",
    (SANS, "B"): "NotoSans-Bold.ttf",
}
MARGIN = 54.0  # points: three quarters of an inch
GREY = (95, 95, 95)
RULE = (170, 170, 170)


def needs_shaping(texts: Iterable[str]) -> bool:
    """Whether any text is in a script that only reads right once shaped (Devanagari)."""
    return any("\u0900" <= ch <= "\u097f" for text in texts for ch in text)


# PDF viewers carry these fonts themselves (the standard 14), so a page whose text they cover
# needs no font parsed, subset or embedded: the index and chronology of an English, French or
# Spanish case are drawn in them, several megabytes and a good part of a second lighter.
_STANDARD = {SERIF: "times", SANS: "helvetica"}
_STANDARD_ENCODING = "windows-1252"


def fits_standard_fonts(texts: Iterable[str]) -> bool:
    """Whether every character is one the standard PDF fonts have (Windows-1252)."""
    try:
        for text in texts:
            text.encode(_STANDARD_ENCODING)
    except UnicodeEncodeError:
        return False
    return True


class PacketDocument(FPDF):
    """An FPDF in points with a small running head (set it after a section's first page)."""

    running_head = ""
    standard_fonts = False

    def set_font(self, family: str | None = None, style: Any = "", size: float = 0) -> None:
        if self.standard_fonts and family in _STANDARD:
            family = _STANDARD[family]
        super().set_font(family, style, size)

    def header(self) -> None:
        if not self.running_head:
            return
        self.set_font(SANS, "", 7.5)
        self.set_text_color(*GREY)
        self.set_xy(self.l_margin, MARGIN / 2)
        self.cell(0, 10, self.running_head, align="L")
        self.set_text_color(0, 0, 0)
        self.set_xy(self.l_margin, self.t_margin)


def new_document(paper: str, texts: list[str], running_head: str = "") -> PacketDocument:
    """A document for ``texts``: the standard fonts when they cover them, else the shipped
    ones, with HarfBuzz shaping only when a script needs it."""
    pdf = PacketDocument(unit="pt", format=PAPER_SIZES.get(paper, PAPER_SIZES["A4"]))
    if fits_standard_fonts([*texts, running_head]):
        pdf.standard_fonts = True
        pdf.core_fonts_encoding = _STANDARD_ENCODING
    elif needs_shaping(texts):
        add_fonts(pdf)
    else:
        # Latin, Greek and Cyrillic text looks the same without HarfBuzz shaping, which costs
        # time on every line.
        folder = fonts_dir()
        for (family, style), file_name in _FACES.items():
            pdf.add_font(family, style, str(folder / file_name))
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    # The bottom margin leaves room for the page stamp below the text.
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.set_creator("ClaimDesk")
    pdf.running_head = running_head
    return pdf
