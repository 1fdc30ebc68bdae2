#!/usr/bin/env python3
"""How long the dashboard takes to read an office's whole database (target: under 1 s).

    bench/make_office_db.py /tmp/office.sqlite --claims 50000
    bench/dashboard.py /tmp/office.sqlite

Prints the time of a full read (every chart, the alerts), of one caseworker's, and of the case
ids behind the biggest bar, each the best of five runs in this process.
"""

from __future__ import annotations

import argparse
import os
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
from tests.signin import signed_in


def best(runs: int, work: Callable[[], Any]) -> tuple[float, Any, float]:
    """The best wall time of ``runs``, the result, and that run's CPU time: on a machine other
    work keeps busy the wall time waits for the CPU, the CPU time does not."""
    times, result = [], None
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        result = work()
        times.append((time.perf_counter() - started, time.process_time() - cpu))
    wall, used = min(times)
    return wall, result, used


def ms(wall: float, cpu: float) -> str:
    return f"{wall * 1000:5.0f} ms ({cpu * 1000:.0f} ms of CPU)"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("database", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    services = Services.open(sqlite_url(args.database), signed_in("Bench"))
    dashboard = services.dashboard
    dashboard.read(DashboardFilter())  # the first read builds the models and the rules
    whole, board, whole_cpu = best(args.runs, lambda: dashboard.read(DashboardFilter()))
    worker = dashboard.caseworkers()[0]
    one, _, one_cpu = best(args.runs, lambda: dashboard.read(DashboardFilter(caseworker=worker)))
    bars = [
        (value, piece)
        for chart in board.charts
        for group in chart.groups
        for value, piece in zip(group.values, group.slices, strict=True)
        if piece is not None and not chart.scale_per_group
    ]
    value, biggest = max(bars, key=lambda bar: bar[0])
    behind, ids, behind_cpu = best(args.runs, lambda: dashboard.case_ids(biggest))
    listed, _, listed_cpu = best(
        args.runs, lambda: services.caselist.first_ids(CaseFilter(subset=biggest), 200)
    )
    print(f"open cases: {board.open_cases:,}; alerts listed: {len(board.alerts):,} of "
          f"{board.alert_count:,}")  # fmt: skip
    print(f"dashboard, whole office:       {ms(whole, whole_cpu)}")
    print(f"dashboard, one caseworker:     {ms(one, one_cpu)}")
    print(f"cases behind the biggest bar:  {ms(behind, behind_cpu)}: {biggest.label}, "
          f"{value:,} counted, {len(ids):,} cases")  # fmt: skip
    print(f"case list's page for that bar: {ms(listed, listed_cpu)}")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
