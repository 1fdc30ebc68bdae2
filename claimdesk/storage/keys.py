"""The data key of an encrypted database, and the key file that keeps it wrapped.

A random 256-bit data key encrypts the SQLite file (SQLCipher, given as a raw key so opening a
connection runs no key derivation). The key file beside the database (``NAME.sqlite.keys``)
holds nothing but copies of that key, each wrapped with AES-256-GCM under a key derived from a
secret by argon2id: one copy per account (its password) and one for the recovery key shown at
setup. Any account's password therefore opens the office's file, changing a password re-wraps
one copy and re-encrypts nothing, and removing an account destroys its copy.

The format is described in docs/architecture.md ("Encryption at rest"). On PostgreSQL none of
this applies: encryption at rest there is the server's disk and TLS.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimdesk.errors import KeyFileError, NotFoundError, WrongPasswordError
from claimdesk.private import open_private, private_dir

KEYFILE_SUFFIX = ".keys"
SQLITE_MAGIC = b"SQLite format 3\x00"
DATA_KEY_BYTES = 32
_SMALLEST_PAGE = 512  # SQLite's (and SQLCipher's) smallest page size
FORMAT = "claimdesk-keys"
VERSION = 1
RECOVERY = "recovery"
# Crockford's base32: no I, L, O or U, so a recovery key read aloud or typed cannot be misread.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RECOVERY_BYTES = 20  # 160 bits: 32 characters, typed as 8 groups of 4
_RECOVERY_GROUP = 4


@dataclass(frozen=True)
class KdfParameters:
    """argon2id's cost; stored with each wrapped key, so raising it later breaks no key file."""

    # 64 MiB per guess (what makes guessing costly on a GPU), one pass: 0.1-0.2 s on a busy
    # two-core machine, so sign-in plus open stays within issue 14's +250 ms
    # (docs/performance.md). OWASP's argon2id floor is 46 MiB for one pass.
    time_cost: int = 1
    memory_cost: int = 65_536  # KiB
    parallelism: int = 4


# New wraps use these; tests lower them (a key file records what each copy was wrapped with).
KDF = KdfParameters()


def keyfile_path(db_path: Path) -> Path:
    """The key file of the database ``db_path``: ``claimdesk.sqlite.keys`` beside it."""
    return db_path.with_name(db_path.name + KEYFILE_SUFFIX)


