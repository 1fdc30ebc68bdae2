#!/usr/bin/env python3
"""What moving and backing up an office costs on PostgreSQL, in one run.

An office made through the services (the demo's six cases loaded --copies times: real
documents, a real audit chain, so every restore check runs) is moved to the server with
``migrate-db``'s copy (storage/transfer.py: copy, read back, check), then the server database is
backed up with pg_dump and with the portable export, and each backup restored onto it (one
transaction each). Prints seconds and rows per second for each step.

Needs a server: CLAIMDESK_TEST_POSTGRES (scripts/pg-server start DIR prints it).

Usage: .venv/bin/python bench/office_transfer.py [--copies 40]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from claimdesk.paths import sqlite_url
from claimdesk.services.accounts import use_hasher
from claimdesk.services.demo import load_demo
from claimdesk.storage import open_database, transfer
from claimdesk.storage.backup import backup, restore
from tests import postgres
from tests.signin import FAST_HASHER, as_user


def main() -> int:
    use_hasher(FAST_HASHER)
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=40)
    parser.add_argument(
        "--generated",
        type=int,
        metavar="CLAIMS",
        help="instead, an office of CLAIMS claims written by bench/make_office_db.py (20 calls "
        "and 4 documents' records a claim, no files, no audit trail): migrate-db and the "
        "backups only (its restore checks would refuse the files missing)",
    )
    args = parser.parse_args()
    server = os.environ.get(postgres.SERVER_ENV)
    if not server:
        print(f"set {postgres.SERVER_ENV} (scripts/pg-server start DIR)", file=sys.stderr)
        return 2
    with (
        tempfile.TemporaryDirectory() as folder,
        postgres.fresh_database(server, empty=True) as url,
    ):
        work = Path(folder)
        source_file = work / "office.sqlite"
        if args.generated:
            from bench.make_office_db import build

            build(source_file, args.generated, args.generated * 20, args.generated * 4)
        source = open_database(sqlite_url(source_file))
        if not args.generated:
            services = as_user(source, "Bench Admin")
            for _ in range(args.copies):
                load_demo(services)
        started = time.perf_counter()
        moved = transfer.move(source, url)
        took = time.perf_counter() - started
        source.dispose()
        rows = sum(check.rows for check in moved.tables.values())
        size = source_file.stat().st_size / 2**20
        print(f"office: {rows:,} rows in {len(moved.tables)} tables, {size:.1f} MiB as SQLite")
        print(
            f"migrate-db SQLite -> PostgreSQL (copy + read back + checks): {took:.1f} s, "
            f"{rows / took:,.0f} rows/s"
        )
        server_db = open_database(url, backup_dir=work / "backups")
        try:
            for label, path_env in (("pg_dump", None), ("portable export", str(work))):
                saved_path = os.environ["PATH"]
                if path_env is not None:
                    os.environ["PATH"] = path_env  # no pg_dump here: the export is made
                try:
                    started = time.perf_counter()
                    made = backup(server_db, work / f"backup-{made_suffix(label)}")
                    backed = time.perf_counter() - started
                    started = time.perf_counter()
                    if not args.generated:
                        restore(server_db, made.path, work / "backups")
                    restored = time.perf_counter() - started
                finally:
                    os.environ["PATH"] = saved_path
                print(
                    f"{label}: backup {backed:.1f} s ({made.size_bytes / 2**10:,.0f} KiB, format "
                    f"{made.format})"
                    + ("" if args.generated else f"; restore {restored:.1f} s (copy kept first)")
                )
        finally:
            server_db.dispose()
    return 0


def made_suffix(label: str) -> str:
    return "dump" if label == "pg_dump" else "sqlite"


if __name__ == "__main__":
    raise SystemExit(main())
