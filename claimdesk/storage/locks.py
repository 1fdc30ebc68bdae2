"""Locks that make "read the latest, then write the next" safe with several writers.

On SQLite every unit of work already holds the database's one write lock from its first
statement (BEGIN IMMEDIATE, storage/db.py), so two writers can never interleave. On PostgreSQL
two workstations' transactions run side by side: a case number taken as "the highest + 1", an
account or organisation found-or-created by name, would be taken twice. ``exclusive`` takes a
transaction-scoped advisory lock named by ``key``, released at commit or rollback, so the
second workstation waits for the first and then sees its row.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from sqlalchemy import text

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def lock_id(key: str) -> int:
    """A stable signed 64-bit number for ``key`` (PostgreSQL's advisory lock ids are bigint)."""
    digest = hashlib.sha256(f"claimdesk:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def exclusive(session: Session, key: str) -> None:
    """Hold the lock ``key`` until this transaction ends (a no-op on SQLite: see above)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id(key)})
