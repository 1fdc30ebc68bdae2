"""The audit trail as a hash chain: each event carries the SHA-256 of the one before it.

An event's hash is SHA-256 over a canonical encoding of its fields and the previous event's
hash (docs/architecture.md, "The audit chain"), so editing, removing or inserting a row
anywhere breaks every later link. An attached file's SHA-256 is one of those fields, so a file
swapped in the database together with its stored hash breaks its event's link too.

Events are linked inside the write transaction that makes them, after the last read of the
chain's head: on SQLite that transaction began IMMEDIATE (storage/db.py), so no other writer
can append between the read and the commit; on PostgreSQL ``lock_chain`` takes a transaction
lock. Core only (no ORM): the migration that chains an upgraded database's rows and
``claimdesk audit verify`` use the same functions as the unit of work.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    select,
    text,
)

from claimdesk.storage.types import UTCDateTime

# The hash a chain's first event points back to.
GENESIS = "0" * 64
# Names the encoding: a later change to it gets a new name and leaves old links verifiable.
ENCODING = "claimdesk-audit-1"
# How many hex digits of the head are printed on backups and packets: 64 bits, enough that no
# edit can be made to land on the same printed head by trying.
SHORT = 16
# Any number the transaction-level advisory lock on PostgreSQL can share with nothing else.
_PG_LOCK_KEY = 0x434C_4D44_4155  # "CLMDAU"

# The columns the chain reads: the table as Core sees it, without building the ORM models.
_events = Table(
    "audit_events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("occurred_at", UTCDateTime),
    Column("user_id", Integer),
    Column("action", String),
    Column("entity", String),
    Column("entity_id", Integer),
    Column("claim_id", Integer),
    Column("detail", Text),
    Column("content_sha256", String),
    Column("prev_hash", String),
    Column("event_hash", String),
)
_documents = Table(
    "documents",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sha256", String),
    Column("original_name", String),
)
_contents = Table(
    "document_contents", MetaData(), Column("document_id", Integer), Column("data", LargeBinary)
)


@dataclass(frozen=True)
class EventFields:
    """What an event's hash covers, besides the previous hash."""

    id: int
    occurred_at: datetime
    user_id: int | None
    action: str
    entity: str
    entity_id: int | None
    claim_id: int | None
    detail: str
    content_sha256: str | None


def timestamp(moment: datetime) -> str:
    """An instant as the encoding writes it: UTC, microseconds, Z (2026-11-04T15:00:00.000000Z)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # SQLite hands back naive UTC
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(event: EventFields, prev_hash: str) -> bytes:
    """The bytes an event's hash is taken over: a JSON array, fixed order, no spaces, ASCII."""
    values = [
        ENCODING,
        event.id,
        timestamp(event.occurred_at),
        event.user_id,
        event.action,
        event.entity,
        event.entity_id,
        event.claim_id,
        event.detail,
        event.content_sha256,
        prev_hash,
    ]
    return json.dumps(values, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def event_hash(event: EventFields, prev_hash: str) -> str:
    return hashlib.sha256(canonical(event, prev_hash)).hexdigest()


# On PostgreSQL a trigger (migration 0001) refuses every change to audit_events, and the
# documented role set-up (docs/architecture.md, "The app's database role") also takes the
# right to change it from the workstations' role. A schema made again by its owner (a
# restore, migrate-db, an upgrade) gets the owner's default privileges, UPDATE and DELETE
# included: whoever owns the table takes them back from everyone else each time
# (``keep_trail_unchangeable``, at the end of every migration run, migrations/env.py; and at
# the end of a pg_dump archive's restore). Run by another role it does nothing.
REVOKE_TRAIL_CHANGES = """
DO $claimdesk$
DECLARE
    trail oid := to_regclass('audit_events');
    holder text;
BEGIN
    IF trail IS NULL OR NOT pg_has_role(
        current_user, (SELECT relowner FROM pg_class WHERE oid = trail), 'USAGE'
    ) THEN
        RETURN;
    END IF;
    REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM PUBLIC;
    FOR holder IN
        SELECT DISTINCT role.rolname
        FROM pg_class AS c, aclexplode(c.relacl) AS acl
        JOIN pg_roles AS role ON role.oid = acl.grantee
        WHERE c.oid = trail AND acl.grantee <> c.relowner
          AND acl.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')
    LOOP
        EXECUTE 'REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM ' || quote_ident(holder);
    END LOOP;
END
$claimdesk$;
"""


def keep_trail_unchangeable(connection: Connection) -> None:
    """REVOKE_TRAIL_CHANGES in ``connection``'s transaction, on PostgreSQL."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(REVOKE_TRAIL_CHANGES)


def lock_chain(connection: Connection) -> None:
    """Make this transaction the chain's only writer until it ends.

    SQLite: nothing to do, a write transaction began IMMEDIATE and holds the database's one
    write lock. PostgreSQL: a transaction-level advisory lock, released at commit or rollback,
    so two sessions never read the same head and fork the chain.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})


