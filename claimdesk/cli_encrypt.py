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
    from claimdesk.cli import shown, user_name
    from claimdesk.storage.encrypt import encrypt_database

    path = sqlite_file(args, paths)
    name = user_name(args)
    password = read_secret(
        PASSWORD_FILE_ENV, f"Choose a password for {shown(name)}: ", confirm=True
    )
    recovery = encrypt_database(path, name, password)
    print(f"Encrypted {shown(path)}; {shown(name)}'s password opens it.")
    print("Recovery key (shown once; print it or write it down and keep it somewhere safe):")
    print(f"    {recovery}")
    print(
        "Without a password or this recovery key the data cannot be recovered. Back up the "
        f"key file {shown(path.name)}.keys together with the database."
    )
    return 0


def sqlite_file(args: argparse.Namespace, paths: AppPaths) -> Path:
    """The SQLite file the command works on (``--db`` or the data folder's)."""
    from sqlalchemy.engine import make_url

    if not args.db:
        return paths.database_file
    url = make_url(str(args.db))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise StorageError(
            "Only a ClaimDesk SQLite file is encrypted by ClaimDesk; a database server's data "
            "is protected by its disk encryption and TLS."
        )
    return Path(url.database).expanduser()


def data_key(args: argparse.Namespace, paths: AppPaths) -> bytes | None:
    """The key of an encrypted database: ``--user``'s password unwraps it; None if plain."""
    from claimdesk.cli import shown, user_name
    from claimdesk.storage import keys

    try:
        path = sqlite_file(args, paths)
    except StorageError:
        return None
    if not keys.is_encrypted(path):
        return None
    name = user_name(args)
    password = read_secret(PASSWORD_FILE_ENV, f"Password for {shown(name)}: ")
    return keys.unlock(path, name, password)


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
