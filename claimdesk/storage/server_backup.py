"""Backing up and restoring a ClaimDesk database on a PostgreSQL server.

A backup is PostgreSQL's own custom-format archive (``pg_dump -Fc``) when pg_dump is on the
PATH and its major version can dump the server (pg_dump reads servers of its own version and
older); otherwise it is the portable export: a ClaimDesk SQLite database holding every row
(docs/backup-format.md), which any ClaimDesk restores, on a server or into a personal file.

A restore replaces the database's content in one server transaction: everything ClaimDesk
owns is dropped, built again and filled; on any failure the transaction rolls back and the
database is as it was. The database as it was is kept first, as a backup in the backups
folder.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import URL

from claimdesk.errors import NotAClaimDeskDatabaseError, StorageError
from claimdesk.files import unused_stem
from claimdesk.private import private_dir, private_file
from claimdesk.storage import audit_chain, sqlfile, transfer
from claimdesk.storage.db import (
    Database,
    create_database_engine,
    server_connection_options,
    translate_errors,
)

log = logging.getLogger(__name__)

# The lock migrations take (storage/migrate.py): a restore and an upgrade never overlap.
_SCHEMA_LOCK = 4242001
# How long a restore waits for other workstations' transactions before giving up.
_LOCK_TIMEOUT = "30s"

# Everything ClaimDesk made in the database's schema, dropped in the restore's transaction
# before the backup's content is built again: tables (their triggers, indexes and sequences go
# with them) and functions, not those an extension owns (unaccent belongs to its extension).
_DROP_EVERYTHING = """
DO $$
DECLARE item record;
BEGIN
    FOR item IN
        SELECT quote_ident(c.relname) AS name, CASE c.relkind WHEN 'v' THEN 'VIEW'
            WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
    LOOP
        EXECUTE 'DROP ' || item.kind || ' IF EXISTS ' || item.name || ' CASCADE';
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure::text AS name FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema()
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE 'DROP ROUTINE IF EXISTS ' || item.name || ' CASCADE';
    END LOOP;
END $$;
"""


_EMPTY_SEARCH_PATH = b"SELECT pg_catalog.set_config('search_path', '', false);\n"
_SEARCH_PATH = b"SELECT pg_catalog.set_config('search_path', 'public', false);\n"


@dataclass(frozen=True)
class ServerBackup:
    path: Path
    size_bytes: int
    claims: int
    chain_head: str
    # "pg_dump" (PostgreSQL's custom archive) or "sqlite" (the portable export).
    format: str


@dataclass(frozen=True)
class Tools:
    """PostgreSQL's client programs able to work with this server."""

    pg_dump: str
    pg_restore: str | None
    psql: str | None
    major: int


