"""The engine and sessions: SQLite tuned for safety, any SQLAlchemy URL accepted."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url

from claimdesk.errors import (
    DatabaseBusyError,
    DatabaseLockedError,
    EncryptedDatabaseError,
    ServerUnavailableError,
    StorageError,
)
from claimdesk.private import private_dir, private_file

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

# How long a writer waits for another process's transaction before giving up. Long enough that
# two ClaimDesk windows saving at once never see "database is locked".
BUSY_TIMEOUT_MS = 30_000

# A server that stops answering (its computer switched off, the network gone without a word)
# must leave neither a connection attempt waiting for the system's minutes-long TCP time-out
# nor a read or a save waiting for ever: libpq gives up connecting after 10 s, TCP keepalives
# find a silent peer after 15 s of quiet and three unanswered probes 5 s apart, and data left
# unacknowledged for 30 s ends the connection. The window then says the server cannot be
# reached (``translate_errors``). Each is a libpq connection option; one the URL sets wins.
SERVER_CONNECTION_OPTIONS: dict[str, int] = {
    "connect_timeout": 10,
    "keepalives": 1,
    "keepalives_idle": 15,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 30_000,  # ms
}
_WRITE_OPTION = "claimdesk_write"
# How long set_aside waits for connections in use (a read in another thread) to come back.
_SET_ASIDE_WAIT_S = 10.0


class _SetAside:
    """Whether the database is set aside (Database.set_aside), and why. The engine's listener
    is this object's, not the Database's: a listener bound to the Database would tie it to its
    own engine in a cycle that SQLAlchemy's event registry keeps alive, and with it the open
    connections (a database dropped without dispose() would stay open)."""

    def __init__(self) -> None:
        self.reason: str | None = None

    def refuse(self, *_args: Any) -> None:
        if self.reason is not None:
            raise StorageError(self.reason)


class Database:
    """One open ClaimDesk database: sessions for reading and for writing.

    ``data_key`` is the key of an encrypted SQLite file (None when unencrypted): what backups,
    restores and the pre-upgrade copy open their copies with.
    """

    def __init__(self, engine: Engine, data_key: bytes | None = None) -> None:
        self.engine = engine
        self.data_key = data_key
        self._write_engine = engine.execution_options(**{_WRITE_OPTION: True})
        self._aside = _SetAside()
        event.listen(engine, "do_connect", self._aside.refuse)

    # The ORM is imported at the first session, not at open: the case list's first page is
    # read through Core before it (docs/architecture.md, "Start-up").
    @cached_property
    def _read_sessions(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.engine, expire_on_commit=False)

    @cached_property
    def _write_sessions(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self._write_engine, expire_on_commit=False)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def is_encrypted(self) -> bool:
        return self.data_key is not None

    @property
    def sqlite_path(self) -> Path | None:
        """The database file, for a file-backed SQLite database."""
        if not self.is_sqlite:
            return None
        name = self.engine.url.database
        if not name or name == ":memory:" or name.startswith("file:"):
            return None
        return Path(name)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries; rolled back at the end, so it can never write by accident."""
        with translate_errors(), self._read_sessions() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def read_connection(self) -> Iterator[Connection]:
        """A Core connection for queries, in one transaction rolled back at the end."""
        with translate_errors(), self.engine.connect() as connection:
            try:
                yield connection
            finally:
                connection.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A unit of work: committed whole on success, rolled back whole on any error.

        On SQLite the transaction begins IMMEDIATE, taking the write lock up front, so two
        writers queue on the busy timeout instead of one failing mid-transaction.
        """
        with translate_errors(), self._write_sessions() as session, session.begin():
            yield session

    def write_connection(self) -> Connection:
        """A Core connection whose transaction begins IMMEDIATE (for migrations)."""
        return self._write_engine.connect()

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def set_aside(self, reason: str) -> Iterator[None]:
        """Close every connection and open no new one (raising StorageError(``reason``)), for
        work on the whole file (encrypting it). Connections in use are waited for, briefly.
        Opened again if the work fails; after it succeeds the file is no longer this engine's.
        """
        self._aside.reason = reason
        deadline = time.monotonic() + _SET_ASIDE_WAIT_S
        checked_out = getattr(self.engine.pool, "checkedout", lambda: 0)
        while checked_out() and time.monotonic() < deadline:
            time.sleep(0.02)
        self.engine.dispose()
        try:
            yield
        except BaseException:
            self._aside.reason = None
            raise

    def use_key(self, key: bytes | None) -> None:
        """Reopen the same SQLite file under another key (a restore installed a backup made
        with other keys): the engine is rebuilt and sessions made afresh."""
        from claimdesk.paths import sqlite_url

        path = self.sqlite_path
        if path is None:
            raise StorageError("Only a ClaimDesk SQLite file has a key.")
        self.engine.dispose()
        self.engine = create_database_engine(sqlite_url(path), key=key)
        self._write_engine = self.engine.execution_options(**{_WRITE_OPTION: True})
        event.listen(self.engine, "do_connect", self._aside.refuse)
        self.data_key = key
        for cached in ("_read_sessions", "_write_sessions"):
            self.__dict__.pop(cached, None)

    def forget_key(self) -> None:
        """Close every connection and drop the data key (the window locked itself): until
        ``use_key`` gives a key again, a connection is refused in words. Python cannot wipe
        memory, so the key's bytes are only released, for the allocator to reuse."""
        from sqlalchemy.pool import NullPool

        from claimdesk.paths import sqlite_url

        path = self.sqlite_path
        if self.data_key is None or path is None:
            return
        self.engine.dispose()
        # The engine's URL carried the key: a keyless engine on the same file replaces it.
        self.engine = create_engine(sqlite_url(path), creator=_locked, poolclass=NullPool)
        self._write_engine = self.engine.execution_options(**{_WRITE_OPTION: True})
        self.data_key = None
        for cached in ("_read_sessions", "_write_sessions"):
            self.__dict__.pop(cached, None)


