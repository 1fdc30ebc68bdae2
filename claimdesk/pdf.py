"""Open any PDF a claimant is sent: pypdf first, then a copy PDFium rebuilt, then its pages drawn.

An insurer's file is often broken in ways every viewer forgives (a cut-off download, a page tree
nested too deep for pypdf, an object stream compressed under the abbreviated /Fl name, a page
with no MediaBox). Viewers use PDFium or something as forgiving, so when pypdf cannot read a
file PDFium rebuilds it: first re-saved whole (which keeps bookmarks and forms), then its pages
imported into a new document with every page box written out (which flattens the page tree),
and when even that is beyond pypdf, its pages drawn as pictures. Only what no engine can open is
refused, and a file locked with a real password is refused as such.

No Qt and no database: attach (page count), search (text) and the packet (pages) all call this.
PDFium may not be called from two threads at once, so every use holds ``PDFIUM_LOCK``.
"""

from __future__ import annotations

import io
import logging
import struct
import threading
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pypdf import PdfReader
from pypdf.errors import DependencyError, DeprecationError, PyPdfError

if TYPE_CHECKING:
    import pypdfium2 as pdfium

log = logging.getLogger(__name__)

# What a damaged PDF makes pypdf raise besides its own errors. DependencyError: AES without
# `cryptography`; DeprecationError: pypdf 7 refuses abbreviated filter names such as /Fl;
# NotImplementedError (a RuntimeError): an encryption scheme pypdf does not know.
PDF_ERRORS = (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
              OSError, RuntimeError, AssertionError, ArithmeticError, LookupError,
              DependencyError, DeprecationError, zlib.error, struct.error)  # fmt: skip

PDFIUM_LOCK = threading.RLock()

LOCKED = (
    "it is password-protected; open it with its password, save an unlocked copy (or print it "
    "to a new PDF) and attach that copy"
)
CERTIFICATE = (
    "it is locked with a certificate or a kind of protection ClaimDesk cannot open; open it "
    "where it opens, save an unlocked copy (or print it to a new PDF) and attach that copy"
)
# Pages drawn when nothing else reads the file: sharp enough to read small print and stamps.
DRAW_DPI = 150


