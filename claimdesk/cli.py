"""The command line: a thin shell over the services. With no command it starts the GUI."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from claimdesk import __version__
from claimdesk.errors import ClaimDeskError, ValidationError
from claimdesk.logs import configure_logging
from claimdesk.paths import AppPaths, resolve_paths

if TYPE_CHECKING:
    from claimdesk.services.samples import CaseTally

log = logging.getLogger(__name__)

USER_ENV = "CLAIMDESK_USER"

# Exit codes: 1 for an error the user can fix, 70 for a bug (EX_SOFTWARE), 130 for Ctrl-C.
EXIT_ERROR = 1
EXIT_BUG = 70


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claimdesk",
        description="ClaimDesk: keep the record of an insurance denial and fight it. "
        "With no command, the ClaimDesk window opens.",
    )
    parser.add_argument("--version", action="version", version=f"ClaimDesk {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="keep the database, backups and logs in DIR (default: your user data folder; "
        "also $CLAIMDESK_DATA_DIR)",
    )
    parser.add_argument(
        "--db", metavar="URL", help="use this SQLAlchemy database URL instead of the data folder"
    )
    parser.add_argument(
        "--user", metavar="NAME", help="who is working, for the audit trail (default: login name)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser("gui", help="open the ClaimDesk window (the default)")
    demo = commands.add_parser(
        "demo", help="add realistic sample cases to the database (marked as samples)"
    )
    demo.add_argument("--json", action="store_true", help="print the new cases as JSON")
    demo.add_argument(
        "--yes", action="store_true", help="add them even if the database already has cases"
    )
    demo.add_argument(
        "--remove", action="store_true", help="remove the sample cases and all their records"
    )

    claims = commands.add_parser("claims", help="list the cases")
    claims.add_argument("--json", action="store_true", help="print JSON instead of a table")
    claims.add_argument("--search", default="", help="only cases matching this text")

    export = commands.add_parser("export", help="write one whole case to a JSON file")
    export.add_argument("claim", metavar="CLAIM_ID", help="case number (CD-2026-0001) or id")
    export.add_argument("--out", required=True, type=Path, metavar="FILE.json")

    imp = commands.add_parser("import", help="add a case from a file written by 'export'")
    imp.add_argument("file", type=Path, metavar="FILE.json")

    backup = commands.add_parser("backup", help="copy the database safely, even while in use")
    backup.add_argument("--out", required=True, type=Path, metavar="FILE")

    restore = commands.add_parser(
        "restore", help="replace the database with a backup (the current one is kept)"
    )
    restore.add_argument("file", type=Path, metavar="FILE")
    from claimdesk import cli_deadlines, cli_letters, cli_packet, cli_search

    COMMANDS.update(cli_deadlines.register(commands))  # rules, rules calc, due, ics
    COMMANDS.update(cli_letters.register(commands))  # letter
    COMMANDS.update(cli_packet.register(commands))  # packet
    COMMANDS.update(cli_search.register(commands))  # search
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    paths = resolve_paths(args.data_dir)
    log_file = configure_logging(paths.log_dir)
    command = args.command or "gui"
    try:
        if command == "gui":
            from claimdesk.gui.app import run_gui

            return run_gui(database_url(args, paths), user_name(args), paths)
        return COMMANDS[command](args, paths)
    except ClaimDeskError as error:
        print(f"claimdesk: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("claimdesk: interrupted", file=sys.stderr)
        return 130
    except Exception:
        log.exception("unexpected error in 'claimdesk %s'", command)
        where = f" (details in {log_file})" if log_file else ""
        print(f"claimdesk: unexpected error; nothing further was changed{where}", file=sys.stderr)
        return EXIT_BUG


def database_url(args: argparse.Namespace, paths: AppPaths) -> str:
    return str(args.db) if args.db else paths.database_url


def user_name(args: argparse.Namespace) -> str:
    if args.user:
        return str(args.user)
    if os.environ.get(USER_ENV):
        return os.environ[USER_ENV]
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "ClaimDesk user"


def _services(args: argparse.Namespace, paths: AppPaths):  # type: ignore[no-untyped-def]
    from claimdesk.services import Services
    from claimdesk.storage import open_database

    db = open_database(database_url(args, paths), backup_dir=paths.backup_dir)
    return Services(db, user_name(args), paths.data_dir)


def _claim_id(services, text: str) -> int:  # type: ignore[no-untyped-def]
    found = services.claims.find_by_case_number(text)
    if found is not None:
        return int(found.id)
    if text.isdigit():
        return int(services.claims.get(int(text)).id)
    raise ValidationError(f"There is no case '{text}'. 'claimdesk claims' lists the cases.")


def cmd_claims(args: argparse.Namespace, paths: AppPaths) -> int:
    services = _services(args, paths)
    rows = services.claims.list_claims(search=args.search)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "case_number": r.case_number,
                        "claimant": r.claimant_name,
                        "sample": r.is_sample,
                        "insurer": r.insurer_name,
                        "claim_type": r.claim_type.value,
                        "plan_type": r.plan_type.value,
                        "jurisdiction": "-".join(p for p in (r.country, r.region) if p),
                        "stage": r.stage.value,
                        "status": r.status.value,
                        "assigned_to": r.assigned_to,
                        "last_activity": r.updated_at.isoformat(),
                    }
                    for r in rows
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    if not rows:
        print("No cases yet. 'claimdesk demo' adds sample cases; the window opens new ones.")
        return 0
    table = [
        (
            r.case_number,
            f"{r.claimant_name} (sample)" if r.is_sample else r.claimant_name,
            r.insurer_name,
            r.claim_type.label,
            r.stage.label,
        )
        for r in rows
    ]
    header = ("Case", "Claimant", "Insurer", "Type", "Stage")
    widths = [max(len(str(row[i])) for row in [header, *table]) for i in range(len(header))]
    for row in [header, *table]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    return 0


def cmd_demo(args: argparse.Namespace, paths: AppPaths) -> int:
    from claimdesk.services.demo import load_demo

    services = _services(args, paths)
    if args.remove:
        removed = services.samples.remove()
        if args.json:
            print(json.dumps({"removed": removed}, indent=2))
        elif removed:
            print(f"Removed {len(removed)} sample cases: {', '.join(removed)}")
        else:
            print("There are no sample cases to remove.")
        return 0
    if not args.yes and not _may_add_samples(services.samples.tally()):
        print("No sample cases were added.")
        return 0
    ids = load_demo(services)
    claims = [services.claims.get(claim_id) for claim_id in ids]
    if args.json:
        print(json.dumps([{"id": c.id, "case_number": c.case_number} for c in claims], indent=2))
    else:
        print(f"Added {len(claims)} sample cases:")
        for c in claims:
            print(f"  {c.case_number}  {c.claimant_name} ({c.plan_type.label}, {c.country})")
    return 0


def _may_add_samples(tally: CaseTally) -> bool:
    """Whether to add the samples: yes to an empty database, otherwise the user's answer."""
    from claimdesk.services.demo import sample_case_count

    if not tally.cases:
        return True
    what = f"{tally.cases} cases" if tally.cases != 1 else "1 case"
    if tally.samples:
        what += f", {tally.samples} of them samples"
    if not sys.stdin.isatty():
        raise ValidationError(
            f"This database already has {what}. Add --yes to add the sample cases anyway, or "
            "use --data-dir for a separate database to explore in."
        )
    answer = input(
        f"This database already has {what}. Add {sample_case_count()} fictional sample cases "
        "to it? They are marked as samples; 'claimdesk demo --remove' takes them out again. "
        "[y/N] "
    )
    return answer.strip().lower() in ("y", "yes")


