"""Online backup and safe restore of a SQLite ClaimDesk database.

An encrypted database's backup is encrypted with the same data key, and its key file is written
beside it (``backup.sqlite.keys``): the two together restore on any computer with the password of
an account the backup holds, or the recovery key.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from claimdesk.errors import EncryptedDatabaseError, NotAClaimDeskDatabaseError, StorageError
from claimdesk.files import unused_stem
from claimdesk.partials import new_partial, sweep_stale_partials
from claimdesk.private import private_dir
from claimdesk.storage import audit_chain, keys, sqlfile, verify
from claimdesk.storage.db import Database
from claimdesk.storage.migrate import check_compatible, copy_sqlite, ensure_schema

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"  # a pg_dump custom-format archive (storage/server_backup.py)
_WORK_PREFIX = ".restore-check-"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    claims: int
    # The key file written beside an encrypted backup; None for an unencrypted one.
    key_file: Path | None = None
    # The audit chain's head in the copy (storage/audit_chain.py): printed with the backup so
    # a later edit of the record, even one that rewrites every later hash, can be detected.
    chain_head: str = ""
    # "sqlite" (a ClaimDesk SQLite file) or, for a server database, "pg_dump" (PostgreSQL's
    # custom archive).
    format: str = "sqlite"


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    previous_kept_at: Path
    claims: int
    upgraded: bool
    # The backup brought its own keys: sign in with a password it knew, or its recovery key.
    keys_replaced: bool = False


def _sqlite_file(database: Database, action: str) -> Path:
    path = database.sqlite_path
    if path is None:
        raise StorageError(
            f"ClaimDesk can {action} its own SQLite file or a PostgreSQL server's database, "
            "not a database kept only in memory."
        )
    return path


def _on_server(database: Database) -> bool:
    return database.engine.dialect.name == "postgresql"


def backup(database: Database, destination: Path) -> BackupResult:
    """Copy the live database to ``destination``; safe while other windows are writing.

    A server database is backed up with pg_dump, or else exported whole to a ClaimDesk SQLite
    file (storage/server_backup.py)."""
    destination = destination.expanduser()
    if destination.is_dir():
        raise StorageError(f"{destination} is a folder; give a file name for the backup.")
    if _on_server(database):
        from claimdesk.storage import server_backup

        made = server_backup.backup_server(database, destination)
        return BackupResult(
            made.path, made.size_bytes, made.claims, chain_head=made.chain_head, format=made.format
        )
    source = _sqlite_file(database, "back up")
    if destination.resolve() == source.resolve():
        raise StorageError("Choose a backup file other than the database itself.")
    copy_sqlite(source, destination, database.data_key)
    claims = inspect_file(destination, database.data_key)
    key_file = keys.keyfile_path(destination) if database.data_key is not None else None
    connection = sqlfile.connect(destination, database.data_key, read_only=True)
    try:
        head = audit_chain.file_head(connection)
    finally:
        connection.close()
    return BackupResult(destination, destination.stat().st_size, claims, key_file, head)


def inspect_file(path: Path, key: bytes | None = None) -> int:
    """Check ``path`` is an intact ClaimDesk database this version can open; count its cases.

    ``key`` opens an encrypted file (a plain one is read as it is, whatever ``key`` says).
    """
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise StorageError(f"There is no file {path}.") from None
    except OSError as error:
        raise StorageError(f"{path} cannot be read: {error.strerror}.") from None
    if header == SQLITE_MAGIC:
        key = None
    elif key is None:
        if keys.is_encrypted(path):
            raise EncryptedDatabaseError(
                f"{path.name} is encrypted. Open it with the password of an account it holds "
                f"or its recovery key; its key file ({keys.keyfile_path(path).name}) must be "
                "beside it."
            )
        raise NotAClaimDeskDatabaseError(
            f"{path.name} is not a ClaimDesk database (it is not a SQLite file). "
            "Choose a backup written by 'claimdesk backup'."
        )
    try:
        connection = sqlfile.connect(path, key, read_only=True)
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
    except sqlfile.database_errors() as error:
        if key is not None and "not a database" in str(error):
            raise EncryptedDatabaseError(
                f"{path.name} is encrypted with another key than the one given; nothing was "
                "changed. Use a password it knew, or its recovery key."
            ) from None
        raise NotAClaimDeskDatabaseError(
            f"{path.name} cannot be read as a ClaimDesk database ({error}); nothing was changed."
        ) from None


def restore(
    database: Database, source: Path, backup_dir: Path, *, source_key: bytes | None = None
) -> RestoreResult:
    """Replace the database's content with ``source``, keeping the current one as a backup.

    ``source`` is copied, brought to the code's schema and checked whole (tables, columns,
    links, every document's SHA-256) before anything of the current database is touched; the
    checked copy, not ``source`` again, is what replaces it.

    An encrypted ``source`` opens with ``source_key`` (unwrapped from its key file by the
    caller), or with the database's own key when it is a backup of this database. A backup
    restores with the keys it was made with (its key file replaces the database's), so the
    accounts and passwords match the accounts it holds. A plain backup restored into an
    encrypted database is encrypted with the database's key.
    """
    source = source.expanduser()
    if _on_server(database):
        return _restore_server(database, source, backup_dir, source_key)
    target = _sqlite_file(database, "restore")
    if _header(source).startswith(PG_DUMP_MAGIC):
        raise NotAClaimDeskDatabaseError(
            f"{source.name} is a backup of a database on a PostgreSQL server (pg_dump's "
            "archive): restore it onto a server database (claimdesk --db URL restore FILE); "
            "'claimdesk migrate-db' then copies that database into a file. Nothing was changed."
        )
    key = _source_key(database, source, source_key)
    inspect_file(source, key)
    if source.resolve() == target.resolve():
        raise StorageError("That file is the database in use; choose a backup file.")
    current = database.data_key
    with checking_folder(target.parent) as work:
        candidate = work / "candidate.sqlite"
        if key is None and current is not None:
            from claimdesk.storage.encrypt import export_encrypted

            export_encrypted(source, candidate, current)
            key = current
        else:
            copy_sqlite(source, candidate, key)
        verify.check_links(candidate, source.name, key)
        upgraded = verify.bring_to_head(candidate, source.name, key)
        verify.check_candidate(candidate, source.name, verify.reference_schema(work), key)
        if key not in (None, current) and not keys.keyfile_path(candidate).exists():
            raise EncryptedDatabaseError(
                f"{source.name} is encrypted and its key file is not beside it: restored without "
                "it, nobody could open the database. Nothing was changed."
            )
        kept = _keep_current(target, backup_dir, current)
        database.dispose()
        keys_replaced = key is not None and keys.keyfile_path(candidate).exists()
        if key == current:
            _replace_content(candidate, target, kept, key)
            if keys_replaced:
                keys.copy_key_file(candidate, target)
        else:
            _swap_file(candidate, target, kept)
            database.use_key(key)
    result = ensure_schema(database, backup_dir=backup_dir)  # at the head already: a safety net
    with database.engine.connect() as connection:
        claims = connection.exec_driver_sql("SELECT count(*) FROM claims").scalar_one()
    return RestoreResult(
        source, kept, int(claims), upgraded=upgraded or result.changed, keys_replaced=keys_replaced
    )


def _restore_server(
    database: Database, source: Path, backup_dir: Path, source_key: bytes | None
) -> RestoreResult:
    """Replace a server database's content with ``source``: a pg_dump archive, or a ClaimDesk
    SQLite file (the portable backup, or any ClaimDesk database), checked as a restore into a
    file checks it. The database as it was is kept in ``backup_dir`` first."""
    from claimdesk.paths import sqlite_url
    from claimdesk.storage import server_backup
    from claimdesk.storage.db import create_database_engine

    if _header(source).startswith(PG_DUMP_MAGIC):
        tools = server_backup.find_tools(database)
        server_backup.check_archive(tools, source)
        assert tools is not None
        kept = server_backup.keep_copy(database, backup_dir, "before-restore")
        server_backup.restore_archive(database, tools, source)
        database.dispose()
        upgraded = ensure_schema(database, backup_dir=backup_dir).changed
    else:
        key = _source_key(database, source, source_key)
        inspect_file(source, key)
        private_dir(backup_dir)
        with checking_folder(backup_dir) as work:
            candidate = work / "candidate.sqlite"
            copy_sqlite(source, candidate, key)
            verify.check_links(candidate, source.name, key)
            upgraded = verify.bring_to_head(candidate, source.name, key)
            verify.check_candidate(candidate, source.name, verify.reference_schema(work), key)
            kept = server_backup.keep_copy(database, backup_dir, "before-restore")
            engine = create_database_engine(sqlite_url(candidate), key=key)
            try:
                with engine.connect() as reading:
                    server_backup.replace_content(database, reading)
            finally:
                engine.dispose()
        database.dispose()  # no pooled connection keeps statements prepared on the old tables
    with database.engine.connect() as connection:
        claims = connection.exec_driver_sql("SELECT count(*) FROM claims").scalar_one()
    return RestoreResult(source, kept, int(claims), upgraded=upgraded)


def _header(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise StorageError(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise StorageError(f"{path} is a folder; choose a backup file.") from None
    except OSError as error:
        raise StorageError(f"{path} cannot be read: {error.strerror}.") from None


def needs_key(database: Database, source: Path) -> bool:
    """Whether ``source`` is an encrypted backup this database's own key does not open (made
    by another setup): restoring it needs a password it knew, or its recovery key."""
    if keys.has_plain_header(source) is not False or not keys.is_encrypted(source):
        return False
    return database.data_key is None or not _opens(source, database.data_key)


def unlock_backup(source: Path, secret: str) -> bytes:
    """The key of the encrypted backup ``source`` from one secret: its recovery key, or the
    password of any account it holds (tried in turn; an office has few)."""
    from claimdesk.errors import WrongPasswordError

    try:
        return keys.unlock_with_recovery(source, secret)
    except WrongPasswordError:
        pass
    for name in keys.names(source):
        try:
            return keys.unlock(source, name, secret)
        except WrongPasswordError:
            continue
    raise WrongPasswordError(
        f"That is neither the recovery key of {source.name} nor the password of an account "
        "it holds. Type a password from the time of the backup, or its recovery key."
    )


def _source_key(database: Database, source: Path, given: bytes | None) -> bytes | None:
    """The key that opens ``source``: none for a plain file, else the one given or ours."""
    if keys.has_plain_header(source) is not False or not keys.is_encrypted(source):
        return None  # plain, missing, or not a database: inspect_file says which
    if given is not None:
        return given
    if database.data_key is not None and _opens(source, database.data_key):
        return database.data_key
    if not keys.keyfile_path(source).exists():
        raise EncryptedDatabaseError(
            f"{source.name} is encrypted and its key file {keys.keyfile_path(source).name} is "
            "not beside it. Put the key file saved with the backup next to it and try again."
        )
    raise EncryptedDatabaseError(
        f"{source.name} is encrypted with other keys than this database's. Open it with the "
        "password of an account it holds, or with its recovery key."
    )


def _opens(path: Path, key: bytes) -> bool:
    try:
        connection = sqlfile.connect(path, key, read_only=True)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            connection.close()
    except sqlfile.errors():
        return False
    return True


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


def _keep_current(target: Path, backup_dir: Path, key: bytes | None) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = backup_dir / f"{unused_stem(backup_dir, f'{target.stem}-before-restore-{stamp}')}.sqlite"
    copy_sqlite(target, kept, key)
    log.info("kept the current database at %s before restoring", kept)
    return kept


def _replace_content(candidate: Path, target: Path, kept: Path, key: bytes | None) -> None:
    try:
        src = sqlfile.connect(candidate, key, read_only=True)
        dst = sqlfile.connect(target, key, timeout=30)
        try:
            # The backup API writes the pages under the destination's own lock, so another
            # ClaimDesk process sees either the old database or the restored one, never a mix.
            src.backup(dst)
        finally:
            src.close()
            dst.close()
    except sqlfile.errors() as error:
        raise StorageError(
            f"The restore failed ({error}); the previous database is kept at {kept}."
        ) from error


def _swap_file(candidate: Path, target: Path, kept: Path) -> None:
    """Put ``candidate`` (encrypted with other keys) in the database's place, with its keys.

    Pages cannot be copied into a file that another key encrypts, so the checked copy and its
    key file replace the database's by renames; the database was closed first. Its leftover
    WAL and shared memory belong to the old file and go first: applied to the new one, they
    would damage it.
    """
    try:
        for suffix in ("-wal", "-shm", "-journal"):
            target.with_name(target.name + suffix).unlink(missing_ok=True)
        os.replace(candidate, target)
        if keys.keyfile_path(candidate).exists():
            keys.copy_key_file(candidate, target)
        else:
            keys.keyfile_path(target).unlink(missing_ok=True)
    except OSError as error:
        raise StorageError(
            f"The restore failed ({error.strerror}); the previous database is kept at {kept} "
            "with its key file. Copy it back over the database to undo."
        ) from error
