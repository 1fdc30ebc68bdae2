"""The running page number at the bottom right of every page, added without re-parsing pages.

``PageObject.merge_page`` parses and rewrites each page's content stream, which on a scanned
claim file costs more than the whole merge. Instead the original content is wrapped in q/Q (so
nothing it does to the graphics state can move or hide the stamp) and a few bytes of text are
appended as a second content stream, in Helvetica (a standard font every viewer has). The
writer (``streaming.py``) puts the streams and the font on the page as it copies it.
"""

from __future__ import annotations

from fpdf.fonts import CORE_FONTS_CHARWIDTHS
from pypdf import PageObject
from pypdf.generic import DictionaryObject, NameObject

FONT_SIZE = 8.0
EDGE = 18.0  # points from the right and bottom edges of the visible page
FONT_KEY = "/ClaimDeskStamp"
# Opens every stamped page's content: the stamp stream's leading Q closes it.
OPENING = b"q\n"
_WIDTHS = CORE_FONTS_CHARWIDTHS["helvetica"]


def stamp_font() -> DictionaryObject:
    """The stamp's font: Helvetica in WinAnsi, which every viewer has without embedding."""
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )


def _literal(text: str) -> bytes:
    """``text`` as a PDF literal string in WinAnsi, what Helvetica can show."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """How wide ``text`` is in Helvetica at ``size`` points."""
    safe = text.encode("cp1252", errors="replace").decode("cp1252")
    return sum(_WIDTHS.get(ch, 556) for ch in safe) * size / 1000


def stamp_content(page: PageObject, text: str) -> bytes:
    """The content stream that shows ``text`` upright at the bottom right of ``page`` as a
    reader sees it; it follows the page's own content, which ``OPENING`` begins."""
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
    return (
        (
            f"\nQ\nq\n{cm} cm\nBT\n0 g\n{FONT_KEY} {_number(FONT_SIZE)} Tf\n"
            f"{_number(x)} {_number(EDGE)} Td\n"
        ).encode("ascii")
        + _literal(text)
        + b" Tj\nET\nQ\n"
    )


def _number(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
