"""``claimdesk migrate-db``: move a whole office between SQLite and a PostgreSQL server."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from claimdesk.errors import ValidationError
from claimdesk.paths import AppPaths

Handler = Callable[[argparse.Namespace, AppPaths], int]


def register(subparsers: Any) -> dict[str, Handler]:
    """Add ``migrate-db`` to ``claimdesk``'s sub-commands; return its handler."""
    move = subparsers.add_parser(
        "migrate-db",
        help="copy a whole office into another, empty database (SQLite to PostgreSQL, or back)",
        description="Copies every table of the database at --from (accounts, cases, the audit "
        "trail, documents' files) into the empty database at --to, then reads the copy back: "
        "the row count and a checksum of every table, each document's SHA-256 and the audit "
        "trail's chain must match, or nothing is kept. Sign in to --from as an administrator "
        "(--user, password from $CLAIMDESK_PASSWORD_FILE or typed); an encrypted SQLite file "
        "opens with that password. The --from database is not changed (one from "
        "an older ClaimDesk is upgraded first, after a backup, as opening it always does).",
    )
    move.add_argument(
        "--from",
        dest="from_url",
        required=True,
        metavar="URL",
        help="the office's database now (sqlite:///path/claimdesk.sqlite, "
        "postgresql+psycopg://user@host/db)",
    )
    move.add_argument(
        "--to",
        dest="to_url",
        required=True,
        metavar="URL",
        help="an empty database: a new SQLite file, or a database just created on the server",
    )
    return {"migrate-db": cmd_migrate_db}


def cmd_migrate_db(args: argparse.Namespace, paths: AppPaths) -> int:
    from claimdesk.cli import _services, shown
    from claimdesk.services.backups import cases

    if args.db:
        raise ValidationError("migrate-db names both databases: give --from and --to, not --db.")
    target = _url(args.to_url, "--to")
    source = argparse.Namespace(**{**vars(args), "db": _url(args.from_url, "--from")})
    services = _services(source, paths)
    try:
        result = services.backups.move_office(target)
    finally:
        services.db.dispose()
    print(
        f"Copied {cases(result.claims)}, {result.documents} documents and every other record "
        f"({len(result.tables)} tables, schema {result.revision}) to {shown(_hidden(target))}."
    )
    print("Checked: " + ", ".join(f"{name} {t.rows}" for name, t in sorted(result.tables.items())))
    if result.chain_head is not None:
        state = "verifies" if result.chain_ok else "is broken, as it was in the source"
        print(f"audit trail {state}; record integrity: {result.chain_head[:16]}")
    print("Point every workstation at the new database (--db URL, or Settings) before working on.")
    return 0


def _url(text: str, option: str) -> str:
    """A database URL as typed, or a clear refusal (a path alone is taken as a SQLite file)."""
    from pathlib import Path

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from claimdesk.cli import shown
    from claimdesk.paths import sqlite_url

    if "://" not in text:
        return sqlite_url(Path(text).expanduser().resolve())
    try:
        url = make_url(text)
    except ArgumentError:
        raise ValidationError(
            f"{option}: '{shown(text[:80])}' is not a database URL; write "
            "sqlite:///path/to/claimdesk.sqlite or postgresql+psycopg://user@host/database."
        ) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValidationError(
            f"{option}: ClaimDesk keeps an office in SQLite or PostgreSQL, not "
            f"{shown(url.get_backend_name())}."
        )
    return text


def _hidden(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
