"""One definition of overdue: Today's agenda, the case list's filter and its red rows agree."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update

from claimdesk.models import Deadline
from claimdesk.services import CallInput, ClaimInput, PromiseInput, Services
from claimdesk.services.caselist import CaseFilter
from claimdesk.services.overdue import overdue_items

# A fixed day in the past: the services refuse calls and requests dated after the real today.
TODAY = date(2025, 6, 2)
NOON = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
OVERDUE = CaseFilter(overdue_only=True)


def case(services: Services, name: str) -> int:
    return services.claims.open_case(
        ClaimInput(
            claimant_name=name,
            plan_type="erisa_group_health",
            claim_type="health",
            country="US",
            insurer_name="Acme Health Plan",
        )
    ).id


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def call(services: Services, claim_id: int, due: date) -> int:
    record = services.calls.log_call(
        claim_id,
        CallInput(
            occurred_at=datetime(2025, 5, 20, 15, 0, tzinfo=UTC),
            person_name="Dana",
            summary="Promised the claim file.",
            promises=(PromiseInput("Mail the claim file", due),),
        ),
    )
    return record.id


def request(services: Services, claim_id: int, due: date) -> int:
    return services.requests.request_document(
        claim_id, "claim_file", sent_on=days(-40), method="letter", due_on=due
    ).id


def test_deadlines_requests_and_promises_are_overdue_alike(services: Services) -> None:
    late_deadline = case(services, "Late Deadline")
    services.deadlines.add_manual(late_deadline, "Send records", days(-1))
    late_hour = case(services, "Late Hour")
    hourly = services.deadlines.add_manual(late_hour, "Decide (72 hours)", TODAY)
    with services.db.write() as session:
        session.execute(
            update(Deadline)
            .where(Deadline.id == hourly.id)
            .values(due_at=datetime(2025, 6, 2, 10, 0, tzinfo=UTC))
        )
    late_request = case(services, "Late Request")
    request(services, late_request, days(-3))
    late_promise = case(services, "Late Promise")
    call(services, late_promise, days(-2))

    extended = case(services, "Extended Request")
    moved = request(services, extended, days(-10))
    services.requests.follow_up(moved, sent_on=days(-9), method="letter", new_due_on=days(5))
    corrected = case(services, "Corrected Call")
    original = call(services, corrected, days(-2))
    services.calls.amend_call(
        original,
        CallInput(
            occurred_at=datetime(2025, 5, 20, 15, 0, tzinfo=UTC),
            person_name="Dana",
            summary="Promised the claim file by a later date.",
            promises=(PromiseInput("Mail the claim file", days(3)),),
        ),
        "Misheard the date",
    )
    closed = case(services, "Closed Case")
    services.deadlines.add_manual(closed, "Old deadline", days(-30))
    services.claims.update_case(closed, status="closed")

    expected = {late_deadline, late_hour, late_request, late_promise}
    agenda = services.schedule.agenda(TODAY, 14, now=NOON)
    late_items = [i for i in agenda if i.overdue]
    assert {i.claim_id for i in late_items} == expected
    assert {i.source for i in late_items} == {"deadline", "request", "promise"}
    with services.db.read_connection() as connection:
        defined = {(r.source, r.record_id) for r in connection.execute(overdue_items(TODAY, NOON))}
    assert {(i.source, i.record_id) for i in late_items} == defined

    listed = services.caselist.case_ids(OVERDUE, today=TODAY, now=NOON)
    assert set(listed) == expected
    ids, total = services.caselist.first_ids(OVERDUE, 2, today=TODAY, now=NOON)
    assert total == len(expected) and set(ids) <= expected
    every = services.caselist.case_ids(CaseFilter(), today=TODAY, now=NOON)
    rows = services.caselist.rows(every, TODAY, NOON)
    assert {r.id for r in rows if r.overdue} == expected

    # Before ten o'clock the 72-hour deadline is still in time.
    morning = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
    assert late_hour not in services.caselist.case_ids(OVERDUE, today=TODAY, now=morning)
    assert not any(
        i.overdue
        for i in services.schedule.agenda(TODAY, 14, now=morning)
        if i.claim_id == late_hour
    )
