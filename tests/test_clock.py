"""The one clock: the services read "today" and "now" from it, never from the wall clock.

Several tests set the clock years away from any plausible wall clock (2039): had a service
read the computer's date instead, its dates would be "in the future" or out of range there.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from claimdesk.clock import FixedClock, SystemClock
from claimdesk.errors import ValidationError
from claimdesk.models.enums import PromiseStatus
from claimdesk.services import CallInput, ClaimInput, PromiseInput, Services
from claimdesk.storage import Database
from tests.pinned import NOW, ZONE
from tests.signin import as_user

FAR = datetime(2039, 3, 15, 9, 30, tzinfo=ZONE)


def a_case(services: Services, received: date) -> int:
    return services.claims.open_case(
        ClaimInput(
            claimant_name="Maria Lopez",
            plan_type="erisa_group_health",
            claim_type="health",
            country="US",
            region="CA",
            insurer_name="Acme Health Plan",
            denial_letter_date=received - timedelta(days=4),
            denial_received_date=received,
        )
    ).id


# ---- the clocks themselves -------------------------------------------------------------------


def test_a_fixed_clock_tells_the_local_date_not_the_utc_one() -> None:
    late_evening = datetime(2026, 11, 4, 22, 30, tzinfo=ZONE)  # 03:30 UTC on the 5th
    clock = FixedClock(late_evening)
    assert clock.now() == late_evening and clock.now().tzinfo is UTC
    assert clock.today() == date(2026, 11, 4)
    assert clock.until_tomorrow() == timedelta(hours=1, minutes=30)
    clock.advance(timedelta(hours=1, minutes=30))
    assert clock.today() == date(2026, 11, 5)
    assert clock.until_tomorrow() == timedelta(days=1)
    clock.set(datetime(2031, 1, 1, 0, 0, tzinfo=UTC))  # 19:00 on 31 December, at UTC-5
    assert clock.today() == date(2030, 12, 31)


def test_a_fixed_clock_refuses_a_time_without_a_zone() -> None:
    with pytest.raises(ValueError, match="aware"):
        FixedClock(datetime(2026, 11, 4, 10, 0))
    clock = FixedClock(NOW)
    with pytest.raises(ValueError, match="aware"):
        clock.set(datetime(2026, 11, 5, 10, 0))


def test_a_fixed_clock_can_keep_a_zone_of_its_own() -> None:
    clock = FixedClock(datetime(2026, 11, 4, 20, 0, tzinfo=UTC), zone=timezone(timedelta(hours=9)))
    assert clock.today() == date(2026, 11, 5)  # already 05:00 on the 5th in Tokyo
    assert clock.start_of(date(2026, 11, 5)) == datetime(2026, 11, 4, 15, 0, tzinfo=UTC)


def test_the_system_clock_gives_aware_utc_instants_and_local_midnights() -> None:
    clock = SystemClock()
    assert clock.now().tzinfo is UTC
    start = clock.start_of(date(2026, 7, 1))
    assert start.tzinfo is UTC
    local = start.astimezone()  # the computer's zone, whatever it is
    assert (local.date(), local.time()) == (date(2026, 7, 1), time(0))
    assert timedelta(0) <= clock.until_tomorrow() <= timedelta(hours=25)  # 25: a DST change


# ---- the services read it --------------------------------------------------------------------


def test_the_services_use_the_clock_they_are_given(db: Database) -> None:
    clock = FixedClock(FAR)
    services = as_user(db, "Test Caseworker", clock=clock)
    assert services.clock is clock and services.context.clock is clock
    # Dates around 2039 pass "not in the future" and the plausible range only by this clock.
    claim_id = a_case(services, FAR.date())
    assert services.claims.get(claim_id).case_number == "CD-2039-0001"
    services.appeals.record(claim_id, "internal_1", filed_on=FAR.date())
    call = services.calls.log_call(
        claim_id,
        CallInput(
            occurred_at=FAR,
            person_name="Dana Ortiz",
            summary="Promised the file",
            promises=[PromiseInput("Mail the claim file", FAR.date() + timedelta(days=3))],
        ),
    )
    kept = services.calls.set_promise_status(call.promises[0].id, PromiseStatus.KEPT)
    assert kept.resolved_on == FAR.date()
    request = services.requests.request_document(
        claim_id, "claim_file", sent_on=FAR.date(), method="fax"
    )
    assert request.due_on == FAR.date() + timedelta(days=30)
    services.requests.mark_received(request.id, FAR.date())
    deadline = services.deadlines.add_manual(claim_id, "Send the records", FAR.date())
    assert services.deadlines.set_status(deadline.id, "met").completed_on == FAR.date()
    with pytest.raises(ValidationError, match="in the future"):
        services.appeals.record(claim_id, "internal_2", filed_on=FAR.date() + timedelta(days=2))


def test_a_date_the_clock_has_not_reached_is_in_the_future(db: Database) -> None:
    services = as_user(db, "Test Caseworker", clock=FixedClock(datetime(2015, 6, 1, tzinfo=ZONE)))
    with pytest.raises(ValidationError, match="in the future"):
        a_case(services, date(2015, 6, 10))
    with pytest.raises(ValidationError, match="outside the dates"):
        services.deadlines.add_manual(a_case(services, date(2015, 5, 1)), "Far", date(2026, 1, 1))


def test_the_twenty_ninth_of_february_is_an_ordinary_day(db: Database) -> None:
    services = as_user(db, "Test Caseworker", clock=FixedClock(datetime(2028, 2, 29, tzinfo=ZONE)))
    assert services.claims.get(a_case(services, date(2028, 2, 29))).denial_received_date == date(
        2028, 2, 29
    )


def test_records_made_now_are_stamped_by_the_clock(db: Database) -> None:
    clock = FixedClock(FAR)
    services = as_user(db, "Test Caseworker", clock=clock)
    claim_id = a_case(services, FAR.date())
    clock.advance(timedelta(minutes=5))
    note = services.claims.add_note(claim_id, "Called the plan.")
    assert note.created_at == clock.now()
    assert services.claims.get(claim_id).updated_at == clock.now()
    events = services.audit.events(claim_id)
    assert {e.occurred_at for e in events} == {FAR, clock.now()}


def test_a_case_opened_after_new_years_midnight_takes_the_new_year(db: Database) -> None:
    clock = FixedClock(datetime(2031, 12, 31, 23, 59, 58, tzinfo=ZONE))
    services = as_user(db, "Test Caseworker", clock=clock)
    first = a_case(services, date(2031, 12, 30))
    clock.advance(timedelta(seconds=4))
    second = a_case(services, date(2031, 12, 30))
    numbers = [services.claims.get(i).case_number for i in (first, second)]
    assert numbers == ["CD-2031-0001", "CD-2032-0001"]


def test_the_agenda_turns_overdue_at_the_clocks_midnight(db: Database) -> None:
    clock = FixedClock(datetime(2026, 11, 4, 23, 59, 59, tzinfo=ZONE))
    services = as_user(db, "Test Caseworker", clock=clock)
    claim_id = a_case(services, date(2026, 10, 1))
    services.deadlines.add_manual(claim_id, "Send the records", date(2026, 11, 4))
    due = next(i for i in services.schedule.agenda() if i.title == "Send the records")
    assert not due.overdue
    clock.advance(timedelta(seconds=2))  # 00:00:01 on the 5th, local; 05:00 UTC
    due = next(i for i in services.schedule.agenda() if i.title == "Send the records")
    assert due.overdue
    assert services.caselist.today() == date(2026, 11, 5)


def test_the_packets_chronology_is_dated_by_the_clock(services: Services) -> None:
    claim_id = a_case(services, NOW.date() - timedelta(days=3))
    assert services.packets.source(claim_id, None).prepared_on == NOW.date()