def head(connection: Connection) -> tuple[int, str]:
    """The last event's id and hash: (0, GENESIS) for an empty trail."""
    row = connection.execute(
        select(_events.c.id, _events.c.event_hash).order_by(_events.c.id.desc()).limit(1)
    ).first()
    return (row.id, row.event_hash) if row is not None else (0, GENESIS)


@dataclass(frozen=True)
class Link:
    """Where an event goes in the chain: its id, the hash before it and its own hash."""

    id: int
    prev_hash: str
    event_hash: str


def link_events(connection: Connection, events: Iterable[EventFields]) -> list[Link]:
    """Chain ``events`` (their ids are ignored) after the current head, inside the caller's
    write transaction; the caller inserts each with its link's id and hashes, then commits."""
    lock_chain(connection)
    last_id, last_hash = head(connection)
    links = []
    for event in events:
        last_id += 1
        own = event_hash(replace(event, id=last_id), last_hash)
        links.append(Link(last_id, last_hash, own))
        last_hash = own
    return links


def write_chained(connection: Connection, events: list[EventFields]) -> None:
    """Link ``events`` after the head and insert them, in the caller's write transaction (the
    unit of work calls this last, just before it commits, so the lock is held briefly)."""
    if not events:
        return
    links = link_events(connection, events)
    connection.execute(
        _events.insert(),
        [
            {
                **{k: v for k, v in event.__dict__.items() if k != "id"},
                "id": link.id,
                "prev_hash": link.prev_hash,
                "event_hash": link.event_hash,
            }
            for event, link in zip(events, links, strict=True)
        ],
    )


def _fields(row: object) -> EventFields:
    return EventFields(
        id=row.id,  # type: ignore[attr-defined]
        occurred_at=row.occurred_at,  # type: ignore[attr-defined]
        user_id=row.user_id,  # type: ignore[attr-defined]
        action=row.action,  # type: ignore[attr-defined]
        entity=row.entity,  # type: ignore[attr-defined]
        entity_id=row.entity_id,  # type: ignore[attr-defined]
        claim_id=row.claim_id,  # type: ignore[attr-defined]
        detail=row.detail,  # type: ignore[attr-defined]
        content_sha256=row.content_sha256,  # type: ignore[attr-defined]
    )


@dataclass(frozen=True)
class Break:
    """The first place the record no longer matches its chain: an event (or the event that
    recorded a file) with its time, and what is wrong there."""

    event_id: int | None
    occurred_at: datetime | None
    reason: str

    def describe(self) -> str:
        """One line: 'event 41 (2026-11-04 15:00:00 UTC): it was altered ...'."""
        if self.event_id is None or self.occurred_at is None:
            return self.reason[0].upper() + self.reason[1:]
        when = timestamp(self.occurred_at)[:19].replace("T", " ")
        return f"event {self.event_id} ({when} UTC): {self.reason}"


@dataclass(frozen=True)
class Verification:
    """What ``verify`` found: how much it checked, the head it reached, the first break."""

    events: int
    documents: int
    head: str
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


@dataclass(frozen=True)
class Attached:
    """The SHA-256 the chain recorded for a document's file, and the event that did."""

    sha256: str
    event_id: int
    occurred_at: datetime


def verify(connection: Connection, *, read_files: bool = True) -> Verification:
    """Re-compute every link in id order, then hold every document's file to the SHA-256 the
    chain recorded for it. Stops at the first break (later links all follow from it).

    ``read_files=False`` compares the documents' stored SHA-256 only, for a caller that has
    already read every file against it (a restore's checks)."""
    prev_id, prev_hash, count = 0, GENESIS, 0
    attached: dict[int, Attached] = {}
    rows = connection.execution_options(stream_results=True, yield_per=2000).execute(
        select(_events).order_by(_events.c.id)
    )
    for row in rows:
        fields = _fields(row)
        problem = _link_problem(fields, row.prev_hash, row.event_hash, prev_id, prev_hash)
        if problem is not None:
            return Verification(count, 0, prev_hash, Break(row.id, row.occurred_at, problem))
        if row.entity == "document" and row.content_sha256 and row.entity_id is not None:
            attached[row.entity_id] = Attached(row.content_sha256, row.id, row.occurred_at)
        prev_id, prev_hash, count = row.id, row.event_hash, count + 1
    documents = 0
    for document_id, name, stored, digest in _document_digests(connection, read_files):
        documents += 1
        broken = _document_problem(document_id, name, stored, digest, attached.get(document_id))
        if broken is not None:
            return Verification(count, documents, prev_hash, broken)
    return Verification(count, documents, prev_hash, None)


