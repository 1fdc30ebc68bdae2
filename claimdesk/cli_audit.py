"""The ``audit`` commands: check the audit trail's hash chain, list or export the trail."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from claimdesk.cli import EXIT_ERROR, _claim_id, _services, shown
from claimdesk.errors import ValidationError
from claimdesk.paths import AppPaths

Handler = Callable[[argparse.Namespace, AppPaths], int]


def register(subparsers: Any) -> dict[str, Handler]:
    """Add ``audit verify`` and ``audit list`` to ``claimdesk``'s sub-commands."""
    audit = subparsers.add_parser(
        "audit",
        help="check that the audit trail was not edited ('audit verify'), or list it",
        description="Every change is recorded in the audit trail, each event carrying the "
        "SHA-256 of the one before it, and each attached file's SHA-256 with it.",
    )
    sub = audit.add_subparsers(dest="audit_command", metavar="SUBCOMMAND", required=True)
    verify = sub.add_parser(
        "verify",
        help="re-compute the chain and check every document's file; exit 1 at the first break",
        description="Re-computes every event's hash in order and checks every document's file "
        "against the SHA-256 recorded when it was attached. Prints the first broken link "
        "(event number and time) and exits 1, or the chain's head and exits 0.",
    )
    verify.add_argument(
        "--head",
        action="append",
        default=[],
        metavar="HEX",
        help="a record integrity code printed on a backup or packet: check the trail still "
        "holds it (catches a trail rewritten from an earlier point on); may be repeated",
    )
    listing = sub.add_parser(
        "list",
        help="who did what to which case and when (field names, never values); administrators",
    )
    listing.add_argument("--case", metavar="CLAIM_ID", help="case number (CD-2026-0001) or id")
    listing.add_argument("--person", metavar="NAME", help="only what this account did")
    listing.add_argument("--since", metavar="YYYY-MM-DD", help="from this day on (local)")
    listing.add_argument("--until", metavar="YYYY-MM-DD", help="up to this day (inclusive)")
    listing.add_argument(
        "--csv", type=Path, metavar="FILE.csv", help="write every matching event to a CSV file"
    )
    return {"audit": cmd_audit}


def cmd_audit(args: argparse.Namespace, paths: AppPaths) -> int:
    if args.audit_command == "verify":
        return _verify(args, paths)
    return _list(args, paths)


def _verify(args: argparse.Namespace, paths: AppPaths) -> int:
    services = _services(args, paths)
    check = services.audit.verify()
    if not check.ok:
        print(f"audit trail broken at {check.problem}")
        return EXIT_ERROR
    for printed in args.head:
        if not services.audit.contains(printed):
            print(
                f"audit trail broken: the record integrity code {shown(printed[:64])} is not in "
                "the trail; the record was rewritten after it was printed"
            )
            return EXIT_ERROR
    files = f", {check.documents} document file{'s' if check.documents != 1 else ''}"
    also = f"; {len(args.head)} printed code{'s' if len(args.head) != 1 else ''} found" * bool(
        args.head
    )
    print(
        f"audit trail intact: {check.events} event{'s' if check.events != 1 else ''}{files}"
        f"{also}; record integrity: {check.short_head}"
    )
    return 0


def _list(args: argparse.Namespace, paths: AppPaths) -> int:
    from claimdesk.services.audit import AuditFilter
    from claimdesk.services.validate import parse_date

    services = _services(args, paths)
    today = services.context.clock.today()
    user_id = None
    if args.person:
        people = {p.label: p.id for p in services.audit.people()}
        if args.person not in people:
            raise ValidationError(
                f"--person: there is no account named '{shown(args.person[:60])}'; the accounts "
                f"are: {', '.join(sorted(people)) or 'none'}."
            )
        user_id = people[args.person]
    where = AuditFilter(
        user_id=user_id,
        claim_id=_claim_id(services, args.case) if args.case else None,
        start=parse_date(args.since, "--since", today=today),
        end=parse_date(args.until, "--until", today=today),
    )
    if args.csv is not None:
        count = services.audit.export_csv(args.csv, where)
        print(f"Wrote {count} event{'s' if count != 1 else ''} to {shown(args.csv)}")
        return 0
    page = services.audit.trail(where)
    for e in reversed(page.events):
        record = f"{e.entity} {e.entity_id}" if e.entity_id is not None else e.entity
        fields = f"  [{e.fields}]" if e.fields else ""
        print(
            f"{e.id:>7}  {e.occurred_at:%Y-%m-%d %H:%M:%S} UTC  {shown(e.user or '—'):<20}  "
            f"{e.action:<14} {record:<20} {shown(e.case_number)}{fields}"
        )
    if page.truncated:
        print(f"(the newest {len(page.events)} shown: narrow the list, or write it with --csv)")
    return 0
