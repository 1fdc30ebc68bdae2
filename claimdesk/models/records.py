"""The administrative record: calls, document requests and the documents themselves."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from claimdesk.models.base import Base, UTCDateTime, enum_column, utcnow
from claimdesk.models.enums import (
    CallDirection,
    ContactMethod,
    DocumentKind,
    PromiseStatus,
    RequestKind,
)


class CallLogEntry(Base):
    """One phone call, as logged. Never edited: a correction is a new entry that amends it."""

    __tablename__ = "call_log_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # The caller's IANA zone, so the record shows the local time the call was made in.
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    direction: Mapped[CallDirection] = mapped_column(enum_column(CallDirection))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    person_name: Mapped[str] = mapped_column(String(200), default="")
    person_staff_id: Mapped[str] = mapped_column(String(80), default="")
    number_dialled: Mapped[str] = mapped_column(String(60), default="")
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    call_reference: Mapped[str] = mapped_column(String(80), default="", index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    refused: Mapped[bool] = mapped_column(Boolean, default=False)
    refusal_detail: Mapped[str] = mapped_column(Text, default="")
    # Set on a correction: the entry it supersedes (which stays, visible, in the record).
    amends_id: Mapped[int | None] = mapped_column(
        ForeignKey("call_log_entries.id", ondelete="RESTRICT"), index=True
    )
    amendment_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    promises: Mapped[list[CallPromise]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="CallPromise.id"
    )


class CallPromise(Base):
    """Something the other side promised on a call, with the date it is due."""

    __tablename__ = "call_promises"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(
        ForeignKey("call_log_entries.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[PromiseStatus] = mapped_column(
        enum_column(PromiseStatus), default=PromiseStatus.OPEN
    )
    resolved_on: Mapped[date | None] = mapped_column(Date)

    call: Mapped[CallLogEntry] = relationship(back_populates="promises")


class Document(Base):
    """A file kept with a case. Its bytes live in DocumentContent, in the database itself."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind))
    title: Mapped[str] = mapped_column(String(300))
    original_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    document_date: Mapped[date | None] = mapped_column(Date)
    pages: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    # Position in the appeal packet; None leaves the document out of the packet.
    packet_position: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    content: Mapped[DocumentContent] = relationship(
        cascade="all, delete-orphan", lazy="raise", uselist=False
    )


class DocumentContent(Base):
    """The bytes of a document, apart from its metadata so lists never load them."""

    __tablename__ = "document_contents"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)


class DocumentRequest(Base):
    """A request to the insurer for a report, criteria, the claim file, plan documents..."""

    __tablename__ = "document_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    kind: Mapped[RequestKind] = mapped_column(enum_column(RequestKind))
    description: Mapped[str] = mapped_column(Text, default="")
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    method: Mapped[ContactMethod] = mapped_column(enum_column(ContactMethod))
    sent_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(80), default="")
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    received_on: Mapped[date | None] = mapped_column(Date)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    follow_ups: Mapped[list[RequestFollowUp]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RequestFollowUp.sent_on"
    )


class RequestFollowUp(Base):
    """A second (or later) request for something that is late."""

    __tablename__ = "request_follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("document_requests.id", ondelete="CASCADE"), index=True
    )
    sent_on: Mapped[date] = mapped_column(Date)
    method: Mapped[ContactMethod] = mapped_column(enum_column(ContactMethod))
    new_due_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")

    request: Mapped[DocumentRequest] = relationship(back_populates="follow_ups")
