"""The open fonts shipped in resources/fonts and embedded in every PDF ClaimDesk writes.

Noto Serif carries Latin, Greek and Cyrillic with their accents; Noto Serif Devanagari takes
over for Hindi and Marathi names and addresses, shaped with HarfBuzz so conjuncts and vowel
signs join as they should. Both are under the SIL Open Font License (resources/fonts/OFL.txt).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fpdf import FPDF

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
            pdf.add_font(family, style, str(folder / file_name))
    if devanagari:
        # Devanagari has no italic: italic text in it falls back to the upright face.
        pdf.set_fallback_fonts([DEVANAGARI], exact_match=False)
    pdf.set_text_shaping(devanagari)
