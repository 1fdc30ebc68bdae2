"""Users of ClaimDesk, organisations and the people at them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from claimdesk.models.base import Base, UTCDateTime, enum_column, utcnow
from claimdesk.models.enums import OrganisationKind, Role


class User(Base):
    """An account: who signs in, and who every record and audit event is attributed to."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # A personal database's one person is its administrator; an office gives each account its own.
    role: Mapped[Role] = mapped_column(
        enum_column(Role), default=Role.ADMIN, server_default="admin"
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # argon2id (services/accounts.py); None on an account made before sign-in existed, until
    # the database is set up (which adopts it) or an administrator gives it a password.
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    display_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # An account is never deleted (what it did stays attributed to it): it is disabled.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Setting(Base):
    """One named setting of the whole database (its mode; an office's policies)."""

    __tablename__ = "settings"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="", server_default="")


class Organisation(Base):
    """An insurer, plan administrator, provider, regulator, ombudsman..."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind))
    # The part of the organisation letters go to ("Appeals Department", "Claims Review Unit").
    department: Mapped[str] = mapped_column(String(200), default="", server_default="")
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    fax: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    # Where documents are uploaded when the organisation takes them online (a member portal).
    portal: Mapped[str] = mapped_column(String(300), default="", server_default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Contact.id"
    )


class Contact(Base):
    """A named person at an organisation (a claims handler, a medical director...)."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200), default="")
    staff_id: Mapped[str] = mapped_column(String(80), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    fax: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    organisation: Mapped[Organisation] = relationship(back_populates="contacts")
