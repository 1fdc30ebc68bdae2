"""A ClaimDesk killed mid-save loses nothing it said was saved and leaves a sound database.

The crash test runs tests/workers/log_calls.py, which logs calls through the real services and
prints each call id only once log_call has returned, and kills it with SIGKILL after a random
short delay, round after round on the same file, so each round starts by recovering the WAL
the previous victim left behind. A kill stands in for a crash of the program, not of the
machine: the operating system still holds what the process wrote, so it cannot show a
synchronous=OFF commit lost to a power cut. The settings test below covers that.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import text

from claimdesk.services import CallInput, ClaimInput
from claimdesk.storage import Database, open_database
from claimdesk.storage.db import BUSY_TIMEOUT_MS
from tests.pinned import pinned_clock
from tests.signin import as_user
from tests.workers.common import prepare_key_file
from tests.workers.harness import Worker

ROUNDS = 20
READY_TIMEOUT_S = 60.0
SUMMARY = re.compile(r"round (\d+) seq (\d+)")


def test_every_session_runs_on_wal_with_full_sync_and_a_busy_timeout(
    db_path: Path, storage_key: bytes | None
) -> None:
    """FULL sync is what keeps a commit through a power cut; WAL lets readers work mid-write."""
    prepare_key_file(db_path, storage_key)
    db = open_database(f"sqlite:///{db_path}", key=storage_key)
    try:
        _assert_settings(db)
    finally:
        db.dispose()


def _assert_settings(db: Database) -> None:
    for open_session in (db.read, db.write):
        with open_session() as session:
            settings = {
                name: session.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            }
        assert settings == {
            "journal_mode": "wal",
            "synchronous": 2,  # FULL
            "foreign_keys": 1,
            "busy_timeout": BUSY_TIMEOUT_MS,
        }


@dataclass
class Round:
    number: int
    returncode: int | None = None
    stderr: str = ""
    waited_for_ready: bool = True
    lines: list[str] = field(default_factory=list)

    @property
    def committed(self) -> dict[int, int]:
        """seq -> call id, for every call the worker reported committed."""
        pairs = (line.split()[1:] for line in self.lines if line.startswith("committed "))
        return {int(seq): int(call_id) for seq, call_id in pairs}

    @property
    def begun(self) -> set[int]:
        return {int(line.split()[1]) for line in self.lines if line.startswith("begin ")}

    @property
    def killed_inside_log_call(self) -> bool:
        return bool(self.lines) and self.lines[-1].startswith("begin ")


def _seed(url: str, key: bytes | None) -> int:
    db = open_database(url, key=key)
    try:
        case = as_user(db, "Test Caseworker", clock=pinned_clock()).claims.open_case(
            ClaimInput(
                claimant_name="Crash Claimant",
                plan_type="erisa_group_health",
                claim_type="health",
                country="US",
                insurer_name="Acme",
            )
        )
        return case.id
    finally:
        # Close every connection, so each worker is the database's only user and must recover
        # the WAL its killed predecessor left.
        db.dispose()


def _run_round(url: str, claim_id: int, number: int, rng: random.Random, folder: Path) -> Round:
    result = Round(number)
    worker = Worker(
        "log_calls.py", [url, str(claim_id), str(number)], folder / f"round{number}.err"
    )
    try:
        if number % 4 == 3:
            # Some kills land while the worker is still opening (and recovering) the database.
            result.waited_for_ready = False
            time.sleep(rng.uniform(0.1, 1.2))
        else:
            assert worker.wait_for_line("ready", READY_TIMEOUT_S), (
                f"round {number}: the worker never opened the database:\n{worker.stderr}"
            )
            if number % 2 == 0:
                # Half the kills come after a first save, however slow a loaded machine makes
                # it, so some rounds always leave committed calls to look for.
                deadline = time.monotonic() + READY_TIMEOUT_S
                while worker.proc.poll() is None and time.monotonic() < deadline:
                    if any(line.startswith("committed ") for line in worker.lines):
                        break
                    time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.3))
        exited_early = worker.proc.poll() is not None
        worker.proc.kill()
    finally:
        worker.finish()
    result.returncode = worker.proc.returncode
    result.stderr = worker.stderr
    result.lines = worker.lines
    assert not exited_early, (
        f"round {number}: the worker stopped before it was killed "
        f"(exit {result.returncode}):\n{result.stderr}"
    )
    return result


@pytest.mark.slow
def test_killed_writers_lose_no_committed_call_and_leave_a_sound_database(
    tmp_path: Path, storage_key: bytes | None
) -> None:
    db_path = tmp_path / "claimdesk.sqlite"
    url = f"sqlite:///{db_path}"
    prepare_key_file(db_path, storage_key)
    claim_id = _seed(url, storage_key)
    seed = random.randrange(2**32)
    rng = random.Random(seed)

    rounds = [_run_round(url, claim_id, n, rng, tmp_path) for n in range(ROUNDS)]

    reported = sum(len(r.committed) for r in rounds)
    assert reported > 0, "no worker ever reported a committed call"
    # The kills must hit writes in progress, or this test would only prove that idle
    # processes can be killed.
    assert any(r.killed_inside_log_call for r in rounds), f"seed {seed}: no kill hit a save"
    # The last victim left a WAL behind; the open below has to recover it.
    wal = db_path.with_name(db_path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    if storage_key is not None:
        # Encrypted like the database: no call summary can be read in it.
        assert b"round 0 seq" not in wal.read_bytes() + db_path.read_bytes()

    db = open_database(url, key=storage_key)
    try:
        services = as_user(db, "Test Caseworker", clock=pinned_clock())
        _assert_sound(db)
        stored = services.calls.calls(claim_id)
        by_key = Counter(_round_and_seq(c.summary) for c in stored)
        assert all(n == 1 for n in by_key.values()), "a call was stored twice"
        records = {c.id: c for c in stored}

        for r in rounds:
            context = f"seed {seed}, round {r.number}"
            for seq, call_id in r.committed.items():
                assert call_id in records, f"{context}: committed call {call_id} (seq {seq}) lost"
                record = records[call_id]
                assert record.summary == f"round {r.number} seq {seq}", context
                # The call and its promises were one transaction: all of it or nothing.
                assert len(record.promises) == seq % 3, context
            seqs = sorted(seq for number, seq in by_key if number == r.number)
            # A worker logs in order, so what survived is a gapless prefix: every reported
            # call, plus at most the one it was saving (committed but not yet reported) when
            # it died.
            assert seqs == list(range(len(seqs))), f"{context}: gaps in {seqs}"
            extra = len(seqs) - len(r.committed)
            assert extra in (0, 1), f"{context}: {extra} calls more than reported"
            if extra:
                assert len(r.committed) in r.begun, f"{context}: a call nobody began"

        with db.read() as session:
            audited = Counter(
                session.execute(
                    text("SELECT entity_id FROM audit_events WHERE entity = 'call'")
                ).scalars()
            )
        # Each call and its audit event were written in the same transaction.
        assert audited == Counter(records.keys()), "calls and their audit events disagree"
        # A writer killed mid-transaction leaves no half-linked event: the chain is whole.
        chain = services.audit.verify()
        assert chain.ok, chain.problem

        # The recovered database still takes new work.
        after = services.calls.log_call(
            claim_id,
            CallInput(
                occurred_at="2026-01-16 09:00",
                person_name="Test Caseworker",
                summary="after the crashes",
            ),
        )
        assert services.calls.get(after.id).summary == "after the crashes"
        assert len(services.calls.calls(claim_id)) == len(stored) + 1
        _assert_sound(db)
    finally:
        db.dispose()


def _round_and_seq(summary: str) -> tuple[int, int]:
    match = SUMMARY.fullmatch(summary)
    assert match, f"a call no worker wrote: {summary!r}"
    return int(match[1]), int(match[2])


def _assert_sound(db: Database) -> None:
    with db.read() as session:
        assert session.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]
        assert session.execute(text("PRAGMA foreign_key_check")).all() == []
