#!/usr/bin/env python3
"""How long the dashboard takes to read an office's whole database (target: under 1 s).

    bench/make_office_db.py /tmp/office.sqlite --claims 50000
    bench/dashboard.py /tmp/office.sqlite

Prints the time of a full read (every chart, the alerts), of one caseworker's, and of the case
ids behind the biggest bar, each the best of five runs in this process.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from claimdesk.paths import sqlite_url
from claimdesk.services import Services
from claimdesk.services.caselist import CaseFilter
from claimdesk.services.dashboard import DashboardFilter


def best(runs: int, work: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("database", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    services = Services.open(sqlite_url(args.database), "Bench")
    dashboard = services.dashboard
    dashboard.read(DashboardFilter())  # the first read builds the models and the rules
    whole, board = best(args.runs, lambda: dashboard.read(DashboardFilter()))
    worker = dashboard.caseworkers()[0]
    one, _ = best(args.runs, lambda: dashboard.read(DashboardFilter(caseworker=worker)))
    bars = [
        (value, piece)
        for chart in board.charts
        for group in chart.groups
        for value, piece in zip(group.values, group.slices, strict=True)
        if piece is not None and not chart.scale_per_group
    ]
    value, biggest = max(bars, key=lambda bar: bar[0])
    behind, ids = best(args.runs, lambda: dashboard.case_ids(biggest))
    listed, _ = best(
        args.runs, lambda: services.caselist.first_ids(CaseFilter(subset=biggest), 200)
    )
    print(f"open cases: {board.open_cases:,}; alerts: {len(board.alerts):,}")
    print(f"dashboard, whole office:     {whole * 1000:7.0f} ms")
    print(f"dashboard, one caseworker:   {one * 1000:7.0f} ms")
    print(f"cases behind the biggest bar ({biggest.label}: {value:,}): {behind * 1000:.0f} ms, "
          f"{len(ids):,} cases")  # fmt: skip
    print(f"the case list's first page for that bar:          {listed * 1000:.0f} ms")
    services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
