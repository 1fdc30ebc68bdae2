"""Concurrency worker: open cases and log calls through the services for a fixed time.

Usage: write_mix.py DB_URL WRITER_NAME SHARED_CLAIM_ID GO_FILE SECONDS

Opens the database, prints ``ready``, waits until GO_FILE exists (the parent creates it once
every worker is ready, so all start writing together), then writes for SECONDS:

- every 8th write opens a case for claimant ``WRITER_NAME claimant I`` and prints
  ``case CLAIM_ID CASE_NUMBER I``;
- the others log a call with summary ``WRITER_NAME call I``, alternately on the shared case and
  on this writer's latest case, and print ``call CALL_ID CLAIM_ID I``.

Each line is printed (flushed) only after the service call returned, i.e. committed. At the end
it prints ``done {json}`` with its counts and latencies (seconds). Any exception, in particular
claimdesk.errors.DatabaseBusyError, is printed and ends the process with exit status 1.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from claimdesk.services import CallInput
from tests.pinned import pinned_clock
from tests.signin import as_user
from tests.workers.common import emit, new_claim, open_test_database, run, wait_for


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main(argv: list[str]) -> int:
    url, name, shared_id = argv[0], argv[1], int(argv[2])
    go_file, seconds = Path(argv[3]), float(argv[4])
    services = as_user(open_test_database(url), f"Writer {name}", clock=pinned_clock())
    _ = services.accounts.principal  # signed in before the work starts, as a session is
    emit("ready")
    wait_for(go_file, poll=0.005)

    own_claim: int | None = None
    call_latencies: list[float] = []
    case_latencies: list[float] = []
    started = time.monotonic()
    i = 0
    while time.monotonic() - started < seconds:
        if i % 8 == 0:
            before = time.perf_counter()
            case = services.claims.open_case(new_claim(f"{name} claimant {i}"))
            case_latencies.append(time.perf_counter() - before)
            own_claim = case.id
            emit(f"case {case.id} {case.case_number} {i}")
        else:
            target = shared_id if i % 2 or own_claim is None else own_claim
            before = time.perf_counter()
            call = services.calls.log_call(
                target,
                CallInput(
                    occurred_at="2026-01-15 10:00",
                    person_name=f"Writer {name}",
                    summary=f"{name} call {i}",
                ),
            )
            call_latencies.append(time.perf_counter() - before)
            emit(f"call {call.id} {call.claim_id} {i}")
        i += 1
    elapsed = time.monotonic() - started
    stats = {
        "calls": len(call_latencies),
        "cases": len(case_latencies),
        "elapsed": elapsed,
        "max_call_latency": max(call_latencies, default=0.0),
        "p50_call_latency": percentile(call_latencies, 0.5),
        "p99_call_latency": percentile(call_latencies, 0.99),
        "max_case_latency": max(case_latencies, default=0.0),
    }
    emit("done " + json.dumps(stats))
    services.db.dispose()
    return 0


if __name__ == "__main__":
    run(main)
