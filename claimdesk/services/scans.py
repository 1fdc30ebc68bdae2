"""The text of documents' files, read once (their own text, or OCR of scanned pages) and kept
by the file's SHA-256 in ``document_texts``, so global search finds words in scans.

Reading is slow (seconds a scanned page), so it is never done inside a search: the window reads
a case's new files in the background after they are attached, ``claimdesk search --read-scans``
reads all that are unread, and the intake keeps what it read of the denial letter. Storing a
text queues every case holding that file for reindexing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from claimdesk.errors import ReadingError
from claimdesk.models import Document, DocumentContent, DocumentText
from claimdesk.ocr.reader import Progress, ReadDocument
from claimdesk.services.context import ServiceContext, mark_for_search

log = logging.getLogger(__name__)

# As search's own limit on a document's text: the first pages say what it is.
MAX_PAGES = 200
MAX_CHARS = 200_000
READABLE = ("application/pdf", "image/png", "image/jpeg", "image/tiff", "image/gif")


@dataclass(frozen=True)
class ScanResult:
    document_id: int
    pages_read: int
    pages_ocr: int
    notes: str


class ScanService:
    def __init__(self, ctx: ServiceContext, data_dir: Path | None = None) -> None:
        self._ctx = ctx
        self._data_dir = data_dir

    def unread(self, claim_id: int | None = None) -> list[int]:
        """Documents (of a case, or all) whose file has not been read yet, oldest first."""
        with self._ctx.reader() as session:
            query = (
                select(Document.id)
                .outerjoin(DocumentText, DocumentText.sha256 == Document.sha256)
                .where(DocumentText.sha256.is_(None), Document.media_type.in_(READABLE))
                .order_by(Document.id)
            )
            if claim_id is not None:
                query = query.where(Document.claim_id == claim_id)
            return list(session.scalars(query))

    def text(self, sha256: str) -> str | None:
        with self._ctx.reader() as session:
            return session.scalar(select(DocumentText.text).where(DocumentText.sha256 == sha256))

    def read(
        self,
        document_id: int,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> ScanResult:
        """Read one document's file and keep its text; OcrUnavailable when a page needs OCR
        and no engine is installed. A file no engine can read is kept as read, with no text."""
        from claimdesk.ocr.reader import read_document

        with self._ctx.reader() as session:
            row = session.execute(
                select(Document.sha256, Document.original_name, DocumentContent.data)
                .join(DocumentContent, DocumentContent.document_id == Document.id)
                .where(Document.id == document_id)
            ).one_or_none()
        if row is None:
            return ScanResult(document_id, 0, 0, "")
        sha256, name, data = row
        try:
            document = read_document(
                bytes(data),
                name,
                data_dir=self._data_dir,
                max_pages=MAX_PAGES,
                progress=progress,
                cancelled=cancelled,
            )
        except ReadingError as error:
            if type(error).__name__ in ("OcrUnavailable", "ReadingCancelled"):
                raise
            log.info("document %s cannot be read for its text", document_id)
            document = ReadDocument(notes=[str(error)])
        self.keep(sha256, document)
        return ScanResult(document_id, len(document.pages), document.ocr_pages, "")

    def read_unread(
        self,
        claim_id: int | None = None,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> int:
        """Read every unread document (of a case, or all); how many were read."""
        pending = self.unread(claim_id)
        for number, document_id in enumerate(pending, start=1):

            def page_progress(done: int, total: int, _: str, number: int = number) -> None:
                if progress is not None:
                    progress(
                        done,
                        total,
                        f"Reading document {number} of {len(pending)}: page "
                        f"{min(done + 1, total)} of {total}…",
                    )

            self.read(document_id, page_progress, cancelled)
        return len(pending)

    def keep(self, sha256: str, document: ReadDocument) -> None:
        """Keep what was read of the file with this SHA-256; its cases are reindexed."""
        text = " ".join(document.text.split())[:MAX_CHARS]
        with self._ctx.write() as session:
            row = session.get(DocumentText, sha256)
            if row is None:
                row = DocumentText(sha256=sha256)
                session.add(row)
            row.text = text
            row.pages_read = len(document.pages)
            row.pages_ocr = document.ocr_pages
            row.engine = document.engine
            row.notes = " ".join(document.notes)
            claims = set(
                session.scalars(select(Document.claim_id).where(Document.sha256 == sha256))
            )
            mark_for_search(session, claims)