def cmd_export(args: argparse.Namespace, paths: AppPaths) -> int:
    services = _services(args, paths)
    claim_id = _claim_id(services, args.claim)
    case_number = services.exchange.write_case_file(claim_id, args.out)
    print(f"Wrote {case_number} to {args.out}")
    return 0


def cmd_import(args: argparse.Namespace, paths: AppPaths) -> int:
    services = _services(args, paths)
    claim_id = services.exchange.read_case_file(args.file)
    claim = services.claims.get(claim_id)
    print(f"Imported {claim.case_number} ({claim.claimant_name})")
    return 0


def cmd_backup(args: argparse.Namespace, paths: AppPaths) -> int:
    from claimdesk.storage.backup import backup

    services = _services(args, paths)
    result = backup(services.db, args.out)
    print(f"Backed up {result.claims} cases to {result.path} ({result.size_bytes:,} bytes)")
    return 0


def cmd_restore(args: argparse.Namespace, paths: AppPaths) -> int:
    from claimdesk.storage.backup import restore

    services = _services(args, paths)
    result = restore(services.db, args.file, paths.backup_dir)
    print(
        f"Restored {result.claims} cases from {result.restored_from}. "
        f"The database as it was is kept at {result.previous_kept_at}."
    )
    return 0


def write_atomically(path: Path, data: bytes) -> None:
    """Write a whole file or nothing: a full disk never leaves half a file behind."""
    from claimdesk.files import write_atomically as write

    write(path, data)


COMMANDS: dict[str, Callable[[argparse.Namespace, AppPaths], int]] = {
    "claims": cmd_claims,
    "demo": cmd_demo,
    "export": cmd_export,
    "import": cmd_import,
    "backup": cmd_backup,
    "restore": cmd_restore,
}
