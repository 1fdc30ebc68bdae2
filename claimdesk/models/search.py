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
