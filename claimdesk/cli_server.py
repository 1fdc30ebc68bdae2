"""The ``server`` commands: set up an office's PostgreSQL database, and point this computer at it.

``claimdesk --db URL server init`` makes the schema and the first administrator on an empty
database (the set-up is ``claimdesk setup --office``'s); ``server connect`` / ``status`` /
``forget`` are Settings ▸ Office server on the command line: while a connection is saved, every
command without ``--db`` (and the window) works on the server.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from claimdesk import cli
from claimdesk.cli import EXIT_ERROR, SERVER_PASSWORD_FILE_ENV, read_password, shown
from claimdesk.errors import ValidationError
from claimdesk.paths import AppPaths

Handler = Callable[[argparse.Namespace, AppPaths], int]


def register(subparsers: Any) -> dict[str, Handler]:
    """Add ``server`` to ``claimdesk``'s sub-commands; return its handler."""
    server = subparsers.add_parser(
        "server",
        help="an office's PostgreSQL server: set it up (init), point this computer at it",
        description="An office shares its cases through one PostgreSQL database (README, "
        "'An office server').",
    )
    actions = server.add_subparsers(dest="server_action", metavar="ACTION", required=True)
    init = actions.add_parser(
        "init",
        help="on an empty database (--db URL): make ClaimDesk's tables and the first "
        "administrator (--user NAME; the password from $CLAIMDESK_NEW_PASSWORD_FILE or typed)",
    )
    init.add_argument("--display-name", metavar="TEXT", help="the name shown for the account")
    init.add_argument(
        "--user",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="the first account's name: the office's administrator",
    )
    connect = actions.add_parser(
        "connect",
        help="work on the office server from this computer (Settings ▸ Office server); the "
        "database password from $CLAIMDESK_SERVER_PASSWORD_FILE or typed",
    )
    connect.add_argument("--host", required=True, help="the server's name or address")
    connect.add_argument("--port", default="5432", help="its port (default 5432)")
    connect.add_argument("--database", default="claimdesk", help="default: claimdesk")
    connect.add_argument(
        "--db-user", default="claimdesk", metavar="NAME", help="the database user (claimdesk)"
    )
    connect.add_argument(
        "--no-password",
        action="store_true",
        help="save no password (the server trusts this computer, or your pgpass file has it)",
    )
    actions.add_parser("status", help="which database this computer works on, and test it")
    actions.add_parser("forget", help="work on this computer's own database again")
    return {"server": cmd_server}


def cmd_server(args: argparse.Namespace, paths: AppPaths) -> int:
    if args.server_action == "init":
        return _init(args, paths)
    if args.server_action == "connect":
        return _connect(args, paths)
    if args.server_action == "status":
        return _status(paths)
    return _forget(paths)


def _init(args: argparse.Namespace, paths: AppPaths) -> int:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from claimdesk.cli_accounts import cmd_setup
    from claimdesk.services.office_server import check_can_create_tables

    url = cli.database_url(args, paths)
    try:
        parsed = make_url(url)
    except ArgumentError:
        parsed = None
    if parsed is None or parsed.get_backend_name() != "postgresql":
        raise ValidationError(
            "'server init' sets up a PostgreSQL database: name it with --db, e.g. "
            "claimdesk --db postgresql+psycopg://claimdesk@server/claimdesk server init --user "
            "NAME. (A database on this computer is set up with 'claimdesk setup'.)"
        )
    if cli.account_typed(args) is None:
        raise ValidationError("Name the office's first account (its administrator) with --user.")
    # Said before any table is made: the server, the password, the right to create tables.
    check_can_create_tables(url)
    args.db = url
    args.office, args.personal = True, False
    code = cmd_setup(args, paths)  # the schema (open_database), then the administrator
    if code == 0:
        shown_url = make_url(url).render_as_string(hide_password=True)
        print(
            f"The office database is ready: {shown(shown_url)}. On each workstation, open "
            "Tools ▸ Settings… ▸ Office server (or run 'claimdesk server connect') with this "
            "server, database and user."
        )
    return code


def _connect(args: argparse.Namespace, paths: AppPaths) -> int:
    from claimdesk.services.office_server import (
        checked_connection,
        save_connection,
        try_connection,
    )

    connection = checked_connection(args.host, args.port, args.database, args.db_user)
    password = None
    if not args.no_password:
        password = read_password(
            SERVER_PASSWORD_FILE_ENV, f"Password of the database user {shown(connection.user)}: "
        )
    check = try_connection(connection, password)
    if not check.ok:
        print(
            f"claimdesk: {cli.one_line(ValidationError(check.message))} Nothing was saved; "
            "this computer works on the database it used before.",
            file=sys.stderr,
        )
        return EXIT_ERROR
    saved = save_connection(paths.data_dir, connection, password)
    print(shown(check.message))
    print(
        f"Saved: ClaimDesk on this computer now works on {shown(saved.label)} (password: "
        f"{saved.password_place.label}). 'claimdesk server forget' goes back to this computer's "
        "own database."
    )
    return 0


def _status(paths: AppPaths) -> int:
    from claimdesk.services.office_server import saved_connection, try_connection

    connection = saved_connection(paths.data_dir)
    if connection is None:
        print(f"This computer works on its own database: {shown(paths.database_file)}")
        return 0
    print(
        f"This computer works on the office server: {shown(connection.label)} (password: "
        f"{connection.password_place.label})."
    )
    from claimdesk.services.office_server import stored_password

    check = try_connection(connection, stored_password(connection))
    print(shown(check.message))
    return 0 if check.ok else EXIT_ERROR


def _forget(paths: AppPaths) -> int:
    from claimdesk.services.office_server import forget_connection

    forgotten = forget_connection(paths.data_dir)
    if forgotten is None:
        print("No office server was saved; this computer works on its own database.")
    else:
        print(
            f"Forgot the office server ({shown(forgotten.label)}); this computer works on its "
            f"own database again: {shown(paths.database_file)}"
        )
    return 0
