"""The command line: a thin shell over the services. With no command it starts the GUI."""

from __future__ import annotations

import argparse
import gc
import getpass
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimdesk import __version__
from claimdesk.errors import ClaimDeskError, ValidationError
from claimdesk.logs import configure_logging
from claimdesk.paths import AppPaths, resolve_paths

if TYPE_CHECKING:
    from claimdesk.services.samples import CaseTally

log = logging.getLogger(__name__)

# The account to sign in as (--user's default); it names an account, the password is still needed.
USER_ENV = "CLAIMDESK_USER"
# Files holding a password (never the command line, where other users and the shell's history
# would see it): the signing-in account's, and a new one (setup, users add, users passwd).
PASSWORD_FILE_ENV = "CLAIMDESK_PASSWORD_FILE"
NEW_PASSWORD_FILE_ENV = "CLAIMDESK_NEW_PASSWORD_FILE"

# Exit codes: 1 for an error the user can fix, 70 for a bug (EX_SOFTWARE), 130 for Ctrl-C.
EXIT_ERROR = 1
EXIT_BUG = 70
EXIT_USAGE = 2  # argparse's: the command line itself is wrong
NO_DATA_FOLDER = frozenset({"intake"})

# What must never reach a terminal raw: C0 and C1 controls (ESC, CSI: colours, cursor moves,
# a cleared screen, a rewritten title), DEL, bidirectional overrides and isolates (text shown
# reordered), line and paragraph separators, and lone surrogates (which cannot be printed).
_OTHER_UNSAFE = r"\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE_LINE = re.compile(rf"[\x00-\x1f{_OTHER_UNSAFE}]")
_UNSAFE_TEXT = re.compile(rf"[\x00-\x08\x0b-\x1f{_OTHER_UNSAFE}]")  # newline and tab kept
_UNSAFE_JSON = re.compile(rf"[{_OTHER_UNSAFE}]")  # json.dumps escapes the C0 controls itself


def shown(value: object, *, multiline: bool = False) -> str:
    """``value`` safe to print: every control character written out as an escape (\\x1b).

    Every CLI print of what a user or a case file typed goes through here (or json_text).
    ``multiline`` keeps newlines and tabs (a letter's text); otherwise they are escaped too.
    """
    pattern = _UNSAFE_TEXT if multiline else _UNSAFE_LINE
    return pattern.sub(_escape, str(value))


def json_text(value: Any) -> str:
    """``value`` as indented JSON that is safe to print (and still valid JSON)."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return _UNSAFE_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(error: BaseException) -> str:
    """An error's message as one safe line."""
    return shown(" ".join(str(error).split()))


