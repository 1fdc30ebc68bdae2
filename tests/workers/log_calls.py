"""Crash-safety worker: log calls to one case until killed, reporting each committed call.

Usage: log_calls.py DB_URL CLAIM_ID ROUND

Prints ``ready`` once the database is open, then for every call ``begin SEQ`` just before
``services.calls.log_call`` and ``committed SEQ CALL_ID`` only after it returned. Each line is
flushed at once, so a line the parent has read is a claim about the database, never a promise
still sitting in this process's buffer. Call SEQ has the summary ``round ROUND seq SEQ`` and
``SEQ % 3`` promises, so a transaction cut in half would show as a call with too few promises.

Any exception is printed to stderr and ends the process with exit status 1.
"""

from __future__ import annotations

import sys
import traceback

from claimdesk.services import CallInput, PromiseInput
from tests.pinned import pinned_clock
from tests.signin import as_user
from tests.workers.common import emit, open_test_database


def call_for(round_no: int, seq: int) -> CallInput:
    return CallInput(
        occurred_at="2026-01-15 10:00",
        person_name="Crash Worker",
        summary=f"round {round_no} seq {seq}",
        promises=tuple(
            PromiseInput(f"promise {k} of round {round_no} seq {seq}") for k in range(seq % 3)
        ),
    )


def main(argv: list[str]) -> int:
    url, claim_id, round_no = argv[0], int(argv[1]), int(argv[2])
    services = as_user(open_test_database(url), "Crash Worker", clock=pinned_clock())
    _ = services.accounts.principal  # signed in before the work starts, as a session is
    emit("ready")
    seq = 0
    while True:
        emit(f"begin {seq}")
        record = services.calls.log_call(claim_id, call_for(round_no, seq))
        emit(f"committed {seq} {record.id}")
        seq += 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Exception:
        traceback.print_exc()
        sys.exit(1)
