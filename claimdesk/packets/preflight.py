"""Before anything is written: can every exhibit be read, and how many pages will it make?"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from PIL import Image
from pypdf import PdfReader

from claimdesk import pdf
from claimdesk.errors import ClaimDeskError, PacketCancelled
from claimdesk.packets import convert
from claimdesk.packets.model import Cancelled, Exhibit, ExhibitProblem, PacketSource, Progress

# Kept here too: the packet modules catch these around their own use of pypdf.
PDF_ERRORS = pdf.PDF_ERRORS
# One file cannot be used; ``reason`` says why, for an ExhibitProblem.
Unreadable = pdf.PdfUnreadable


@dataclass
class Planned:
    """An exhibit that passed the check: its kind, page count, and its pages if already made
    (drawn from a picture or a document, or a damaged PDF rebuilt)."""

    exhibit: Exhibit
    kind: str
    pages: int
    rendered: bytes | None = None


def open_pdf(data: bytes | io.BytesIO, *, check_pages: bool = True) -> PdfReader:
    """A reader over ``data`` (see ``claimdesk.pdf.open_pdf``); raises Unreadable."""
    return pdf.open_pdf(data, check_pages=check_pages).reader


def retry_repaired(planned: Planned) -> bool:
    """A PDF that read at the check but broke while copied: use PDFium's copy of it instead,
    if there is one with the same pages. False when there is nothing more to try."""
    if planned.kind != "pdf" or planned.rendered is not None:
        return False
    stream = io.BytesIO(load(planned.exhibit))  # nothing else holds the bytes: see open_pdf
    try:
        opened = pdf.repaired(stream)
    except Unreadable:
        return False
    finally:
        stream.close()
    if opened.repaired is None or opened.pages != planned.pages:
        return False
    planned.rendered = opened.repaired
    return True


def load(exhibit: Exhibit) -> bytes:
    """The exhibit's bytes; a loader's own error becomes the reason."""
    try:
        data = exhibit.load()
    except ClaimDeskError as error:
        raise Unreadable(str(error).rstrip(".")) from None
    except OSError as error:
        raise Unreadable(f"it cannot be read ({error.strerror or error})") from None
    if not data:
        raise Unreadable("the file is empty")
    return data


def plan_exhibit(exhibit: Exhibit, paper: str) -> Planned:
    """Check one exhibit and count its pages; raises Unreadable."""
    kind = convert.kind_of(exhibit.media_type, exhibit.file_name)
    if not kind:
        what = exhibit.media_type or "this kind of"
        raise Unreadable(
            f"ClaimDesk cannot put a '{what}' file into a packet; save it as a PDF and "
            "attach that instead"
        )
    if kind == "pdf":
        stream = io.BytesIO(load(exhibit))  # nothing else holds the bytes: see open_pdf
        try:
            opened = pdf.open_pdf(stream)
            # A rebuilt copy is what the packet copies: the original is what pypdf cannot read.
            return Planned(exhibit, kind, opened.pages, opened.repaired)
        finally:
            # The reader lingers in its reference cycles until the collector runs; the file's
            # bytes need not linger with it.
            stream.close()
    data = load(exhibit)
    if kind == "image":
        try:
            return Planned(exhibit, kind, convert.image_frames(data))
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
            logging.getLogger(__name__).info("image %s: %s", exhibit.file_name, error)
            raise Unreadable(
                "it is damaged, or is not a picture ClaimDesk can read (PNG, JPEG, TIFF...)"
            ) from None
    if kind == "docx":
        try:
            rendered = convert.docx_to_pdf(data, exhibit.file_name, paper)
        except Exception as error:
            logging.getLogger(__name__).info("docx %s: %s", exhibit.file_name, error)
            raise Unreadable(
                "it is damaged, or is not a Word document ClaimDesk can read (only .docx; "
                "save a .doc as .docx or PDF first)"
            ) from None
    else:
        rendered = convert.text_to_pdf(data, exhibit.file_name, paper)
    return Planned(exhibit, kind, len(PdfReader(io.BytesIO(rendered)).pages), rendered)


def survey(
    source: PacketSource,
    paper: str,
    cancelled: Cancelled | None = None,
    progress: Progress | None = None,
) -> tuple[list[Planned], list[ExhibitProblem]]:
    """Every exhibit either planned or listed as a problem, in the packet's order."""
    planned: list[Planned] = []
    problems: list[ExhibitProblem] = []
    for number, exhibit in enumerate(source.exhibits):
        if cancelled is not None and cancelled():
            raise PacketCancelled()
        if progress is not None:
            progress(number, len(source.exhibits), f"Checking {exhibit.title}")
        try:
            planned.append(plan_exhibit(exhibit, paper))
        except Unreadable as error:
            problems.append(ExhibitProblem(exhibit.title, exhibit.file_name, error.reason))
    return planned, problems


def check_exhibits(source: PacketSource, paper: str = "A4") -> list[ExhibitProblem]:
    """What would stop the packet: every exhibit that cannot be read, and why."""
    return survey(source, paper)[1]
