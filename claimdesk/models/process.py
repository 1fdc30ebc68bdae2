"""Appeals and review levels, dated events, deadlines with reminders, and letters sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from claimdesk.models.base import Base, UTCDateTime, enum_column, utcnow
from claimdesk.models.enums import (
    AppealLevel,
    Confidence,
    ContactMethod,
    DeadlineSource,
    DeadlineStatus,
    EventKind,
    Outcome,
    Party,
)


class Appeal(Base):
    """One review level: internal appeal, peer-to-peer, external review, ombudsman, court."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    level: Mapped[AppealLevel] = mapped_column(enum_column(AppealLevel))
    reviewing_body: Mapped[str] = mapped_column(String(200), default="")
    expedited: Mapped[bool] = mapped_column(Boolean, default=False)
    filed_on: Mapped[date | None] = mapped_column(Date)
    filed_method: Mapped[ContactMethod | None] = mapped_column(enum_column(ContactMethod))
    # The reviewer's clock starts on receipt; keep the proof (tracking number, fax log).
    received_on: Mapped[date | None] = mapped_column(Date)
    proof_of_receipt: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(String(80), default="")
    decided_on: Mapped[date | None] = mapped_column(Date)
    decision_received_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome), default=Outcome.PENDING)
    decision_summary: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseEvent(Base):
    """A dated event that starts, stops or extends a deadline clock."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind))
    occurred_on: Mapped[date] = mapped_column(Date)
    # For hour-based clocks (72-hour urgent decisions) the exact instant.
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"))
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeadlinePending(Base):
    """A case whose computed deadlines could not be brought up to date with a change.

    Written in the change's own transaction when the recompute fails, so the change is kept
    and the case is retried (by the agenda, or the next recompute) even after a restart.
    No foreign key: a case removed meanwhile simply has nothing left to recompute.
    """

    __tablename__ = "deadline_pending"

    claim_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class Deadline(Base):
    """A date someone must act by: computed from a rule, or entered by hand."""

    __tablename__ = "deadlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    source: Mapped[DeadlineSource] = mapped_column(enum_column(DeadlineSource))
    rule_id: Mapped[str] = mapped_column(String(80), default="")
    # What triggered it ("appeal:3", "request:12"), so a changed event date recomputes it.
    trigger_ref: Mapped[str] = mapped_column(String(80), default="")
    party: Mapped[Party] = mapped_column(enum_column(Party), default=Party.CLAIMANT)
    computed_due_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outer_limit_on: Mapped[date | None] = mapped_column(Date)
    derivation: Mapped[str] = mapped_column(Text, default="")
    citation: Mapped[str] = mapped_column(String(300), default="")
    confidence: Mapped[Confidence | None] = mapped_column(enum_column(Confidence))
    override_reason: Mapped[str] = mapped_column(Text, default="")
    overridden_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[DeadlineStatus] = mapped_column(
        enum_column(DeadlineStatus), default=DeadlineStatus.OPEN, index=True
    )
    completed_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reminders: Mapped[list[Reminder]] = relationship(
        back_populates="deadline", cascade="all, delete-orphan", order_by="Reminder.remind_on"
    )

    # The agenda and the reminders ask for open deadlines by their day: on this index they
    # read those in the window, not every deadline ever kept (migration 0011).
    # claims.next_due_on's triggers find a case's earliest open deadline on the second in one
    # step (without it, SQLite's planner took the first and walked every open deadline for
    # each insert: an office's import of 50,000 went quadratic).
    __table_args__ = (
        Index("ix_deadlines_status_due_on", "status", "due_on"),
        Index("ix_deadlines_claim_status_due_on", "claim_id", "status", "due_on"),
    )


# The reminders not yet shown nor dismissed, as each dialect writes the condition the query
# renders (an index on part of a table serves a query whose WHERE says the same).
UNSEEN_SQLITE = "shown_at IS NULL AND dismissed = 0"
UNSEEN_POSTGRESQL = "shown_at IS NULL AND NOT dismissed"


class Reminder(Base):
    """When to remind someone of a deadline, and whether it has been seen."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    deadline_id: Mapped[int] = mapped_column(
        ForeignKey("deadlines.id", ondelete="CASCADE"), index=True
    )
    remind_on: Mapped[date] = mapped_column(Date, index=True)
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dismissed: Mapped[bool] = mapped_column(Boolean, default=False)

    deadline: Mapped[Deadline] = relationship(back_populates="reminders")

    # The hourly check asks for reminders not yet shown nor dismissed that have come: on this
    # index it reads those alone, not every reminder ever shown (migration 0011).
    __table_args__ = (
        Index(
            "ix_reminders_unseen",
            "remind_on",
            sqlite_where=text(UNSEEN_SQLITE),
            postgresql_where=text(UNSEEN_POSTGRESQL),
        ),
    )


class Letter(Base):
    """A letter generated for a case, and how and when it went out."""

    __tablename__ = "letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(80))
    template_name: Mapped[str] = mapped_column(String(200))
    template_version: Mapped[str] = mapped_column(String(40), default="")
    recipient: Mapped[str] = mapped_column(String(200), default="")
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    sent_on: Mapped[date | None] = mapped_column(Date)
    sent_method: Mapped[ContactMethod | None] = mapped_column(enum_column(ContactMethod))
    notes: Mapped[str] = mapped_column(Text, default="")
