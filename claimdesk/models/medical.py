"""Specialists, second opinions and insurer medical examinations (IMEs)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from claimdesk.models.base import Base, UTCDateTime, enum_column, utcnow
from claimdesk.models.enums import OpinionStatus, ReviewMode


class Specialist(Base):
    """A doctor in the directory shared by all cases."""

    __tablename__ = "specialists"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    credentials: Mapped[str] = mapped_column(String(80), default="")
    specialty: Mapped[str] = mapped_column(String(120), index=True)
    subspecialty: Mapped[str] = mapped_column(String(120), default="")
    is_general_practitioner: Mapped[bool] = mapped_column(Boolean, default=False)
    board_certification: Mapped[str] = mapped_column(String(200), default="")
    certification_body: Mapped[str] = mapped_column(String(200), default="")
    certification_verified_on: Mapped[date | None] = mapped_column(Date)
    institution: Mapped[str] = mapped_column(String(200), default="")
    academic: Mapped[bool] = mapped_column(Boolean, default=False)
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    fax: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    region: Mapped[str] = mapped_column(String(10), default="")
    fee_minor: Mapped[int | None] = mapped_column(Integer)
    fee_currency: Mapped[str] = mapped_column(String(3), default="USD")
    # Financial ties to an insurer (e.g. "performs IMEs for Acme Life") must be flagged.
    conflict_of_interest: Mapped[bool] = mapped_column(Boolean, default=False)
    conflict_notes: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SecondOpinion(Base):
    """An independent specialist's opinion on one claim, from briefing to report and costs."""

    __tablename__ = "second_opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    specialist_id: Mapped[int] = mapped_column(
        ForeignKey("specialists.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[OpinionStatus] = mapped_column(
        enum_column(OpinionStatus), default=OpinionStatus.IDENTIFIED
    )
    review_mode: Mapped[ReviewMode] = mapped_column(
        enum_column(ReviewMode), default=ReviewMode.UNKNOWN
    )
    briefed_on: Mapped[date | None] = mapped_column(Date)
    # What the briefing included: the readiness check looks for the denial reasoning.
    briefing_included_denial: Mapped[bool] = mapped_column(Boolean, default=False)
    briefing_included_criteria: Mapped[bool] = mapped_column(Boolean, default=False)
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    examined_on: Mapped[date | None] = mapped_column(Date)
    report_received_on: Mapped[date | None] = mapped_column(Date)
    report_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL")
    )
    # A brief note is not a report: the readiness check wants a full written report.
    report_is_full: Mapped[bool] = mapped_column(Boolean, default=False)
    conclusion: Mapped[str] = mapped_column(Text, default="")
    guidelines_cited: Mapped[str] = mapped_column(Text, default="")
    cpt_code: Mapped[str] = mapped_column(String(20), default="")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    billed_minor: Mapped[int | None] = mapped_column(Integer)
    allowed_minor: Mapped[int | None] = mapped_column(Integer)
    paid_minor: Mapped[int | None] = mapped_column(Integer)
    owed_minor: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IndependentMedicalExam(Base):
    """An examination arranged by the insurer (an IME, FCE or ADL assessment)."""

    __tablename__ = "imes"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    exam_date: Mapped[date | None] = mapped_column(Date)
    examiner_name: Mapped[str] = mapped_column(String(200), default="")
    examiner_specialty: Mapped[str] = mapped_column(String(120), default="")
    examiner_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    paid_by: Mapped[str] = mapped_column(String(200), default="")
    representative_attending: Mapped[bool] = mapped_column(Boolean, default=False)
    representative_name: Mapped[str] = mapped_column(String(200), default="")
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    report_requested_on: Mapped[date | None] = mapped_column(Date)
    report_received_on: Mapped[date | None] = mapped_column(Date)
    report_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL")
    )
    findings: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