def _locked() -> Any:
    raise DatabaseLockedError()


def read_only_uri(path: Path) -> str:
    """A SQLite URI opening ``path`` read-only, whatever characters its name holds.

    Pasted into "file:...?mode=ro", a '?' or '#' in the name ends the file name early: a
    backup named "backup #2.sqlite" was opened as "backup " and created there, empty.
    """
    return path.resolve().as_uri() + "?mode=ro"


@contextmanager
def translate_errors() -> Iterator[None]:
    """Turn driver errors a user can cause or fix into StorageError with advice."""
    try:
        yield
    except exc.DBAPIError as error:
        # Operational trouble (locks, disk, a damaged file) is the user's to fix; an integrity
        # or programming error is a bug and must surface as one.
        if isinstance(error, exc.OperationalError) or type(error) is exc.DatabaseError:
            raise storage_error_for(error) from error
        # The server files some of what a user can fix (read-only, a lost connection) under
        # other DB-API classes: those it names by SQLSTATE.
        orig = error.orig
        known = (
            _server_error(orig) if orig is not None and getattr(orig, "sqlstate", None) else None
        )
        if known is not None:
            raise known from error
        if error.connection_invalidated:
            dropped = ServerUnavailableError(_UNREACHABLE.format(detail="the connection dropped"))
            dropped.retry_safe = True
            raise dropped from error
        raise


def driver_rows(
    connection: Connection, statement: str, parameters: dict[str, Any] | None = None
) -> list[Any]:
    """``statement``'s rows, run on the driver's own connection inside ``connection``: for
    the few reads on a hot path whose SQLAlchemy statement handling costs more than the query
    (a search's check for cases to reindex and its FTS5 query: 0.17 ms against 0.05 ms for a
    query that finds nothing). The driver's errors are raised as SQLAlchemy would wrap them,
    so ``translate_errors`` words them as it words the rest. On a server the statement goes
    through SQLAlchemy as any other: a dropped connection must be noticed and replaced."""
    if connection.dialect.name != "sqlite":
        return list(connection.exec_driver_sql(statement, parameters or {}).all())
    dbapi = connection.dialect.loaded_dbapi
    driver = connection.connection.driver_connection
    assert driver is not None, "a connection checked out of the pool has its driver's"
    cursor = driver.cursor()
    try:
        cursor.execute(statement, parameters or {})
        return list(cursor.fetchall())
    except dbapi.Error as error:
        raise exc.DBAPIError.instance(statement, parameters, error, dbapi.Error) from error
    finally:
        cursor.close()


