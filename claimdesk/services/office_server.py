"""A workstation's saved connection to the office's PostgreSQL server.

Settings ▸ Office server (and ``claimdesk server connect``) save host, port, database and user
in ``server.json`` in the data folder; while it is there, the window and the command line open
the server instead of this computer's own SQLite file. The password is never in that file: it
goes to the system keyring where one works (``keyring``), otherwise to the pgpass file, which
libpq reads by itself (``~/.pgpass``, or ``$PGPASSFILE``; ``%APPDATA%\\postgresql\\pgpass.conf``
on Windows), readable by the user only.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from claimdesk.errors import ClaimDeskError, StorageError, ValidationError

SERVER_FILE = "server.json"
DEFAULT_PORT = 5432
KEYRING_SERVICE = "ClaimDesk office server"
_FORMAT = "claimdesk-server"
# A server that does not answer (a wrong address, a firewall) is said so within seconds, not
# after the system's TCP time-out of minutes.
_QUICK = {"connect_timeout": 8}


class PasswordPlace(StrEnum):
    """Where a saved connection's password is kept."""

    NONE = "none"  # the server asks for none (or the pgpass file already had it)
    KEYRING = "keyring"
    PGPASS = "pgpass"

    @property
    def label(self) -> str:
        return {
            PasswordPlace.NONE: "no password saved",
            PasswordPlace.KEYRING: "the system keyring",
            PasswordPlace.PGPASS: "your pgpass file",
        }[self]


@dataclass(frozen=True)
class ServerConnection:
    """Where the office's database is: a host name or address (or a unix socket's folder)."""

    host: str
    port: int = DEFAULT_PORT
    database: str = "claimdesk"
    user: str = "claimdesk"
    password_place: PasswordPlace = PasswordPlace.NONE

    @property
    def key(self) -> str:
        """The keyring's name for this connection's password."""
        return f"{self.user}@{self.host}:{self.port}/{self.database}"

    @property
    def label(self) -> str:
        return f"{self.database} on {self.host}:{self.port} as {self.user}"

    def url(self, password: str | None = None) -> str:
        """The SQLAlchemy URL (psycopg 3); without ``password`` libpq looks in pgpass."""
        from sqlalchemy.engine import URL

        if self.host.startswith("/"):  # a unix socket's folder: libpq takes it as ?host=
            url = URL.create(
                "postgresql+psycopg",
                username=self.user,
                password=password or None,
                database=self.database,
                query={"host": self.host, "port": str(self.port)},
            )
        else:
            url = URL.create(
                "postgresql+psycopg",
                username=self.user,
                password=password or None,
                host=self.host,
                port=self.port,
                database=self.database,
            )
        return url.render_as_string(hide_password=False)


def checked_connection(host: str, port: str | int, database: str, user: str) -> ServerConnection:
    """A connection from what was typed, or a ValidationError naming the field to fix."""
    host, database, user = host.strip(), database.strip(), user.strip()
    if not host:
        raise ValidationError("Enter the server's name or address (for example office-server).")
    try:
        number = int(str(port).strip() or DEFAULT_PORT)
    except ValueError:
        number = 0
    if not 1 <= number <= 65535:
        raise ValidationError(
            f"The port must be a number from 1 to 65535 (PostgreSQL's is {DEFAULT_PORT})."
        )
    if not database:
        raise ValidationError("Enter the database's name (the office's, e.g. claimdesk).")
    if not user:
        raise ValidationError("Enter the database user the office created for ClaimDesk.")
    for text in (host, database, user):
        if any(ord(c) < 32 for c in text):
            raise ValidationError("Server, database and user cannot hold control characters.")
    return ServerConnection(host, number, database, user)


# ---- the saved connection --------------------------------------------------------------------


