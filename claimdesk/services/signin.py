"""Opening a database for a person: its key (an encrypted SQLite file) and their account.

An encrypted file opens only with the data key, which an account's password (or the recovery
key) unwraps from the key file beside it (storage/keys.py); the account's own password hash
then says who signed in (services/accounts.py). The window does both through here, so it never
reaches into storage, and so does the idle lock: on locking it drops the key
(``forget_key``), and unlocking unwraps it again (``unlock``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from claimdesk.errors import ClaimDeskError, SignInError
from claimdesk.services.accounts import (
    DatabaseMode,
    Principal,
    database_mode,
    set_up_office,
    set_up_personal,
    sign_in,
)

if TYPE_CHECKING:
    from claimdesk.clock import Clock
    from claimdesk.storage import Database


def database_file(database_url: str) -> Path | None:
    """The SQLite file behind ``database_url``, or None (a server, an in-memory database)."""
    url = make_url(database_url)
    name = url.database or ""
    if url.get_backend_name() != "sqlite" or not name or name == ":memory:":
        return None
    if name.startswith("file:"):
        return None
    return Path(name).expanduser()


@dataclass(frozen=True)
class Door:
    """What the sign-in window must ask before anything is opened."""

    path: Path | None  # the SQLite file, if it is one
    exists: bool  # False: a new database is to be made here
    encrypted: bool  # its key must be unwrapped before it opens
    key_accounts: tuple[str, ...]  # the accounts whose password unwraps it


def look_at(database_url: str) -> Door:
    """What is at ``database_url``, read without opening it."""
    path = database_file(database_url)
    if path is None:
        return Door(None, True, False, ())
    return _door(path)


def _door(path: Path) -> Door:
    from claimdesk.storage import keys

    exists = path.exists() and path.stat().st_size > 0
    encrypted = exists and keys.is_encrypted(path)
    names = tuple(keys.names(path)) if encrypted else ()
    return Door(path, exists, encrypted, names)


def open_plain(database_url: str, backup_dir: Path | None = None) -> Database:
    """Open a database that needs no key (a plain SQLite file, a server)."""
    from claimdesk.services import connect

    return connect(database_url, backup_dir=backup_dir)


def open_signed_in(
    database_url: str, name: str | None, password: str, backup_dir: Path | None = None
) -> tuple[Database, Principal]:
    """Unwrap the key of an encrypted file with ``name``'s password, open it and sign in.

    ``name`` may be None when the key file has one account (a personal database)."""
    from claimdesk.services import connect
    from claimdesk.storage import keys

    door = look_at(database_url)
    assert door.path is not None and door.encrypted
    name = _key_account(door, name)
    key = keys.unlock(door.path, name, password)
    db = connect(database_url, backup_dir=backup_dir, key=key)
    try:
        return db, sign_in(db, name, password)
    except BaseException:
        db.dispose()
        raise


def _key_account(door: Door, name: str | None) -> str:
    if name and name.strip():
        wanted = " ".join(name.split())
        for known in door.key_accounts:
            if known.casefold() == wanted.casefold():
                return known
        return wanted
    if len(door.key_accounts) == 1:
        return door.key_accounts[0]
    raise SignInError("Enter your account name to sign in to this office database.")


def create(
    database_url: str,
    *,
    office: bool,
    name: str,
    password: str,
    clock: Clock,
    backup_dir: Path | None = None,
) -> tuple[Database, Principal, str | None]:
    """Make the new database at ``database_url`` and its first account; a SQLite file is made
    encrypted, its key wrapped by ``password``, and the recovery key text is returned (to be
    shown once). A server database is made plain (its encryption is the server's)."""
    from claimdesk.services import connect
    from claimdesk.services.accounts import account_name, checked_password
    from claimdesk.storage import keys

    name = account_name(name)
    checked_password(password)  # before any file is made
    path = database_file(database_url)
    recovery: str | None = None
    key: bytes | None = None
    if path is not None:
        key, recovery = keys.create_key_file(path, name, password)
    try:
        db = connect(database_url, backup_dir=backup_dir, key=key)
    except BaseException:
        if path is not None:
            keys.keyfile_path(path).unlink(missing_ok=True)
        raise
    try:
        set_up = set_up_office if office else set_up_personal
        principal = set_up(db, name, password, clock)
    except BaseException:
        db.dispose()
        raise
    return db, principal, recovery


def set_up_plain(
    db: Database, *, office: bool, name: str, password: str, clock: Clock
) -> Principal:
    """Set up a database already open without a key (one made before sign-in, a server)."""
    set_up = set_up_office if office else set_up_personal
    return set_up(db, name, password, clock)


def forget_key(db: Database) -> bool:
    """Close every connection and drop the data key from memory (the window locked); False
    when there is no key to drop (a plain file, a server)."""
    if db.data_key is None:
        return False
    db.forget_key()
    return True


def unlock(db: Database, name: str | None, password: str) -> Principal:
    """Who ``name`` and ``password`` sign in as; on an encrypted file whose key was dropped,
    the key is unwrapped again with that password and the file reopened."""
    from claimdesk.storage import keys

    path = db.sqlite_path
    if path is not None and db.data_key is None and keys.is_encrypted(path):
        door = _door(path)
        account = _key_account(door, name)
        db.use_key(keys.unlock(path, account, password))
        return sign_in(db, account, password)
    return sign_in(db, name, password)


def reset_with_recovery(
    database_url: str,
    recovery_key: str,
    name: str | None,
    new_password: str,
    backup_dir: Path | None = None,
) -> str:
    """Set a new password for ``name`` (an administrator; on a personal database its one
    account) with the recovery key shown at setup; returns the account's name."""
    from claimdesk.services import Services, connect
    from claimdesk.services.accounts import checked_password
    from claimdesk.storage import keys

    checked_password(new_password, "The new password")
    door = look_at(database_url)
    if door.path is None or not door.encrypted:
        raise ClaimDeskError(
            "This database is not encrypted, so it has no recovery key. Ask an administrator "
            "to set a new password for you ('claimdesk users passwd NAME')."
        )
    key = keys.unlock_with_recovery(door.path, recovery_key)
    db = connect(database_url, backup_dir=backup_dir, key=key)
    try:
        admin = _administrator(db, name)
        services = Services(db, admin)
        services.accounts.change_password(admin.name, new_password)
        keys.change_password(door.path, key, admin.name, new_password)
    finally:
        db.dispose()
    return admin.name


def _administrator(db: Database, name: str | None) -> Principal:
    """The administrator the recovery key resets: ``name``, or a personal database's one."""
    from sqlalchemy import select

    from claimdesk import models
    from claimdesk.models.enums import Role

    personal = database_mode(db) is DatabaseMode.PERSONAL
    with db.read() as session:
        query = select(models.User).where(
            models.User.role == Role.ADMIN, models.User.disabled_at.is_(None)
        )
        if name and not personal:
            query = query.where(models.User.name == " ".join(name.split()))
        user = session.scalars(query.order_by(models.User.id)).first()
        if user is None:
            raise SignInError(
                f"There is no administrator '{name}'. The recovery key resets an "
                "administrator's password: type the name of one."
            )
        return Principal(user.id, user.name, user.role)
