"""Online backup and safe restore of a SQLite ClaimDesk database."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from claimdesk.errors import NotAClaimDeskDatabaseError, StorageError
from claimdesk.partials import new_partial, sweep_stale_partials
from claimdesk.storage import audit_chain, verify
from claimdesk.storage.db import Database, read_only_uri
from claimdesk.storage.migrate import check_compatible, copy_sqlite, ensure_schema

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
_WORK_PREFIX = ".restore-check-"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    claims: int
    # The audit chain's head in the copy (storage/audit_chain.py): printed with the backup so
    # a later edit of the record, even one that rewrites every later hash, can be detected.
    chain_head: str = ""


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    previous_kept_at: Path
    claims: int
    upgraded: bool


def _sqlite_file(database: Database, action: str) -> Path:
    path = database.sqlite_path
    if path is None:
        raise StorageError(
            f"ClaimDesk can {action} only its own SQLite file. For a PostgreSQL server use "
            "pg_dump and pg_restore."
        )
    return path


def backup(database: Database, destination: Path) -> BackupResult:
    """Copy the live database to ``destination``; safe while other windows are writing."""
    source = _sqlite_file(database, "back up")
    destination = destination.expanduser()
    if destination.resolve() == source.resolve():
        raise StorageError("Choose a backup file other than the database itself.")
    if destination.is_dir():
        raise StorageError(f"{destination} is a folder; give a file name for the backup.")
    copy_sqlite(source, destination)
    claims = inspect_file(destination)
    connection = sqlite3.connect(read_only_uri(destination), uri=True)
    try:
        head = audit_chain.file_head(connection)
    finally:
        connection.close()
    return BackupResult(destination, destination.stat().st_size, claims, head)


def inspect_file(path: Path) -> int:
    """Check ``path`` is an intact ClaimDesk database this version can open; count its cases."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise StorageError(f"There is no file {path}.") from None
    except OSError as error:
        raise StorageError(f"{path} cannot be read: {error.strerror}.") from None
    if header != SQLITE_MAGIC:
        raise NotAClaimDeskDatabaseError(
            f"{path.name} is not a ClaimDesk database (it is not a SQLite file). "
            "Choose a backup written by 'claimdesk backup'."
        )
    try:
        connection = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
            if integrity != "ok":
                raise StorageError(f"{path.name} is damaged ({integrity}); choose another backup.")
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            revision = None
            if "alembic_version" in tables:
                row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
            if revision is None or "claims" not in tables:
                raise NotAClaimDeskDatabaseError(
                    f"{path.name} is a database, but not a ClaimDesk one; nothing was changed."
                )
            check_compatible(revision, tables)
            return int(connection.execute("SELECT count(*) FROM claims").fetchone()[0])
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise NotAClaimDeskDatabaseError(
            f"{path.name} cannot be read as a ClaimDesk database ({error}); nothing was changed."
        ) from None


def restore(database: Database, source: Path, backup_dir: Path) -> RestoreResult:
    """Replace the database's content with ``source``, keeping the current one as a backup.

    ``source`` is copied, brought to the code's schema and checked whole (tables, columns,
    links, every document's SHA-256) before anything of the current database is touched; the
    checked copy, not ``source`` again, is what replaces it.
    """
    target = _sqlite_file(database, "restore")
    source = source.expanduser()
    inspect_file(source)
    if source.resolve() == target.resolve():
        raise StorageError("That file is the database in use; choose a backup file.")
    with checking_folder(target.parent) as work:
        candidate = work / "candidate.sqlite"
        copy_sqlite(source, candidate)
        verify.check_links(candidate, source.name)
        upgraded = verify.bring_to_head(candidate, source.name)
        verify.check_candidate(candidate, source.name, verify.reference_schema(work))
        kept = _keep_current(target, backup_dir)
        database.dispose()
        _replace_content(candidate, target, kept)
    result = ensure_schema(database, backup_dir=backup_dir)  # at the head already: a safety net
    with database.engine.connect() as connection:
        claims = connection.exec_driver_sql("SELECT count(*) FROM claims").scalar_one()
    return RestoreResult(source, kept, int(claims), upgraded=upgraded or result.changed)


@contextmanager
def checking_folder(beside: Path) -> Iterator[Path]:
    """A private folder beside the database (same disk, none of it world-readable) for the
    copy being checked; removed afterwards, or at the next restore if this one is killed."""
    _remove_abandoned_folders(beside)
    work = Path(tempfile.mkdtemp(prefix=_WORK_PREFIX, dir=beside))
    marker = new_partial(work / "restore")  # locked while this restore runs
    try:
        yield work
    finally:
        marker.discard()
        shutil.rmtree(work, ignore_errors=True)


def _remove_abandoned_folders(beside: Path) -> None:
    try:
        folders = [p for p in beside.glob(_WORK_PREFIX + "*") if p.is_dir()]
    except OSError:
        return
    for folder in folders:
        # Only a folder whose restore is dead: its lock marker was free to take (and remove).
        if sweep_stale_partials(folder):
            shutil.rmtree(folder, ignore_errors=True)


def _keep_current(target: Path, backup_dir: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = backup_dir / f"{target.stem}-before-restore-{stamp}.sqlite"
    copy_sqlite(target, kept)
    log.info("kept the current database at %s before restoring", kept)
    return kept


def _replace_content(candidate: Path, target: Path, kept: Path) -> None:
    try:
        src = sqlite3.connect(read_only_uri(candidate), uri=True)
        dst = sqlite3.connect(target, timeout=30)
        try:
            # The backup API writes the pages under the destination's own lock, so another
            # ClaimDesk process sees either the old database or the restored one, never a mix.
            src.backup(dst)
        finally:
            src.close()
            dst.close()
    except sqlite3.Error as error:
        raise StorageError(
            f"The restore failed ({error}); the previous database is kept at {kept}."
        ) from error