def saved_connection(data_dir: Path) -> ServerConnection | None:
    """The connection saved for this data folder, or None (this computer's own database)."""
    path = data_dir / SERVER_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise StorageError(_unreadable(path, error)) from None
    try:
        saved = json.loads(text)
        if saved.get("format") != _FORMAT:
            raise ValueError("not ClaimDesk's")
        return ServerConnection(
            host=str(saved["host"]),
            port=int(saved["port"]),
            database=str(saved["database"]),
            user=str(saved["user"]),
            password_place=PasswordPlace(saved.get("password", "none")),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise StorageError(_unreadable(path, error)) from None


def _unreadable(path: Path, error: BaseException) -> str:
    return (
        f"The saved office server connection {path} cannot be read ({error}). Save it again "
        "in Settings ▸ Office server, or run 'claimdesk server forget' to use this computer's "
        "own database."
    )


def saved_database_url(data_dir: Path) -> str | None:
    """The URL of the saved server (its password from the keyring, if kept there), or None."""
    connection = saved_connection(data_dir)
    if connection is None:
        return None
    return connection.url(stored_password(connection))


def save_connection(
    data_dir: Path, connection: ServerConnection, password: str | None
) -> ServerConnection:
    """Save ``connection`` for this data folder, its ``password`` (if any) in the keyring or
    the pgpass file; returns it with where the password went. Without a password, the one
    kept for the same connection before stays where it is."""
    from claimdesk.files import write_atomically
    from claimdesk.private import private_dir

    place = PasswordPlace.NONE
    if password:
        place = store_password(connection, password)
    else:  # the same connection saved again without retyping its password keeps it
        try:
            before = saved_connection(data_dir)
        except StorageError:
            before = None
        if before is not None and before.key == connection.key:
            place = before.password_place
    saved = ServerConnection(
        connection.host, connection.port, connection.database, connection.user, place
    )
    record = {
        "format": _FORMAT,
        "host": saved.host,
        "port": saved.port,
        "database": saved.database,
        "user": saved.user,
        "password": place.value,  # where it is, never what it is
    }
    private_dir(data_dir)
    write_atomically(data_dir / SERVER_FILE, (json.dumps(record, indent=2) + "\n").encode())
    return saved


def forget_connection(data_dir: Path) -> ServerConnection | None:
    """Back to this computer's own database; the saved connection that was forgotten, if any.
    A password in the keyring is removed; the pgpass file is the user's and stays."""
    connection = saved_connection(data_dir)
    if connection is None:
        return None
    (data_dir / SERVER_FILE).unlink(missing_ok=True)
    if connection.password_place is PasswordPlace.KEYRING:
        backend = usable_keyring()
        if backend is not None:
            # Already gone, or the keyring is locked: harmless.
            with contextlib.suppress(Exception):
                backend.delete_password(KEYRING_SERVICE, connection.key)
    return connection


# ---- where the password goes -----------------------------------------------------------------


def usable_keyring() -> Any | None:
    """The system keyring's backend, or None when there is none that keeps secrets safely (a
    headless Linux without a Secret Service, or only a plain-text file backend)."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # A broken keyring configuration: use pgpass
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) < 1:
        return None
    # keyrings.alt's file backends write the password to a file in plain text (or behind a
    # password typed at a terminal): no better than pgpass, and worse for a window.
    if type(backend).__module__.startswith("keyrings.alt"):
        return None
    if getattr(backend, "backends", None) == []:
        return None
    return backend


def store_password(connection: ServerConnection, password: str) -> PasswordPlace:
    """Keep ``password`` in the keyring, else in the pgpass file."""
    backend = usable_keyring()
    if backend is not None:
        try:
            backend.set_password(KEYRING_SERVICE, connection.key, password)
            return PasswordPlace.KEYRING
        except Exception:  # A keyring that is locked or refuses: pgpass then
            pass
    write_pgpass(connection, password)
    return PasswordPlace.PGPASS


def stored_password(connection: ServerConnection) -> str | None:
    """The password kept in the keyring for ``connection``; None when it is kept elsewhere
    (libpq reads the pgpass file itself)."""
    if connection.password_place is not PasswordPlace.KEYRING:
        return None
    backend = usable_keyring()
    if backend is None:
        raise StorageError(
            "The office server's password was saved in the system keyring, which cannot be "
            "reached now. Sign in to your desktop session, or enter the password again in "
            "Settings ▸ Office server."
        )
    try:
        password = backend.get_password(KEYRING_SERVICE, connection.key)
    except Exception as error:  # The keyring's own errors vary by backend
        raise StorageError(
            f"The system keyring did not give the office server's password ({error}). Unlock "
            "the keyring, or enter the password again in Settings ▸ Office server."
        ) from None
    if password is None:
        raise StorageError(
            "The office server's password is no longer in the system keyring. Enter it again "
            "in Settings ▸ Office server (or 'claimdesk server connect')."
        )
    return str(password)


def pgpass_path() -> Path:
    """The password file libpq reads: $PGPASSFILE, else the platform's default."""
    named = os.environ.get("PGPASSFILE")
    if named:
        return Path(named).expanduser()
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home())) / "postgresql" / "pgpass.conf"
    return Path.home() / ".pgpass"


def pgpass_field(text: str) -> str:
    """``text`` as a pgpass field: ':' and '\\' escaped with a backslash."""
    return text.replace("\\", "\\\\").replace(":", "\\:")


def pgpass_line(connection: ServerConnection, password: str) -> str:
    fields = (connection.host, str(connection.port), connection.database, connection.user)
    return ":".join(pgpass_field(f) for f in (*fields, password))


