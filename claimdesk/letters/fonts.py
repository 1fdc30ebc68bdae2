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

from fontTools import subset, ttLib
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


# ---- each face cut to Latin once per process ------------------------------------------------
#
# Writing a document subsets every face it used (fontTools, in fpdf2's output): it reads the
# whole face, some 3,000 glyphs, for the 60-100 a letter uses, and that was over half of a
# letter's time. The characters of most documents are all in Latin-1 and the punctuation
# below; each face is cut to exactly that repertoire, once per process, and a document whose
# glyphs on a face are all in its cut has fpdf2 subset the cut instead (about 230 glyphs):
# the same glyphs by the same names in the same order, so what it embeds is the very same
# bytes. A document with any other glyph (Greek, Cyrillic, a ligature shaped for Devanagari)
# subsets the whole face, as before.

LATIN = frozenset(
    [*range(0x20, 0x7F), *range(0xA0, 0x180)]
    + [ord(c) for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2018\u2019\u201a\u201c\u201d"]
    + [ord(c) for c in "\u201e\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u20ac\u2122\u2212"]
)

# As fpdf2 subsets a face when it writes a document (fpdf/output.py), with the glyph names
# kept: fpdf2 finds the glyphs it used in the cut by their names.
_DROPPED = [
    "FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "sbix", "CBDT", "CBLC", "EBDT",
    "EBLC", "EBSC", "SVG ", "CPAL", "COLR",
]  # fmt: skip

_CUTS: dict[Path, tuple[bytes, frozenset[str]]] = {}


def _latin_cut(path: Path) -> tuple[bytes, frozenset[str]]:
    """The face cut to Latin, and the names of the glyphs it keeps."""
    with _PARSING:
        cut = _CUTS.get(path)
        if cut is None:
            parsed = _PARSED[path]
            font = ttLib.TTFont(io.BytesIO(parsed.data), recalcTimestamp=False)
            options = subset.Options(notdef_outline=True, recommended_glyphs=True)
            options.glyph_names = True
            options.drop_tables += _DROPPED
            cutter = subset.Subsetter(options)
            cmap = font.getBestCmap()
            kept = {cmap[code] for code in LATIN if code in cmap}
            # every character drawn with a kept glyph stays mapped to it, and the control
            # characters (U+0000 has a glyph of its own), as in a subset of the whole face
            cutter.populate(
                unicodes=sorted(code for code, name in cmap.items() if name in kept or code < 0x20)
            )
            cutter.subset(font)
            out = io.BytesIO()
            font.save(out)
            cut = _CUTS[path] = (out.getvalue(), frozenset(font.getGlyphOrder()))
        return cut


def cut_to_latin(pdf: FPDF) -> None:
    """Before ``pdf`` is written: each shipped face whose glyphs used are all in its Latin
    cut is subset from the cut rather than from the whole face."""
    for face in pdf.fonts.values():
        # a shipped face (after a trial rendering, fpdf2's copy of a _SharedFace is a TTFFont)
        if not isinstance(face, TTFFont) or Path(face.ttffile) not in _PARSED:
            continue
        cut, names = _latin_cut(Path(face.ttffile))
        # by name: shaping may have drawn a ligature ("fi") or an alternate, not in the cut
        if all(glyph is None or glyph.glyph_name in names for glyph, _ in face.subset.items()):
            face.ttfont = ttLib.TTFont(io.BytesIO(cut), recalcTimestamp=False, lazy=True)
