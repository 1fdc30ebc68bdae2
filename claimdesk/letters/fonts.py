"""The open fonts shipped in resources/fonts and embedded in every PDF ClaimDesk writes.

Noto Serif carries Latin, Greek and Cyrillic with their accents; Noto Serif Devanagari takes
over for Hindi and Marathi names and addresses, shaped with HarfBuzz so conjuncts and vowel
signs join as they should. Both are under the SIL Open Font License (resources/fonts/OFL.txt).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable
from copy import deepcopy
from pathlib import Path
from typing import Any

from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import TextEmphasis
from fpdf.fonts import SubsetMap, TTFFont

from claimdesk.paths import resources_dir

SERIF = "NotoSerif"
SANS = "NotoSans"
DEVANAGARI = "NotoSerifDevanagari"

_FILES = {
    (SERIF, ""): "NotoSerif-Regular.ttf",
    (SERIF, "B"): "NotoSerif-Bold.ttf",
    (SERIF, "I"): "NotoSerif-Italic.ttf",
    (SERIF, "BI"): "NotoSerif-BoldItalic.ttf",
    (SANS, ""): "NotoSans-Regular.ttf",
    (SANS, "B"): "NotoSans-Bold.ttf",
    (DEVANAGARI, ""): "NotoSerifDevanagari-Regular.ttf",
    (DEVANAGARI, "B"): "NotoSerifDevanagari-Bold.ttf",
}


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def needs_devanagari(texts: Iterable[str]) -> bool:
    """Whether any text is in Devanagari (which needs its font and HarfBuzz shaping)."""
    return any(
        "\u0900" <= ch <= "\u097f" or "\ua8e0" <= ch <= "\ua8ff" for text in texts for ch in text
    )


def add_fonts(
    pdf: FPDF,
    *,
    serif_styles: Iterable[str] = ("", "B", "I", "BI"),
    sans: bool = True,
    devanagari: bool = True,
) -> None:
    """Register the shipped fonts on ``pdf``, with Devanagari as the fallback, and shaping on.

    Each font costs parsing time and is embedded once used, so a caller that knows its text
    registers only what it needs (a Latin-only letter skips Devanagari and shaping).
    """
    folder = fonts_dir()
    wanted = {(SERIF, style) for style in serif_styles} | {(SERIF, "")}
    if sans:
        wanted |= {(SANS, ""), (SANS, "B")}
    if devanagari:
        wanted |= {(DEVANAGARI, ""), (DEVANAGARI, "B")}
    for (family, style), file_name in _FILES.items():
        if (family, style) in wanted:
            add_face(pdf, family, style, folder / file_name)
    if devanagari:
        # Devanagari has no italic: italic text in it falls back to the upright face.
        pdf.set_fallback_fonts([DEVANAGARI], exact_match=False)
    pdf.set_text_shaping(devanagari)


# ---- each face parsed once per process -----------------------------------------------------
#
# fpdf2 parses a TrueType file for every FPDF it is added to (the cmap, every glyph's width
# and id: about a third of a letter's time). Here each face is parsed once, and each document
# gets a TTFFont sharing what never changes after parsing (the character map, the widths, the
# glyph ids, the descriptor) with a TrueType object of its own, opened lazily over the file's
# bytes, because fpdf2 subsets that object in place when it writes the document. Letters
# render on the task runner's thread while a packet may render on another, so the cache is
# filled under a lock and what is shared is never written to.

_LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF")


class _Widths(dict[int, float]):
    """A face's advance widths, read-only: an unknown character has the default width
    (fpdf2's own defaultdict would store it, and these are shared between threads)."""

    def __init__(self, widths: dict[int, float], default: float) -> None:
        super().__init__(widths)
        self.default = default

    def __missing__(self, key: int) -> float:
        return self.default


class _Parsed:
    """What fpdf2 read of one face, and the file's bytes."""

    def __init__(self, path: Path) -> None:
        self.data = path.read_bytes()
        face = TTFFont(FPDF(), path, "parsed", "")
        if face.color_font is not None:  # pragma: no cover - the shipped faces have no colour
            raise ValueError(f"{path.name} is a colour font")
        self.face = face
        face.cw = _Widths(face.cw, face.desc.missing_width)
        face.ttfont.close()


class _SharedFace(TTFFont):
    """A face on one document; the parsed parts are the process's, never written to."""

    __slots__ = ()

    def __deepcopy__(self, memo: dict[int, Any]) -> TTFFont:
        # fpdf2 copies the whole document for a trial rendering (offset_rendering); the
        # widths and glyph ids, read-only here, need no copy.
        memo[id(self.cw)] = self.cw
        memo[id(self.glyph_ids)] = self.glyph_ids
        return super().__deepcopy__(memo)


_PARSED: dict[Path, _Parsed] = {}
_PARSING = threading.Lock()


def _parsed(path: Path) -> _Parsed:
    with _PARSING:
        parsed = _PARSED.get(path)
        if parsed is None:
            parsed = _PARSED[path] = _Parsed(path)
        return parsed


def add_face(pdf: FPDF, family: str, style: str, path: Path) -> None:
    """``pdf.add_font(family, style, path)``, parsing the file only the first time."""
    style = "".join(sorted(style.upper()))
    fontkey = f"{family.lower()}{style}"
    if fontkey in pdf.fonts:
        return
    parsed = _parsed(path)
    face = _SharedFace.__new__(_SharedFace)
    for name in TTFFont.__slots__:
        if hasattr(parsed.face, name):
            setattr(face, name, getattr(parsed.face, name))
    face.i = len(pdf.fonts) + 1
    face.fontkey = fontkey
    face.emphasis = TextEmphasis.coerce(style)
    face.desc = deepcopy(parsed.face.desc)
    face.glyph_ids = parsed.face.glyph_ids
    face.missing_glyphs = []
    face.biggest_size_pt = 0
    face._hbfont = None
    ttfont = ttLib.TTFont(io.BytesIO(parsed.data), recalcTimestamp=False, lazy=True)
    # Writing the document subsets the face without its layout tables (fpdf2 drops them),
    # but fontTools reads them whole first; HarfBuzz shapes from the file, not from these.
    for tag in _LAYOUT_TABLES:
        if tag in ttfont:
            del ttfont[tag]
    face.ttfont = ttfont
    face.subset = SubsetMap(face)
    pdf.fonts[fontkey] = face
