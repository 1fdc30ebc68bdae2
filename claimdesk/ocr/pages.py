"""A page made fit to read: grey, upright, straightened, at a size Tesseract reads well.

Pure Pillow (no numpy): the skew is found by turning a small black-and-white copy of the page
through a range of angles and keeping the angle whose rows differ most from one row to the next
(lines of text and the white between them line up with the rows only when the page is straight).
A page turned sideways has the same contrast in its columns instead of its rows.
"""

from __future__ import annotations

import itertools

from PIL import Image, ImageOps, ImageStat

# Tesseract reads best with capital letters 20-30 px tall: about 300 dpi for a letter's print.
TARGET_WIDTH = 2400  # a photo narrower than this is enlarged (A4/Letter at ~290 dpi)
MAX_SIDE = 5000  # a huge photo is reduced first: beyond this it only costs time
_PROBE_SIDE = 700
# Share of dark pixels under which a page is taken as blank (a scanner's specks, a fold).
BLANK_INK = 0.0015


def prepared(image: Image.Image) -> Image.Image:
    """``image`` in 8-bit grey, EXIF orientation applied, sized for reading."""
    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("RGBA", "LA", "P"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    grey = image.convert("L")
    longest = max(grey.size)
    if longest > MAX_SIDE:
        grey.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    if min(grey.size) < TARGET_WIDTH * 0.75:
        factor = TARGET_WIDTH / min(grey.size)
        size = (round(grey.width * factor), round(grey.height * factor))
        if max(size) <= MAX_SIDE * 1.2:
            grey = grey.resize(size, Image.Resampling.LANCZOS)
    return grey


def _extrema(grey: Image.Image) -> tuple[int, int]:
    low, high = grey.getextrema()
    assert isinstance(low, int) and isinstance(high, int)  # an "L" image: one band of ints
    return low, high


def _ink(grey: Image.Image) -> Image.Image:
    """A small copy with ink white on black (so rotating in black adds no ink)."""
    small = grey.copy()
    small.thumbnail((_PROBE_SIDE, _PROBE_SIDE), Image.Resampling.BOX)
    # Threshold halfway between the page's paper and its darkest print.
    low, high = _extrema(small)
    cut = (low + high) // 2
    return small.point(lambda p: 255 if p < cut else 0)


def is_blank(grey: Image.Image) -> bool:
    """Whether the page holds no print: no contrast, or too little ink once specks are gone."""
    low, high = _extrema(grey)
    if high - low < 60:
        return True
    return bool(ImageStat.Stat(_ink(grey)).mean[0] / 255 < BLANK_INK)


def _row_score(ink: Image.Image) -> float:
    profile = list(ink.resize((1, ink.height), Image.Resampling.BOX).tobytes())
    return float(sum((float(b) - float(a)) ** 2 for a, b in itertools.pairwise(profile)))


def skew_angle(grey: Image.Image, widest: float = 6.0) -> float:
    """The angle (degrees, counter-clockwise) that makes the lines of text horizontal."""
    ink = _ink(grey)

    def score(angle: float) -> float:
        turned = ink.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=0)
        return _row_score(turned)

    steps = int(widest)
    best = max((score(float(a)), float(a)) for a in range(-steps, steps + 1))[1]
    fine = [best + k / 10 for k in range(-10, 11)]
    return max((score(a), a) for a in fine)[1]


def looks_sideways(grey: Image.Image) -> bool:
    """Whether the text runs up the page rather than across it (a photo taken sideways)."""
    ink = _ink(grey)
    rows = _row_score(ink)
    columns = _row_score(ink.transpose(Image.Transpose.ROTATE_90))
    return columns > rows * 1.6


def straightened(grey: Image.Image) -> tuple[Image.Image, float]:
    """The page turned so its lines are horizontal, and the angle it was turned by."""
    angle = skew_angle(grey)
    if abs(angle) < 0.15:
        return grey, 0.0
    turned = grey.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)
    return turned, angle
