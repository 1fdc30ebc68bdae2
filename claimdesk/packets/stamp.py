"""The running page number at the bottom right of every page, added without re-parsing pages.

``PageObject.merge_page`` parses and rewrites each page's content stream, which on a scanned
claim file costs more than the whole merge. Instead the original content is wrapped in q/Q (so
nothing it does to the graphics state can move or hide the stamp) and a few bytes of text are
appended as a second content stream, in Helvetica (a standard font every viewer has).
"""

from __future__ import annotations

from fpdf.fonts import CORE_FONTS_CHARWIDTHS
from pypdf import PageObject, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfObject,
    StreamObject,
)

FONT_SIZE = 8.0
EDGE = 18.0  # points from the right and bottom edges of the visible page
FONT_KEY = "/ClaimDeskStamp"
_WIDTHS = CORE_FONTS_CHARWIDTHS["helvetica"]


def _literal(text: str) -> bytes:
    """``text`` as a PDF literal string in WinAnsi, what Helvetica can show."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """How wide ``text`` is in Helvetica at ``size`` points."""
    safe = text.encode("cp1252", errors="replace").decode("cp1252")
    return sum(_WIDTHS.get(ch, 556) for ch in safe) * size / 1000


class Stamper:
    """Stamps pages already in one ``PdfWriter``, sharing its font and opening stream."""

    def __init__(self, writer: PdfWriter) -> None:
        self._writer = writer
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
        self._font = writer._add_object(font)
        opening = DecodedStreamObject()
        opening.set_data(b"q\n")
        self._opening = writer._add_object(opening)

    def stamp(self, page: PageObject, text: str) -> None:
        """Add ``text`` upright at the bottom right of ``page`` as a reader sees it."""
        box = page.cropbox
        left, bottom = float(box.left), float(box.bottom)
        right, top = float(box.right), float(box.top)
        rotation = int(page.get("/Rotate", 0) or 0) % 360
        rotation -= rotation % 90  # a viewer ignores a /Rotate that is not a multiple of 90
        # The matrix takes "as viewed" coordinates (origin at the viewed bottom left) to the
        # page's own: /Rotate turns the page clockwise for display.
        if rotation == 90:
            matrix, width = (0, 1, -1, 0, right, bottom), top - bottom
        elif rotation == 180:
            matrix, width = (-1, 0, 0, -1, right, top), right - left
        elif rotation == 270:
            matrix, width = (0, -1, 1, 0, left, top), top - bottom
        else:
            matrix, width = (1, 0, 0, 1, left, bottom), right - left
        x = max(4.0, width - EDGE - text_width(text))
        cm = " ".join(_number(n) for n in matrix)
        content = (
            (
                f"\nQ\nq\n{cm} cm\nBT\n0 g\n{FONT_KEY} {_number(FONT_SIZE)} Tf\n"
                f"{_number(x)} {_number(EDGE)} Td\n"
            ).encode("ascii")
            + _literal(text)
            + b" Tj\nET\nQ\n"
        )
        stream = DecodedStreamObject()
        stream.set_data(content)
        self._set_contents(page, self._writer._add_object(stream))
        self._add_font(page)

    def _set_contents(self, page: PageObject, stamp: IndirectObject) -> None:
        existing = page.get("/Contents")
        parts: list[PdfObject] = []
        if existing is not None:
            resolved = existing.get_object()
            if isinstance(resolved, ArrayObject):
                parts = [self._indirect(p) for p in resolved]
            elif isinstance(resolved, StreamObject):
                parts = [self._indirect(existing)]
        if parts:
            page[NameObject("/Contents")] = ArrayObject([self._opening, *parts, stamp])
        else:
            # An empty page: the opening q keeps the stamp stream's leading Q balanced.
            page[NameObject("/Contents")] = ArrayObject([self._opening, stamp])

    def _indirect(self, item: PdfObject) -> PdfObject:
        """A content stream as a reference (the spec wants them indirect in an array)."""
        if isinstance(item, IndirectObject):
            return item
        return self._writer._add_object(item)

    def _add_font(self, page: PageObject) -> None:
        # The writer holds its own copies of every page's objects, so a /Resources or /Font
        # dictionary shared by an exhibit's pages can take the stamp font once for all of them
        # (every one of them is stamped); a direct one belongs to this page alone.
        resources = page.get("/Resources")
        own = resources.get_object() if resources is not None else None
        if not isinstance(own, DictionaryObject):  # missing, or not a dictionary at all
            own = DictionaryObject()
            page[NameObject("/Resources")] = own
        fonts = own.get("/Font")
        table = fonts.get_object() if fonts is not None else None
        if not isinstance(table, DictionaryObject):
            table = DictionaryObject()
            own[NameObject("/Font")] = table
        if table.get(FONT_KEY) != self._font:
            table[NameObject(FONT_KEY)] = self._font


def _number(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
