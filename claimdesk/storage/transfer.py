"""Copying a whole ClaimDesk database from one engine to another, row for row and checked.

The same copy serves ``claimdesk migrate-db`` (SQLite to PostgreSQL and back), the portable
backup of a server database (a ClaimDesk SQLite file, docs/backup-format.md) and the restore of
such a file onto a server. Both sides are at the same schema revision; every table the two
share is copied in foreign-key order with its ids, so links, the audit trail's hash chain
(which covers the ids) and documents' bytes arrive as they were. Before the target's
transaction commits, it is read back: each table's row count and a SHA-256 over its rows in id
order must equal the source's, each document's bytes must match its SHA-256, and the audit
chain must verify as it did in the source. Any difference rolls the copy back.
"""

from __future__ import annotations

import hashlib
import json
import logging
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError, SAWarning

from claimdesk.errors import StorageError
from claimdesk.storage import audit_chain
from claimdesk.storage.db import Database
from claimdesk.storage.types import UTCDateTime

log = logging.getLogger(__name__)

# Not copied: the schema's revision (the target's migrations wrote it), SQLite's own
# bookkeeping, and the search index's FTS5 tables (triggers on search_entries fill them).
_SKIPPED_PREFIXES = ("alembic_version", "sqlite_", "search_fts")
# Rows sent to the target per INSERT; documents' contents go a few at a time.
_BATCH = 500
_REFLECTION_NOTES = "(Skipped unsupported reflection|Did not recognize type|Predicate of partial)"
_BLOB_BATCH = 4


@dataclass(frozen=True)
class TableCheck:
    """A table's row count and the SHA-256 over its rows in id order."""

    rows: int
    sha256: str


@dataclass(frozen=True)
class TransferResult:
    revision: str
    tables: dict[str, TableCheck]
    # The audit chain's head in the copy, and whether it verified (None: the schema predates
    # the chain, revision 0009).
    chain_head: str | None
    chain_ok: bool | None

    @property
    def claims(self) -> int:
        return self.tables["claims"].rows if "claims" in self.tables else 0

    @property
    def documents(self) -> int:
        return self.tables["documents"].rows if "documents" in self.tables else 0


def revision(connection: Connection) -> str | None:
    from claimdesk.storage.migrate import current_revision

    return current_revision(connection)


def tables_with_rows(connection: Connection) -> dict[str, int]:
    """The ClaimDesk tables that hold rows, with their counts (empty: a new database)."""
    found = {}
    for name in _copied_names(connection):
        count = connection.execute(select(func.count()).select_from(_bare(name))).scalar_one()
        if count:
            found[name] = int(count)
    return found


def create_schema(connection: Connection, target_revision: str) -> None:
    """Build ClaimDesk's schema at ``target_revision`` on an empty database, in the caller's
    transaction (PostgreSQL's DDL is transactional: a failure leaves nothing behind)."""
    from alembic import command

    from claimdesk.storage.migrate import alembic_config

    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, target_revision)


def copy_database(source: Connection, target: Connection) -> TransferResult:
    """Copy every row of ``source`` into the empty ``target`` (same revision), inside the
    caller's transaction on ``target``; raise StorageError, the caller rolling back, if the
    copy read back from ``target`` differs from ``source`` in any row."""
    at = revision(source)
    if at is None or revision(target) != at:
        raise StorageError(
            f"The two databases are at different schema revisions ({at} and "
            f"{revision(target)}); nothing was copied. Please report this."
        )
    occupied = tables_with_rows(target)
    if occupied:
        raise StorageError(_not_empty(occupied))
    read_tables, write_tables = _matching_tables(source, target)
    expected: dict[str, TableCheck] = {}
    for name, read_table in read_tables.items():
        expected[name] = _copy_table(source, target, read_table, write_tables[name])
    _carry_sequences(source, target, read_tables)
    found = {name: _table_check(target, table) for name, table in write_tables.items()}
    for name, check in expected.items():
        if found[name] != check:
            raise StorageError(
                f"The copy of table {name} differs from the original ({found[name].rows} rows "
                f"read back, {check.rows} copied); nothing was kept. Please report this."
            )
    head, ok = _chains(source, target, read_tables)
    log.info("copied %d tables at revision %s", len(expected), at)
    return TransferResult(at, expected, head, ok)


def _not_empty(occupied: dict[str, int]) -> str:
    listed = ", ".join(f"{name} ({rows})" for name, rows in sorted(occupied.items())[:4])
    more = " and more" if len(occupied) > 4 else ""
    return (
        f"The target database is not empty (it holds rows in {listed}{more}); nothing was "
        "copied. Move the office into a new, empty database (its accounts come with it: do "
        "not run 'server init' or 'setup' on it first)."
    )


def _bare(name: str) -> Table:
    return Table(name, MetaData())


def _copied_names(connection: Connection) -> list[str]:
    return [
        name
        for name in inspect(connection).get_table_names()
        if not name.startswith(_SKIPPED_PREFIXES)
    ]


