"""The claim (one case) and its free-form notes."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from claimdesk.models.base import Base, UTCDateTime, enum_column, utcnow
from claimdesk.models.enums import (
    ClaimStatus,
    ClaimType,
    ClinicalArea,
    DenialCategory,
    Outcome,
    PlanType,
    Stage,
)

if TYPE_CHECKING:
    from claimdesk.models.people import Organisation, User


class Claim(Base):
    """A denied claim being fought: the denial, the plan, and where the fight stands."""

    __tablename__ = "claims"
    # SQLite would otherwise hand a removed case's id to the next new case, and with it the
    # removed case's audit events (which outlive it, keyed by the case's id).
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The office's own case number (CD-2026-0001); the insurer's is insurer_claim_number.
    case_number: Mapped[str] = mapped_column(String(40), unique=True)

    claimant_name: Mapped[str] = mapped_column(String(200), index=True)
    claimant_birth_date: Mapped[date | None] = mapped_column(Date)
    claimant_address: Mapped[str] = mapped_column(Text, default="")
    claimant_phone: Mapped[str] = mapped_column(String(60), default="")
    claimant_email: Mapped[str] = mapped_column(String(200), default="")

    insurer_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    plan_administrator_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    plan_name: Mapped[str] = mapped_column(String(200), default="")
    plan_type: Mapped[PlanType] = mapped_column(enum_column(PlanType))
    policy_number: Mapped[str] = mapped_column(String(80), default="")
    group_number: Mapped[str] = mapped_column(String(80), default="")
    member_id: Mapped[str] = mapped_column(String(80), default="")
    insurer_claim_number: Mapped[str] = mapped_column(String(80), default="", index=True)

    # ISO 3166-1 alpha-2 country and ISO 3166-2 subdivision suffix (US + CA = California).
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(10), default="")

    claim_type: Mapped[ClaimType] = mapped_column(enum_column(ClaimType))
    clinical_area: Mapped[ClinicalArea] = mapped_column(
        enum_column(ClinicalArea), default=ClinicalArea.OTHER
    )
    disputed_service: Mapped[str] = mapped_column(Text, default="")
    # Money is kept in minor units (cents, pence, paise) beside its ISO 4217 currency.
    amount_minor: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)

    # The letter's date and the date it arrived start different clocks (DOMAIN.md).
    denial_letter_date: Mapped[date | None] = mapped_column(Date)
    denial_received_date: Mapped[date | None] = mapped_column(Date)
    proof_of_receipt: Mapped[str] = mapped_column(Text, default="")
    denial_reason: Mapped[str] = mapped_column(Text, default="")
    denial_category: Mapped[DenialCategory] = mapped_column(
        enum_column(DenialCategory), default=DenialCategory.OTHER
    )
    reviewer_name: Mapped[str] = mapped_column(String(200), default="")
    reviewer_credentials: Mapped[str] = mapped_column(String(200), default="")
    criteria_cited: Mapped[str] = mapped_column(Text, default="")

    stage: Mapped[Stage] = mapped_column(enum_column(Stage), default=Stage.DENIAL_RECEIVED)
    status: Mapped[ClaimStatus] = mapped_column(
        enum_column(ClaimStatus), default=ClaimStatus.OPEN, index=True
    )
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome), default=Outcome.PENDING)
    assigned_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # A fictional case from 'claimdesk demo': shown as such, and removed in one step.
    is_sample: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), index=True
    )

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Raised by one on every save of the case's details: a save made from an older version
    # (another workstation saved in between) is refused, not silently written over it.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The earliest open deadline's day, kept by the database's triggers on the deadlines
    # (migration 0011), so the case list sorts and filters by it on an index. Never written
    # by the code: whatever changes a deadline changes this in the same transaction.
    next_due_on: Mapped[date | None] = mapped_column(Date, index=True)

    insurer: Mapped[Organisation | None] = relationship(foreign_keys=[insurer_id])
    plan_administrator: Mapped[Organisation | None] = relationship(
        foreign_keys=[plan_administrator_id]
    )
    assigned_user: Mapped[User | None] = relationship()


class Note(Base):
    """A free-form note on a case."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