def _link_problem(
    event: EventFields, prev_stored: str, own_stored: str, prev_id: int, prev_hash: str
) -> str | None:
    if event_hash(event, prev_stored) != own_stored:
        return "it was altered after it was written (its fields no longer give its hash)"
    if prev_stored == prev_hash:
        return None
    if event.id > prev_id + 1:
        missing = (
            f"event {prev_id + 1} is"
            if event.id == prev_id + 2
            else f"events {prev_id + 1} to {event.id - 1} are"
        )
        return f"{missing} missing (removed from the database)"
    if prev_id == 0:
        return "the trail's first event does not start the chain (earlier events were removed)"
    return (
        f"it does not follow event {prev_id}: event {prev_id} was replaced or rewritten with "
        "a new hash, or events were inserted"
    )


def _document_digests(
    connection: Connection, read_files: bool
) -> Iterator[tuple[int, str, str, str | None]]:
    """Each document's id, name, stored SHA-256 and its bytes' SHA-256 (None: no bytes), one
    file in memory at a time."""
    if not read_files:
        listed = connection.execute(
            select(_documents.c.id, _documents.c.original_name, _documents.c.sha256).order_by(
                _documents.c.id
            )
        )
        for document_id, name, stored in listed:
            yield document_id, name, stored, stored
        return
    rows = connection.execution_options(stream_results=True, yield_per=1).execute(
        select(_documents.c.id, _documents.c.original_name, _documents.c.sha256, _contents.c.data)
        .select_from(_documents.outerjoin(_contents, _contents.c.document_id == _documents.c.id))
        .order_by(_documents.c.id)
    )
    for document_id, name, stored, data in rows:
        digest = None if data is None else hashlib.sha256(bytes(data)).hexdigest()
        yield document_id, name, stored, digest


def _document_problem(
    document_id: int, name: str, stored: str, digest: str | None, attached: Attached | None
) -> Break | None:
    what = f"the file of document {document_id} ('{name}')"
    if attached is None:
        return Break(
            None,
            None,
            f"{what} was never recorded in the audit trail (it was added outside ClaimDesk)",
        )
    if stored != attached.sha256 or digest != attached.sha256:
        change = "is missing" if digest is None else "is not the file attached then"
        return Break(
            attached.event_id,
            attached.occurred_at,
            f"{what} was recorded with SHA-256 {attached.sha256[:SHORT]}…, and the stored copy "
            f"{change} (it was replaced or damaged in the database)",
        )
    return None


def attached_sha256(connection: Connection, claim_id: int, document_id: int) -> Attached | None:
    """The SHA-256 the chain recorded when the document's file was attached (None: none)."""
    row = connection.execute(
        select(_events.c.id, _events.c.occurred_at, _events.c.content_sha256)
        .where(
            _events.c.claim_id == claim_id,  # the indexed column, then the rest
            _events.c.entity == "document",
            _events.c.entity_id == document_id,
            _events.c.content_sha256.is_not(None),
        )
        .order_by(_events.c.id.desc())
        .limit(1)
    ).first()
    return Attached(row.content_sha256, row.id, row.occurred_at) if row is not None else None


def contains(connection: Connection, prefix: str) -> bool:
    """Whether an event's hash begins with ``prefix`` (a head printed on a backup or packet)."""
    found = connection.execute(
        select(_events.c.id).where(_events.c.event_hash.like(prefix.lower() + "%")).limit(1)
    ).first()
    return found is not None


def file_head(connection: sqlite3.Connection) -> str:
    """The chain head of a SQLite file opened with the standard library (a backup copy)."""
    row = connection.execute(
        "SELECT event_hash FROM audit_events ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return str(row[0]) if row else GENESIS


def chain_existing(rows: Iterable[EventFields]) -> Iterator[Link]:
    """The links of events written before the chain existed, in the order given (id order):
    the upgrade that adds the chain stores them."""
    prev_hash = GENESIS
    for event in rows:
        own = event_hash(event, prev_hash)
        yield Link(event.id, prev_hash, own)
        prev_hash = own
