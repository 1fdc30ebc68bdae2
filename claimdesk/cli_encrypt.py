"""Encryption on the command line: ``claimdesk encrypt``, and the keys other commands need.

Passwords never come from the command line (they would sit in the shell's history and in the
process list): from the file named by an environment variable, or typed at a prompt.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimdesk.errors import StorageError, ValidationError
from claimdesk.paths import AppPaths

Handler = Callable[[argparse.Namespace, AppPaths], int]

PASSWORD_FILE_ENV = "CLAIMDESK_PASSWORD_FILE"
BACKUP_PASSWORD_FILE_ENV = "CLAIMDESK_BACKUP_PASSWORD_FILE"
RECOVERY_KEY_FILE_ENV = "CLAIMDESK_RECOVERY_KEY_FILE"


def register(subparsers: Any) -> dict[str, Handler]:
    """Add the ``encrypt`` command to ``claimdesk``'s sub-commands; return its handler."""
    subparsers.add_parser(
        "encrypt",
        help="encrypt the database (a checked copy first; nothing is lost if interrupted)",
        description="Encrypt an unencrypted database in place. The password (read from the "
        f"file named by ${PASSWORD_FILE_ENV}, or typed twice) opens it from then on, and a "
        "recovery key is printed once: print it or write it down and keep it safe. Without "
        "a password or the recovery key the data cannot be recovered by anyone. Close every "
        "ClaimDesk window first.",
    )
    return {"encrypt": cmd_encrypt}


def cmd_encrypt(args: argparse.Namespace, paths: AppPaths) -> int:
    from claimdesk.cli import PASSWORD_FILE_ENV as SIGN_IN_FILE
    from claimdesk.cli import account_typed, open_database_for, read_password, shown
    from claimdesk.services.accounts import sign_in
    from claimdesk.storage import keys
    from claimdesk.storage.encrypt import encrypt_database

    path = sqlite_file(args, paths)
    if keys.is_encrypted(path):
        raise ValidationError(f"{shown(path)} is encrypted already.")
    # The account that signs in here is the one whose password opens the file from now on.
    db = open_database_for(args, paths)
    try:
        typed = account_typed(args)
        who = f" for {shown(typed)}" if typed else ""
        password = read_password(SIGN_IN_FILE, f"Password{who}: ")
        principal = sign_in(db, typed, password)
        others = [a.name for a in _other_accounts(db, principal)]
    finally:
        db.dispose()
    name = principal.name
    recovery = encrypt_database(path, name, password)
    print(f"Encrypted {shown(path)}; {shown(name)}'s password opens it.")
    print("Recovery key (shown once; print it or write it down and keep it somewhere safe):")
    print(f"    {recovery}")
    if others:
        print(
            "The other accounts cannot open it until an administrator sets their passwords "
            "again ('claimdesk users passwd NAME'): " + ", ".join(shown(n) for n in others)
        )
    print(
        "Without a password or this recovery key the data cannot be recovered. Back up the "
        f"key file {shown(path.name)}.keys together with the database."
    )
    return 0


def _other_accounts(db: Any, principal: Any) -> list[Any]:
    """The enabled accounts besides the one encrypting (their keys need their passwords)."""
    from claimdesk.services.accounts import AccountService
    from claimdesk.services.context import ServiceContext

    listed = AccountService(ServiceContext(db, principal)).accounts()
    return [a for a in listed if a.active and a.id != principal.user_id]


def sqlite_file(args: argparse.Namespace, paths: AppPaths) -> Path:
    """The SQLite file the command works on (``--db`` or the data folder's)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if not args.db:
        from claimdesk.services.office_server import saved_connection

        if saved_connection(paths.data_dir) is None:
            return paths.database_file
        raise StorageError(
            "This computer works on the office server (Settings ▸ Office server): a database "
            "server's data is protected by its disk encryption and TLS."
        )
    try:
        url = make_url(str(args.db))
    except ArgumentError:  # --db typed wrong: said as opening it would say it
        from claimdesk.cli import shown

        raise ValidationError(
            f"--db: '{shown(str(args.db)[:80])}' is not a database URL ClaimDesk can open; "
            "write it as sqlite:///path/to/claimdesk.sqlite."
        ) from None
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise StorageError(
            "Only a ClaimDesk SQLite file is encrypted by ClaimDesk; a database server's data "
            "is protected by its disk encryption and TLS."
        )
    return Path(url.database).expanduser()


@dataclass(frozen=True)
class Unlocked:
    """An encrypted database's data key, and the sign-in that unwrapped it."""

    key: bytes
    name: str
    password: str


def unlock_for(args: argparse.Namespace, paths: AppPaths) -> Unlocked | None:
    """The key of an encrypted database, unwrapped by ``--user``'s password (on a personal
    database, its one account's); None when the database is not encrypted."""
    from claimdesk.cli import PASSWORD_FILE_ENV as SIGN_IN_FILE
    from claimdesk.cli import read_password, shown
    from claimdesk.storage import keys

    try:
        path = sqlite_file(args, paths)
    except StorageError:
        return None
    if not keys.is_encrypted(path):
        return None
    name = account_for(args, path)
    password = read_password(SIGN_IN_FILE, f"Password for {shown(name)}: ")
    return Unlocked(keys.unlock(path, name, password), name, password)


def account_for(args: argparse.Namespace, path: Path) -> str:
    """Whose key opens ``path``: ``--user``, or the only account a personal database has."""
    from claimdesk.cli import account_typed
    from claimdesk.storage import keys

    typed = account_typed(args)
    if typed is not None:
        return typed
    names = keys.names(path)
    if len(names) == 1:
        return names[0]
    raise ValidationError(
        "This is an office database: say who you are with --user NAME (or $CLAIMDESK_USER)."
    )


def backup_key(args: argparse.Namespace, backup: Path) -> bytes | None:
    """The key of an encrypted backup made with other keys, from ``--backup-user``'s password
    or the recovery key (``--recovery-key``); None when neither was asked for."""
    from claimdesk.cli import shown
    from claimdesk.storage import keys

    if getattr(args, "recovery_key", False):
        typed = read_secret(RECOVERY_KEY_FILE_ENV, "Recovery key of the backup: ")
        return keys.unlock_with_recovery(backup, typed)
    name = getattr(args, "backup_user", None)
    if name:
        password = read_secret(BACKUP_PASSWORD_FILE_ENV, f"Password for {shown(name)}: ")
        return keys.unlock(backup, name, password)
    return None


def read_secret(env: str, prompt: str, *, confirm: bool = False) -> str:
    """A password from the file named by ``$env``, else typed (twice when ``confirm``)."""
    named = os.environ.get(env)
    if named:
        try:
            text = Path(named).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ValidationError(f"${env}: the file {named} cannot be read ({error}).") from None
        secret = text.rstrip("\r\n")
    else:
        if not sys.stdin.isatty():
            raise ValidationError(
                f"A password is needed: type it at a terminal, or name a file holding it in ${env}."
            )
        secret = getpass.getpass(prompt)
        if confirm and getpass.getpass("Type it again: ") != secret:
            raise ValidationError("The two passwords differ; nothing was changed.")
    if not secret:
        raise ValidationError("The password is empty; nothing was changed.")
    return secret
