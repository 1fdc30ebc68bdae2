"""The open fonts shipped in resources/fonts and embedded in every PDF ClaimDesk writes.

Noto Serif carries Latin, Greek and Cyrillic with their accents; Noto Serif Devanagari takes
over for Hindi and Marathi names and addresses, shaped with HarfBuzz so conjuncts and vowel
signs join as they should. Both are under the SIL Open Font License (resources/fonts/OFL.txt).
"""

from __future__ import annotations

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


def add_fonts(pdf: FPDF) -> None:
    """Register the shipped fonts on ``pdf``, with Devanagari as the fallback, and shaping on."""
    folder = fonts_dir()
    for (family, style), file_name in _FILES.items():
        pdf.add_font(family, style, str(folder / file_name))
    # Devanagari has no italic: italic text in it falls back to the upright face.
    pdf.set_fallback_fonts([DEVANAGARI], exact_match=False)
    pdf.set_text_shaping(True)
