"""Driver-level connections to a SQLite file, plain or encrypted: for copying, checking and
converting whole files (backups, restores, the pre-upgrade copy), where SQLAlchemy's engine is
not the tool. One place decides the driver and sends the key.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, cast

from claimdesk.storage.db import read_only_uri


def connect(
    path: Path,
    key: bytes | None = None,
    *,
    read_only: bool = False,
    timeout: float = 5.0,
) -> sqlite3.Connection:
    """A connection to ``path``: the standard driver for a plain file, SQLCipher (with the raw
    ``key`` sent before anything is read) for an encrypted one."""
    target = read_only_uri(path) if read_only else str(path)
    if key is None:
        return sqlite3.connect(target, uri=read_only, timeout=timeout)
    import sqlcipher3

    from claimdesk.storage.keys import raw_key_pragma

    connection = sqlcipher3.connect(target, uri=read_only, timeout=timeout)
    try:
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(f'PRAGMA key = "{raw_key_pragma(key)}"')
    except BaseException:
        connection.close()
        raise
    # sqlcipher3's connection is the standard module's, built against SQLCipher.
    return cast(sqlite3.Connection, connection)


def errors() -> tuple[type[Exception], ...]:
    """What either driver raises (sqlcipher3 has its own copy of sqlite3's exceptions)."""
    return _driver_exceptions("Error")


def database_errors() -> tuple[type[Exception], ...]:
    return _driver_exceptions("DatabaseError")


def _driver_exceptions(name: str) -> tuple[type[Exception], ...]:
    found: list[type[Exception]] = [getattr(sqlite3, name)]
    try:
        import sqlcipher3
    except ImportError:  # pragma: no cover - a dependency, but plain files work without it
        return tuple(found)
    cipher: Any = sqlcipher3
    found.append(getattr(cipher, name))
    return tuple(found)