def has_plain_header(db_path: Path) -> bool | None:
    """True for a plain SQLite file, False for an encrypted one, None if empty or missing."""
    try:
        with db_path.open("rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        return None
    except OSError:
        return None
    if not header:
        return None
    return header == SQLITE_MAGIC


def is_encrypted(db_path: Path) -> bool:
    """Whether ``db_path`` is (or, new and still empty, is to be) an encrypted database.

    A key file beside it says so; so does content that is not plain SQLite but is whole pages
    of it (an encrypted file whose key file was lost is still encrypted; a letter saved under
    the database's name is not).
    """
    finish_conversion(db_path)
    if keyfile_path(db_path).exists():
        return True
    if has_plain_header(db_path) is not False:
        return False
    size = db_path.stat().st_size
    return size % _SMALLEST_PAGE == 0


_CONVERSION_LEFTOVERS = (".encrypting", ".encrypting.keys", ".unencrypted")


def finish_conversion(db_path: Path) -> None:
    """Finish or undo an interrupted ``claimdesk encrypt`` of ``db_path`` (storage/encrypt.py):
    whoever looks at the file first, sign-in or open, finds it whole."""
    if any(db_path.with_name(db_path.name + end).exists() for end in _CONVERSION_LEFTOVERS):
        from claimdesk.storage.encrypt import finish_interrupted

        finish_interrupted(db_path)


def new_data_key() -> bytes:
    return secrets.token_bytes(DATA_KEY_BYTES)


def create_key_file(db_path: Path, name: str, password: str) -> tuple[bytes, str]:
    """Make a new data key and the key file for ``db_path``, opened by ``name``'s password.

    Returns the data key and the recovery key text (to be shown once). Refuses to replace an
    existing key file: its data key would be lost, and the database with it.
    """
    path = keyfile_path(db_path)
    if path.exists():
        raise KeyFileError(
            f"{path.name} already exists beside the database; it holds the keys of the "
            "existing encrypted database and was not replaced."
        )
    data_key = new_data_key()
    return data_key, write_key_file(db_path, data_key, name, password)


def write_key_file(db_path: Path, data_key: bytes, name: str, password: str) -> str:
    """A key file for ``db_path`` wrapping an existing ``data_key``; returns a new recovery key.

    For a database just encrypted (``claimdesk encrypt``); replaces any key file there.
    """
    recovery = new_recovery_key()
    _write(
        keyfile_path(db_path),
        {
            "accounts": {_account(name): _wrap(data_key, _password(password), _aad(name))},
            RECOVERY: _wrap(data_key, _recovery_secret(recovery), _aad(RECOVERY)),
        },
    )
    return recovery


def unlock(db_path: Path, name: str, password: str) -> bytes:
    """The data key, unwrapped with ``name``'s password; WrongPasswordError if it is not right."""
    content = _read(db_path)
    name = _stored_name(content["accounts"], name)
    entry = content["accounts"].get(name)
    if entry is None:
        raise WrongPasswordError(
            f"The password for {name} is not right, or {name} has no key to this database. "
            "Check the name and the password (capitals matter), or use the recovery key."
        )
    key = _unwrap(entry, _password(password), _aad(name))
    if key is None:
        raise WrongPasswordError(
            f"The password for {name} is not right. Type it again (capitals matter), or ask "
            "an administrator to reset it; the recovery key opens the database too."
        )
    return key


def _stored_name(accounts: dict[str, Any], typed: str) -> str:
    """The account name as the key file has it: as typed, else the one name that differs
    only in case and spacing (sign-in finds accounts the same way)."""
    wanted = _account(" ".join(typed.split()))
    if wanted in accounts:
        return wanted
    folded = [n for n in accounts if n.casefold() == wanted.casefold()]
    return folded[0] if len(folded) == 1 else wanted


def unlock_with_recovery(db_path: Path, recovery_key: str) -> bytes:
    """The data key, unwrapped with the recovery key shown at setup."""
    content = _read(db_path)
    key = _unwrap(content[RECOVERY], _recovery_secret(recovery_key), _aad(RECOVERY))
    if key is None:
        raise WrongPasswordError(
            "That recovery key is not right. Type it as it was printed at setup (groups of "
            "four letters and digits; dashes and spaces do not matter)."
        )
    return key


def add_account(db_path: Path, data_key: bytes, name: str, password: str) -> None:
    """Give ``name`` a copy of the data key, wrapped by its password (replacing any it had)."""
    with _updating(db_path):
        content = _read(db_path)
        content["accounts"][_account(name)] = _wrap(data_key, _password(password), _aad(name))
        _write(keyfile_path(db_path), content)


def change_password(db_path: Path, data_key: bytes, name: str, new_password: str) -> None:
    """Re-wrap ``name``'s copy of the data key with a new password; nothing is re-encrypted."""
    with _updating(db_path):
        content = _read(db_path)
        if _account(name) not in content["accounts"]:
            raise NotFoundError(f"{name} has no key to this database; add the account first.")
        content["accounts"][_account(name)] = _wrap(data_key, _password(new_password), _aad(name))
        _write(keyfile_path(db_path), content)


def remove_account(db_path: Path, name: str) -> None:
    """Destroy ``name``'s wrapped copy of the data key: its password opens nothing any more."""
    with _updating(db_path):
        content = _read(db_path)
        if content["accounts"].pop(_account(name), None) is not None:
            _write(keyfile_path(db_path), content)


def new_recovery(db_path: Path, data_key: bytes) -> str:
    """Replace the recovery key (the old one opens nothing any more); returns the new one."""
    with _updating(db_path):
        content = _read(db_path)
        recovery = new_recovery_key()
        content[RECOVERY] = _wrap(data_key, _recovery_secret(recovery), _aad(RECOVERY))
        _write(keyfile_path(db_path), content)
        return recovery


def names(db_path: Path) -> list[str]:
    """The accounts whose password opens the database, sorted."""
    return sorted(_read(db_path)["accounts"])


def copy_key_file(db_path: Path, destination_db: Path) -> Path:
    """Copy ``db_path``'s key file to be ``destination_db``'s (written atomically)."""
    content = _read(db_path)
    target = keyfile_path(destination_db)
    _write(target, content)
    return target


def raw_key_pragma(data_key: bytes) -> str:
    """SQLCipher's raw-key form: the key is used as is, with no key derivation."""
    if len(data_key) != DATA_KEY_BYTES:
        raise ValueError("a data key is 32 bytes")
    return f"x'{data_key.hex()}'"


# --- recovery keys ------------------------------------------------------------------------


def new_recovery_key() -> str:
    """A random recovery key a person can type: 8 groups of 4 characters."""
    number = int.from_bytes(secrets.token_bytes(_RECOVERY_BYTES), "big")
    chars = []
    for _ in range(_RECOVERY_BYTES * 8 // 5):
        number, digit = divmod(number, 32)
        chars.append(_ALPHABET[digit])
    text = "".join(chars)
    return "-".join(text[i : i + _RECOVERY_GROUP] for i in range(0, len(text), _RECOVERY_GROUP))


def _recovery_secret(text: str) -> bytes:
    """The recovery key as typed, normalised: case, spaces and dashes do not matter, and the
    letters people confuse with digits (O, I, L) count as those digits."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t\n")
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    return cleaned.encode("ascii", "replace")


# --- wrapping -------------------------------------------------------------------------------


def _password(password: str) -> bytes:
    # NFC: the same password typed on macOS (decomposed accents) and on Windows opens the file.
    return unicodedata.normalize("NFC", password).encode("utf-8")


def _account(name: str) -> str:
    return unicodedata.normalize("NFC", name.strip())


def _aad(name: str) -> bytes:
    # Binds each copy to whom it belongs: a copy moved to another name does not unwrap.
    return b"claimdesk-data-key:" + _account(name).encode("utf-8")


def _derive(secret: bytes, salt: bytes, kdf: KdfParameters) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(
        secret,
        salt,
        time_cost=kdf.time_cost,
        memory_cost=kdf.memory_cost,
        parallelism=kdf.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def _wrap(data_key: bytes, secret: bytes, aad: bytes) -> dict[str, Any]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    kdf = KDF
    wrapped = AESGCM(_derive(secret, salt, kdf)).encrypt(nonce, data_key, aad)
    return {
        "kdf": "argon2id",
        "time_cost": kdf.time_cost,
        "memory_cost": kdf.memory_cost,
        "parallelism": kdf.parallelism,
        "salt": _b64(salt),
        "cipher": "aes-256-gcm",
        "nonce": _b64(nonce),
        "wrapped_key": _b64(wrapped),
    }


def _unwrap(entry: dict[str, Any], secret: bytes, aad: bytes) -> bytes | None:
    """The data key, or None when ``secret`` is not the one it was wrapped with."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    kdf = KdfParameters(
        int(entry["time_cost"]), int(entry["memory_cost"]), int(entry["parallelism"])
    )
    key = _derive(secret, _unb64(entry["salt"]), kdf)
    try:
        data_key = AESGCM(key).decrypt(_unb64(entry["nonce"]), _unb64(entry["wrapped_key"]), aad)
    except InvalidTag:
        return None
    if len(data_key) != DATA_KEY_BYTES:
        return None
    return data_key


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


# --- the file -------------------------------------------------------------------------------


def _read(db_path: Path) -> dict[str, Any]:
    finish_conversion(db_path)
    path = keyfile_path(db_path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise KeyFileError(
            f"The key file {path.name} is missing from {path.parent}. It holds the keys that "
            "open the encrypted database: put it back beside the database (from the backup "
            "it was saved with). Without it the database cannot be opened."
        ) from None
    except OSError as error:
        raise KeyFileError(f"The key file {path} cannot be read: {error.strerror}.") from None
    try:
        content = json.loads(raw.decode("utf-8"))
        if content.get("format") != FORMAT:
            raise ValueError("not a ClaimDesk key file")
        if int(content.get("version", 0)) > VERSION:
            raise KeyFileError(
                f"The key file {path.name} was written by a newer ClaimDesk; install the "
                "newer version to open this database."
            )
        accounts = content["accounts"]
        entries = [*accounts.values(), content[RECOVERY]]
        if not isinstance(accounts, dict):
            raise ValueError("accounts")
        for entry in entries:
            _check_entry(entry)
    except KeyFileError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise KeyFileError(
            f"The key file {path.name} is damaged, so the encrypted database cannot be "
            "opened. Put back the copy saved with your latest backup (a backup's key file "
            "is named like the backup, with .keys added)."
        ) from None
    return {"accounts": dict(accounts), RECOVERY: content[RECOVERY]}


def _check_entry(entry: Any) -> None:
    if not isinstance(entry, dict) or entry.get("kdf") != "argon2id":
        raise ValueError("entry")
    if entry.get("cipher") != "aes-256-gcm":
        raise ValueError("cipher")
    for field in ("time_cost", "memory_cost", "parallelism"):
        if not isinstance(entry.get(field), int) or entry[field] < 1:
            raise ValueError(field)
    for field in ("salt", "nonce", "wrapped_key"):
        _unb64(entry[field])


@contextmanager
def _updating(db_path: Path) -> Iterator[None]:
    """Hold the key file's lock while it is read, changed and written back: two programs
    adding accounts at once would otherwise each write the file without the other's copy.
    The lock is on a file of its own beside it (the key file itself is replaced by a rename,
    so a lock on it would be on the old file)."""
    lock = keyfile_path(db_path).with_name("." + keyfile_path(db_path).name + ".lock")
    try:
        private_dir(lock.parent)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise KeyFileError(
            f"The key file beside {db_path.name} cannot be changed ({error.strerror}). Check "
            "that you may write to its folder."
        ) from error
    try:
        _lock(fd)
        yield
    finally:
        os.close(fd)  # closing releases the lock


if sys.platform != "win32":
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

else:  # pragma: no cover - Windows
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # retries for about 10 s


def _write(path: Path, content: dict[str, Any]) -> None:
    """Write the key file whole or not at all: a temp file, synced, renamed over the old one."""
    document = {"format": FORMAT, "version": VERSION, **content}
    data = (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("utf-8")
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    try:
        private_dir(path.parent)
        fd = open_private(partial)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(partial, path)
        sync_folder(path.parent)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise KeyFileError(
            f"The key file {path} could not be written ({error.strerror}); the previous "
            "one, if any, is unchanged. Check there is free space and try again."
        ) from error


def sync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX); Windows has no directory handles to sync."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
