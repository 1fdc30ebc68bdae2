"""Who is acting: accounts, and the principal every unit of work and every read carries.

An account is created here and nowhere else: when a person starts working on a personal
database (the name they work under), when a case is assigned to someone not yet known, and when
a case file names its assignee. Every other service reads ``ServiceContext.principal``; none
creates users. Office sign-in with passwords (issue 14) replaces how the principal is found,
not what it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from claimdesk import models
from claimdesk.errors import ValidationError
from claimdesk.models.enums import Role
from claimdesk.services import validate as v

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from claimdesk.services.context import ServiceContext

# The longest account name (the users table's column).
NAME_LENGTH = 120


@dataclass(frozen=True)
class Principal:
    """The account acting in this session, fixed when it starts."""

    user_id: int
    name: str
    role: Role


@dataclass(frozen=True)
class AccountRecord:
    id: int
    name: str
    role: Role
    active: bool


def account_name(text: str, what: str = "Your name") -> str:
    """An account name as stored: one line, spaces collapsed, 1 to 120 characters."""
    name = " ".join(text.split())
    if not name:
        raise ValidationError("Enter your name, so your work is attributed to you.")
    return v.line(name, what, max_length=NAME_LENGTH)


def principal_for(session: Session, name: str) -> Principal:
    """The principal working under ``name``: its account, made now if it is the first time."""
    user = account(session, name)
    return Principal(user.id, user.name, user.role)


def account(session: Session, name: str) -> models.User:
    """The account of that name, created (as on a personal database, an administrator) if none."""
    user = session.scalar(select(models.User).where(models.User.name == name))
    if user is None:
        user = models.User(name=name, role=Role.ADMIN)
        session.add(user)
        session.flush()
    return user


class AccountService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @property
    def principal(self) -> Principal:
        return self._ctx.principal

    def accounts(self) -> list[AccountRecord]:
        with self._ctx.reader() as session:
            users = session.scalars(select(models.User).order_by(models.User.name))
            return [AccountRecord(u.id, u.name, u.role, u.active) for u in users]
