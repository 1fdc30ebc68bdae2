"""Several workstations creating at once stay unique: case numbers, organisations and
specialists found or created by name, accounts; and calls all of them log on one case only
append. Real processes (tests/workers/create_mix.py) against a SQLite file and against the
PostgreSQL test server, where the transactions really run side by side (storage/locks.py):
0 duplicates, 0 errors, and the audit chain unforked."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from claimdesk.models import AuditEvent, Claim, Organisation, Specialist, User
from claimdesk.services import ClaimInput
from claimdesk.storage import open_database
from tests.pinned import pinned_clock
from tests.signin import as_user
from tests.workers.harness import Worker, start_together, stopped_after

WORKERS = 4
CASES_EACH = 9
READY_TIMEOUT_S = 120.0
FINISH_TIMEOUT_S = 300.0


def _case_file(tmp_path: Path) -> Path:
    """A case exported from another office: organisations and a specialist new here."""
    source = open_database(f"sqlite:///{tmp_path / 'elsewhere.sqlite'}")
    try:
        services = as_user(source, "Elsewhere", clock=pinned_clock())
        claim = services.claims.open_case(
            ClaimInput(
                claimant_name="Imported Claimant",
                plan_type="erisa_group_health",
                claim_type="health",
                country="US",
                insurer_name="Fresh Insurer Co",
                plan_administrator_name="Fresh Admin LLC",
            )
        )
        doctor = services.specialists.add(
            name="Dr. Nadia Okafor", specialty="Cardiology", institution="Mercy Heart"
        )
        services.opinions.start(claim.id, doctor.id)
        document = services.exchange.export_case(claim.id)
    finally:
        source.dispose()
    path = tmp_path / "case.json"
    path.write_text(json.dumps(document, default=str), encoding="utf-8")
    return path


@pytest.mark.slow
def test_workstations_creating_at_once_make_no_duplicates_and_no_errors(
    db_url: str, tmp_path: Path
) -> None:
    case_file = _case_file(tmp_path)
    db = open_database(db_url)
    try:
        admin = as_user(db, "Test Caseworker", clock=pinned_clock())  # set up before the race
        shared = admin.claims.open_case(
            ClaimInput(
                claimant_name="Shared Claimant",
                plan_type="erisa_group_health",
                claim_type="health",
                country="US",
                insurer_name="Insurer 0",
            )
        )
        go = tmp_path / "go"
        workers = [
            Worker(
                "create_mix.py",
                [db_url, str(n), str(go), str(CASES_EACH), str(case_file), str(shared.id)],
                tmp_path / f"worker{n}.err",
                name=str(n),
            )
            for n in range(WORKERS)
        ]
        with stopped_after(workers):
            start_together(workers, go, READY_TIMEOUT_S)
            for w in workers:
                w.finish(FINISH_TIMEOUT_S)
        for w in workers:
            assert w.proc.returncode == 0 and "done" in w.lines, w.report()

        made = [line.split()[2] for w in workers for line in w.lines if line.startswith("case ")]
        imported = [line for w in workers for line in w.lines if line.startswith("imported ")]
        assert len(made) == WORKERS * CASES_EACH
        with db.read() as session:
            numbers = list(session.scalars(select(Claim.case_number)))
            organisations = Counter(
                (kind, name)
                for kind, name in session.execute(
                    select(Organisation.kind, func.lower(Organisation.name))
                )
            )
            specialists = Counter(
                session.execute(
                    select(Specialist.name, Specialist.specialty, Specialist.institution)
                ).all()
            )
            accounts = Counter(session.scalars(select(func.lower(User.name))))
            audit_ids = list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
        assert len(numbers) == len(made) + len(imported) + 1
        # Calls only append: every one logged on the shared case is there, none refused, and
        # the case's details version never moved (an open details form stays saveable).
        calls = [line for w in workers for line in w.lines if line.startswith("call ")]
        assert len(calls) == len(admin.calls.calls(shared.id)) == WORKERS * CASES_EACH
        assert admin.claims.get(shared.id).version == 1
        assert len(set(numbers)) == len(numbers), "duplicate case numbers"
        assert set(made) <= set(numbers)
        assert organisations and max(organisations.values()) == 1, organisations
        assert {name for _kind, name in organisations} == {
            "insurer 0",
            "insurer 1",
            "insurer 2",
            "administrator 0",
            "administrator 1",
            "fresh insurer co",
            "fresh admin llc",
        }
        assert list(specialists.values()) == [1], specialists
        assert max(accounts.values()) == 1, accounts
        for n in range(3):
            winners = [w.name for w in workers if f"account Shared {n}" in w.lines]
            losers = [w.name for w in workers if f"taken Shared {n}" in w.lines]
            assert len(winners) == 1 and len(losers) == WORKERS - 1, (n, winners, losers)
        # Writers appending at once never forked the audit chain, and left no gap in it.
        assert audit_ids == list(range(1, len(audit_ids) + 1))
        chain = admin.audit.verify()
        assert chain.ok, chain.problem
    finally:
        db.dispose()
