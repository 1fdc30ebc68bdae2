"""Intake: a denial letter read (claimdesk.ocr) and its fields found (fields.py), for a person to
confirm. No Qt, no database: the CLI's ``intake`` and the window's "New case from a denial
letter" both call ``read_letter``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from PIL import Image

from claimdesk.intake.fields import FIELDS, Found, PageLines, extract, load_rules
from claimdesk.ocr.reader import Progress, ReadDocument, read_document

# A letter is a few pages; a 200-page claim file offered as one is read this far.
MAX_LETTER_PAGES = 12
SNIPPET_MARGIN = 12  # pixels around a line's box
SNIPPET_LINE = 18  # pixels a typical line of the letter is shown at (its box: cap to descender)

__all__ = ["FIELDS", "Found", "IntakeResult", "read_letter"]


@dataclass
class IntakeResult:
    fields: dict[str, Found | None]
    document: ReadDocument
    snippets: dict[str, bytes] = field(default_factory=dict)  # field -> PNG of its line

    @property
    def text(self) -> str:
        return self.document.text

    @property
    def found(self) -> int:
        return sum(1 for f in self.fields.values() if f is not None)

    def as_json(self) -> dict[str, Any]:
        """The shape ``claimdesk intake --json`` prints (docs in claimdesk/cli_intake.py)."""
        return {
            "fields": {
                name: None
                if found is None
                else {
                    "value": found.value.isoformat()
                    if isinstance(found.value, date)
                    else found.value,
                    "confidence": round(found.confidence, 2),
                    "page": found.where.page if found.where else None,
                }
                for name, found in self.fields.items()
            },
            "text": self.text,
            "pages": [
                {"page": p.number, "read_from": p.how, "seconds": round(p.seconds, 2)}
                for p in self.document.pages
            ],
            "notes": self.document.notes,
        }


def read_letter(
    data: bytes,
    name: str,
    *,
    data_dir: Path | None = None,
    snippets: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    page_seconds: float | None = None,
) -> IntakeResult:
    """Read the letter and find its fields; ``snippets`` crops each field's line as a PNG."""
    options: dict[str, Any] = {}
    if page_seconds is not None:
        options["page_seconds"] = page_seconds
    document = read_document(
        data,
        name,
        data_dir=data_dir,
        max_pages=MAX_LETTER_PAGES,
        keep_images=snippets,
        progress=progress,
        cancelled=cancelled,
        **options,
    )
    pages = [PageLines(p.number, p.lines) for p in document.pages]
    found = extract(pages, load_rules(data_dir))
    result = IntakeResult(found, document)
    if snippets:
        result.snippets = _snippets(result)
    for page in document.pages:
        page.image = None  # the pictures are not kept past the snippets
    return result


def _snippets(result: IntakeResult) -> dict[str, bytes]:
    images = {p.number: p.image for p in result.document.pages if p.image is not None}
    # One scale per page, from its typical line height: every snippet shows print at one size.
    scales: dict[int, float] = {}
    for page in result.document.pages:
        heights = sorted(
            line.box[3] - line.box[1] for line in page.lines if line.box[3] > line.box[1]
        )
        if heights:
            scales[page.number] = min(1.0, SNIPPET_LINE / heights[len(heights) // 2])
    out: dict[str, bytes] = {}
    for name, found in result.fields.items():
        if found is None or found.where is None:
            continue
        where = found.where
        image = images.get(where.page)
        left, top, right, bottom = where.box
        if image is None or right <= left or bottom <= top:
            continue
        if where.span is not None:
            # A long line of which a few words matter: those words, with some around them.
            width = right - left
            pad = (bottom - top) * 6
            left, right = (
                max(left, int(left + width * where.span[0]) - pad),
                min(right, int(left + width * where.span[1]) + pad),
            )
        box = (
            max(0, left - SNIPPET_MARGIN),
            max(0, top - SNIPPET_MARGIN),
            min(image.width, right + SNIPPET_MARGIN),
            min(image.height, bottom + SNIPPET_MARGIN),
        )
        crop = image.crop(box)
        # A typical line about SNIPPET_LINE pixels high: as big as the window's own text.
        scale = scales.get(where.page, 1.0)
        if scale < 1.0:
            size = (max(1, round(crop.width * scale)), max(1, round(crop.height * scale)))
            crop = crop.resize(size, Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        crop.save(buffer, format="PNG", optimize=True)
        out[name] = buffer.getvalue()
    return out