def write_pgpass(connection: ServerConnection, password: str) -> Path:
    """Put the line for ``connection`` in the pgpass file (replacing its old line, keeping
    every other), readable by the user alone: libpq ignores a file others may read."""
    from claimdesk.files import write_atomically

    if "\n" in password or "\r" in password:
        raise ValidationError("A password cannot hold a line break.")
    path = pgpass_path()
    ours = pgpass_line(connection, "")
    kept: list[str] = []
    try:
        existing = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        existing = ""
    except (OSError, UnicodeDecodeError) as error:
        raise StorageError(
            f"The password file {path} cannot be read ({error}); fix or remove it, then save "
            "the connection again."
        ) from None
    for line in existing.splitlines():
        if not line.startswith(ours):  # that host, port, database and user: replaced
            kept.append(line)
    kept.append(pgpass_line(connection, password))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StorageError(f"Cannot create the folder {path.parent}: {error.strerror}.") from None
    write_atomically(path, ("\n".join(kept) + "\n").encode("utf-8"))  # 0600 (files.py)
    if sys.platform != "win32":
        path.chmod(0o600)
    return path


# ---- trying it -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectionCheck:
    """What "Test connection" found: whether ClaimDesk can work there, and a sentence."""

    ok: bool
    message: str


def try_connection(connection: ServerConnection, password: str | None) -> ConnectionCheck:
    """Connect (with ``password``, else whatever libpq finds in pgpass) and say what is there,
    changing nothing."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.pool import NullPool

    from claimdesk.services.accounts import MODE_SETTING
    from claimdesk.storage.db import SCHEMA_HEAD, translate_errors

    engine = create_engine(connection.url(password), poolclass=NullPool, connect_args=_QUICK)
    where = f"{connection.database} on {connection.host}"
    try:
        with translate_errors(), engine.connect() as link:
            version = link.exec_driver_sql("SHOW server_version").scalar()
            has_schema = link.exec_driver_sql(
                "SELECT to_regclass('alembic_version') IS NOT NULL"
            ).scalar()
            revision = mode = None
            if has_schema:
                revision = link.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
                mode = link.exec_driver_sql(
                    "SELECT value FROM settings WHERE name = %(name)s", {"name": MODE_SETTING}
                ).scalar()
    except ClaimDeskError as error:
        return ConnectionCheck(False, str(error))
    except DBAPIError as error:  # anything else the driver says, said as it is
        return ConnectionCheck(False, f"Cannot connect to {where}: {_first_line(error)}")
    finally:
        engine.dispose()
    server = f"PostgreSQL {str(version).split()[0]}"
    if not has_schema:
        return ConnectionCheck(
            False,
            f"Connected to {server}, but {where} is not set up for ClaimDesk yet. On the "
            'server, run: claimdesk --db URL server init (README, "An office server").',
        )
    if mode not in ("office", "personal"):
        return ConnectionCheck(
            False,
            f"Connected to {server}; {where} has ClaimDesk's tables but no accounts yet. Run "
            "'claimdesk --db URL server init' to make its first administrator.",
        )
    newer = revision is not None and str(revision) > SCHEMA_HEAD
    if newer:
        return ConnectionCheck(
            False,
            f"Connected to {server}, but {where} was set up by a newer ClaimDesk: update "
            "ClaimDesk on this computer first.",
        )
    return ConnectionCheck(True, f"Connected to {server}: {where} is ready for ClaimDesk.")


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def check_can_create_tables(url: str) -> None:
    """Before a set-up: the server answers, the password is right, the database holds nothing
    but ClaimDesk's, and its user may create tables there; otherwise an error saying what the
    server's administrator should do."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from claimdesk.storage.db import translate_errors

    engine = create_engine(url, poolclass=NullPool, connect_args=_QUICK)
    try:
        with translate_errors(), engine.connect() as link:
            schema, may_create, user, database = link.exec_driver_sql(
                "SELECT current_schema(), has_schema_privilege(current_schema(), 'CREATE'), "
                "current_user, current_database()"
            ).one()
            if schema is not None:
                others = link.exec_driver_sql(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
                    "AND tablename <> 'alembic_version' AND NOT EXISTS "
                    "(SELECT 1 FROM pg_tables WHERE schemaname = current_schema() "
                    "AND tablename = 'alembic_version')"
                ).scalar_one()
    finally:
        engine.dispose()
    if schema is None:
        raise ValidationError(
            f"The database {database} has no schema its user {user} can use. As the server's "
            f"administrator, run in psql: CREATE SCHEMA claimdesk AUTHORIZATION {user};"
        )
    if others:
        raise ValidationError(
            f"The database {database} already holds {others} tables that are not ClaimDesk's. "
            "Set ClaimDesk up in a database of its own: CREATE DATABASE claimdesk OWNER "
            f"{user};"
        )
    if not may_create:
        raise ValidationError(
            f"The database user {user} may not create tables in {database} (schema {schema}). "
            f"As the server's administrator, run in psql: ALTER DATABASE {database} OWNER TO "
            f"{user}; then, connected to {database}: ALTER SCHEMA {schema} OWNER TO {user};"
        )
