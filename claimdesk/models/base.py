"""Declarative base, naming convention and column types shared by every model."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase

# Defined beside the storage layer, so Core-only reads can use them without the ORM.
from claimdesk.storage.types import UTCDateTime, enum_column, utcnow

__all__ = [
    "NAMING_CONVENTION",
    "Base",
    "UTCDateTime",
    "column_names",
    "enum_column",
    "short_text",
    "utcnow",
]

# A naming convention from the first migration on, so Alembic's batch mode on SQLite can find
# and alter constraints by name later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def short_text(length: int = 200) -> String:
    return String(length)


def column_names(model: Any) -> list[str]:
    return [c.key for c in model.__table__.columns]