class _Parser(argparse.ArgumentParser):
    """argparse's parser, its usage errors said in one line (sub-commands inherit it)."""

    def error(self, message: str) -> Any:
        self.exit(EXIT_USAGE, f"{self.prog}: {shown(message)} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
        "--user",
        metavar="NAME",
        help="the account to sign in as (an office database; also $CLAIMDESK_USER). The password "
        "is read from the file named by $CLAIMDESK_PASSWORD_FILE, or asked for",
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

    backup = commands.add_parser(
        "backup",
        help="copy the database safely, even while in use (on a server: pg_dump when it "
        "can, else a whole-database SQLite export)",
    )
    backup.add_argument("--out", required=True, type=Path, metavar="FILE")

    restore = commands.add_parser(
        "restore", help="replace the database with a backup (the current one is kept)"
    )
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.add_argument(
        "--backup-user",
        metavar="NAME",
        help="an encrypted backup made with other keys: open it with NAME's password then "
        "(from the file named by $CLAIMDESK_BACKUP_PASSWORD_FILE, or typed)",
    )
    restore.add_argument(
        "--recovery-key",
        action="store_true",
        help="open an encrypted backup with its recovery key (from the file named by "
        "$CLAIMDESK_RECOVERY_KEY_FILE, or typed)",
    )
    from claimdesk import (
        cli_accounts,
        cli_audit,
        cli_deadlines,
        cli_encrypt,
        cli_intake,
        cli_letters,
        cli_packet,
        cli_report,
        cli_search,
        cli_server,
        cli_transfer,
    )

    COMMANDS.update(cli_accounts.register(commands))  # setup, users
    COMMANDS.update(cli_server.register(commands))  # server init, connect, status, forget

    COMMANDS.update(cli_audit.register(commands))  # audit verify, audit list
    COMMANDS.update(cli_deadlines.register(commands))  # rules, rules calc, due, ics
    COMMANDS.update(cli_letters.register(commands))  # letter
    COMMANDS.update(cli_packet.register(commands))  # packet
    COMMANDS.update(cli_search.register(commands))  # search
    COMMANDS.update(cli_encrypt.register(commands))  # encrypt
    COMMANDS.update(cli_report.register(commands))  # report
    COMMANDS.update(cli_intake.register(commands))  # intake (no database, no sign-in)
    COMMANDS.update(cli_transfer.register(commands))  # migrate-db
    return parser


def hold_collection_for_window() -> None:
    """No automatic garbage collection while the window's modules are imported: they make a
    few hundred thousand objects that live as long as the program, which the collector would
    walk again and again (40 ms of start-up, measured). The window's collector takes over
    from here (gui/collector.py: it keeps what start-up made out of its reach)."""
    gc.disable()


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        # A terminal that cannot show a character gets an escape, not a UnicodeEncodeError.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "gui"
    log_file: Path | None = None
    try:
        _check_text_arguments(args)
        if command in NO_DATA_FOLDER:  # reads a file only: no data folder, database or sign-in
            return COMMANDS[command](args, resolve_paths(args.data_dir))
        paths = resolve_paths(args.data_dir)
        log_file = configure_logging(paths.log_dir)
        if command == "gui":
            hold_collection_for_window()
            from claimdesk.gui.app import run_gui

            # Without --db the window finds the saved office server itself, so that a problem
            # with it is shown in a window, not on a terminal nobody sees.
            chosen = with_server_password(str(args.db)) if args.db else None
            try:
                return run_gui(chosen, account_typed(args), paths)
            finally:
                gc.enable()
        return COMMANDS[command](args, paths)
    except ClaimDeskError as error:
        print(f"claimdesk: {one_line(error)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("claimdesk: interrupted", file=sys.stderr)
        return 130
    except Exception:
        log.exception("unexpected error in 'claimdesk %s'", command)
        where = f" (details in {log_file})" if log_file else ""
        print(f"claimdesk: unexpected error; nothing further was changed{where}", file=sys.stderr)
        return EXIT_BUG


def _check_text_arguments(args: argparse.Namespace) -> None:
    """Refuse an argument that is not text: bytes invalid in UTF-8 arrive as lone surrogates,
    which no database column or terminal can take. (File names are paths, not checked.)"""
    for name, value in vars(args).items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and _SURROGATE.search(item):
                raise ValidationError(
                    f"What was given as {name.replace('_', ' ')} is not valid UTF-8 text; retype "
                    "it, or check the terminal's character encoding."
                )


_SURROGATE = re.compile("[\ud800-\udfff]")


def record_number(value: int | None, option: str) -> int | None:
    """A record number from the command line, within what the database can hold."""
    if value is not None and not 1 <= value < 2**63:
        raise ValidationError(f"{option}: there is no record number {str(value)[:20]}.")
    return value


def database_url(args: argparse.Namespace, paths: AppPaths) -> str:
    """--db, else the office server saved for this data folder (Settings ▸ Office server,
    'claimdesk server connect'), else the data folder's own SQLite file."""
    if args.db:
        return with_server_password(str(args.db))
    from claimdesk.services.office_server import saved_database_url

    return saved_database_url(paths.data_dir) or paths.database_url


# The database user's password for a server named by --db (server init, a one-off command),
# when the URL carries none and the pgpass file does not have it.
SERVER_PASSWORD_FILE_ENV = "CLAIMDESK_SERVER_PASSWORD_FILE"


def with_server_password(url: str) -> str:
    """``url`` with the password from $CLAIMDESK_SERVER_PASSWORD_FILE, for a server URL that
    has none (a file, or a URL that is not one, is left as it is)."""
    if not os.environ.get(SERVER_PASSWORD_FILE_ENV) or not url.startswith("postgresql"):
        return url
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    if parsed.password:
        return url
    password = read_password(SERVER_PASSWORD_FILE_ENV, "")
    return parsed.set(password=password).render_as_string(hide_password=False)


def account_typed(args: argparse.Namespace) -> str | None:
    """The account named by --user or $CLAIMDESK_USER, if any (a personal database needs none)."""
    typed = args.user or os.environ.get(USER_ENV) or ""
    return " ".join(typed.split()) or None


def open_database_for(  # type: ignore[no-untyped-def]
    args: argparse.Namespace, paths: AppPaths, key: bytes | None = None
):
    """The database the command line names, opened (created or upgraded), not signed in to;
    ``key`` opens an encrypted file (cli_encrypt.unlock_for)."""
    from sqlalchemy.exc import ArgumentError

    from claimdesk.services import connect

    url = database_url(args, paths)
    try:
        return connect(url, backup_dir=paths.backup_dir, key=key)
    except ArgumentError:  # --db typed wrong: not a URL, or a database with no driver here
        raise ValidationError(
            f"--db: '{shown(url[:80])}' is not a database URL ClaimDesk can open; write it as "
            "sqlite:///path/to/claimdesk.sqlite."
        ) from None


def _services(args: argparse.Namespace, paths: AppPaths):  # type: ignore[no-untyped-def]
    """The services, signed in as --user with the password from $CLAIMDESK_PASSWORD_FILE or a
    prompt (services/accounts.py)."""
    from claimdesk.cli_encrypt import unlock_for
    from claimdesk.services import Services
    from claimdesk.services.accounts import sign_in

    unlocked = unlock_for(args, paths)
    if unlocked is None:
        db = open_database_for(args, paths)
    else:
        db = open_database_for(args, paths, unlocked.key)
    try:
        if unlocked is not None:  # the password that unwrapped the key signs in too
            principal = sign_in(db, unlocked.name, unlocked.password)
        else:
            principal = sign_in_for(args, db)
        return Services(db, principal, paths.data_dir)
    except BaseException:
        db.dispose()
        raise


def sign_in_for(args: argparse.Namespace, db: Any) -> Any:
    """Sign in to ``db`` as the command line says; a database not set up says how to."""
    from claimdesk.services.accounts import DatabaseMode, database_mode, sign_in

    mode = database_mode(db)
    name = account_typed(args)
    if mode is DatabaseMode.NEW:
        return sign_in(db, name, "")  # refused, saying how to set the database up
    if mode is DatabaseMode.OFFICE and name is None:
        raise ValidationError(
            "This is an office database: say who you are with --user NAME (or $CLAIMDESK_USER)."
        )
    who = f" for {shown(name)}" if name else ""
    return sign_in(db, name, read_password(PASSWORD_FILE_ENV, f"Password{who}: "))


def read_password(variable: str, prompt: str, *, confirm: bool = False) -> str:
    """A password from the file named by $``variable``, or typed at a prompt (not echoed)."""
    named = os.environ.get(variable)
    if named:
        try:
            text = Path(named).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or "not UTF-8 text"
            raise ValidationError(
                f"${variable} names {shown(named)}, which cannot be read ({reason}); point it "
                "at a file holding the password on its first line."
            ) from None
        lines = text.splitlines()
        password = lines[0] if lines else ""
        if not password:
            raise ValidationError(
                f"The file {shown(named)} (${variable}) is empty; write the password on its "
                "first line."
            )
        return password
    if not sys.stdin.isatty():
        raise ValidationError(
            f"A password is needed: set ${variable} to a file holding it, or run the command "
            "in a terminal to type it."
        )
    password = getpass.getpass(prompt)
    if confirm and getpass.getpass("The same password again: ") != password:
        raise ValidationError("The two passwords differ; nothing was changed. Try again.")
    return password


def _claim_id(services, text: str) -> int:  # type: ignore[no-untyped-def]
    found = services.claims.find_by_case_number(text)
    if found is not None:
        return int(found.id)
    # ASCII digits only ('²' is a digit to isdigit), and few enough for a database id.
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(services.claims.get(int(text)).id)
    raise ValidationError(
        f"There is no case '{shown(text[:40])}'. 'claimdesk claims' lists the cases."
    )


def cmd_claims(args: argparse.Namespace, paths: AppPaths) -> int:
    services = _services(args, paths)
    rows = services.claims.list_claims(search=args.search)
    if args.json:
        print(
            json_text(
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
                ]
            )
        )
        return 0
    if not rows:
        print("No cases yet. 'claimdesk demo' adds sample cases; the window opens new ones.")
        return 0
    table = [
        tuple(
            shown(cell)
            for cell in (
                r.case_number,
                f"{r.claimant_name} (sample)" if r.is_sample else r.claimant_name,
                r.insurer_name,
                r.claim_type.label,
                r.stage.label,
            )
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
        print(json_text([{"id": c.id, "case_number": c.case_number} for c in claims]))
    else:
        print(f"Added {len(claims)} sample cases:")
        for c in claims:
            print(
                f"  {shown(c.case_number)}  {shown(c.claimant_name)} "
                f"({c.plan_type.label}, {shown(c.country)})"
            )
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
    print(f"Wrote {shown(case_number)} to {shown(args.out)}")
    return 0


def cmd_import(args: argparse.Namespace, paths: AppPaths) -> int:
    services = _services(args, paths)
    claim_id = services.exchange.read_case_file(args.file)
    claim = services.claims.get(claim_id)
    print(f"Imported {shown(claim.case_number)} ({shown(claim.claimant_name)})")
    return 0


def cmd_backup(args: argparse.Namespace, paths: AppPaths) -> int:
    from claimdesk.services.backups import cases

    services = _services(args, paths)
    result = services.backups.backup(args.out)
    print(f"Backed up {cases(result.claims)} to {shown(result.path)} ({result.size_bytes:,} bytes)")
    print(f"record integrity: {result.chain_head[:16]}")
    if result.format == "pg_dump":
        print("Made with pg_dump (PostgreSQL's custom format); 'claimdesk restore' reads it back.")
    elif services.db.sqlite_path is None:
        print(
            "pg_dump was not used (missing, older than the server, or it failed: see the "
            "log): the backup is a ClaimDesk SQLite file holding every record, which "
            "'claimdesk restore' reads back."
        )
    if result.key_file is not None:
        print(
            f"The backup is encrypted; its key file {shown(result.key_file)} goes with it "
            "(keep both: the backup opens with a password it knew, or the recovery key)."
        )
    return 0


def cmd_restore(args: argparse.Namespace, paths: AppPaths) -> int:
    from claimdesk.cli_encrypt import backup_key
    from claimdesk.services.backups import cases

    services = _services(args, paths)
    key = backup_key(args, args.file.expanduser())
    result = services.backups.restore(args.file, paths.backup_dir, source_key=key)
    print(
        f"Restored {cases(result.claims)} from {shown(result.restored_from)}. "
        f"The database as it was is kept at {shown(result.previous_kept_at)}."
    )
    if result.keys_replaced:
        print("The backup's keys came with it: sign in with a password it knew.")
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
