"""The case list's next deadline, kept by the database: every way a deadline changes moves it.

claims.next_due_on is written by triggers on the deadlines (migration 0011), so the case list
sorts and filters by it on an index; these tests hold it to the earliest open deadline after
each kind of change, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete, func, select, update

from claimdesk.models import Claim, Deadline
from claimdesk.models.enums import DeadlineStatus
from claimdesk.services import Services
from claimdesk.services.caselist import CaseFilter, CaseSort
from claimdesk.storage import Database
from tests.gui_support import open_case
from tests.test_overdue import case as new_case  # a case without computed deadlines


def stored(db: Database, claim_id: int) -> date | None:
    with db.engine.connect() as connection:
        return connection.scalar(select(Claim.next_due_on).where(Claim.id == claim_id))


def earliest_open(db: Database, claim_id: int) -> date | None:
    with db.engine.connect() as connection:
        return connection.scalar(
            select(func.min(Deadline.due_on)).where(
                Deadline.claim_id == claim_id, Deadline.status == DeadlineStatus.OPEN
            )
        )


def test_next_due_follows_every_change_to_the_deadlines(db: Database, services: Services) -> None:
    claim_id = new_case(services, "Maria Lopez")
    other = new_case(services, "Ravi Kumar")
    today = services.clock.today()
    for case in (claim_id, other):
        for deadline in services.deadlines.deadlines(case):
            services.deadlines.set_status(deadline.id, "met", today)
    assert stored(db, claim_id) is None  # no open deadline: nothing next

    late = services.deadlines.add_manual(claim_id, "Send the records", today + timedelta(days=20))
    assert stored(db, claim_id) == today + timedelta(days=20)
    soon = services.deadlines.add_manual(claim_id, "Call the plan", today + timedelta(days=5))
    assert stored(db, claim_id) == today + timedelta(days=5)

    services.deadlines.override(soon.id, today + timedelta(days=30), "The plan agreed a delay")
    assert stored(db, claim_id) == today + timedelta(days=20)
    services.deadlines.set_status(late.id, "met", today)
    assert stored(db, claim_id) == today + timedelta(days=30)

    # Moved to another case (by SQL: no service does it, but the triggers see any writer).
    with db.engine.begin() as connection:
        connection.execute(update(Deadline).where(Deadline.id == soon.id).values(claim_id=other))
    assert stored(db, claim_id) is None
    assert stored(db, other) == today + timedelta(days=30)
    with db.engine.begin() as connection:
        connection.execute(delete(Deadline).where(Deadline.id == soon.id))
    assert stored(db, other) is None
    for case in (claim_id, other):
        assert stored(db, case) == earliest_open(db, case)


def test_computed_deadlines_set_next_due_when_a_case_opens(
    db: Database, services: Services
) -> None:
    claim_id = open_case(services)
    assert services.deadlines.deadlines(claim_id), "an ERISA denial computes its appeal deadline"
    assert stored(db, claim_id) == earliest_open(db, claim_id) is not None


def test_case_list_sorts_and_filters_by_the_kept_next_deadline(services: Services) -> None:
    today = services.clock.today()
    cases = {}
    for name, days in (("Late", 40), ("Early", 3), ("Middle", 12)):
        cases[name] = new_case(services, name)
        for deadline in services.deadlines.deadlines(cases[name]):
            services.deadlines.set_status(deadline.id, "met", today)
        services.deadlines.add_manual(cases[name], "Answer", today + timedelta(days=days))
    bare = new_case(services, "No deadline")
    for deadline in services.deadlines.deadlines(bare):
        services.deadlines.set_status(deadline.id, "met", today)

    ids = services.caselist.case_ids(CaseFilter(), CaseSort.NEXT_DEADLINE, descending=False)
    assert ids == [cases["Early"], cases["Middle"], cases["Late"], bare]
    rows = services.caselist.rows(ids)
    assert [r.next_deadline for r in rows] == [
        today + timedelta(days=3),
        today + timedelta(days=12),
        today + timedelta(days=40),
        None,
    ]
    newest_first = services.caselist.case_ids(CaseFilter(), CaseSort.NEXT_DEADLINE)
    assert newest_first == [cases["Late"], cases["Middle"], cases["Early"], bare]
