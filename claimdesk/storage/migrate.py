"""Bring a database to the code's schema: back up first, refuse one newer than the code."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from claimdesk import paths
from claimdesk.errors import NotAClaimDeskDatabaseError, SchemaTooNewError, StorageError
from claimdesk.files import unused_stem
from claimdesk.private import private_dir, private_file
from claimdesk.storage import sqlfile
from claimdesk.storage.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MigrationResult:
    before: str | None
    after: str
    backup: Path | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def alembic_config() -> Config:
    config = Config()
    # Alembic's options go through ConfigParser interpolation: a '%' in the install folder's
    # name must be doubled. The database is never named here: it arrives as a live connection
    # (config.attributes["connection"]), so its path needs no escaping for Alembic.
    location = str(paths.migrations_dir()).replace("%", "%%")
    config.set_main_option("script_location", location)
    return config


def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    """For comparing the schema with the models: leave out the search indexes (raw SQL in
    migration 0002, no model of their own): FTS5's tables on SQLite, the generated tsvector
    column and its GIN index on PostgreSQL."""
    name = name or ""
    if type_ == "table":
        return not name.startswith("search_fts")
    if type_ == "column":
        return name != "search_vector"
    if type_ == "index":
        return name != "ix_search_entries_search_vector"
    return True


def code_head() -> str:
    head = script_directory().get_current_head()
    assert head is not None, "ClaimDesk ships at least one migration"
    return head


def known_revisions() -> set[str]:
    return {script.revision for script in script_directory().walk_revisions()}


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def check_compatible(revision: str | None, table_names: set[str]) -> None:
    """Raise unless a database with this revision and these tables is ours and not too new."""
    if revision is None:
        if table_names:
            raise NotAClaimDeskDatabaseError(
                "This database holds tables but is not a ClaimDesk database. "
                "Choose another file or an empty folder."
            )
        return
    if revision not in known_revisions():
        raise SchemaTooNewError(
            f"This database was written by a newer version of ClaimDesk (schema {revision}). "
            "Install the newer ClaimDesk to open it; this version will not touch it."
        )


def ensure_schema(
    database: Database, backup_dir: Path | None = None, *, back_up: bool = True
) -> MigrationResult:
    """Upgrade the database to the code's head, backing it up before changing it (a SQLite
    file is copied; a server database goes through pg_dump or the portable export).

    ``back_up=False`` is for a throwaway copy (a restore checks one), which needs no backup.

    Safe when several processes open the same database at once: the upgrade holds the write
    lock and decides what to do only once it has it.
    """
    head = code_head()
    with database.engine.connect() as connection:
        revision = current_revision(connection)
        tables = set(inspect(connection).get_table_names())
    check_compatible(revision, tables)
    if revision == head:
        return MigrationResult(before=revision, after=head, backup=None)
    return _upgrade(database, head, backup_dir, back_up)


def _upgrade(
    database: Database, head: str, backup_dir: Path | None, back_up: bool
) -> MigrationResult:
    config = alembic_config()
    with database.write_connection() as connection:
        raw: Any = None
        if database.is_sqlite:
            # Batch mode recreates tables; with foreign keys on, dropping the old copy would
            # cascade-delete every child row. SQLite ignores this pragma inside a transaction,
            # so it goes to the driver before the first statement begins one.
            raw = connection.connection.driver_connection
            raw.execute("PRAGMA foreign_keys = OFF")
            # The copy is renamed into place after the old table is dropped: SQLite's newer
            # rename re-checks every trigger, and one naming the dropped table (the deadlines'
            # triggers keeping claims.next_due_on, 0011) would refuse it. The legacy rename
            # leaves triggers as written, naming the table by the name it has again.
            raw.execute("PRAGMA legacy_alter_table = ON")
        try:
            # The first statement begins the transaction: BEGIN IMMEDIATE on SQLite takes the
            # write lock (waiting out another process's upgrade); PostgreSQL takes an advisory
            # lock. Only then is the revision read again, so one process upgrades, once.
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(4242001)")
            revision = current_revision(connection)
            check_compatible(revision, set(inspect(connection).get_table_names()))
            if revision == head:
                connection.commit()
                return MigrationResult(before=revision, after=head, backup=None)
            backup = _backup_before_upgrade(database, revision, backup_dir) if back_up else None
            config.attributes["connection"] = connection
            command.upgrade(config, head)
            if database.is_sqlite:
                problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise StorageError(
                        "Upgrading the database would leave broken links between records, so "
                        "nothing was changed. Please report this; the database is as it was."
                    )
            connection.commit()
        finally:
            if raw is not None:
                connection.rollback()
                raw.execute("PRAGMA foreign_keys = ON")
                raw.execute("PRAGMA legacy_alter_table = OFF")
    log.info("database schema upgraded from %s to %s", revision, head)
    return MigrationResult(before=revision, after=head, backup=backup)


def _backup_before_upgrade(
    database: Database, revision: str | None, backup_dir: Path | None
) -> Path | None:
    source = database.sqlite_path
    if revision is None:
        return None
    if source is None:
        if database.engine.dialect.name != "postgresql":
            return None
        from claimdesk.storage.server_backup import keep_copy

        # pg_dump's archive, or the portable export at the old revision (server_backup.py).
        folder = backup_dir or paths.resolve_paths().backup_dir
        backup = keep_copy(database, folder, f"before-upgrade-from-{revision}")
        log.info("backed up the server database before upgrading it, to %s", backup)
        return backup
    folder = backup_dir or source.parent / "backups"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    stem = unused_stem(folder, f"{source.stem}-before-upgrade-from-{revision}-{stamp}")
    backup = folder / f"{stem}.sqlite"
    copy_sqlite(source, backup, database.data_key)
    log.info("backed up the database before upgrading it, to %s", backup)
    return backup


def copy_sqlite(source: Path, destination: Path, key: bytes | None = None) -> None:
    """Copy a live SQLite database with the online backup API (consistent under writers).

    The copy, like the database, is readable by the user only. An encrypted database (``key``
    its data key) is copied encrypted with the same key, and its key file is copied beside the
    copy, so the copy opens with the same passwords, on this computer or another.
    """
    partial = destination.with_name(destination.name + ".partial")
    try:
        private_dir(destination.parent)
        partial.unlink(missing_ok=True)
        # Created before SQLite opens it, so it is 0600 whatever the umask.
        private_file(partial)
        src = sqlfile.connect(source, key, read_only=True, timeout=30)
        try:
            dst = sqlfile.connect(partial, key)
            try:
                # pages=-1: one step under one read snapshot, so concurrent writers can neither
                # tear the copy nor make it restart.
                src.backup(dst, pages=-1)
                dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
        finally:
            src.close()
        if key is not None:
            from claimdesk.storage.keys import copy_key_file, keyfile_path

            if keyfile_path(source).exists():
                copy_key_file(source, destination)
        partial.replace(destination)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise _not_written(destination, error) from error
    except sqlfile.errors() as error:
        partial.unlink(missing_ok=True)
        raise _not_written(destination, error) from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _not_written(destination: Path, error: Exception) -> StorageError:
    return StorageError(
        f"Could not write the backup {destination}: {error}. "
        "Check there is free space and that the folder can be written."
    )
