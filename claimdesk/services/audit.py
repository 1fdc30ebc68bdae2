"""The audit trail: reading it (the Audit view, for administrators), checking its hash chain,
and its head, printed on backups and packets so a later edit of the record can be detected.

Events are written by the unit of work (``Unit.record``) and chained by
``storage/audit_chain.py`` just before the unit commits.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from claimdesk.errors import ValidationError
from claimdesk.models import AuditEvent, Claim, User
from claimdesk.services.accounts import Right
from claimdesk.services.context import ServiceContext, user_names
from claimdesk.services.dto import AuditRecord, copy_into
from claimdesk.storage import audit_chain

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# The Audit view shows at most this many events, newest first; a narrower filter (a person, a
# case, fewer days) finds older ones, and the CSV export holds every event the filter matches.
SHOWN_LIMIT = 5000

CSV_HEADER = (
    "event",
    "time_utc",
    "person",
    "action",
    "record_kind",
    "record_id",
    "case_number",
    "case_id",
    "fields_changed",
    "file_sha256",
    "event_hash",
)


@dataclass(frozen=True)
class AuditFilter:
    """Which events to show: one person, one case, local days from/to (inclusive)."""

    user_id: int | None = None
    claim_id: int | None = None
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class TrailEvent:
    """One audit event as the Audit view shows it: who did what to which case, and when."""

    id: int
    occurred_at: datetime
    user: str
    action: str
    entity: str
    entity_id: int | None
    claim_id: int | None
    case_number: str  # "" for no case; "(removed)" when the case no longer exists
    fields: str  # names of the fields changed, never their values
    sha256: str | None  # the SHA-256 of a file this event attached
    event_hash: str


@dataclass(frozen=True)
class TrailPage:
    events: list[TrailEvent]
    truncated: bool  # more events matched than are shown


@dataclass(frozen=True)
class Choice:
    """An entry of a filter's list (a person or a case)."""

    id: int
    label: str


@dataclass(frozen=True)
class ChainCheck:
    """What ``verify`` found: events and files checked, the head, the first broken link."""

    events: int
    documents: int
    head: str
    problem: str | None  # one line naming the event and its time; None when all is intact
    event_id: int | None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def short_head(self) -> str:
        return self.head[: audit_chain.SHORT]


