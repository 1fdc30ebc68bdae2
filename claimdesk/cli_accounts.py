"""The ``setup`` and ``users`` commands: set a database up, and manage an office's accounts.

Passwords never appear on the command line: a new one is read from the file named by
``$CLAIMDESK_NEW_PASSWORD_FILE`` or typed twice at a prompt; the signing-in one as for every
command (``$CLAIMDESK_PASSWORD_FILE`` or a prompt).
"""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Callable
from pathlib import Path
from typing import Any

from claimdesk import cli
from claimdesk.cli import (
    NEW_PASSWORD_FILE_ENV,
    PASSWORD_FILE_ENV,
    _services,
    account_typed,
    read_password,
    shown,
)
from claimdesk.errors import StorageError, ValidationError
from claimdesk.models.enums import Role
from claimdesk.paths import AppPaths

Handler = Callable[[argparse.Namespace, AppPaths], int]

ROLES = [role.value for role in Role]


def register(subparsers: Any) -> dict[str, Handler]:
    """Add ``setup`` and ``users`` to ``claimdesk``'s sub-commands; return their handlers."""
    setup = subparsers.add_parser(
        "setup",
        help="set a new database up: personal (one person) or office (accounts with roles)",
        description="A personal database has one account, signed in with its password alone. "
        "An office database's first account (--user) is its administrator, who adds the others "
        "with 'claimdesk users add'. The password is read from the file named by "
        "$CLAIMDESK_NEW_PASSWORD_FILE, or typed twice.",
    )
    kind = setup.add_mutually_exclusive_group(required=True)
    kind.add_argument("--personal", action="store_true", help="one person's own cases")
    kind.add_argument("--office", action="store_true", help="an office: accounts and roles")
    setup.add_argument("--display-name", metavar="TEXT", help="the name shown for the account")
    # 'claimdesk setup --office --user NAME' reads as well as 'claimdesk --user NAME setup';
    # SUPPRESS keeps a --user given before the command when none is given after it.
    setup.add_argument(
        "--user",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="the first account's name (the administrator of an office)",
    )

    users = subparsers.add_parser(
        "users", help="an office's accounts (administrators): list, add, disable, passwd"
    )
    actions = users.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="list the accounts, disabled ones too")
    add = actions.add_parser(
        "add", help="add an account (its password from $CLAIMDESK_NEW_PASSWORD_FILE or typed)"
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--display-name", metavar="TEXT")
    disable = actions.add_parser(
        "disable", help="disable an account for good (what it did stays attributed to it)"
    )
    disable.add_argument("name", metavar="NAME")
    passwd = actions.add_parser(
        "passwd",
        help="a new password for an account: your own, or (administrators) anyone's",
    )
    passwd.add_argument("name", metavar="NAME")
    role = actions.add_parser("role", help="give an account another role")
    role.add_argument("name", metavar="NAME")
    role.add_argument("--role", required=True, choices=ROLES)
    recover = actions.add_parser(
        "recover",
        help="a new password for an administrator of an encrypted database, with its recovery "
        "key (from the file named by $CLAIMDESK_RECOVERY_KEY_FILE, or typed)",
    )
    recover.add_argument("name", metavar="NAME", nargs="?", help="(not on a personal database)")
    policy = actions.add_parser(
        "only-assigned",
        help="whether caseworkers see and change only the cases assigned to them",
    )
    policy.add_argument("setting", choices=["on", "off"])
    return {"setup": cmd_setup, "users": cmd_users}


def cmd_setup(args: argparse.Namespace, paths: AppPaths) -> int:
    """Set the database up; an SQLite file ends encrypted, its recovery key printed once."""
    from claimdesk.cli_encrypt import sqlite_file
    from claimdesk.services.accounts import account_name, checked_password
    from claimdesk.storage import keys

    name = account_typed(args)
    if args.office and name is None:
        raise ValidationError("Name the office's first account (its administrator) with --user.")
    account = account_name(name or _login_name(), "--user")
    try:
        path: Path | None = sqlite_file(args, paths)
    except StorageError:
        path = None  # a database server: encrypted at rest by its own disk and TLS
    if path is not None and keys.is_encrypted(path):
        raise ValidationError(_ALREADY_SET_UP)
    if path is not None and keys.has_plain_header(path) is None:
        # A new file: made encrypted from its first byte, so no plain copy ever exists.
        password = checked_password(
            read_password(NEW_PASSWORD_FILE_ENV, "New password: ", confirm=True)
        )
        data_key, recovery = keys.create_key_file(path, account, password)
        try:
            db = cli.open_database_for(args, paths, data_key)
            try:
                _set_up(args, db, account, password)
            finally:
                db.dispose()
        except BaseException:
            _remove_new_database(path)
            raise
        _show_recovery_key(recovery, path)
        return 0
    db = cli.open_database_for(args, paths)
    try:
        _refuse_if_set_up(db)
        password = checked_password(
            read_password(NEW_PASSWORD_FILE_ENV, "New password: ", confirm=True)
        )
        principal = _set_up(args, db, account, password)
    finally:
        db.dispose()
    if path is not None:
        # A file that was there before (made by an earlier ClaimDesk): encrypted now, through
        # a verified copy, as 'claimdesk encrypt' does.
        from claimdesk.storage.encrypt import encrypt_database

        _show_recovery_key(encrypt_database(path, principal.name, password), path)
    return 0


_ALREADY_SET_UP = (
    "This database is already set up; sign in to it (--user, and the password). An "
    "administrator adds accounts with 'claimdesk users add'."
)


def _refuse_if_set_up(db: Any) -> None:
    from claimdesk.services.accounts import DatabaseMode, database_mode

    if database_mode(db) is not DatabaseMode.NEW:
        raise ValidationError(_ALREADY_SET_UP)


def _set_up(args: argparse.Namespace, db: Any, account: str, password: str) -> Any:
    from claimdesk.clock import SystemClock
    from claimdesk.services.accounts import existing_accounts, set_up_office, set_up_personal

    _refuse_if_set_up(db)
    kept = existing_accounts(db)
    if args.personal:
        principal = set_up_personal(db, account, password, SystemClock())
        print(
            "This is now a personal database; sign in with your password alone "
            f"(the account is {shown(principal.name)})."
        )
    else:
        principal = set_up_office(
            db, account, password, SystemClock(), display_name=args.display_name
        )
        print(
            f"This is now an office database; {shown(principal.name)} is its administrator. "
            "Add the others with 'claimdesk users add NAME --role caseworker'."
        )
    if kept:
        print(
            f"The work already in it is kept, attributed as before ({len(kept)} "
            f"{'account' if len(kept) == 1 else 'accounts'})."
        )
    return principal


def _show_recovery_key(recovery: str, path: Path) -> None:
    print(f"The database is encrypted: {shown(path)}.")
    print("Recovery key (shown only now; print it or write it down and keep it somewhere safe):")
    print(f"    {recovery}")
    print(
        "It opens the database if every administrator's password is forgotten. Without a "
        "password or this recovery key the data cannot be recovered, by anyone. Back up the key "
        f"file {shown(path.name)}.keys together with the database."
    )


def _remove_new_database(path: Path) -> None:
    """Undo a set-up that failed halfway: the file it had just made, and its key file."""
    from claimdesk.storage import keys

    for leftover in (
        path,
        path.with_name(path.name + "-wal"),
        path.with_name(path.name + "-shm"),
        keys.keyfile_path(path),
    ):
        leftover.unlink(missing_ok=True)


def _login_name() -> str:
    try:
        return getpass.getuser() or "Me"
    except (OSError, KeyError):
        return "Me"


def cmd_users(args: argparse.Namespace, paths: AppPaths) -> int:
    if args.action == "recover":
        return _recover(args, paths)
    services = _services(args, paths)
    try:
        accounts = services.accounts
        if args.action == "list":
            services.principal.require(_administer(), "list the accounts")
            rows = accounts.accounts()
            header = ("Account", "Name shown", "Role", "State")
            table = [header] + [
                (
                    shown(a.name),
                    shown(a.display_name),
                    a.role.label,
                    "enabled" if a.active else "disabled" if a.disabled_at else "no password",
                )
                for a in rows
            ]
            widths = [max(len(row[i]) for row in table) for i in range(len(header))]
            for row in table:
                print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
            return 0
        if args.action == "add":
            services.principal.require(_administer(), "add accounts")
            password = read_password(
                NEW_PASSWORD_FILE_ENV, f"Password for {shown(args.name)}: ", confirm=True
            )
            record = accounts.add(args.name, Role(args.role), password, args.display_name)
            print(f"Added {shown(record.name)} ({record.role.label}).")
            return 0
        if args.action == "disable":
            record = accounts.disable(args.name)
            print(f"Disabled {shown(record.name)}; what it did stays attributed to it.")
            return 0
        if args.action == "passwd":
            own = _same(args.name, services.principal.name)
            new = read_password(NEW_PASSWORD_FILE_ENV, "New password: ", confirm=True)
            # One's own password changes with the one just signed in with.
            old = read_password(PASSWORD_FILE_ENV, "Current password: ") if own else None
            record = accounts.change_password(args.name, new, old)
            print(f"The password of {shown(record.name)} is changed.")
            return 0
        if args.action == "role":
            record = accounts.set_role(args.name, Role(args.role))
            print(f"{shown(record.name)} is now {record.role.label} (from its next sign-in).")
            return 0
        accounts.set_only_assigned(args.setting == "on")
        print(
            "Caseworkers now see only the cases assigned to them (from their next sign-in)."
            if args.setting == "on"
            else "Caseworkers now see every case (from their next sign-in)."
        )
        return 0
    finally:
        services.close()


def _recover(args: argparse.Namespace, paths: AppPaths) -> int:
    """Reset an administrator's password with the recovery key (no sign-in: it is lost)."""
    from claimdesk.cli_encrypt import RECOVERY_KEY_FILE_ENV, read_secret, sqlite_file
    from claimdesk.services.accounts import reset_with_recovery
    from claimdesk.storage import keys

    path = sqlite_file(args, paths)
    if not keys.is_encrypted(path):
        raise ValidationError(
            "This database is not encrypted, so it has no recovery key. An administrator sets "
            "a new password with 'claimdesk users passwd NAME'."
        )
    typed = read_secret(RECOVERY_KEY_FILE_ENV, "Recovery key: ")
    db = cli.open_database_for(args, paths, keys.unlock_with_recovery(path, typed))
    try:
        password = read_password(NEW_PASSWORD_FILE_ENV, "New password: ", confirm=True)
        principal = reset_with_recovery(db, typed, args.name, password)
    finally:
        db.dispose()
    print(f"The password of {shown(principal.name)} is changed; sign in with it now.")
    return 0


def _administer() -> Any:
    from claimdesk.services.accounts import Right

    return Right.ADMINISTER


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).lower() == b.lower()
