"""Read a document's text: a PDF page's own text where it has some, OCR of the page otherwise.

``read_document(data, name)`` takes a PDF or a picture (PNG, JPEG, TIFF, a phone's photo) and
returns each page's lines with where they stand on the page. PDF pages are drawn with PDFium
(pypdfium2) at 300 dpi; every picture is straightened, turned upright when it lies sideways,
and read by the engine under a time limit per page, so a page Tesseract cannot finish is
skipped with a note instead of hanging the window. Nothing is written anywhere.
"""

from __future__ import annotations

import functools
import io
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from claimdesk.errors import ReadingCancelled, ReadingError
from claimdesk.ocr import pages
from claimdesk.ocr.engine import Engine, Line, PageRead, find_engine

log = logging.getLogger(__name__)

RENDER_DPI = 300
MAX_SIDE_PX = 5000  # a page's longest side when drawn (a US Letter page at 300 dpi: 3300)
PAGE_SECONDS = 30.0  # a page Tesseract has not read by then is skipped, with a note
# A page whose own text has fewer characters than this is taken as a scan (a stamp, a footer).
MIN_TEXT_CHARS = 40
# A reading this unsure on an upright page is tried upside down too.
UNSURE = 55.0

Progress = Callable[[int, int, str], None]


@dataclass
class ReadPage:
    number: int  # from 1
    lines: list[Line]
    how: str  # "text" (the PDF's own), "ocr", "blank", "timed out"
    confidence: float = 100.0
    seconds: float = 0.0
    image: Image.Image | None = None  # the page as read (kept only when asked, for snippets)

    @property
    def text(self) -> str:
        parts: list[str] = []
        block = None
        for line in self.lines:
            if block is not None and line.block != block:
                parts.append("")
            parts.append(line.text)
            block = line.block
        return "\n".join(parts)


@dataclass
class ReadDocument:
    pages: list[ReadPage] = field(default_factory=list)
    total_pages: int = 0
    engine: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages if p.lines)

    @property
    def ocr_pages(self) -> int:
        return sum(1 for p in self.pages if p.how in ("ocr", "timed out"))


