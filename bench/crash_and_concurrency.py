"""Crash and concurrency experiments on a real ClaimDesk database, with figures printed.

The bigger sibling of tests/test_crash_safety.py and tests/test_concurrent_writers.py, using the
same worker scripts (tests/workers/):

- crash: a worker logs calls until SIGKILLed after a random short delay, round after round on
  the same file; afterwards every call it reported committed must be there, intact.
- concurrency: WRITERS processes open cases and log calls for SECONDS at once while this
  process keeps reading; reports writes, throughput, the worst single log_call and any error.
- first run: OPENERS processes open a database that does not exist yet, at the same moment.

Usage: .venv/bin/python bench/crash_and_concurrency.py [--rounds 30] [--seconds 8]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

# Run as a script from a checkout: make its claimdesk, and the tests' worker harness, importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, text

from claimdesk.models import CallLogEntry, Claim
from claimdesk.paths import sqlite_url
from claimdesk.services import CallInput, ClaimInput, Services
from claimdesk.storage import Database, open_database
from tests.signin import as_user
from tests.workers.harness import Worker

# How long to wait for a worker to exit before killing it.
FINISH_TIMEOUT_S = 120.0
SUMMARY = re.compile(r"round (\d+) seq (\d+)")


def new_case(services: Services, name: str) -> int:
    return services.claims.open_case(
        ClaimInput(
            claimant_name=name,
            plan_type="erisa_group_health",
            claim_type="health",
            country="US",
            insurer_name="Acme",
        )
    ).id


def integrity(db: Database) -> str:
    with db.read() as session:
        result = session.execute(text("PRAGMA integrity_check")).scalars().all()
        fk_problems = session.execute(text("PRAGMA foreign_key_check")).all()
    return ", ".join(result) + ("" if not fk_problems else f"; {len(fk_problems)} broken links")


# ---- crash ----------------------------------------------------------------------------------


def round_and_seq(summary: str) -> tuple[int, int]:
    match = SUMMARY.fullmatch(summary)
    if match is None:
        raise SystemExit(f"a call no worker wrote: {summary!r}")
    return int(match[1]), int(match[2])


def crash(folder: Path, rounds: int, rng: random.Random) -> None:
    db_path = folder / "crash.sqlite"
    url = sqlite_url(db_path)
    db = open_database(url)
    claim_id = new_case(as_user(db, "Bench"), "Crash Claimant")
    db.dispose()

    killed = in_call = before_ready = died_alone = 0
    committed: dict[int, dict[int, int]] = {}
    begun: dict[int, set[int]] = {}
    started = time.monotonic()
    for number in range(rounds):
        worker = Worker("log_calls.py", [url, str(claim_id), str(number)], folder / "crash.err")
        try:
            if number % 4 == 3:
                time.sleep(rng.uniform(0.1, 1.2))
            elif not worker.wait_for_line("ready", 60):
                print(f"  round {number}: worker never got ready: {worker.error_line()}")
            else:
                time.sleep(rng.uniform(0.0, 0.3))
            alive = worker.proc.poll() is None
            worker.proc.kill()
        finally:
            worker.finish(FINISH_TIMEOUT_S)
        if not alive:
            died_alone += 1
            print(f"  round {number}: worker died on its own: {worker.error_line()}")
        else:
            killed += 1
        lines = worker.lines
        before_ready += "ready" not in lines
        in_call += bool(lines) and lines[-1].startswith("begin ")
        committed[number] = {
            int(seq): int(call_id)
            for seq, call_id in (ln.split()[1:] for ln in lines if ln.startswith("committed "))
        }
        begun[number] = {int(ln.split()[1]) for ln in lines if ln.startswith("begin ")}
    elapsed = time.monotonic() - started
    wal = db_path.with_name(db_path.name + "-wal")
    wal_size = wal.stat().st_size if wal.exists() else 0

    db = open_database(url)
    try:
        services = as_user(db, "Bench")
        first_check = integrity(db)
        stored = services.calls.calls(claim_id)
        keys = Counter(round_and_seq(c.summary) for c in stored if c.summary != "after")
        records = {c.id: c for c in stored}
        reported = sum(len(c) for c in committed.values())
        found = sum(
            1
            for number, calls in committed.items()
            for seq, call_id in calls.items()
            if call_id in records
            and records[call_id].summary == f"round {number} seq {seq}"
            and len(records[call_id].promises) == seq % 3
        )
        unreported = gaps = 0
        for number in range(rounds):
            seqs = sorted(seq for r, seq in keys if r == number)
            gaps += seqs != list(range(len(seqs)))
            extra = len(seqs) - len(committed[number])
            unreported += extra if extra == 1 and len(committed[number]) in begun[number] else 0
        with db.read() as session:
            audited = Counter(
                session.execute(
                    text("SELECT entity_id FROM audit_events WHERE entity = 'call'")
                ).scalars()
            )
        try:
            services.calls.log_call(
                claim_id,
                CallInput(occurred_at="2026-01-16 09:00", person_name="Bench", summary="after"),
            )
            new_write = "ok"
        except Exception as error:
            new_write = f"FAILED: {type(error).__name__}: {error}"
        final_check = integrity(db)
    finally:
        db.dispose()

    print("crash safety (SIGKILL while logging calls)")
    print(f"  rounds run                           {rounds} in {elapsed:.1f} s")
    print(f"  rounds killed                        {killed}")
    print(f"    killed inside log_call             {in_call}")
    print(f"    killed before the database opened  {before_ready}")
    print(f"  workers that died on their own       {died_alone}")
    print(f"  calls reported committed             {reported}")
    print(f"  of those found intact                {found}")
    print(f"  committed but not yet reported       {unreported} (killed between commit and print)")
    print(f"  calls stored                         {len(stored)}")
    print(f"  calls stored twice                   {sum(n > 1 for n in keys.values())}")
    print(f"  rounds with gaps                     {gaps}")
    print(f"  calls without exactly one audit row  {sum(audited[i] != 1 for i in records)}")
    print(f"  WAL left by the last kill            {wal_size} bytes")
    print(f"  integrity after recovery             {first_check}")
    print(f"  new write after recovery             {new_write}")
    print(f"  integrity at the end                 {final_check}")


# ---- concurrency ----------------------------------------------------------------------------


def concurrency(folder: Path, writers: int, seconds: float) -> None:
    url = sqlite_url(folder / "concurrent.sqlite")
    go = folder / "go"
    db = open_database(url)
    services = as_user(db, "Bench Reader")
    shared_id = new_case(services, "Shared Claimant")
    names = [chr(ord("A") + n) for n in range(writers)]
    workers = [
        Worker("write_mix.py", [url, name, str(shared_id), str(go), str(seconds)], folder / name)
        for name in names
    ]
    reads = 0
    read_errors: list[str] = []
    max_read = 0.0
    try:
        deadline = time.monotonic() + 60
        while not all(w.is_ready() or w.proc.poll() is not None for w in workers):
            if time.monotonic() > deadline:
                raise SystemExit("the writers never got ready")
            time.sleep(0.01)
        go.touch()
        while any(w.proc.poll() is None for w in workers):
            before = time.perf_counter()
            try:
                services.calls.calls(shared_id)
                services.claims.list_claims()
            except Exception as error:
                read_errors.append(f"{type(error).__name__}: {error}")
            max_read = max(max_read, time.perf_counter() - before)
            reads += 1
            time.sleep(0.02)
    finally:
        for w in workers:
            w.finish(FINISH_TIMEOUT_S)

    with db.read() as session:
        calls = {c.id: c.summary for c in session.scalars(select(CallLogEntry))}
        cases = {c.id: c.claimant_name for c in session.scalars(select(Claim))}
    check = integrity(db)
    db.dispose()

    print(f"concurrent writers ({writers} processes, {seconds:g} s each, one reader)")
    total = lost = 0
    longest = 0.0
    for name, w in zip(names, workers, strict=True):
        done = [ln for ln in w.lines if ln.startswith("done ")]
        stats: dict[str, Any] = json.loads(done[0][5:]) if done else {}
        own_calls = [ln.split() for ln in w.lines if ln.startswith("call ")]
        own_cases = [ln.split() for ln in w.lines if ln.startswith("case ")]
        lost += sum(calls.get(int(row[1])) != f"{name} call {row[3]}" for row in own_calls)
        lost += sum(cases.get(int(row[1])) != f"{name} claimant {row[3]}" for row in own_cases)
        writes = len(own_calls) + len(own_cases)
        total += writes
        longest = max(longest, stats.get("elapsed", seconds))
        problem = "none" if w.proc.returncode == 0 else w.error_line()
        print(
            f"  writer {name}: {writes} writes ({len(own_calls)} calls, {len(own_cases)} cases), "
            f"log_call p50 {stats.get('p50_call_latency', 0) * 1000:.1f} ms, "
            f"p99 {stats.get('p99_call_latency', 0) * 1000:.1f} ms, "
            f"max {stats.get('max_call_latency', 0) * 1000:.1f} ms; "
            f"open_case max {stats.get('max_case_latency', 0) * 1000:.1f} ms; errors: {problem}"
        )
    print(f"  total writes                         {total}")
    print(f"  writes per second                    {total / longest:.1f}")
    print(f"  reported writes missing or wrong     {lost}")
    print(f"  rows stored vs reported              {len(calls) + len(cases) - 1} vs {total}")
    print(f"  reads during the writes              {reads}, slowest {max_read * 1000:.1f} ms")
    print(f"  reader errors                        {len(read_errors)} {read_errors[:1]}")
    print(f"  integrity                            {check}")


# ---- first run ------------------------------------------------------------------------------


def first_run(folder: Path, openers: int, attempts: int) -> None:
    failures: Counter[str] = Counter()
    failed_attempts = 0
    for attempt in range(attempts):
        sub = folder / f"first{attempt}"
        sub.mkdir()
        url = sqlite_url(sub / "new.sqlite")
        go = sub / "go"
        workers = [
            Worker("open_new.py", [url, str(go), f"W{n}"], sub / f"W{n}.err")
            for n in range(openers)
        ]
        try:
            for w in workers:
                w.wait_for_line("ready", 60)
            go.touch()
        finally:
            for w in workers:
                w.finish(FINISH_TIMEOUT_S)
        bad = [w.error_line() for w in workers if w.proc.returncode != 0]
        failed_attempts += bool(bad)
        failures.update(line.split(":")[0] for line in bad)
    print(f"first run ({openers} processes open a new database together, {attempts} times)")
    print(f"  attempts where a process failed      {failed_attempts}")
    print(
        f"  processes failed                     {sum(failures.values())} of {openers * attempts}"
    )
    for kind, count in failures.items():
        print(f"    {count} x {kind}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="crash rounds (default 30)")
    parser.add_argument("--seconds", type=float, default=8, help="writing time (default 8)")
    parser.add_argument("--writers", type=int, default=2, help="writer processes (default 2)")
    parser.add_argument("--openers", type=int, default=3, help="first-run processes (default 3)")
    parser.add_argument("--open-attempts", type=int, default=5, help="first-run attempts")
    parser.add_argument("--seed", type=int, default=None, help="seed for the kill delays")
    parser.add_argument("--dir", type=Path, default=None, help="keep the databases here")
    args = parser.parse_args()

    seed = args.seed if args.seed is not None else random.randrange(2**32)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, seed {seed}")
    with tempfile.TemporaryDirectory(prefix="claimdesk-bench-") as scratch:
        folder = args.dir or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        crash(folder, args.rounds, random.Random(seed))
        concurrency(folder, args.writers, args.seconds)
        if args.openers and args.open_attempts:
            first_run(folder, args.openers, args.open_attempts)


if __name__ == "__main__":
    main()
