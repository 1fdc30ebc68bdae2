"""The global search index: derived text, rebuilt from the case records whenever they change."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from claimdesk.models.base import Base


class SearchEntry(Base):
    """One searchable record of a case (a call, a note, a document...) as plain text.

    On SQLite an FTS5 table (``search_fts``, created by migration 0002, kept in step by
    triggers) indexes these rows; on PostgreSQL the rows are searched directly.
    """

    __tablename__ = "search_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    # What the hit is ("call", "document"...) and its id, so a click opens the right panel.
    kind: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    # Text extracted from a document's file; kept when the case is reindexed (it is slow to get).
    extracted: Mapped[str] = mapped_column(Text, default="")
    extracted_sha256: Mapped[str] = mapped_column(String(64), default="")


class SearchPending(Base):
    """A case changed since it was last indexed; marked in the same transaction as the change.

    No foreign key: a case removed before it is reindexed simply has nothing left to index.
    """

    __tablename__ = "search_pending"

    claim_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class DocumentText(Base):
    """The text read from a document's file (its own text, or OCR of its scanned pages).

    Keyed by the file's SHA-256, like the file itself: a file attached to two cases is read
    once, and a file is never read again while it is unchanged. Derived data, so no link to
    a document: a row whose file is gone is harmless and is removed with the next reading.
    """

    __tablename__ = "document_texts"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")
    pages_read: Mapped[int] = mapped_column(Integer, default=0)
    pages_ocr: Mapped[int] = mapped_column(Integer, default=0)  # of them, read by OCR
    engine: Mapped[str] = mapped_column(String(80), default="")
    notes: Mapped[str] = mapped_column(Text, default="")  # pages skipped, pages not read
