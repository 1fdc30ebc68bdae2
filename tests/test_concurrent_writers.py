"""Two ClaimDesk processes saving into one database at once: nobody waits forever, nothing lost.

Two real processes (tests/workers/write_mix.py) open cases and log calls through the services
for a few seconds, started together; meanwhile this process keeps reading the case list and a
call log. A 'database is locked' reaching any caller fails the test, as does a saved record
that is missing afterwards. A last test starts several processes on a database that does not
exist yet, as two windows do on the first run.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from claimdesk.models import CallLogEntry, Claim
from claimdesk.services import ClaimInput, Services
from claimdesk.storage import Database, open_database
from tests.pinned import pinned_clock
from tests.signin import as_user
from tests.workers.common import prepare_key_file
from tests.workers.harness import Worker, start_together, stopped_after

WRITERS = ("A", "B")
SECONDS = 5.0
READY_TIMEOUT_S = 60.0
# Generous: a writer may wait up to the 30 s busy timeout once, and CI machines are slow.
FINISH_TIMEOUT_S = SECONDS + 90.0


class Writer(Worker):
    """A write_mix.py worker, with what it reported parsed."""

    def records(self, kind: str) -> list[tuple[int, str, int]]:
        """(id, claim id or case number, i) for each 'call' or 'case' line."""
        rows = (line.split() for line in self.lines if line.startswith(kind + " "))
        return [(int(row[1]), row[2], int(row[3])) for row in rows]

    def stats(self) -> dict[str, Any]:
        done = [line for line in self.lines if line.startswith("done ")]
        assert len(done) == 1, self.report()
        stats: dict[str, Any] = json.loads(done[0].removeprefix("done "))
        return stats


def _seed(db: Database) -> int:
    return (
        as_user(db, "Test Caseworker", clock=pinned_clock())
        .claims.open_case(
            ClaimInput(
                claimant_name="Shared Claimant",
                plan_type="erisa_group_health",
                claim_type="health",
                country="US",
                insurer_name="Acme",
            )
        )
        .id
    )


def _read_while(writers: list[Writer], services: Services, shared_id: int) -> int:
    """Read the case list and the shared call log until the writers stop; returns reads made."""
    reads = 0
    last_calls = last_cases = 0
    deadline = time.monotonic() + FINISH_TIMEOUT_S
    while any(w.proc.poll() is None for w in writers) and time.monotonic() < deadline:
        calls = services.calls.calls(shared_id)
        cases = services.claims.list_claims()
        # Each read sees a committed state, and committed states only ever grow.
        assert len({c.id for c in calls}) == len(calls)
        assert len(calls) >= last_calls
        assert len(cases) >= last_cases
        last_calls, last_cases = len(calls), len(cases)
        reads += 1
        time.sleep(0.02)
    return reads


@pytest.mark.slow
def test_two_processes_write_together_without_lock_errors_or_lost_writes(
    tmp_path: Path, storage_key: bytes | None
) -> None:
    db_path = tmp_path / "claimdesk.sqlite"
    url = f"sqlite:///{db_path}"
    go = tmp_path / "go"
    # Created here first, so the writers never race to create the schema.
    prepare_key_file(db_path, storage_key)
    db = open_database(url, key=storage_key)
    try:
        services = as_user(db, "Test Caseworker", clock=pinned_clock())
        shared_id = _seed(db)
        writers = [
            Writer(
                "write_mix.py",
                [url, name, str(shared_id), str(go), str(SECONDS)],
                tmp_path / name,
                name=name,
            )
            for name in WRITERS
        ]
        with stopped_after(writers):
            start_together(writers, go, READY_TIMEOUT_S)
            reads = _read_while(writers, services, shared_id)
            for w in writers:
                w.finish(FINISH_TIMEOUT_S)

        for w in writers:
            assert w.proc.returncode == 0, w.report()
        assert reads > 0
        _assert_nothing_lost(db, services, writers, shared_id)
    finally:
        db.dispose()


def _assert_nothing_lost(
    db: Database, services: Services, writers: list[Writer], shared_id: int
) -> None:
    with db.read() as session:
        assert session.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]
        assert session.execute(text("PRAGMA foreign_key_check")).all() == []
        calls = {c.id: (c.claim_id, c.summary) for c in session.scalars(select(CallLogEntry))}
        cases = {c.id: (c.case_number, c.claimant_name) for c in session.scalars(select(Claim))}
        audited = Counter(
            (entity, entity_id)
            for entity, entity_id in session.execute(
                text("SELECT entity, entity_id FROM audit_events WHERE action = 'create'")
            )
        )

    reported_calls = reported_cases = 0
    for w in writers:
        stats = w.stats()
        own_calls, own_cases = w.records("call"), w.records("case")
        assert (stats["calls"], stats["cases"]) == (len(own_calls), len(own_cases))
        # Each writer got its turns: neither was starved out of the database.
        assert own_calls and own_cases, w.report()
        for call_id, call_claim, i in own_calls:
            assert calls.get(call_id) == (int(call_claim), f"{w.name} call {i}"), (
                f"writer {w.name}'s committed call {call_id} is missing or wrong"
            )
        for case_id, case_number, i in own_cases:
            assert cases.get(case_id) == (case_number, f"{w.name} claimant {i}"), (
                f"writer {w.name}'s committed case {case_id} is missing or wrong"
            )
        reported_calls += len(own_calls)
        reported_cases += len(own_cases)

    # Nothing more was stored than the writers reported (plus the seeded case).
    assert len(calls) == reported_calls
    assert len(cases) == reported_cases + 1
    assert len({number for number, _ in cases.values()}) == len(cases), "duplicate case number"
    assert all(audited[("call", call_id)] == 1 for call_id in calls)
    assert all(audited[("claim", case_id)] == 1 for case_id in cases)
    # Two processes appending at once never forked the audit chain: each linked its events
    # after the head it read inside its own IMMEDIATE transaction.
    chain = services.audit.verify()
    assert chain.ok, chain.problem
    assert len(services.calls.calls(shared_id)) == sum(
        1 for call_claim, _ in calls.values() if call_claim == shared_id
    )
    assert len(services.claims.list_claims()) == len(cases)

    # The two writers really did write at the same time: their saves interleave.
    owner = {call_id: w.name for w in writers for call_id, _claim, _i in w.records("call")}
    order = [owner[call_id] for call_id in sorted(owner)]
    switches = sum(1 for a, b in itertools.pairwise(order) if a != b)
    assert switches >= 2, f"the writers took turns only {switches} times"


OPENERS = 3
ATTEMPTS = 3


@pytest.mark.slow
def test_windows_opening_a_new_database_together_all_succeed(
    tmp_path: Path, storage_key: bytes | None
) -> None:
    """First run with two windows (or the GUI and the CLI): both must open the new database."""
    for attempt in range(ATTEMPTS):
        folder = tmp_path / f"attempt{attempt}"
        folder.mkdir()
        url = f"sqlite:///{folder / 'claimdesk.sqlite'}"
        prepare_key_file(folder / "claimdesk.sqlite", storage_key)
        go = folder / "go"
        names = [f"W{n}" for n in range(OPENERS)]
        openers = [
            Worker("open_new.py", [url, str(go), name], folder / name, name=name) for name in names
        ]
        with stopped_after(openers):
            start_together(openers, go, READY_TIMEOUT_S)
            for opener in openers:
                opener.finish(FINISH_TIMEOUT_S)
        for opener in openers:
            assert opener.proc.returncode == 0, opener.report()

        db = open_database(url, key=storage_key)
        try:
            numbers = [c.case_number for c in as_user(db, "Test").claims.list_claims()]
        finally:
            db.dispose()
        assert len(set(numbers)) == len(numbers) == OPENERS
