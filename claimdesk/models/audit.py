"""The append-only audit trail: who did what, when, each event chained to the one before."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from claimdesk.models.base import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    """One change made through the services. Rows are never updated or deleted; the unit of
    work gives each its id and hashes when it links it into the chain."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    # No foreign key: the trail outlives a deleted case.
    claim_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # Which fields changed (names only, never values: the trail carries no health data).
    detail: Mapped[str] = mapped_column(Text, default="")
    # The SHA-256 of a file attached by this event, so the chain vouches for the file too.
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    # The hash chain (storage/audit_chain.py): the previous event's hash, and this event's
    # SHA-256 over its fields and that hash.
    prev_hash: Mapped[str] = mapped_column(String(64), server_default="")
    event_hash: Mapped[str] = mapped_column(String(64), server_default="")
