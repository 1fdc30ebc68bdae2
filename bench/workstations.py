#!/usr/bin/env python3
"""Several workstations on one PostgreSQL server: writes per second, latency, nothing lost.

    bench/workstations.py                      # its own throwaway cluster (scripts/pg-server)
    bench/workstations.py --server URL         # a server you started (its maintenance database)
    bench/workstations.py --workers 1 4 8 --seconds 30 --sqlite   # the same on SQLite too

For each N, a new database is set up as an office, and N processes (one caseworker each, as N
workstations) run for SECONDS: each turn logs a call on a case (a write), every fifth turn
opens a new case (a write that takes a case number), every other turn reads the case list's
first page (ids, count and 200 rows, as the window does). Each worker reports every call and
case it was told was saved; then the database is checked: every reported call is there with
the words it was saved with (0 lost), no call is there that nobody reported (0 phantom), no
case number is held twice (0 duplicated), and no worker met an error (0 errors).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
PAGE = 200
CASES_AT_START = 200


def worker(url: str, name: str, seconds: float, seed: int, queue: Any) -> None:
    """One workstation: log calls, open cases, read the case list; report what was saved."""
    from claimdesk.models.enums import Role
    from claimdesk.services import CallInput, ClaimInput, Services
    from claimdesk.services.accounts import use_hasher
    from claimdesk.services.caselist import CaseFilter
    from claimdesk.storage import open_database
    from tests.signin import FAST_HASHER, principal

    use_hasher(FAST_HASHER)
    rng = random.Random(seed)
    db = open_database(url)
    services = Services(db, principal(db, name, Role.CASEWORKER))
    claim_ids = services.caselist.case_ids(CaseFilter())
    latencies: dict[str, list[float]] = {"log call": [], "open case": [], "case list": []}
    calls: list[tuple[int, str]] = []
    cases: list[tuple[int, str]] = []
    errors: list[str] = []
    now = datetime(2026, 11, 4, 15, 0, tzinfo=UTC)
    end = time.perf_counter() + seconds
    turn = 0
    while time.perf_counter() < end:
        turn += 1
        try:
            if turn % 5 == 0:
                started = time.perf_counter()
                case = services.claims.open_case(
                    ClaimInput(
                        claimant_name=f"{name} case {turn}",
                        plan_type="erisa_group_health",
                        claim_type="health",
                        country="US",
                        region="CA",
                        insurer_name="Acme Health Plan",
                        denial_received_date=now.date() - timedelta(days=10),
                        denial_category="medical_necessity",
                    )
                )
                latencies["open case"].append(time.perf_counter() - started)
                cases.append((case.id, case.case_number))
                claim_ids.append(case.id)
            words = f"{name} turn {turn}"
            started = time.perf_counter()
            call = services.calls.log_call(
                rng.choice(claim_ids),
                CallInput(now - timedelta(minutes=turn), person_name="Agent", summary=words),
            )
            latencies["log call"].append(time.perf_counter() - started)
            calls.append((call.id, words))
            if turn % 2 == 0:
                started = time.perf_counter()
                ids, _total = services.caselist.first_ids(CaseFilter(), PAGE)
                services.caselist.rows(ids)
                latencies["case list"].append(time.perf_counter() - started)
        except Exception as error:  # every error counts; the run goes on
            errors.append(f"{type(error).__name__}: {error}".splitlines()[0][:200])
            if len(errors) == 1:
                traceback.print_exc()
    services.close()
    queue.put({"latencies": latencies, "calls": calls, "cases": cases, "errors": errors})


def set_up(url: str) -> None:
    """A new office: the administrator and CASES_AT_START cases for the calls to go to."""
    from claimdesk.services import ClaimInput
    from claimdesk.services.accounts import use_hasher
    from claimdesk.storage import open_database
    from tests.signin import FAST_HASHER, as_user

    use_hasher(FAST_HASHER)
    db = open_database(url)
    services = as_user(db, "Office Admin")
    for n in range(CASES_AT_START):
        services.claims.open_case(
            ClaimInput(
                claimant_name=f"Claimant {n}",
                plan_type="erisa_group_health",
                claim_type="health",
                country="US",
                region="CA",
                insurer_name="Acme Health Plan",
                denial_received_date=datetime(2026, 10, 1).date(),
                denial_category="medical_necessity",
            )
        )
    services.close()


def check(url: str, reports: list[dict[str, Any]]) -> dict[str, int]:
    """Lost, phantom and duplicated records, against what the workers were told was saved."""
    engine = create_engine(url)
    reported = {call_id: words for report in reports for call_id, words in report["calls"]}
    try:
        with engine.connect() as connection:
            stored = dict(
                connection.execute(
                    text("SELECT id, summary FROM call_log_entries WHERE summary LIKE '% turn %'")
                ).all()
            )
            duplicated = connection.scalar(
                text(
                    "SELECT count(*) FROM (SELECT case_number FROM claims GROUP BY case_number "
                    "HAVING count(*) > 1) AS twice"
                )
            )
            cases = connection.scalar(text("SELECT count(*) FROM claims"))
    finally:
        engine.dispose()
    lost = sum(1 for call_id, words in reported.items() if stored.get(call_id) != words)
    phantom = sum(1 for call_id in stored if call_id not in reported)
    opened = sum(len(report["cases"]) for report in reports)
    return {
        "lost": lost,
        "phantom": phantom,
        "duplicated": int(duplicated or 0),
        "cases missing": CASES_AT_START + opened - int(cases or 0),
    }


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@contextmanager
def new_database(server: str | None, count: int) -> Iterator[str]:
    """A new database for one run: on the server, or a SQLite file (``server`` None)."""
    if server is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'office.sqlite'}"
        return
    name = f"bench_workstations_{count}_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def run(server: str | None, count: int, seconds: float) -> None:
    with new_database(server, count) as url:
        set_up(url)
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        processes = [
            context.Process(target=worker, args=(url, f"Caseworker {n}", seconds, n, queue))
            for n in range(1, count + 1)
        ]
        for process in processes:
            process.start()
        reports = [queue.get(timeout=seconds + 300) for _ in processes]
        for process in processes:
            process.join()
        found = check(url, reports)
    writes = sum(len(r["calls"]) + len(r["cases"]) for r in reports)
    errors = [e for r in reports for e in r["errors"]]
    backend = "SQLite" if server is None else "PostgreSQL"
    print(
        f"{backend}, N = {count}: {writes:,} writes in {seconds:.0f} s = "
        f"{writes / seconds:,.0f} writes/s"
    )
    for kind in ("log call", "open case", "case list"):
        times = [t for r in reports for t in r["latencies"][kind]]
        print(
            f"  {kind:<10} {len(times):>6,}  p50 {statistics.median(times) * 1000:6.1f} ms  "
            f"p99 {percentile(times, 0.99) * 1000:6.1f} ms"
        )
    print(
        f"  lost {found['lost']}, phantom {found['phantom']}, duplicated case numbers "
        f"{found['duplicated']}, cases missing {found['cases missing']}, errors {len(errors)}"
    )
    for error in sorted(set(errors))[:5]:
        print(f"    {errors.count(error)} x {error}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", metavar="URL", help="a server's maintenance database URL")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--sqlite", action="store_true", help="the same on one SQLite file too, for comparison"
    )
    args = parser.parse_args()
    folder = None
    server = args.server
    if server is None:
        folder = tempfile.mkdtemp(prefix="claimdesk-workstations-")
        started = subprocess.run(
            [str(ROOT / "scripts" / "pg-server"), "start", folder],
            check=True,
            capture_output=True,
            text=True,
        )
        server = started.stdout.strip()
    try:
        print(f"PostgreSQL: {server_version(server)}; {os.cpu_count()} CPUs")
        for count in args.workers:
            run(server, count, args.seconds)
            if args.sqlite:
                run(None, count, args.seconds)
        print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        if folder is not None:
            subprocess.run([str(ROOT / "scripts" / "pg-server"), "stop", folder], check=False)
    return 0


def server_version(server: str) -> str:
    engine = create_engine(server)
    try:
        with engine.connect() as connection:
            return str(connection.exec_driver_sql("SHOW server_version").scalar())
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
