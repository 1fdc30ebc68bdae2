#!/usr/bin/env python3
"""Global search on an office-sized database: building the index, then typical queries.

    bench/make_office_db.py /tmp/s5k.sqlite            # 5,000 claims, 100,000 calls
    bench/search.py /tmp/s5k.sqlite --runs 7
    bench/search.py --db postgresql+psycopg://...   # an office on a server (make_office_db.py
                                                    # --copy-to): works on it, not on a copy

Works on a copy of a file (the index is written into the database). Prints the time to index
every case from nothing (what the first search after an upgrade does), to reindex one changed
case (what a search after logging a call does), and the median time of each query.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from claimdesk.paths import sqlite_url
from claimdesk.services import CallInput
from claimdesk.storage import open_database
from tests.signin import as_user

QUERIES = ["Lopez", "reviewer report", "R4711", '"claim file" Kim', "zzqx"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path, nargs="?")
    parser.add_argument("--db", metavar="URL", help="a database server's URL instead of a file")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if (args.database is None) == (args.db is None):
        parser.error("give a database file or --db URL")
    with tempfile.TemporaryDirectory() as folder:
        url = args.db
        if url is None:
            copy = Path(folder) / "search.sqlite"
            shutil.copy(args.database, copy)
            url = sqlite_url(copy)
        db = open_database(url, backup_dir=Path(folder))
        services = as_user(db, "Bench")
        started = time.perf_counter()
        cases = services.search.rebuild()
        full = time.perf_counter() - started
        with db.engine.connect() as connection:
            entries = connection.exec_driver_sql("SELECT count(*) FROM search_entries").scalar()
        print(f"index from nothing: {cases:,} cases, {entries:,} entries in {full:.1f} s")

        claim_id = services.claims.list_claims()[0].id
        changed = []
        for run in range(args.runs):
            call = CallInput(datetime.now(UTC), person_name=f"Bench {run}", summary="Chased")
            services.calls.log_call(claim_id, call)
            started = time.perf_counter()
            services.search.refresh()
            changed.append(time.perf_counter() - started)
        print(f"reindex one changed case: median {statistics.median(changed) * 1000:.0f} ms")
        for query in QUERIES:
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                result = services.search.search(query)
                times.append(time.perf_counter() - started)
            print(
                f"  {query!r:<24} {statistics.median(times) * 1000:7.1f} ms  "
                f"{result.total_hits:>4} hits in {len(result.cases):>4} cases"
                + (" (cut at the limit)" if result.truncated else "")
            )
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
