"""Concurrency worker: open cases, import a case file and add accounts, all of them names
other workers are adding at the same moment (find or create, and unique numbers).

Usage: create_mix.py DB_URL NAME GO_FILE CASES CASE_FILE SHARED_CLAIM_ID

Signs in as ``Writer NAME``, prints ``ready``, waits until GO_FILE exists, then, CASES times,
opens a case whose insurer and plan administrator are one of a few names every worker uses
(spelled in other letter cases by odd-numbered workers), printing ``case CLAIM_ID NUMBER``,
and logs a call on the case every worker shares, printing ``call CALL_ID``;
every third case it imports CASE_FILE (an insurer, an administrator and a specialist this
database has never seen), printing ``imported CLAIM_ID``. Last it tries to add the accounts
``Shared 0``..``Shared 2``: ``account NAME`` when it made one, ``taken NAME`` when another
worker had (refused in words). Any other exception ends it with status 1 (common.run).
"""

from __future__ import annotations

import json
from pathlib import Path

from claimdesk.errors import ValidationError
from claimdesk.models.enums import Role
from claimdesk.services import CallInput
from tests.pinned import pinned_clock
from tests.signin import TEST_PASSWORD, as_user
from tests.workers.common import emit, new_claim, open_test_database, run, wait_for

SHARED_ACCOUNTS = 3


def main(argv: list[str]) -> int:
    url, name, go_file, cases = argv[0], argv[1], Path(argv[2]), int(argv[3])
    case_file = json.loads(Path(argv[4]).read_text(encoding="utf-8"))
    shared_id = int(argv[5])
    db = open_test_database(url)
    services = as_user(db, f"Writer {name}", clock=pinned_clock())
    odd = int(name) % 2 == 1
    emit("ready")
    wait_for(go_file, poll=0.002)
    try:
        for i in range(cases):
            insurer = f"Insurer {i % 3}"
            case = services.claims.open_case(
                new_claim(
                    f"{name} claimant {i}",
                    insurer.upper() if odd else insurer,
                    f"Administrator {i % 2}",
                )
            )
            emit(f"case {case.id} {case.case_number}")
            call = services.calls.log_call(
                shared_id,
                CallInput(occurred_at="2026-11-03 09:00", person_name="Rep", summary=f"{name}/{i}"),
            )
            emit(f"call {call.id}")
            if i % 3 == 0:
                emit(f"imported {services.exchange.import_case(case_file)}")
        for n in range(SHARED_ACCOUNTS):
            try:
                services.accounts.add(f"Shared {n}", Role.CASEWORKER, TEST_PASSWORD)
                emit(f"account Shared {n}")
            except ValidationError:
                emit(f"taken Shared {n}")
    finally:
        db.dispose()
    emit("done")
    return 0


if __name__ == "__main__":
    run(main)
