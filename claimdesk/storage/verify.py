"""Checking a database copy before it may replace the live one: ours, whole and complete.

A file can pass for a ClaimDesk database (the SQLite header, an Alembic revision we know, a
clean integrity_check) and still be missing a table, a column or a document's bytes; restored,
it would fail later, when the user opens the part that is gone. So the copy is brought to the
code's schema first and then compared with a fresh database at the same schema, its links are
checked and every document is read back against the SHA-256 stored with it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from claimdesk.errors import StorageError
from claimdesk.paths import sqlite_url
from claimdesk.storage import sqlfile
from claimdesk.storage.db import (
    Database,
    create_database_engine,
    open_database,
    translate_errors,
)

_COLUMNS = "SELECT name FROM pragma_table_info(?)"
UNTOUCHED = "The current database was left untouched."
# The search index is optional: a Python without FTS5 builds none and searches with LIKE.
_OPTIONAL_PREFIX = ("search_fts", "search_entries_after_")


@dataclass(frozen=True)
class Schema:
    """Names a ClaimDesk database must hold: tables and their columns, indexes, triggers."""

    columns: dict[str, list[str]]
    indexes: set[str]
    triggers: set[str]


def bring_to_head(copy: Path, name: str, key: bytes | None = None) -> bool:
    """Upgrade ``copy`` (a throwaway copy of the file ``name``) to the code's schema in place.

    Returns whether it needed upgrading.
    """
    from claimdesk.storage.migrate import ensure_schema

    database = Database(create_database_engine(sqlite_url(copy), key=key), data_key=key)
    try:
        with translate_errors():
            return ensure_schema(database, back_up=False).changed
    except (StorageError, SQLAlchemyError) as error:
        raise StorageError(
            f"{name} could not be brought up to this version's schema ({error}). {UNTOUCHED}"
        ) from error
    finally:
        database.dispose()


def reference_schema(work: Path) -> Schema:
    """The schema of a new, empty database at the code's head, built in ``work``."""
    path = work / "reference.sqlite"
    open_database(sqlite_url(path)).dispose()
    return read_schema(path)


def check_candidate(copy: Path, name: str, expected: Schema, key: bytes | None = None) -> None:
    """Raise StorageError naming the first thing ``copy`` lacks or holds damaged."""
    _check_schema(read_schema(copy, key), expected, name)
    connection = sqlfile.connect(copy, key, read_only=True)
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            raise StorageError(f"{name} is damaged ({integrity}). {UNTOUCHED}")
        _check_links(connection, name)
        _check_documents(connection, name)
    finally:
        connection.close()
    _check_audit_chain(copy, name, key)


def check_links(copy: Path, name: str, key: bytes | None = None) -> None:
    """Raise StorageError if a record of ``copy`` points at a record it does not hold.

    Checked before upgrading too, so the message names the broken link rather than the
    upgrade that stumbled on it.
    """
    connection = sqlfile.connect(copy, key, read_only=True)
    try:
        _check_links(connection, name)
    finally:
        connection.close()


def _check_links(connection: sqlite3.Connection, name: str) -> None:
    broken = connection.execute("PRAGMA foreign_key_check").fetchone()
    if broken is not None:
        raise StorageError(
            f"{name} has records that point at records it does not hold (a row of "
            f"'{broken[0]}' refers to a missing row of '{broken[2]}'). {UNTOUCHED}"
        )


def read_schema(path: Path, key: bytes | None = None) -> Schema:
    connection = sqlfile.connect(path, key, read_only=True)
    try:
        rows = connection.execute(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).fetchall()
        columns = {
            table: [
                c[0] for c in connection.execute("SELECT name FROM pragma_table_info(?)", (table,))
            ]
            for kind, table in rows
            if kind == "table"
        }
    finally:
        connection.close()
    return Schema(
        columns,
        {n for kind, n in rows if kind == "index"},
        {n for kind, n in rows if kind == "trigger"},
    )


def _check_schema(found: Schema, expected: Schema, name: str) -> None:
    has_search_index = "search_fts" in found.columns
    for table, columns in sorted(expected.columns.items()):
        if table.startswith(_OPTIONAL_PREFIX) and not has_search_index:
            continue
        if table not in found.columns:
            raise StorageError(
                f"{name} is not a complete ClaimDesk database: it has no '{table}' table. "
                f"{UNTOUCHED}"
            )
        missing = [c for c in columns if c not in found.columns[table]]
        if missing:
            raise StorageError(
                f"{name} is not a complete ClaimDesk database: its '{table}' table has no "
                f"'{missing[0]}' column. {UNTOUCHED}"
            )
    for kind, wanted, present in (
        ("index", expected.indexes, found.indexes),
        ("trigger", expected.triggers, found.triggers),
    ):
        for item in sorted(wanted - present):
            if item.startswith(_OPTIONAL_PREFIX) and not has_search_index:
                continue
            raise StorageError(
                f"{name} is not a complete ClaimDesk database: it has no '{item}' {kind}. "
                f"{UNTOUCHED}"
            )


def _check_documents(connection: sqlite3.Connection, name: str) -> None:
    # One document's bytes in memory at a time: the cursor fetches row by row.
    rows = connection.execute(
        "SELECT d.id, d.sha256, c.data, cl.case_number FROM documents AS d "
        "LEFT JOIN document_contents AS c ON c.document_id = d.id "
        "LEFT JOIN claims AS cl ON cl.id = d.claim_id ORDER BY d.id"
    )
    for document_id, digest, data, case_number in rows:
        where = f"document {document_id} of case {case_number}"
        if data is None:
            raise StorageError(f"{name} has lost the file of {where}. {UNTOUCHED}")
        if hashlib.sha256(data).hexdigest() != digest:
            raise StorageError(
                f"{name} is damaged: the file of {where} does not match its stored SHA-256. "
                f"{UNTOUCHED}"
            )


def _check_audit_chain(copy: Path, name: str, key: bytes | None) -> None:
    """A copy whose audit trail was changed outside ClaimDesk is not restored: it would replace
    the record with one that cannot vouch for itself (storage/audit_chain.py)."""
    from claimdesk.storage import audit_chain

    database = Database(create_database_engine(sqlite_url(copy), key=key), data_key=key)
    try:
        with translate_errors(), database.read_connection() as connection:
            # The files were just read against their stored SHA-256: compare those with the chain.
            found = audit_chain.verify(connection, read_files=False)
    finally:
        database.dispose()
    if found.broken is not None:
        raise StorageError(
            f"{name}'s audit trail was changed outside ClaimDesk ({found.broken.describe()}); "
            f"choose a backup made before the change. {UNTOUCHED}"
        )