class PdfUnreadable(Exception):
    """No engine can use this file; ``reason`` says why in words for the user."""

    def __init__(self, reason: str, *, locked: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.locked = locked


@dataclass
class OpenedPdf:
    """A readable PDF: the reader, and the bytes it reads when they are not the original's."""

    reader: PdfReader
    repaired: bytes | None = None  # the rebuilt copy; None: the original reads as it is
    how: str = "as is"  # "as is", "re-saved", "rebuilt", "drawn"

    @property
    def pages(self) -> int:
        return len(self.reader.pages)


def open_pdf(data: bytes | io.BytesIO, *, check_pages: bool = True) -> OpenedPdf:
    """A reader over ``data``, unlocked if it has only an empty password; raises PdfUnreadable.

    ``check_pages`` reads every page object now, so a broken one is found before anything is
    written. Pass a big file as ``BytesIO(data)`` holding no other reference to its bytes:
    pypdf asks the stream for its buffer, and a BytesIO whose bytes are referenced elsewhere
    answers with a copy of them.
    """
    stream = data if isinstance(data, io.BytesIO) else io.BytesIO(data)
    if not stream.seek(0, io.SEEK_END):
        raise PdfUnreadable("the file is empty")
    stream.seek(0)
    first: BaseException
    try:
        return OpenedPdf(_read(stream, check_pages))
    except PdfUnreadable as error:
        if error.locked:
            raise
        first = error  # no pages that pypdf can find: PDFium may find them
    except PDF_ERRORS as error:
        first = error
    log.info("pypdf cannot read a PDF (%s); trying PDFium", type(first).__name__)
    stream.seek(0)
    return _repair(stream, first)


def repaired(data: bytes | io.BytesIO) -> OpenedPdf:
    """PDFium's copy of a file pypdf opened but could not copy whole (a broken stream, say)."""
    stream = data if isinstance(data, io.BytesIO) else io.BytesIO(data)
    return _repair(stream, None)


def _read(stream: io.BytesIO, check_pages: bool) -> PdfReader:
    reader = PdfReader(stream, strict=False)
    if reader.is_encrypted:
        try:
            unlocked = bool(reader.decrypt(""))  # PasswordType.NOT_DECRYPTED is 0
        except DependencyError:
            raise  # no `cryptography`: PDFium can still unlock it
        except PDF_ERRORS:
            unlocked = False
        if not unlocked:
            raise PdfUnreadable(LOCKED, locked=True)
    count = len(reader.pages)
    if check_pages:
        for page in reader.pages:
            page.mediabox  # noqa: B018 - resolves every page object: a broken one fails now
    if count == 0:
        raise PdfUnreadable("it has no pages")
    return reader


def _detail(error: BaseException) -> str:
    text = str(error).strip()
    return f" ({text.splitlines()[0][:120]})" if text else ""


def _repair(stream: io.BytesIO, first: BaseException | None) -> OpenedPdf:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    detail = _detail(first) if first is not None else ""
    damaged = f"it is damaged or is not really a PDF{detail}"
    with PDFIUM_LOCK:
        try:
            source = pdfium.PdfDocument(stream)
        except pdfium.PdfiumError as error:
            if error.err_code == pdfium_c.FPDF_ERR_PASSWORD:
                raise PdfUnreadable(LOCKED, locked=True) from None
            if error.err_code == pdfium_c.FPDF_ERR_SECURITY:
                raise PdfUnreadable(CERTIFICATE, locked=True) from None
            raise PdfUnreadable(damaged) from None
        try:
            if len(source) == 0:
                raise PdfUnreadable("it has no pages")
            for how, rebuild in (("re-saved", _resaved), ("rebuilt", _rebuilt), ("drawn", _drawn)):
                try:
                    repaired = rebuild(source)
                    reader = _read(io.BytesIO(repaired), check_pages=True)
                except (PdfUnreadable, pdfium.PdfiumError, *PDF_ERRORS) as error:
                    log.info("a %s copy does not read either (%s)", how, type(error).__name__)
                    continue
                if len(reader.pages) == len(source):
                    return OpenedPdf(reader, repaired, how)
            raise PdfUnreadable(damaged)
        finally:
            source.close()


def _save(document: pdfium.PdfDocument) -> bytes:
    import pypdfium2.raw as pdfium_c

    out = io.BytesIO()
    # REMOVE_SECURITY writes the objects decrypted: the copy needs no password and no AES.
    document.save(out, flags=pdfium_c.FPDF_REMOVE_SECURITY)
    return out.getvalue()


def _resaved(source: pdfium.PdfDocument) -> bytes:
    """The whole file as PDFium understood it: fresh cross-references, objects decompressed."""
    return _save(source)


def _rebuilt(source: pdfium.PdfDocument) -> bytes:
    """The pages alone in a new document: a flat page tree and every page box written out."""
    import pypdfium2 as pdfium

    target = pdfium.PdfDocument.new()
    try:
        target.import_pages(source)
        for page in target:
            box = page.get_mediabox(fallback_ok=False)
            if box is None or box[2] - box[0] <= 0 or box[3] - box[1] <= 0:
                # PDFium's own idea of the page's extent (it defaults to US Letter).
                page.set_mediabox(*page.get_bbox())
            page.close()
        return _save(target)
    finally:
        target.close()


def _drawn(source: pdfium.PdfDocument) -> bytes:
    """Each page drawn as a picture, at the size it is shown: the text is lost, the page kept."""
    from fpdf import FPDF

    out = FPDF(unit="pt")
    out.set_auto_page_break(False)
    for index in range(len(source)):
        page = source[index]
        try:
            width, height = page.get_size()
            bitmap = page.render(scale=DRAW_DPI / 72)
            picture = bitmap.to_pil().convert("RGB")
            bitmap.close()
        finally:
            page.close()
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG", quality=80)
        out.add_page(format=(width, height))
        out.image(buffer, x=0, y=0, w=width, h=height)
    return bytes(out.output())


def page_count(data: bytes) -> int | None:
    """How many pages some engine reads in ``data``; None when none can (or it is locked)."""
    try:
        # Every page checked, as the packet will: the count is what the packet will hold.
        return open_pdf(io.BytesIO(data)).pages
    except PdfUnreadable:
        return None


def pdf_text(data: bytes, max_pages: int, max_chars: int) -> str:
    """The text of the first ``max_pages`` pages, as far as it can be had; "" if none."""
    try:
        opened = open_pdf(io.BytesIO(data), check_pages=False)
    except PdfUnreadable:
        return ""
    if opened.how != "drawn":
        try:
            return _pypdf_text(opened.reader, max_pages, max_chars)
        except PDF_ERRORS as error:
            log.info("pypdf cannot extract text (%s); trying PDFium", type(error).__name__)
    # PDFium reads the original whenever it could rebuild it.
    return _pdfium_text(data, max_pages, max_chars)


def _pypdf_text(reader: PdfReader, max_pages: int, max_chars: int) -> str:
    parts: list[str] = []
    size = 0
    for page in reader.pages[:max_pages]:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size >= max_chars:
            break
    return "\n".join(parts)


def _pdfium_text(data: bytes, max_pages: int, max_chars: int) -> str:
    import pypdfium2 as pdfium

    parts: list[str] = []
    size = 0
    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            return ""
        try:
            for index in range(min(len(document), max_pages)):
                page = document[index]
                text_page = page.get_textpage()
                text = text_page.get_text_range()
                text_page.close()
                page.close()
                parts.append(text)
                size += len(text)
                if size >= max_chars:
                    break
        except pdfium.PdfiumError as error:
            log.info("PDFium cannot extract text (%s)", error)
        finally:
            document.close()
    return "\n".join(parts)
