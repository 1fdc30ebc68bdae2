#!/usr/bin/env python3
"""The case list's first page and global search on PostgreSQL against the same office on
SQLite, in one run (target: the server within 2x).

    bench/make_office_db.py /tmp/office.sqlite --claims 50000 --copy-to URL
    bench/server_vs_sqlite.py /tmp/office.sqlite --db URL

Works on a copy of the file and on the server database itself (the search index is written
into both). Each figure is the median of RUNS in this process, after one run that warms the
caches (the window's first page is read on a warm connection too: the pool keeps it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from claimdesk.paths import sqlite_url
from claimdesk.services import Services
from claimdesk.services.caselist import CaseFilter, CaseSort
from claimdesk.storage import open_database
from tests.signin import as_user

QUERIES = ["Lopez", "reviewer report", "R4711", '"claim file" Kim', "zzqx"]
PAGE = 200


def median_ms(runs: int, work: Callable[[], Any]) -> float:
    work()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def first_page(services: Services, case_filter: CaseFilter, sort: CaseSort) -> Callable[[], Any]:
    def read() -> Any:
        ids, total = services.caselist.first_ids(case_filter, PAGE, sort=sort)
        return services.caselist.rows(ids), total

    return read


def measure(services: Services, runs: int, search_runs: int | None) -> dict[str, float]:
    figures: dict[str, float] = {}
    pages = {
        "first page, last activity": (CaseFilter(), CaseSort.LAST_ACTIVITY),
        "first page, case number": (CaseFilter(), CaseSort.CASE_NUMBER),
        "first page, next deadline": (CaseFilter(), CaseSort.NEXT_DEADLINE),
        "first page, filter 'Lopez'": (CaseFilter(search="Lopez"), CaseSort.LAST_ACTIVITY),
    }
    for label, (case_filter, sort) in pages.items():
        figures[label] = median_ms(runs, first_page(services, case_filter, sort))
    if search_runs is None:
        return figures
    started = time.perf_counter()
    services.search.rebuild()
    figures["search index from nothing"] = (time.perf_counter() - started) * 1000
    for query in QUERIES:
        figures[f"search {query!r}"] = median_ms(
            search_runs, lambda text=query: services.search.search(text)
        )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path, help="the office's SQLite file")
    parser.add_argument("--db", required=True, metavar="URL", help="the same office on a server")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--search-runs", type=int, default=5)
    parser.add_argument(
        "--pages-only", action="store_true", help="the case list only (no search: minutes)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "office.sqlite"
        shutil.copy(args.database, copy)
        results = {}
        for name, url in (("SQLite", sqlite_url(copy)), ("PostgreSQL", args.db)):
            db = open_database(url, backup_dir=Path(folder))
            services = as_user(db, "Bench")
            search_runs = None if args.pages_only else args.search_runs
            results[name] = measure(services, args.runs, search_runs)
            cases = len(services.caselist.case_ids(CaseFilter()))
            services.close()
            db.dispose()
            print(f"{name}: {cases:,} cases")
    print(f"{'':<30} {'SQLite':>10} {'PostgreSQL':>11} {'ratio':>7}")
    for label, lite in results["SQLite"].items():
        server = results["PostgreSQL"][label]
        print(f"{label:<30} {lite:8.1f} ms {server:8.1f} ms {server / lite:6.2f}x")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
