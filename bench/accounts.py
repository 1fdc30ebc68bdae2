#!/usr/bin/env python3
"""What accounts cost: signing in (argon2id at its production parameters), and a caseworker
whom the office limits to their own cases against an administrator who sees every case.

    bench/make_office_db.py /tmp/office.sqlite --claims 5000 --calls 20000
    bench/accounts.py /tmp/office.sqlite

Works on a copy of the database (the original is not changed). Prints the best of N runs of
each, measured in this one process, and the limited caseworker's time as a ratio of the
administrator's.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from claimdesk import models
from claimdesk.clock import SystemClock
from claimdesk.models.enums import Role
from claimdesk.paths import sqlite_url
from claimdesk.services import Services, connect
from claimdesk.services.accounts import (
    DatabaseMode,
    database_mode,
    set_up_office,
    sign_in,
)
from claimdesk.services.caselist import CaseFilter

PASSWORD = "bench pass phrase"


def best(runs: int, work: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return min(times), result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("database", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite"
        shutil.copyfile(args.database, path)
        db = connect(sqlite_url(path))
        if database_mode(db) is DatabaseMode.NEW:
            set_up_office(db, "Bench Admin", PASSWORD, SystemClock())
        admin = Services(db, sign_in(db, "Bench Admin", PASSWORD))
        with db.read() as session:
            # The caseworker with the most cases assigned.
            worker_id = session.scalar(
                select(models.Claim.assigned_user_id)
                .where(models.Claim.assigned_user_id.is_not(None))
                .group_by(models.Claim.assigned_user_id)
                .order_by(func.count().desc())
                .limit(1)
            )
            found = session.get(models.User, worker_id) if worker_id else None
            name = found.name if found is not None else None
        if name is None:
            print("the database has no case assigned to anyone: make it with make_office_db.py")
            return 1
        admin.accounts.set_role(name, Role.CASEWORKER)
        admin.accounts.change_password(name, PASSWORD)
        admin.accounts.set_only_assigned(True)

        signing, _ = best(args.runs, lambda: sign_in(db, name, PASSWORD))
        limited = Services(db, sign_in(db, name, PASSWORD))
        print(f"sign-in (argon2id, argon2-cffi defaults): {ms(signing)}")

        every = CaseFilter(status=None)
        for who in (admin, limited):
            who.caselist.first_ids(every, 200)  # warm: models, statement caches
        a_ids, (_, a_total) = best(args.runs, lambda: admin.caselist.first_ids(every, 200))
        l_ids, (l_first, l_total) = best(args.runs, lambda: limited.caselist.first_ids(every, 200))
        print(f"case list, first 200 ids: admin {ms(a_ids)} ({a_total:,} cases)   "
              f"limited caseworker {ms(l_ids)} ({l_total:,} cases)   "
              f"ratio {l_ids / a_ids:.2f}")  # fmt: skip

        claim_id = l_first[0]
        a_get, _ = best(args.runs, lambda: admin.claims.get(claim_id))
        l_get, _ = best(args.runs, lambda: limited.claims.get(claim_id))
        print(f"one case's details:       admin {ms(a_get)}   limited caseworker {ms(l_get)}   "
              f"ratio {l_get / a_get:.2f}")  # fmt: skip

        a_note, _ = best(args.runs, lambda: admin.claims.add_note(claim_id, "Bench note."))
        l_note, _ = best(args.runs, lambda: limited.claims.add_note(claim_id, "Bench note."))
        print(f"a note (unit of work):    admin {ms(a_note)}   limited caseworker {ms(l_note)}   "
              f"ratio {l_note / a_note:.2f}")  # fmt: skip
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
