"""Converting an unencrypted database into an encrypted one, with nothing lost if interrupted.

The steps (each one leaves a state the next start recognises, see ``finish_interrupted``):

1. ``sqlcipher_export`` the plain file into ``NAME.encrypting`` under a new data key, holding
   the write lock so nothing changes meanwhile; its key file goes to ``NAME.encrypting.keys``.
2. Verify the copy: SQLCipher's integrity checks and the row count of every table, equal to
   the plain file's.
3. Give the plain file a second name, ``NAME.unencrypted`` (a hard link: no data is copied).
4. Rename the encrypted copy over ``NAME`` (atomic), then its key file to ``NAME.keys``.
5. Overwrite the plain file's bytes with zeros and remove it.

Interrupted before 4, the plain database is untouched and the leftovers are removed; between
the two renames of 4, the next open finishes the second rename; during 5, the next open wipes
what is left. Overwriting is as good as the disk allows: on an SSD or a copy-on-write file
system old blocks can survive (docs/architecture.md, "Encryption at rest").
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from claimdesk.errors import StorageError
from claimdesk.private import private_file
from claimdesk.storage import keys, sqlfile

log = logging.getLogger(__name__)

ENCRYPTING = ".encrypting"
UNENCRYPTED = ".unencrypted"
_WIPE_CHUNK = 1 << 20

# Called after each step with its name; tests stop the conversion there, as a crash would.
after_step: Callable[[str], None] = lambda _step: None  # noqa: E731


def encrypting_path(path: Path) -> Path:
    return path.with_name(path.name + ENCRYPTING)


def unencrypted_path(path: Path) -> Path:
    return path.with_name(path.name + UNENCRYPTED)


def encrypt_database(path: Path, name: str, password: str) -> str:
    """Encrypt the unencrypted database ``path`` in place; ``name``'s password opens it.

    Returns the recovery key (to be shown once). The database must not be open elsewhere.
    """
    finish_interrupted(path)
    state = keys.has_plain_header(path)
    if state is None:
        raise StorageError(f"There is no database at {path} to encrypt.")
    if state is False or keys.keyfile_path(path).exists():
        raise StorageError(f"{path.name} is encrypted already.")
    _check_not_in_use(path)
    copy = encrypting_path(path)
    data_key = keys.new_data_key()
    try:
        export_encrypted(path, copy, data_key)
        after_step("exported")
        verify_copy(path, copy, data_key)
        after_step("verified")
        recovery = keys.write_key_file(copy, data_key, name, password)
        after_step("key file written")
    except Exception:
        _discard(copy)
        raise
    try:
        _check_not_in_use(path)  # again: a window may have opened it while the copy was checked
    except Exception:
        _discard(copy)
        raise
    plain: Path | None = unencrypted_path(path)
    assert plain is not None
    plain.unlink(missing_ok=True)
    try:
        os.link(path, plain)
    except OSError:
        plain = None  # a file system without hard links: the plain file is only removed
    after_step("plain file kept")
    try:
        os.replace(copy, path)
    except OSError as error:
        _discard(copy)
        if plain is not None:
            plain.unlink(missing_ok=True)
        raise StorageError(
            f"The encrypted copy could not replace {path.name} ({error.strerror}); the "
            "database is unchanged and still unencrypted."
        ) from error
    after_step("encrypted file in place")
    _install_key_file(path)
    after_step("key file in place")
    if plain is not None:
        wipe(plain)
    log.info("encrypted the database %s", path.name)
    return recovery


def export_encrypted(source: Path, destination: Path, key: bytes) -> None:
    """Write an encrypted copy of the plain database ``source`` to ``destination`` (new)."""
    import sqlcipher3

    destination.unlink(missing_ok=True)
    private_file(destination)  # 0600 before SQLCipher writes a byte of it
    try:
        # sqlcipher3 reads a plain file like the standard driver does.
        connection = sqlcipher3.connect(str(source), timeout=30, isolation_level=None)
        try:
            connection.execute("PRAGMA cipher_log_level = NONE")
            connection.execute(
                "ATTACH DATABASE ? AS encrypted KEY ?",
                (str(destination), keys.raw_key_pragma(key)),
            )
            # The write lock for the whole export: no other window changes the file meanwhile.
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("SELECT sqlcipher_export('encrypted')")
            connection.execute("COMMIT")
            connection.execute("DETACH DATABASE encrypted")
        finally:
            connection.close()
    except sqlcipher3.Error as error:
        destination.unlink(missing_ok=True)
        raise StorageError(
            f"The encrypted copy could not be written ({error}); the database is unchanged. "
            "Check there is free space beside it (as much again as its size)."
        ) from error


def verify_copy(source: Path, copy: Path, key: bytes) -> None:
    """Raise StorageError unless ``copy`` opens with ``key``, is intact and holds as many rows
    in every table as ``source``."""
    # Read-write, not read-only: the last connection to a WAL database removes its -wal and
    # -shm files on closing, which a read-only one cannot; left over, they would sit beside
    # the encrypted file that takes this one's name.
    plain = sqlite3.connect(source, timeout=30)
    try:
        expected = _row_counts(plain)
    finally:
        plain.close()
    encrypted = sqlfile.connect(copy, key, read_only=True)
    try:
        problems = encrypted.execute("PRAGMA cipher_integrity_check").fetchall()
        integrity = encrypted.execute("PRAGMA integrity_check").fetchone()[0]
        found = _row_counts(encrypted)
    finally:
        encrypted.close()
    if problems or integrity != "ok":
        raise StorageError(
            "The encrypted copy did not check out, so the database was left unencrypted and "
            "unchanged. Try again; if it happens again, check the disk."
        )
    if found != expected:
        differing = sorted(
            t for t in expected.keys() | found.keys() if expected.get(t) != found.get(t)
        )
        raise StorageError(
            f"The encrypted copy does not hold every row (table {differing[0]}), so the "
            "database was left unencrypted and unchanged. Please report this."
        )


def _row_counts(connection: sqlite3.Connection) -> dict[str, int]:
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        )
    ]
    counts: dict[str, int] = {}
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        counts[table] = int(connection.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0])
    return counts


def finish_interrupted(path: Path) -> None:
    """Finish or undo a conversion of ``path`` that was interrupted (see the module's steps)."""
    copy = encrypting_path(path)
    copy_keys = keys.keyfile_path(copy)
    plain = unencrypted_path(path)
    if not (copy.exists() or copy_keys.exists() or plain.exists()):
        return
    if copy.exists():
        # Stopped before the swap: the plain database is whole; the copy is dropped.
        _discard(copy)
    elif copy_keys.exists() and keys.has_plain_header(path) is False:
        _install_key_file(path)  # stopped between the two renames
    else:
        copy_keys.unlink(missing_ok=True)
    if plain.exists():
        if keys.has_plain_header(path) is False and not _same_file(plain, path):
            wipe(plain)  # the encrypted file is in place: the plain one must go
        else:
            plain.unlink()  # a second name of the live, still plain file: only the name goes


def _install_key_file(path: Path) -> None:
    copy_keys = keys.keyfile_path(encrypting_path(path))
    try:
        os.replace(copy_keys, keys.keyfile_path(path))
        keys.sync_folder(path.parent)
    except OSError as error:
        raise StorageError(
            f"The key file could not be put beside the database ({error.strerror}). It is "
            f"kept as {copy_keys.name}; rename it to {keys.keyfile_path(path).name}."
        ) from error


def wipe(path: Path) -> None:
    """Overwrite ``path`` with zeros, sync, then remove it."""
    try:
        size = path.stat().st_size
        with path.open("r+b") as handle:
            zeros = bytes(_WIPE_CHUNK)
            written = 0
            while written < size:
                step = min(_WIPE_CHUNK, size - written)
                handle.write(zeros[:step])
                written += step
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        log.warning("could not overwrite the unencrypted copy before removing it: %s", error)
    path.unlink(missing_ok=True)


def _discard(copy: Path) -> None:
    for leftover in (copy, keys.keyfile_path(copy)):
        leftover.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm", "-journal"):
        copy.with_name(copy.name + suffix).unlink(missing_ok=True)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _check_not_in_use(path: Path) -> None:
    """Refuse while another program has the database open: its writes would go to the plain
    file after the swap and be lost. The last connection to close removes the WAL, so a WAL
    still there after ours closes is another program's."""
    connection = sqlite3.connect(path, timeout=30)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        connection.close()
    if path.with_name(path.name + "-wal").exists():
        raise StorageError(
            "The database is open in another ClaimDesk window or program. Close it and "
            "encrypt again; nothing was changed."
        )