def _matching_tables(
    source: Connection, target: Connection
) -> tuple[dict[str, Table], dict[str, Table]]:
    """The tables both hold, each as the source reads it and the target writes it: the
    columns both hold and neither generates (PostgreSQL's search_vector), in the source's
    foreign-key order, date-times as UTC instants on both sides."""
    names = sorted(set(_copied_names(source)) & set(_copied_names(target)))
    source_meta, target_meta = MetaData(), MetaData()
    with warnings.catch_warnings():
        # Only columns and keys matter here: an index on an expression (the search index's)
        # or a type SQLAlchemy does not name is passed over, with a warning not worth showing.
        warnings.filterwarnings("ignore", category=SAWarning, message=_REFLECTION_NOTES)
        source_meta.reflect(source, only=names)
        target_meta.reflect(target, only=names)
    reads: dict[str, Table] = {}
    writes: dict[str, Table] = {}
    for table in source_meta.sorted_tables:
        other = target_meta.tables[table.name]
        shared = [
            column.name
            for column in table.columns
            if column.name in other.columns
            and column.computed is None
            and other.columns[column.name].computed is None
        ]
        reads[table.name] = _portable(table, shared)
        writes[table.name] = _portable(other, shared)
    return reads, writes


def _portable(reflected: Table, names: list[str]) -> Table:
    columns = []
    for name in names:
        column = reflected.columns[name]
        kind = UTCDateTime() if isinstance(column.type, DateTime) else column.type
        columns.append(Column(name, kind, primary_key=column.primary_key))
    return Table(reflected.name, MetaData(), *columns)


def _order(table: Table) -> list[Any]:
    keys = list(table.primary_key.columns)
    return keys or list(table.columns)


def _copy_table(source: Connection, target: Connection, read: Table, write: Table) -> TableCheck:
    blobs = any(isinstance(column.type, LargeBinary) for column in read.columns)
    batch_size = _BLOB_BATCH if blobs else _BATCH
    rows = source.execution_options(stream_results=True, yield_per=batch_size).execute(
        select(read).order_by(*_order(read))
    )
    digest = hashlib.sha256()
    count = 0
    batch: list[dict[str, Any]] = []
    for row in rows:
        values = row._asdict()
        _hash_row(digest, values.values())
        count += 1
        batch.append(values)
        if len(batch) >= batch_size:
            target.execute(write.insert(), batch)
            batch = []
    if batch:
        target.execute(write.insert(), batch)
    return TableCheck(count, digest.hexdigest())


def _table_check(connection: Connection, table: Table) -> TableCheck:
    digest = hashlib.sha256()
    count = 0
    rows = connection.execution_options(yield_per=_BLOB_BATCH).execute(
        select(table).order_by(*_order(table))
    )
    for row in rows:
        _hash_row(digest, row)
        count += 1
    return TableCheck(count, digest.hexdigest())


def _hash_row(digest: Any, values: Iterable[Any]) -> None:
    digest.update(json.dumps([_canonical(v) for v in values], ensure_ascii=True).encode() + b"\n")


def _canonical(value: Any) -> Any:
    """A value as both dialects give it back: bytes by their SHA-256, instants in UTC."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (bytes, memoryview)):
        return "sha256:" + hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return f"{type(value).__name__}:{value}"


def _carry_sequences(source: Connection, target: Connection, tables: dict[str, Table]) -> None:
    """Make the target hand out ids past every copied one, and past any the source had
    already handed out (a removed sample case's id is never reused)."""
    for name, table in tables.items():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        used = max(_highest(target, name, keys[0].name), _handed_out(source, name, keys[0].name))
        _set_next(target, name, keys[0].name, used)


def _highest(connection: Connection, table: str, column: str) -> int:
    bare = Table(table, MetaData(), Column(column))
    value = connection.execute(select(func.max(bare.c[column]))).scalar()
    return int(value or 0)


def _handed_out(connection: Connection, table: str, column: str) -> int:
    if connection.dialect.name == "postgresql":
        sequence = _pg_sequence(connection, table, column)
        if sequence is None:
            return 0
        row = connection.execute(text(f"SELECT last_value, is_called FROM {sequence}")).one()
        return int(row.last_value) if row.is_called else 0
    if connection.dialect.name == "sqlite" and _has_sqlite_sequence(connection):
        value = connection.execute(
            text("SELECT seq FROM sqlite_sequence WHERE name = :name"), {"name": table}
        ).scalar()
        return int(value or 0)
    return 0


def _set_next(connection: Connection, table: str, column: str, used: int) -> None:
    if connection.dialect.name == "postgresql":
        sequence = _pg_sequence(connection, table, column)
        if sequence is not None:
            connection.execute(
                text("SELECT setval(CAST(:sequence AS regclass), :value, :called)"),
                {"sequence": sequence, "value": max(used, 1), "called": used > 0},
            )
        return
    if connection.dialect.name == "sqlite" and used and _autoincrement(connection, table):
        # AUTOINCREMENT's counter: kept past the source's, even past rows no longer there.
        connection.execute(text("DELETE FROM sqlite_sequence WHERE name = :name"), {"name": table})
        connection.execute(
            text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
            {"name": table, "seq": used},
        )


def _pg_sequence(connection: Connection, table: str, column: str) -> str | None:
    value = connection.execute(
        text("SELECT pg_get_serial_sequence(:table, :column)"), {"table": table, "column": column}
    ).scalar()
    return str(value) if value else None


def _has_sqlite_sequence(connection: Connection) -> bool:
    return bool(
        connection.execute(
            text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'")
        ).scalar()
    )


def _autoincrement(connection: Connection, table: str) -> bool:
    sql = connection.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
        {"name": table},
    ).scalar()
    return "AUTOINCREMENT" in str(sql or "").upper()


