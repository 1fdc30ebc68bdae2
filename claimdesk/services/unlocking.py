"""Opening an encrypted database from a sign-in: what the window asks before any database is
open, and the recovery key's password reset. The keys themselves are storage/keys.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from claimdesk import models
from claimdesk.errors import SignInError
from claimdesk.models.enums import Role
from claimdesk.services import connect
from claimdesk.services.accounts import AccountService, Principal
from claimdesk.services.context import ServiceContext

if TYPE_CHECKING:
    from claimdesk.clock import Clock
    from claimdesk.storage import Database


@dataclass(frozen=True)
class EncryptedFile:
    """An encrypted SQLite database, and the accounts whose passwords open it."""

    path: Path
    holders: list[str]

    @property
    def one_account(self) -> str | None:
        """The name to sign in with when only one account can (a personal database)."""
        return self.holders[0] if len(self.holders) == 1 else None


def encrypted_file(database_url: str) -> EncryptedFile | None:
    """The encrypted SQLite file ``database_url`` names; None when it is not encrypted (or not
    a SQLite file: a server's encryption at rest is its own)."""
    from claimdesk.storage import keys

    url = make_url(database_url)
    name = url.database or ""
    if url.get_backend_name() != "sqlite" or not name or name == ":memory:":
        return None
    if name.startswith("file:"):
        return None
    path = Path(name).expanduser()
    if not keys.is_encrypted(path):
        return None
    return EncryptedFile(path, keys.names(path))


def open_encrypted(
    database_url: str,
    name: str | None,
    password: str,
    *,
    backup_dir: Path | None = None,
) -> Database:
    """The encrypted database opened with the key ``name``'s password unwraps (``name`` None:
    its one account's); a WrongPasswordError saying what to do if it does not."""
    from claimdesk.storage import keys

    found = encrypted_file(database_url)
    assert found is not None, "open_encrypted is for an encrypted file"
    who = name or found.one_account
    if not who:
        raise SignInError("Enter your account name to sign in to this office database.")
    key = keys.unlock(found.path, who, password)
    return connect(database_url, backup_dir=backup_dir, key=key)


def open_with_recovery(
    database_url: str, recovery_key: str, *, backup_dir: Path | None = None
) -> Database:
    """The encrypted database opened with the recovery key printed at setup."""
    from claimdesk.storage import keys

    found = encrypted_file(database_url)
    assert found is not None, "open_with_recovery is for an encrypted file"
    key = keys.unlock_with_recovery(found.path, recovery_key)
    return connect(database_url, backup_dir=backup_dir, key=key)


def encrypt_at_setup(
    db: Database, principal: Principal, password: str, *, backup_dir: Path | None = None
) -> tuple[Database, str]:
    """Encrypt a database just set up, its first account's ``password`` opening it (the
    same checked conversion as File ▸ Encrypt). Returns the database opened again with its
    key, and the recovery key to show once. ``db`` is closed for good."""
    from claimdesk.paths import sqlite_url
    from claimdesk.storage import keys
    from claimdesk.storage.encrypt import encrypt_database

    path = db.sqlite_path
    assert path is not None, "a SQLite file is encrypted at set-up"
    with db.set_aside("The database is being encrypted; this takes a moment."):
        recovery = encrypt_database(path, principal.name, password)
    db.dispose()
    key = keys.unlock(path, principal.name, password)
    return connect(sqlite_url(path), backup_dir=backup_dir, key=key), recovery


def check_recovery_key(found: EncryptedFile, recovery_key: str) -> None:
    """Raise WrongPasswordError unless ``recovery_key`` is the file's (when it is open already)."""
    from claimdesk.storage import keys

    keys.unlock_with_recovery(found.path, recovery_key)


def reset_with_recovery(
    db: Database, name: str | None, new_password: str, clock: Clock | None = None
) -> Principal:
    """Give the administrator ``name`` (None: a personal database's one account) a new
    password, on a database opened with its recovery key; its key is re-wrapped with it."""
    from claimdesk.storage import keys

    admin = _administrator(db, name)
    AccountService(ServiceContext(db, admin, clock)).change_password(admin.name, new_password)
    path = db.sqlite_path
    if path is not None and db.data_key is not None:
        keys.add_account(path, db.data_key, admin.name, new_password)
    return admin


def _administrator(db: Database, name: str | None) -> Principal:
    users = models.User
    with db.read() as session:
        query = select(users).where(users.password_hash.is_not(None), users.disabled_at.is_(None))
        if name:
            wanted = " ".join(name.split())
            query = query.where(func.lower(users.name) == wanted.lower())
        found = session.scalars(query.order_by(users.id)).all()
        admins = [u for u in found if u.role == Role.ADMIN]
        if len(admins) != 1:
            who = f"'{name}'" if name else "this database's"
            raise SignInError(
                f"The recovery key resets an administrator's password; {who} is not an "
                "administrator's account. Check the name."
            )
        user = admins[0]
        return Principal(user.id, user.name, Role(user.role))
