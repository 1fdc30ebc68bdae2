"""The .ics export, read back by a second, independent parser (the `ics` package)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import ics
import pytest

from claimdesk.models import Deadline
from claimdesk.models.enums import DeadlineStatus
from claimdesk.services import Services
from claimdesk.services.demo import load_demo
from claimdesk.storage import open_database
from tests.pinned import NOW, TODAY, pinned_clock
from tests.signin import as_user


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    database = open_database(f"sqlite:///{tmp_path_factory.mktemp('ics') / 'demo.sqlite'}")
    services = as_user(database, "Test Caseworker", clock=pinned_clock())
    load_demo(services)
    yield services
    database.dispose()


def parse(data: bytes) -> ics.Calendar:
    return ics.Calendar(data.decode("utf-8"))


def open_deadlines(services: Services) -> list[int]:
    return [
        d.id
        for c in services.claims.list_claims()
        for d in services.deadlines.deadlines(c.id)
        if d.status == DeadlineStatus.OPEN
    ]


def test_every_open_deadline_is_an_event_with_alarms(demo: Services) -> None:
    export = demo.calendar.export_ics()
    calendar = parse(export.data)
    expected = open_deadlines(demo)
    assert export.events == len(calendar.events) == len(expected) > 5
    for event in calendar.events:
        triggers = sorted(alarm.trigger for alarm in event.alarms)
        assert triggers == [timedelta(days=-d) for d in (14, 7, 3, 1)], event.name
        assert event.all_day
        assert event.uid.endswith("@claimdesk.invalid")


def test_uids_are_stable_across_exports_and_unique(demo: Services) -> None:
    first = parse(demo.calendar.export_ics().data)
    second = parse(demo.calendar.export_ics(now=NOW + timedelta(hours=5)).data)
    uids = {e.uid for e in first.events}
    assert uids == {e.uid for e in second.events}
    assert len(uids) == len(first.events)


def test_the_default_export_names_no_one(demo: Services) -> None:
    text = demo.calendar.export_ics().data.decode("utf-8")
    unfolded = text.replace("\r\n ", "")
    for summary in demo.claims.list_claims():
        claim = demo.claims.get(summary.id)
        assert claim.claimant_name not in unfolded
        assert claim.claimant_name.split()[-1] not in unfolded
        assert claim.insurer_name not in unfolded
        assert claim.disputed_service[:30] not in unfolded
    for event in parse(text.encode()).events:
        assert re.fullmatch(r"CD-\d{4}-\d{4}: [a-z /]+( \(rule not re-checked\))?", event.name), (
            event.name
        )
    names = {e.name for e in parse(text.encode()).events}
    assert any(n.endswith(": plan decision due") for n in names)
    assert any(n.endswith(": deadline") for n in names)  # entered by hand: no title


def test_details_only_when_asked(demo: Services) -> None:
    detailed = demo.calendar.export_ics(include_details=True).data.decode("utf-8")
    unfolded = detailed.replace("\r\n ", "")
    claimant = demo.claims.get(demo.claims.list_claims()[0].id).claimant_name
    assert claimant in unfolded
    titles = {e.name for e in parse(detailed.encode()).events}
    assert any("Send Dr. Brandvold's ECG tracings" in t for t in titles)


def test_an_hour_deadline_is_a_timed_event(services: Services) -> None:
    from claimdesk.services import ClaimInput

    claim = services.claims.open_case(
        ClaimInput(
            claimant_name="Ana Diaz",
            plan_type="erisa_group_health",
            claim_type="health",
            country="US",
            insurer_name="Acme",
        )
    )
    deadline = services.deadlines.add_manual(claim.id, "Urgent decision", date(2026, 3, 10))
    with services.db.write() as session:
        row = session.get(Deadline, deadline.id)
        assert row is not None
        row.due_at = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    (event,) = parse(services.calendar.export_ics().data).events
    assert not event.all_day
    assert event.begin.datetime == datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    assert event.name == f"{claim.case_number}: deadline"


def test_closed_and_met_deadlines_are_left_out(services: Services) -> None:
    from claimdesk.services import ClaimInput

    claim = services.claims.open_case(
        ClaimInput(
            claimant_name="Ana Diaz",
            plan_type="uk_private",
            claim_type="disability",
            country="GB",
            insurer_name="Albion",
            currency="GBP",
        )
    )
    kept = services.deadlines.add_manual(claim.id, "Send the GP records", TODAY)
    done = services.deadlines.add_manual(claim.id, "Send the form", TODAY)
    services.deadlines.set_status(done.id, "met")
    assert services.calendar.export_ics().events == 1
    assert kept.id
    services.claims.update_case(claim.id, status="closed")
    assert services.calendar.export_ics().events == 0
    assert parse(services.calendar.export_ics().data).events == set()