class AuditService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def events(self, claim_id: int | None = None, limit: int = 500) -> list[AuditRecord]:
        """The newest audit events, of one case or of everything."""
        query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
        if claim_id is not None:
            query = query.where(AuditEvent.claim_id == claim_id)
        with self._ctx.reader() as session:
            rows = session.scalars(query).all()
            names = user_names(session, (r.user_id for r in rows))
            return [copy_into(AuditRecord, r, user=names.get(r.user_id or 0, "")) for r in rows]

    # ---- the chain -------------------------------------------------------------------------

    def head(self) -> str:
        """The hash of the newest event (64 hex digits); printed shortened as "record integrity"."""
        with self._ctx.reader_connection() as connection:
            return audit_chain.head(connection)[1]

    def short_head(self) -> str:
        return self.head()[: audit_chain.SHORT]

    def verify(self) -> ChainCheck:
        """Re-compute the whole chain and hold every document's file to its recorded SHA-256."""
        with self._ctx.reader_connection() as connection:
            found = audit_chain.verify(connection)
        broken = found.broken
        return ChainCheck(
            found.events,
            found.documents,
            found.head,
            broken.describe() if broken is not None else None,
            broken.event_id if broken is not None else None,
        )

    def contains(self, printed: str) -> bool:
        """Whether a head printed earlier (16 or more hex digits) is still in the chain."""
        prefix = printed.strip().lower()
        if len(prefix) < audit_chain.SHORT or any(c not in "0123456789abcdef" for c in prefix):
            raise ValidationError(
                f"'{printed[:70]}' is not a record integrity code: give the "
                f"{audit_chain.SHORT} hexadecimal digits printed on the backup or packet."
            )
        with self._ctx.reader_connection() as connection:
            return audit_chain.contains(connection, prefix[:64])

    # ---- the Audit view (administrators only) ----------------------------------------------

    def _require_admin(self) -> None:
        # Who did what is the office's record of its own people: administrators only.
        self._ctx.require(Right.ADMINISTER, "read the audit trail")

    def trail(self, where: AuditFilter = AuditFilter(), limit: int = SHOWN_LIMIT) -> TrailPage:
        """The events the filter matches, newest first, at most ``limit``."""
        self._require_admin()
        events = self._read(where, limit + 1)
        return TrailPage(events[:limit], len(events) > limit)

    def people(self) -> list[Choice]:
        """Everyone who has an account, for the filter (attribution outlives a disabled one)."""
        self._require_admin()
        with self._ctx.reader() as session:
            rows = session.execute(select(User.id, User.name).order_by(User.name))
            return [Choice(row.id, row.name) for row in rows]

    def cases(self) -> list[Choice]:
        """The cases the trail names, removed ones included, for the filter."""
        self._require_admin()
        with self._ctx.reader() as session:
            ids: list[int] = [
                i
                for i in session.scalars(
                    select(AuditEvent.claim_id)
                    .where(AuditEvent.claim_id.is_not(None))
                    .distinct()
                    .order_by(AuditEvent.claim_id)
                )
                if i is not None
            ]
            numbers = _case_numbers(session, ids)
        return [Choice(i, numbers.get(i) or f"case {i} (removed)") for i in ids]

    def export_csv(self, path: Path, where: AuditFilter = AuditFilter()) -> int:
        """Write every event the filter matches to a CSV file, oldest first; return how many."""
        self._require_admin()
        from claimdesk.files import write_atomically

        events = list(reversed(self._read(where, None)))
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_HEADER)
        for e in events:
            writer.writerow(
                [
                    e.id,
                    audit_chain.timestamp(e.occurred_at),
                    _csv_safe(e.user),
                    e.action,
                    e.entity,
                    "" if e.entity_id is None else e.entity_id,
                    _csv_safe(e.case_number),
                    "" if e.claim_id is None else e.claim_id,
                    e.fields,
                    e.sha256 or "",
                    e.event_hash,
                ]
            )
        write_atomically(path, out.getvalue().encode("utf-8-sig"))
        return len(events)

    def _read(self, where: AuditFilter, limit: int | None) -> list[TrailEvent]:
        if where.start and where.end and where.start > where.end:
            raise ValidationError("The first day comes after the last; swap them and try again.")
        # Columns, not mapped objects: an export of a whole office's trail stays small.
        query = select(
            AuditEvent.id,
            AuditEvent.occurred_at,
            AuditEvent.user_id,
            AuditEvent.action,
            AuditEvent.entity,
            AuditEvent.entity_id,
            AuditEvent.claim_id,
            AuditEvent.detail,
            AuditEvent.content_sha256,
            AuditEvent.event_hash,
        ).order_by(AuditEvent.id.desc())
        if where.user_id is not None:
            query = query.where(AuditEvent.user_id == where.user_id)
        if where.claim_id is not None:
            query = query.where(AuditEvent.claim_id == where.claim_id)
        if where.start is not None:
            query = query.where(AuditEvent.occurred_at >= self._ctx.clock.start_of(where.start))
        if where.end is not None:
            after = self._ctx.clock.start_of(where.end + timedelta(days=1))
            query = query.where(AuditEvent.occurred_at < after)
        if limit is not None:
            query = query.limit(limit)
        with self._ctx.reader() as session:
            rows = session.execute(query).all()
            names = user_names(session, (r.user_id for r in rows))
            numbers = _case_numbers(session, {r.claim_id for r in rows if r.claim_id})
            return [
                TrailEvent(
                    r.id,
                    r.occurred_at,
                    names.get(r.user_id or 0, ""),
                    r.action,
                    r.entity,
                    r.entity_id,
                    r.claim_id,
                    "" if r.claim_id is None else numbers.get(r.claim_id, "(removed)"),
                    r.detail,
                    r.content_sha256,
                    r.event_hash,
                )
                for r in rows
            ]


def latest_change(session: Session, entity: str, entity_id: int) -> tuple[str, datetime] | None:
    """Who last changed a record, and when (aware, UTC): its newest 'update' event, for the
    message refusing a save made over it. None when the trail has none."""
    row = session.execute(
        select(User.name, AuditEvent.occurred_at)
        .join(User, User.id == AuditEvent.user_id, isouter=True)
        .where(
            AuditEvent.entity == entity,
            AuditEvent.entity_id == entity_id,
            AuditEvent.action == "update",
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    moment = row.occurred_at if row.occurred_at.tzinfo else row.occurred_at.replace(tzinfo=UTC)
    return (row.name or "someone whose account was removed", moment)


def _case_numbers(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    found: dict[int, str] = {}
    for start in range(0, len(wanted), 500):  # within any database's limit on parameters
        chunk = wanted[start : start + 500]
        rows = session.execute(select(Claim.id, Claim.case_number).where(Claim.id.in_(chunk)))
        found.update({row.id: row.case_number for row in rows})
    return found


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet shows as text: a leading =, +, - or @ would run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
