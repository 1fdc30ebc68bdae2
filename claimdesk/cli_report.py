"""The ``report`` command: the office's caseload, outcomes and insurer behaviour for a period."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from claimdesk.cli import _services, shown
from claimdesk.paths import AppPaths

Handler = Callable[[argparse.Namespace, AppPaths], int]


def register(subparsers: Any) -> dict[str, Handler]:
    """Add the ``report`` command to ``claimdesk``'s sub-commands; return its handler."""
    report = subparsers.add_parser(
        "report",
        help="the office's caseload, outcomes and insurer behaviour for a period",
        description="Caseload and deadlines as of today; review levels decided, insurer "
        "deadlines and requests due, and money recovered in the period. Claimant names are "
        "left out unless --names is given.",
    )
    report.add_argument("--from", dest="start", metavar="DATE", help="first day (2026-01-01)")
    report.add_argument("--to", dest="end", metavar="DATE", help="last day (2026-12-31)")
    report.add_argument("--caseworker", metavar="NAME", help="only the cases assigned to NAME")
    out = report.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--csv", action="store_true", help="print CSV (one table per section)")
    out.add_argument("--pdf", metavar="FILE", help="write a PDF, one page per section")
    report.add_argument(
        "--names", action="store_true", help="name the claimants beside missed deadlines"
    )
    return {"report": cmd_report}


def cmd_report(args: argparse.Namespace, paths: AppPaths) -> int:
    from pathlib import Path

    from claimdesk.services.dashboard import DashboardFilter
    from claimdesk.services.report import ReportOptions, parse_day

    wanted = DashboardFilter(
        start=parse_day(args.start, "--from") if args.start else None,
        end=parse_day(args.end, "--to") if args.end else None,
        caseworker=args.caseworker,
    )
    options = ReportOptions(wanted, names=args.names)
    services = _services(args, paths)
    report = services.report
    if args.pdf:
        board = report.write(options, "pdf", Path(args.pdf))
        print(
            f"Wrote {shown(args.pdf)}: {board.open_cases:,} open cases, "
            f"{board.alert_count:,} insurer deadlines missed ({wanted.period_text()})."
        )
        return 0
    if args.json or args.csv:
        sys.stdout.write(report.render(options, "json" if args.json else "csv").decode("utf-8"))
        return 0
    board = report.read(options)
    print(f"Report for {wanted.period_text()} (as of {board.today.isoformat()})")
    print(f"Open cases: {board.open_cases:,}")
    for chart in board.charts:
        print()
        print(chart.title)
        widths = [
            max(len(str(cell)) for cell in column)
            for column in zip(chart.columns, *chart.rows, strict=True)
        ]
        for row in (chart.columns, *chart.rows):
            cells = (shown(str(c)).ljust(w) for c, w in zip(row, widths, strict=True))
            print(("  " + "  ".join(cells)).rstrip())
        if not chart.rows:
            print(f"  {chart.empty}")
    print()
    print(f"Insurer deadlines missed: {board.alert_count:,}")
    for alert in board.alerts[:20]:
        name = f" {shown(alert.claimant_name)}" if args.names else ""
        print(f"  {alert.case_number}{name}: {shown(alert.text())}")
    return 0