def storage_error_for(error: BaseException) -> StorageError:
    server = _server_error(getattr(error, "orig", error))
    if server is not None:
        return server
    if getattr(error, "connection_invalidated", False):
        dropped = ServerUnavailableError(_UNREACHABLE.format(detail="the connection dropped"))
        dropped.retry_safe = True
        return dropped
    text = str(getattr(error, "orig", error)).lower()
    if "locked" in text or "busy" in text:
        return DatabaseBusyError(
            "Another ClaimDesk window or program kept the database busy for too long. "
            "Nothing was lost; wait a moment and try again."
        )
    if "disk is full" in text or "disk full" in text or "no space" in text:
        return StorageError(
            "The disk is full, so the change was not saved (everything saved before is safe). "
            "Free some space and try again."
        )
    if "readonly" in text or "read-only" in text:
        return StorageError(
            "The database file is read-only. Check the permissions of the ClaimDesk data folder."
        )
    if "unable to open" in text:
        return StorageError(
            "The database file cannot be opened. Check that the data folder exists and that "
            "you may write to it."
        )
    if "malformed" in text or "not a database" in text:
        return StorageError(
            "The database file is damaged. Restore the latest backup with "
            "'claimdesk restore FILE' (backups are in the data folder's 'backups' folder)."
        )
    return StorageError(f"The database reported an error: {getattr(error, 'orig', error)}")


# PostgreSQL's SQLSTATE classes and codes a user can do something about (psycopg's errors
# carry them as ``sqlstate``), and what to say.
_UNREACHABLE = (
    "The ClaimDesk server cannot be reached ({detail}). Nothing saved was lost. Check that the "
    "computer is on the office network and the server is running, then try again."
)
_WRONG_LOGIN = (
    "The server refused the database user or password, so nothing could be read or saved. "
    "Check the connection in Settings (the password is read from your pgpass file or the "
    "system keyring), or ask whoever looks after the server for the right one."
)
# libpq's own words, for what it refuses before the server answers with a SQLSTATE.
_NO_ANSWER = (
    "connection refused",
    "could not connect",
    "no such file or directory",
    "could not translate host name",
    "name or service not known",
    "timeout expired",
    "network is unreachable",
    "no route to host",
)
_DROPPED = (
    "server closed the connection",
    "connection is closed",
    "connection already closed",
    "terminating connection",
    "ssl connection has been closed",
    "connection is lost",
    "consuming input failed",
)
_REFUSED_LOGIN = (
    "password authentication failed",
    "no password supplied",
    "authentication failed",
    "is not permitted to log in",
)


def _server_error(error: BaseException) -> StorageError | None:
    """A PostgreSQL error said plainly, or None when it is not one of the server's."""
    if not type(error).__module__.startswith("psycopg"):
        return None  # SQLite's errors are read by their wording (storage_error_for)
    state = getattr(error, "sqlstate", None)
    if state is None:
        return _libpq_error(str(error).lower())
    found = _by_sqlstate(state)
    if found is None and state.startswith("08"):
        found = ServerUnavailableError(_UNREACHABLE.format(detail="the connection dropped"))
        found.retry_safe = True
    return found


def _libpq_error(text: str) -> StorageError | None:
    """What the driver says without a SQLSTATE: refused before the server answered, or a
    connection that dropped under a statement."""
    refusal = _refused_at_connection(text)  # the most particular: with what to do
    if refusal is not None:
        return refusal
    if any(words in text for words in _REFUSED_LOGIN) or (
        "role" in text and "does not exist" in text
    ):
        return StorageError(_WRONG_LOGIN)
    if "database" in text and "does not exist" in text:
        return _by_sqlstate("3D000")
    if "too many" in text and "connections" in text:
        return _by_sqlstate("53300")
    if any(words in text for words in _DROPPED):
        dropped = ServerUnavailableError(_UNREACHABLE.format(detail="the connection dropped"))
        dropped.retry_safe = True  # the transaction died with it (a commit is told apart)
        return dropped
    if any(words in text for words in _NO_ANSWER):
        refused = ServerUnavailableError(_UNREACHABLE.format(detail="no answer"))
        refused.retry_safe = True  # never connected: nothing was written
        return refused
    return None