def _chains(
    source: Connection, target: Connection, tables: dict[str, Table]
) -> tuple[str | None, bool | None]:
    """The copy's audit chain, verified with every document's bytes: it must verify exactly
    as the source's does (a source already broken stays broken at the same event, and says so
    through ``chain_ok``)."""
    events = tables.get("audit_events")
    if events is None or "event_hash" not in events.columns:
        return None, None
    copied = audit_chain.verify(target)
    original = audit_chain.verify(source)
    if (copied.head, copied.broken) != (original.head, original.broken):
        where = copied.broken.describe() if copied.broken else "its head differs"
        raise StorageError(
            f"The copy's audit trail does not verify as the original's does ({where}); "
            "nothing was kept. Please report this."
        )
    return copied.head, copied.ok


def move(source: Database, target_url: str) -> TransferResult:
    """Copy the whole of ``source`` (at the code's schema) into the database at
    ``target_url``, which must be empty: a new SQLite file, or an empty server database. The
    target's schema is built and every row copied and checked in one transaction; on any
    failure nothing is left in the target (a SQLite file made for it is removed)."""
    from claimdesk.storage.db import create_database_engine, translate_errors
    from claimdesk.storage.migrate import check_compatible

    if _same_database(source, target_url):
        raise StorageError("The source and the target are the same database; choose another.")
    engine = create_database_engine(target_url)
    made = _new_file(engine)
    target = Database(engine)
    building = owner_needed("build ClaimDesk's tables in it")
    try:
        with building, translate_errors(), source.read_connection() as reading:
            if reading.dialect.name == "postgresql":
                reading = reading.execution_options(isolation_level="REPEATABLE READ")
            at = revision(reading)
            if at is None:
                raise StorageError("The source has no ClaimDesk schema; nothing was copied.")
            with target.write_connection() as writing:
                if writing.dialect.name == "postgresql":
                    writing.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
                there = revision(writing)
                names = set(inspect(writing).get_table_names())
                check_compatible(there, names)
                occupied = tables_with_rows(writing) if there is not None else {}
                if occupied:
                    raise StorageError(_not_empty(occupied))
                if there != at:
                    create_schema(writing, at)
                result = copy_database(reading, writing)
                writing.commit()
    except BaseException:
        target.dispose()
        if made is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                made.with_name(made.name + suffix).unlink(missing_ok=True)
        raise
    target.dispose()
    return result


@contextmanager
def owner_needed(action: str) -> Iterator[None]:
    """A server's refusal of a right (SQLSTATE 42501: creating tables, dropping them) said as
    what to do: building or replacing the schema needs the database owner's account."""
    try:
        yield
    except (DBAPIError, StorageError) as error:
        # The refusal itself, or the storage layer's general wording of it (open_database
        # says it so for a workstation; here the owner's account is what to use).
        refused = error if isinstance(error, DBAPIError) else error.__cause__
        orig = getattr(refused, "orig", None)
        if not isinstance(refused, DBAPIError) or getattr(orig, "sqlstate", None) != "42501":
            raise
        said = str(orig).splitlines()[0]
        raise StorageError(
            f"The server does not let this account {action} ({said}); nothing was changed. "
            "Use the account that owns the database (the one its tables were made with), or "
            "ask whoever looks after the server to make this account the database's owner."
        ) from None


def _new_file(engine: Engine) -> Path | None:
    """The SQLite file the engine is about to create (it is made empty on open), else None."""
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return None
    path = Path(engine.url.database)
    return path if path.exists() and path.stat().st_size == 0 else None


def _same_database(source: Database, target_url: str) -> bool:
    from sqlalchemy.engine import make_url

    target = make_url(target_url)
    if target.get_backend_name() != "sqlite":
        return source.url == target.render_as_string(hide_password=True)
    mine = source.sqlite_path
    theirs = Path(target.database).expanduser() if target.database else None
    return mine is not None and theirs is not None and mine.resolve() == theirs.resolve()
