"""What the audit chain costs: a write with and without linking its events, and a verify.

- write: NOTES notes added one unit of work each (one audit event each), first with the chain
  as shipped, then with ``write_chained`` swapped for a plain insert of the same rows (no lock,
  no head read, no hashing), alternating in rounds on the same file; the ratio is measured in
  this one run.
- verify: a trail of EVENTS events (added through ``write_chained`` in batches) is checked
  whole; the time per event, and for the documents' files of the demo data.

Usage: .venv/bin/python bench/audit_chain.py [--notes 1000] [--rounds 10] [--events 200000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Connection

from claimdesk.paths import sqlite_url
from claimdesk.services import ClaimInput, Services
from claimdesk.services import context as context_module
from claimdesk.services.demo import load_demo
from claimdesk.storage import audit_chain, open_database
from claimdesk.storage.audit_chain import EventFields
from tests.signin import as_user


def plain_insert(connection: Connection, events: list[EventFields]) -> None:
    """The same rows without the chain: what the write cost before it."""
    if not events:
        return
    last_id = audit_chain.head(connection)[0]
    connection.execute(
        audit_chain._events.insert(),
        [
            {**e.__dict__, "id": last_id + n, "prev_hash": "", "event_hash": ""}
            for n, e in enumerate(events, start=1)
        ],
    )


def timed_notes(services: Services, claim_id: int, count: int) -> float:
    start = time.perf_counter()
    for n in range(count):
        services.claims.add_note(claim_id, f"bench note {n}")
    return (time.perf_counter() - start) / count


def bench_writes(folder: Path, notes: int, rounds: int) -> None:
    db = open_database(sqlite_url(folder / "writes.sqlite"))
    services = as_user(db, "Bench")
    claim = services.claims.open_case(
        ClaimInput(
            claimant_name="Bench Claimant",
            plan_type="erisa_group_health",
            claim_type="health",
            country="US",
            insurer_name="Bench Insurer",
        )
    )
    inside: list[float] = []

    def timed_chain(connection: Connection, events: list[EventFields]) -> None:
        start = time.perf_counter()
        audit_chain.write_chained(connection, events)
        inside.append(time.perf_counter() - start)

    chained, plain = [], []
    for number in range(rounds):
        # Alternate which goes first, so a checkpoint's pause falls on both alike.
        order = [(timed_chain, chained), (plain_insert, plain)]
        for writer, times in order if number % 2 == 0 else reversed(order):
            context_module.write_chained = writer  # type: ignore[assignment]
            times.append(timed_notes(services, claim.id, notes // rounds // 2))
    context_module.write_chained = audit_chain.write_chained
    db.dispose()
    c, p = statistics.median(chained), statistics.median(plain)
    print(
        f"write (one note + its event, synchronous=FULL): chained {c * 1000:.2f} ms, "
        f"unchained {p * 1000:.2f} ms, ratio {c / p:.2f} (median of {rounds} rounds)"
    )
    print(
        f"linking one unit's event (lock, head read, hash, insert): median "
        f"{statistics.median(inside) * 1e6:.0f} µs"
    )


def bench_verify(folder: Path, events: int) -> None:
    db = open_database(sqlite_url(folder / "verify.sqlite"))
    services = as_user(db, "Bench")
    load_demo(services)
    start = time.perf_counter()
    check = services.audit.verify()
    demo = time.perf_counter() - start
    print(
        f"verify, demo data: {check.events} events, {check.documents} files in {demo * 1000:.0f} ms"
    )
    now = datetime.now(UTC)
    batch = [
        EventFields(0, now, 1, "update", "call", n, 1, "summary,occurred_at", None)
        for n in range(1000)
    ]
    start = time.perf_counter()
    for _ in range(events // len(batch)):
        with db.engine.begin() as connection:
            audit_chain.write_chained(connection, batch)
    added = time.perf_counter() - start
    start = time.perf_counter()
    check = services.audit.verify()
    took = time.perf_counter() - start
    assert check.ok, check.problem
    print(f"appended {events:,} events in batches of 1,000: {added:.1f} s")
    print(
        f"verify, {check.events:,} events + {check.documents} files: {took:.2f} s "
        f"({took / check.events * 1e6:.1f} µs per event)"
    )
    db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="audit-bench-") as folder:
        bench_writes(Path(folder), args.notes, args.rounds)
        bench_verify(Path(folder), args.events)
    return 0


if __name__ == "__main__":
    sys.exit(main())