def _by_sqlstate(state: str) -> StorageError | None:
    if state in ("28P01", "28000"):
        return StorageError(_WRONG_LOGIN)
    if state in ("57P01", "57P02", "57P03"):
        # Shut down or restarted by its administrator, or still starting up.
        gone = ServerUnavailableError(
            "The ClaimDesk server was shut down or restarted (nothing saved was lost). Wait a "
            "moment for it to come back, then try again; if it does not, ask whoever looks "
            "after the server."
        )
        gone.retry_safe = True
        return gone
    if state == "53300":
        return ServerUnavailableError(
            "The ClaimDesk server has no room for another connection just now (too many "
            "workstations or programs are connected). Nothing was lost; close ClaimDesk on a "
            "computer not in use, or ask whoever looks after the server to allow more "
            "connections (max_connections), then try again."
        )
    if state.startswith("53"):  # 53100 disk full, 53200 out of memory
        return StorageError(
            "The server's disk is full, so the change was not saved (everything saved before "
            "is safe). Ask whoever looks after the server to free some space, then try again."
            if state == "53100"
            else "The server ran out of resources, so the change was not saved (everything "
            "saved before is safe). Try again in a moment; if it keeps happening, ask whoever "
            "looks after the server."
        )
    if state == "25006":
        return StorageError(
            "The server is read-only just now (a standby, or in maintenance): the change was "
            "not saved. Try again later, or check that Settings names the main server."
        )
    if state in ("40001", "40P01", "55P03"):
        busy = DatabaseBusyError(
            "Another workstation was changing the same records at the same moment. Nothing "
            "was lost; try again."
        )
        busy.retry_safe = True  # the server rolled the whole transaction back
        return busy
    if state == "42501":
        return StorageError(
            "The server refused this to ClaimDesk's database account, which lacks the right "
            "to do it (nothing was changed). If ClaimDesk was just updated, whoever looks after "
            "the server opens the database once with it as the schema's owner; otherwise ask "
            "them to grant the workstation role its rights (docs/architecture.md, \"The app's "
            'database role").'
        )
    if state == "3D000":
        return StorageError(
            "The server has no such database. Check the connection in Settings, or create it "
            "with 'claimdesk --db URL server init'."
        )
    return None


def _refused_at_connection(text: str) -> StorageError | None:
    """What libpq says when the server turns a connection away before any SQL (psycopg gives
    these no SQLSTATE), said with what to do; ``text`` is lower-case."""
    if "no password supplied" in text:
        return StorageError(
            "The server asks for the database user's password and none was given. Enter it in "
            "Settings ▸ Office server (or 'claimdesk server connect'), which keeps it in the "
            "system keyring or your pgpass file; with --db, put it in a file named by "
            "$CLAIMDESK_SERVER_PASSWORD_FILE."
        )
    if "no pg_hba.conf entry" in text:
        return StorageError(
            "The server does not accept connections from this computer for that user and "
            "database. Whoever looks after the server adds a line for this computer to "
            "pg_hba.conf (README, 'An office server') and reloads it."
        )
    if "is not permitted to log in" in text or ('role "' in text and "does not exist" in text):
        return StorageError(
            "The server has no database user of that name that may sign in. Check the user in "
            "Settings ▸ Office server, or ask whoever looks after the server to create it "
            "(CREATE ROLE ... LOGIN PASSWORD ...)."
        )
    if 'database "' in text and "does not exist" in text:
        return StorageError(
            "The server has no database of that name. Check it in Settings ▸ Office server, or "
            "ask whoever looks after the server to create it (CREATE DATABASE ... OWNER ...) "
            "and run 'claimdesk --db URL server init' on it."
        )
    return None


def open_database(
    url: str,
    *,
    key: bytes | None = None,
    migrate: bool = True,
    backup_dir: Path | None = None,
) -> Database:
    """Open (creating if needed) the database at ``url`` and bring its schema up to date.

    ``key`` is the data key of an encrypted SQLite file (storage/keys.py unwraps it); a new
    file opened with a key is created encrypted.
    """
    engine = create_database_engine(url, key=key)
    database = Database(engine, data_key=key)
    if migrate and not _at_schema_head(database):
        from claimdesk.storage.migrate import ensure_schema

        try:
            with translate_errors():
                ensure_schema(database, backup_dir=backup_dir)
        except BaseException:
            database.dispose()
            raise
    return database


# The newest migration's revision. Checked against Alembic's own head by a test; it lets a
# database already at this schema open without importing Alembic (a third of a second).
SCHEMA_HEAD = "0011"


def _at_schema_head(database: Database) -> bool:
    try:
        with translate_errors(), database.engine.connect() as connection:
            row = connection.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    except (StorageError, exc.DBAPIError):
        return False  # a new, foreign or damaged file: ensure_schema says what is wrong
    return row is not None and row[0] == SCHEMA_HEAD