def kind_of(data: bytes) -> str:
    """ "pdf", "image" or "" for what ``read_document`` cannot take."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return ""
    return "image"


def read_document(
    data: bytes,
    name: str,
    *,
    data_dir: Path | None = None,
    max_pages: int | None = None,
    page_seconds: float = PAGE_SECONDS,
    keep_images: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    engine: Engine | None = None,
) -> ReadDocument:
    """The text of every page (or the first ``max_pages``); raises ReadingError when it cannot.

    OcrUnavailable only when a page needs OCR and no engine is installed: a PDF with text reads
    without one.
    """
    kind = kind_of(data) if data else ""
    if not kind:
        raise ReadingError(
            f"'{name}' is not a PDF or a picture ClaimDesk can read"
            + (" (it is empty)" if not data else "")
            + ". Scan or photograph the letter as PDF, PNG, JPEG or TIFF and try again."
        )
    result = ReadDocument()
    owned: Engine | None = None

    def ocr() -> Engine:
        nonlocal owned
        if engine is not None:
            return engine
        if owned is None:
            owned = find_engine(data_dir)
        return owned

    try:
        source = _pdf_pages(data, name) if kind == "pdf" else _image_pages(data, name)
        total, images = source
        result.total_pages = total
        limit = total if max_pages is None else min(total, max_pages)
        if limit < total:
            result.notes.append(f"Only the first {limit} of {total} pages were read.")
        for index, (own_text, picture) in enumerate(images):
            if index >= limit:
                break
            if cancelled is not None and cancelled():
                raise ReadingCancelled("Reading was stopped; nothing was kept.")
            if progress is not None:
                progress(index, limit, f"Reading page {index + 1} of {limit}…")
            started = time.perf_counter()
            if own_text is not None:
                page = ReadPage(index + 1, own_text, "text")
                if keep_images:
                    page.image = picture()
            else:
                page = _ocr_page(index + 1, picture(), ocr(), page_seconds, keep_images)
                result.engine = ocr().name
                if page.how == "timed out":
                    result.notes.append(
                        f"Page {page.number} took longer than {page_seconds:.0f} s to read "
                        "and was skipped."
                    )
            page.seconds = time.perf_counter() - started
            result.pages.append(page)
        if progress is not None:
            progress(limit, limit, "")
    finally:
        if owned is not None:
            owned.close()
    return result


PageSource = tuple[int, Iterator[tuple[list[Line] | None, Callable[[], Image.Image]]]]


def _pdf_pages(data: bytes, name: str) -> PageSource:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    from claimdesk.pdf import CERTIFICATE, LOCKED, PDFIUM_LOCK, PdfUnreadable, open_pdf

    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as error:
            if error.err_code == pdfium_c.FPDF_ERR_PASSWORD:
                raise ReadingError(f"'{name}' cannot be read: {LOCKED}.") from None
            if error.err_code == pdfium_c.FPDF_ERR_SECURITY:
                raise ReadingError(f"'{name}' cannot be read: {CERTIFICATE}.") from None
            document = None
        if document is None:
            try:
                opened = open_pdf(io.BytesIO(data), check_pages=False)
            except PdfUnreadable as error:
                raise ReadingError(f"'{name}' cannot be read: {error.reason}.") from None
            if opened.repaired is None:
                raise ReadingError(f"'{name}' cannot be read: it is damaged.")
            document = pdfium.PdfDocument(opened.repaired)
        total = len(document)
    if total == 0:
        document.close()
        raise ReadingError(f"'{name}' cannot be read: it has no pages.")

    def pages_of() -> Iterator[tuple[list[Line] | None, Callable[[], Image.Image]]]:
        try:
            for index in range(total):
                with PDFIUM_LOCK:
                    lines = _text_lines(document, index)

                def draw(index: int = index) -> Image.Image:
                    with PDFIUM_LOCK:
                        page = document[index]
                        try:
                            # A poster-sized page is drawn smaller: never a huge bitmap.
                            longest = max(page.get_size()) or 1.0
                            scale = min(RENDER_DPI / 72, MAX_SIDE_PX / longest)
                            bitmap = page.render(scale=scale, grayscale=True)
                            picture: Image.Image = bitmap.to_pil().convert("L")
                            bitmap.close()
                        finally:
                            page.close()
                    return picture

                yield lines, draw
        finally:
            with PDFIUM_LOCK:
                document.close()

    return total, pages_of()


def _text_lines(document: object, index: int) -> list[Line] | None:
    """The page's own text as lines with their boxes (in 300 dpi pixels); None for a scan."""
    import pypdfium2 as pdfium

    assert isinstance(document, pdfium.PdfDocument)
    page = document[index]
    try:
        text_page = page.get_textpage()
        try:
            text = text_page.get_text_range()
            if len("".join(text.split())) < MIN_TEXT_CHARS:
                return None
            height = page.get_height()
            scale = RENDER_DPI / 72
            lines: list[Line] = []
            count = text_page.count_chars()
            position = 0
            block = 0
            for raw in text.split("\n"):
                start, position = position, position + len(raw) + 1
                words = raw.strip()
                if not words:
                    block += 1
                    continue
                boxes = [
                    text_page.get_charbox(i)
                    for i in range(start, min(start + len(raw), count))
                    if not raw[i - start].isspace()
                ]
                if boxes:
                    left = min(b[0] for b in boxes)
                    right = max(b[2] for b in boxes)
                    bottom = min(b[1] for b in boxes)
                    top = max(b[3] for b in boxes)
                    box = (
                        int(left * scale),
                        int((height - top) * scale),
                        int(right * scale) + 1,
                        int((height - bottom) * scale) + 1,
                    )
                else:
                    box = (0, 0, 0, 0)
                lines.append(Line(" ".join(words.split()), box, 100.0, block))
            return lines
        finally:
            text_page.close()
    finally:
        page.close()


def _image_pages(data: bytes, name: str) -> PageSource:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise ReadingError(
            f"'{name}' cannot be read as a picture ({type(error).__name__}); save it again as "
            "PNG or JPEG and try again."
        ) from None
    total = getattr(image, "n_frames", 1)

    def frames() -> Iterator[tuple[list[Line] | None, Callable[[], Image.Image]]]:
        for index in range(total):
            image.seek(index)
            yield None, functools.partial(_same, image.copy())

    return total, frames()


def _same(image: Image.Image) -> Image.Image:
    return image


def _ocr_page(
    number: int, picture: Image.Image, engine: Engine, seconds: float, keep_image: bool
) -> ReadPage:
    grey = pages.prepared(picture)
    if pages.is_blank(grey):
        return ReadPage(number, [], "blank", 0.0, image=grey if keep_image else None)
    deadline = time.perf_counter() + seconds
    candidates: list[tuple[PageRead, Image.Image]] = []
    # A page lying sideways is tried both ways up; an upright one upside down only when the
    # first reading is unsure (a page fed in the wrong way round).
    turns = (90, 270) if pages.looks_sideways(grey) else (0, 180)
    for turn in turns:
        left = deadline - time.perf_counter()
        if candidates and left <= 0.5:
            break
        upright = grey.rotate(turn, expand=True) if turn else grey
        straight, _ = pages.straightened(upright)
        read = engine.read(straight, max(left, 0.001))
        candidates.append((read, straight))
        if read.timed_out or (read.lines and read.confidence >= UNSURE):
            break
    usable = [c for c in candidates if not c[0].timed_out and c[0].lines]
    if not usable:
        timed_out = any(c[0].timed_out for c in candidates)
        return ReadPage(number, [], "timed out" if timed_out else "blank", 0.0)
    read, straight = max(usable, key=lambda c: c[0].confidence)
    return ReadPage(
        number, read.lines, "ocr", read.confidence, image=straight if keep_image else None
    )
