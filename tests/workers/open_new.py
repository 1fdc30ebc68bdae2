"""First-run worker: open a database that may not exist yet, at the same moment as others.

Usage: open_new.py DB_URL GO_FILE NAME

Imports ClaimDesk, prints ``ready``, waits until GO_FILE exists, then opens the database through
open_database (creating and migrating it if needed) and opens one case, printing
``opened CASE_NUMBER``. Any exception is printed and ends the process with exit status 1.
"""

from __future__ import annotations

from pathlib import Path

from claimdesk.services import ClaimInput
from tests.pinned import pinned_clock
from tests.signin import as_user
from tests.workers.common import emit, open_test_database, run, wait_for


def main(argv: list[str]) -> int:
    url, go_file, name = argv[0], Path(argv[1]), argv[2]
    emit("ready")
    wait_for(go_file, poll=0.001)
    db = open_test_database(url)
    try:
        case = as_user(db, f"Window {name}", clock=pinned_clock()).claims.open_case(
            ClaimInput(
                claimant_name=f"{name} claimant",
                plan_type="erisa_group_health",
                claim_type="health",
                country="US",
                insurer_name="Acme",
            )
        )
        emit(f"opened {case.case_number}")
    finally:
        db.dispose()
    return 0


if __name__ == "__main__":
    run(main)