ENCRYPTED_NO_KEY = (
    "This database is encrypted; sign in with your password (or the recovery key) to open it."
)


def server_connection_options(url: URL) -> dict[str, int]:
    """SERVER_CONNECTION_OPTIONS for a PostgreSQL ``url``, less those it sets itself."""
    if url.get_backend_name() != "postgresql":
        return {}
    return {key: value for key, value in SERVER_CONNECTION_OPTIONS.items() if key not in url.query}


def create_database_engine(url: str, *, key: bytes | None = None) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        if key is not None:
            raise StorageError(
                "Only a SQLite file is encrypted by ClaimDesk; on a database server, encryption "
                "at rest is the server's disk and TLS."
            )
        return create_engine(
            parsed, pool_pre_ping=True, connect_args=server_connection_options(parsed)
        )
    database = parsed.database or ""
    path: Path | None = None
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database).expanduser()
        _check_encryption(path, key)
        try:
            private_dir(path.parent)
        except OSError as error:
            raise StorageError(
                f"Cannot create the data folder {path.parent}: {error.strerror}. "
                "Choose another folder with --data-dir."
            ) from error
        try:
            # Made here, not by SQLite, so it is the user's alone (SQLite would make it 0644);
            # its -wal and -shm files take the database file's permissions.
            private_file(path)
        except OSError as error:
            raise StorageError(
                f"Cannot create the database file {path}: {error.strerror}. Check that you may "
                "write to its folder, or choose another folder with --data-dir."
            ) from error
        parsed = parsed.set(database=str(path))
    options: dict[str, Any] = {}
    if key is not None:
        from sqlalchemy.pool import QueuePool

        from claimdesk.storage.keys import raw_key_pragma

        # SQLCipher through SQLAlchemy's pysqlcipher dialect (the sqlcipher3 driver): the
        # dialect sends the URL's password as PRAGMA key before anything else. The raw-key form
        # skips SQLCipher's own key derivation, so a connection opens as fast as a plain one.
        # Its default pool keeps one connection per thread; the task runner's threads want
        # the plain dialect's queue.
        parsed = parsed.set(drivername="sqlite+pysqlcipher", password=raw_key_pragma(key))
        options["poolclass"] = QueuePool
    engine = create_engine(
        parsed,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        **options,
    )
    _configure_sqlite(engine, encrypted=key is not None)
    if key is not None and path is not None:
        _check_key(engine)
    return engine


def _check_encryption(path: Path, key: bytes | None) -> None:
    from claimdesk.storage.keys import has_plain_header, is_encrypted, keyfile_path

    if key is None and is_encrypted(path):
        if not keyfile_path(path).exists():
            raise EncryptedDatabaseError(
                f"{path.name} is encrypted, and its key file {keyfile_path(path).name} is "
                "missing: put the key file back beside it (it was saved with every backup). "
                "Without it the database cannot be opened."
            )
        raise EncryptedDatabaseError(ENCRYPTED_NO_KEY)
    if key is not None and has_plain_header(path):
        raise StorageError(
            f"{path.name} is not encrypted, so it opens without a password. Encrypt it with "
            "'claimdesk encrypt' (or File ▸ Encrypt this database) first."
        )


def _check_key(engine: Engine) -> None:
    """Refuse a key that does not open the file, in words, rather than "not a database"."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar_one()
    except exc.DBAPIError as error:
        engine.dispose()
        if "not a database" in str(error.orig).lower():
            raise EncryptedDatabaseError(
                "This database is encrypted with another key: the key file beside it does not "
                "belong to it, or the file is damaged. Put back the key file saved with it (or "
                "restore a backup together with its .keys file)."
            ) from None
        raise storage_error_for(error) from error


def _configure_sqlite(engine: Engine, *, encrypted: bool = False) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Take transaction control from the driver so BEGIN is ours to issue (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            if encrypted:
                # SQLCipher prints a wrong key's failed page checks to stderr; the error raised
                # says it in words (_check_key).
                cursor.execute("PRAGMA cipher_log_level = NONE")
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            # WAL lets the GUI read while another process writes; FULL syncs every commit, so
            # a power cut loses at most the transaction in flight.
            # Set once, when the file is made (it stays WAL): asking for it again takes an
            # exclusive lock, which waits on a window migrating the new file at that moment.
            mode = cursor.execute("PRAGMA journal_mode").fetchone()
            if mode is None or str(mode[0]).lower() != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(_WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")