def tool_major(program: str) -> int | None:
    """The major version a PostgreSQL client program says it is (``pg_dump (PostgreSQL)
    15.18``), or None when it cannot be run or says something else."""
    try:
        done = subprocess.run(
            [program, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", done.stdout)
    return int(found.group(1)) if done.returncode == 0 and found else None


def server_major(database: Database) -> int:
    info = database.engine.dialect.server_version_info
    if info is None:
        with translate_errors(), database.engine.connect():
            info = database.engine.dialect.server_version_info
    return int(info[0]) if info else 0


def find_tools(database: Database) -> Tools | None:
    """pg_dump (with pg_restore and psql beside it) when it can dump this server, else None."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        log.info("pg_dump is not on the PATH: the portable export is used")
        return None
    major = tool_major(pg_dump)
    server = server_major(database)
    if major is None or major < server:
        log.info("pg_dump %s cannot dump server %s: the portable export is used", major, server)
        return None
    return Tools(pg_dump, shutil.which("pg_restore"), shutil.which("psql"), major)


def libpq_target(url: URL) -> tuple[str, dict[str, str]]:
    """A SQLAlchemy URL as what PostgreSQL's programs take: a connection string without the
    password, and the environment carrying it (never the command line, which others see)."""
    from psycopg.conninfo import make_conninfo

    parts: dict[str, str] = {}
    for key, value in url.query.items():
        parts[key] = value if isinstance(value, str) else value[-1]
    if url.host:
        parts["host"] = url.host
    if url.port:
        parts["port"] = str(url.port)
    if url.username:
        parts["user"] = url.username
    if url.database:
        parts["dbname"] = url.database
    for option, setting in server_connection_options(url).items():  # the window's time-outs
        parts[option] = str(setting)
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    try:
        conninfo = make_conninfo(**parts)
    except Exception as error:  # psycopg.ProgrammingError: an option libpq does not know
        raise StorageError(
            f"The database URL carries options PostgreSQL's programs do not take ({error})."
        ) from None
    return conninfo, env


def backup_server(database: Database, destination: Path, *, named: bool = False) -> ServerBackup:
    """Back the server database up to ``destination``, consistent while others write.

    pg_dump failing (a password only ClaimDesk's connection knows, a client it cannot use) is
    logged and the portable export made instead. ``named``: ``destination`` is a name without
    its suffix, which the format decides (``.dump`` or ``.sqlite``)."""
    tools = find_tools(database)
    partial = destination.with_name(destination.name + ".partial")
    try:
        private_dir(destination.parent)
        kind = ""
        if tools is not None:
            _fresh(partial)
            try:
                claims, head = _pg_dump(database, tools, partial)
                kind = "pg_dump"
            except StorageError as error:
                log.warning("pg_dump failed (%s): the portable export is used", error)
        if not kind:
            _fresh(partial)
            result = export_sqlite(database, partial)
            claims, head, kind = result.claims, result.chain_head or audit_chain.GENESIS, "sqlite"
        if named:
            suffix = ".dump" if kind == "pg_dump" else ".sqlite"
            destination = destination.with_name(destination.name + suffix)
        partial.replace(destination)
    except OSError as error:
        raise StorageError(
            f"Could not write the backup {destination}: {error.strerror or error}. Check there "
            "is free space and that the folder can be written."
        ) from error
    finally:
        partial.unlink(missing_ok=True)
    log.info("backed up the server database (%s, %d cases)", kind, claims)
    return ServerBackup(destination, destination.stat().st_size, claims, head, kind)


def _fresh(partial: Path) -> None:
    """An empty file readable by the user only, whatever the umask."""
    partial.unlink(missing_ok=True)
    private_file(partial)


def keep_copy(database: Database, folder: Path, why: str) -> Path:
    """A backup of the server database in ``folder``, named for ``why`` (before-restore,
    before-upgrade-from-0009) and the moment: the copy kept before changing the database."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    name = database.engine.url.database or "claimdesk"
    stem = unused_stem(folder, f"{name}-{why}-{stamp}")
    return backup_server(database, folder / stem, named=True).path


def _pg_dump(database: Database, tools: Tools, out: Path) -> tuple[int, str]:
    conninfo, env = libpq_target(database.engine.url)
    # The cases counted and the chain's head printed are read in the snapshot pg_dump copies.
    with translate_errors(), database.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        claims = connection.execute(text("SELECT count(*) FROM claims")).scalar_one()
        chained = any(
            c["name"] == "event_hash" for c in inspect(connection).get_columns("audit_events")
        )
        # Before revision 0009 the trail had no chain: nothing to print.
        head = audit_chain.head(connection)[1] if chained else ""
        _run(
            [
                tools.pg_dump,
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={out}",
                "--no-owner",
                "--no-privileges",
                f"--dbname={conninfo}",
            ],
            env,
            "pg_dump",
        )
        connection.rollback()
    return int(claims), str(head)


def _run(command: list[str], env: dict[str, str], program: str) -> str:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except OSError as error:
        raise StorageError(f"{program} could not be started ({error.strerror}).") from error
    if done.returncode != 0:
        raise StorageError(f"{program} failed: {_first_line(done.stderr)}. Nothing was changed.")
    return done.stdout


def _first_line(message: str) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    errors = [line for line in lines if "ERROR" in line or "FATAL" in line or "error:" in line]
    lines = errors or lines
    if not lines:
        return "no reason given"
    return re.sub(r"^(pg_restore|pg_dump|psql):( error:)? ", "", lines[0])


def export_sqlite(database: Database, destination: Path) -> transfer.TransferResult:
    """Write every row of the server database into a new ClaimDesk SQLite file at the same
    schema revision: the portable backup (docs/backup-format.md)."""
    from claimdesk.paths import sqlite_url

    target = Database(create_database_engine(sqlite_url(destination)))
    try:
        with translate_errors(), database.engine.connect() as source:
            source = source.execution_options(isolation_level="REPEATABLE READ")
            at = transfer.revision(source)
            if at is None:
                raise NotAClaimDeskDatabaseError("This database has no ClaimDesk schema yet.")
            with target.write_connection() as writing:
                transfer.create_schema(writing, at)
                result = transfer.copy_database(source, writing)
                writing.commit()
            source.rollback()
    finally:
        target.dispose()
    # One file, no WAL beside it: the backup is a single file to keep.
    connection = sqlfile.connect(destination, None)
    try:
        connection.execute("PRAGMA journal_mode = DELETE")
    finally:
        connection.close()
    return result


def replace_content(database: Database, source: Connection) -> transfer.TransferResult:
    """Replace everything in the server database with ``source``'s rows (a checked SQLite
    copy at the code's schema), in one transaction: on any failure nothing changed."""
    replacing = transfer.owner_needed("replace ClaimDesk's tables")
    with replacing, translate_errors(), database.write_connection() as connection:
        connection.execute(text(f"SET LOCAL lock_timeout = '{_LOCK_TIMEOUT}'"))
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
        connection.exec_driver_sql(_DROP_EVERYTHING)
        transfer.create_schema(connection, transfer.revision(source) or "head")
        result = transfer.copy_database(source, connection)
        connection.commit()
    return result


def check_archive(tools: Tools | None, archive: Path) -> str:
    """The schema revision a pg_dump archive holds, after checking it is ClaimDesk's."""
    from claimdesk.storage.migrate import check_compatible

    if tools is None or tools.pg_restore is None or tools.psql is None:
        raise StorageError(
            f"{archive.name} was made by pg_dump: restoring it needs PostgreSQL's pg_restore "
            "and psql, of the server's version or newer, on the PATH (Debian and Ubuntu: "
            "apt install postgresql-client). Nothing was changed."
        )
    env = dict(os.environ)
    listing = subprocess.run(
        [tools.pg_restore, "--list", str(archive)], capture_output=True, text=True, check=False
    )
    if listing.returncode != 0:
        raise StorageError(
            f"{archive.name} cannot be read as a pg_dump archive ({_first_line(listing.stderr)}"
            "): it is damaged, or was made by a newer pg_dump. Nothing was changed."
        )
    listed = listing.stdout
    if not re.search(r" TABLE \S+ claims ", listed) or "alembic_version" not in listed:
        raise NotAClaimDeskDatabaseError(
            f"{archive.name} is a PostgreSQL backup, but not of a ClaimDesk database; nothing "
            "was changed."
        )
    data = subprocess.run(
        [tools.pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(archive)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    lines = data.stdout.splitlines()
    revision = None
    for index, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and index + 1 < len(lines):
            revision = lines[index + 1].strip() or None
    if data.returncode != 0 or revision is None or revision == "\\.":
        raise StorageError(
            f"{archive.name} is damaged: its schema revision cannot be read "
            f"({_first_line(data.stderr)}). Nothing was changed."
        )
    check_compatible(revision, {"claims"})
    return revision


def restore_archive(database: Database, tools: Tools, archive: Path) -> None:
    """pg_restore's statements, after the drop of everything ClaimDesk owns, through psql in
    one transaction that is committed only once pg_restore has read the whole archive; psql
    stops at the first error, and a transaction never committed is rolled back, so a damaged
    archive changes nothing. The statements go through pipes: health data never lands in a
    temporary file."""
    assert tools.pg_restore is not None and tools.psql is not None
    conninfo, env = libpq_target(database.engine.url)
    prelude = (
        "SET client_min_messages = warning;\n"
        f"BEGIN;\nSET LOCAL lock_timeout = '{_LOCK_TIMEOUT}';\n"
        f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK});\n{_DROP_EVERYTHING}\n"
    )
    with tempfile.TemporaryFile() as reader_errors, tempfile.TemporaryFile() as writer_errors:
        writer = subprocess.Popen(
            [
                tools.psql,
                "--no-psqlrc",
                "--quiet",
                "--set=ON_ERROR_STOP=1",
                f"--dbname={conninfo}",
                "--file=-",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=writer_errors,
            env=env,
        )
        reader = subprocess.Popen(
            [
                tools.pg_restore,
                "--no-owner",
                "--no-privileges",
                "--no-comments",
                "--file=-",
                str(archive),
            ],
            stdout=subprocess.PIPE,
            stderr=reader_errors,
            env=env,
        )
        assert writer.stdin is not None and reader.stdout is not None
        try:
            writer.stdin.write(prelude.encode())
            for line in reader.stdout:
                # The archive's statements run with an empty search path; the search functions
                # (migration 0002) call each other by bare name, so filling the generated
                # search column would fail to find them. The archive names every object with
                # its schema, so the schema's own search path changes nothing else.
                writer.stdin.write(_SEARCH_PATH if line == _EMPTY_SEARCH_PATH else line)
            if reader.wait() == 0:
                writer.stdin.write(audit_chain.REVOKE_TRAIL_CHANGES.encode() + b"COMMIT;\n")
            writer.stdin.close()
        except BrokenPipeError:
            pass  # psql stopped at an error: what it says is read below
        finally:
            reader.stdout.close()
            reader.wait()
            writer.wait()
        reader_errors.seek(0)
        writer_errors.seek(0)
        said_reading = reader_errors.read().decode(errors="replace")
        said_writing = writer_errors.read().decode(errors="replace")
    if writer.returncode != 0 or reader.returncode != 0:
        said = _first_line(said_reading if reader.returncode else said_writing)
        raise StorageError(
            f"The restore of {archive.name} failed ({said}); the database is as it was."
        )
