#!/usr/bin/env python3
"""Global search on an office-sized database: building the index, then typical queries.

    bench/make_office_db.py /tmp/s5k.sqlite            # 5,000 claims, 100,000 calls
    bench/search.py /tmp/s5k.sqlite --runs 7
    bench/search.py --db postgresql+psycopg://...   # an office on a server (make_office_db.py
                                                    # --copy-to): works on it, not on a copy,
                                                    # and prints ClaimDesk's times only

Works on a copy (the index is written into the database). Prints, each against its floor
measured in the same run:

- the time to index every case from nothing (what the first search after an upgrade does)
  against raw sqlite3 inserting the same rows, 140 a statement in one transaction, into the
  same schema (search_entries, its FTS5 table and triggers) in a new file, and into a copy of
  the office database itself (foreign keys on, as ClaimDesk opens it); for reference also
  into the new file by executemany;
- the time to reindex one changed case (what a search after logging a call does);
- each query's median through SearchService.search against the same FTS5 statement run by
  raw sqlite3 on the same file, timed turn about (issue 16's target: 2x at most).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import interleaved
from claimdesk.paths import sqlite_url
from claimdesk.services import CallInput
from claimdesk.services.search import (
    FTS_QUERY,
    FTS_SNIPPET_CHARS,
    ROWS_PER_INSERT,
    fts_match,
    query_terms,
)
from claimdesk.storage import open_database
from tests.signin import as_user

QUERIES = ["Lopez", "reviewer report", "R4711", '"claim file" Kim', "zzqx"]
COLUMNS = "claim_id, kind, record_id, title, body, extracted, extracted_sha256"


def index_rows(indexed: Path) -> tuple[list[tuple[Any, ...]], list[str]]:
    """The index rows ClaimDesk wrote, and the schema of the index's tables."""
    with sqlite3.connect(indexed) as reading:
        rows = reading.execute(f"SELECT {COLUMNS} FROM search_entries ORDER BY id").fetchall()
        schema = [
            sql
            for (sql,) in reading.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name IN ('search_entries', 'search_fts')"
                " AND sql IS NOT NULL AND name NOT LIKE 'search_fts_%' "
                "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END"
            )
        ]
    return rows, schema


def raw_insert(
    rows: list[tuple[Any, ...]], target: Path, schema: list[str] | None, many: bool = False
) -> tuple[float, float]:
    """Seconds (wall clock, CPU) for raw sqlite3 to insert ``rows`` into ``target``: a new
    file made with ``schema``, or (``schema`` None) a copy of the office database, whose index
    is empty."""
    connection = sqlite3.connect(target, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    if schema is None:
        connection.execute("PRAGMA foreign_keys=ON")  # as ClaimDesk opens it
    else:
        connection.execute("CREATE TABLE claims (id INTEGER PRIMARY KEY)")  # the foreign key's
        for sql in schema:
            connection.execute(sql)
    one = "(" + ", ".join("?" * 7) + ")"
    started, started_cpu = time.perf_counter(), time.process_time()
    connection.execute("BEGIN")
    if many:
        connection.executemany(f"INSERT INTO search_entries ({COLUMNS}) VALUES {one}", rows)
    else:
        for start in range(0, len(rows), ROWS_PER_INSERT):
            chunk = rows[start : start + ROWS_PER_INSERT]
            connection.execute(
                f"INSERT INTO search_entries ({COLUMNS}) VALUES " + ", ".join([one] * len(chunk)),
                [value for row in chunk for value in row],
            )
    connection.execute("COMMIT")
    elapsed = time.perf_counter() - started, time.process_time() - started_cpu
    connection.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path, nargs="?")
    parser.add_argument("--db", metavar="URL", help="a database server's URL instead of a file")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if (args.database is None) == (args.db is None):
        parser.error("give a database file or --db URL")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        copy: Path | None = None
        url = args.db
        if url is None:
            copy = folder / "search.sqlite"
            shutil.copy(args.database, copy)
            url = sqlite_url(copy)
        db = open_database(url, backup_dir=folder)
        services = as_user(db, "Bench")
        started, started_cpu = time.perf_counter(), time.process_time()
        cases = services.search.rebuild()
        full, full_cpu = time.perf_counter() - started, time.process_time() - started_cpu
        with db.engine.connect() as connection:
            entries = connection.exec_driver_sql("SELECT count(*) FROM search_entries").scalar()
        print(
            f"index from nothing: {cases:,} cases, {entries:,} entries in {full:.1f} s "
            f"(CPU {full_cpu:.1f} s)"
        )
        if copy is not None:  # the floors are raw sqlite3's
            rows, schema = index_rows(copy)
            floor, floor_cpu = raw_insert(rows, folder / "raw-new.sqlite", schema)
            many, _ = raw_insert(rows, folder / "raw-many.sqlite", schema, many=True)
            same = folder / "raw-same.sqlite"
            shutil.copy(args.database, same)
            in_place, in_place_cpu = raw_insert(rows, same, None)
            print(
                f"  raw sqlite3, same rows, {ROWS_PER_INSERT} a statement, one transaction: "
                f"{floor:.1f} s (CPU {floor_cpu:.1f} s) into a new file with the same schema "
                f"({many:.1f} s by executemany), {in_place:.1f} s (CPU {in_place_cpu:.1f} s) "
                "into a copy of the database"
            )
            print(
                f"  ClaimDesk / raw: {full / floor:.1f}x the new file, {full / in_place:.1f}x "
                f"the copy; by CPU time {full_cpu / floor_cpu:.1f}x, "
                f"{full_cpu / in_place_cpu:.1f}x (target 3x at most)"
            )

        claim_id = services.claims.list_claims()[0].id
        changed = []
        for run in range(args.runs):
            call = CallInput(datetime.now(UTC), person_name=f"Bench {run}", summary="Chased")
            services.calls.log_call(claim_id, call)
            started = time.perf_counter()
            services.search.refresh()
            changed.append(time.perf_counter() - started)
        print(f"reindex one changed case: median {statistics.median(changed) * 1000:.0f} ms")

        raw = sqlite3.connect(copy) if copy is not None else None
        print("query                     ClaimDesk  raw sqlite3   ratio (target 2x at most)")
        for query in QUERIES:
            params = {
                "match": fts_match(query_terms(query)),
                "limit": 301,
                "small": FTS_SNIPPET_CHARS,
                "visible": None,
            }
            result = services.search.search(query)
            ours, floor_ms = interleaved(
                lambda q=query: services.search.search(q),  # type: ignore[misc]
                lambda p=params: raw.execute(FTS_QUERY, p).fetchall() if raw else None,  # type: ignore[misc]
                args.runs,
            )
            against = f"{floor_ms:8.2f} ms {ours / floor_ms:7.2f}x" if raw else " " * 20
            print(
                f"  {query!r:<22} {ours:8.2f} ms {against}  "
                f"{result.total_hits:>4} hits in {len(result.cases):>4} cases"
                + (" (cut at the limit)" if result.truncated else "")
            )
        if raw is not None:
            raw.close()
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
