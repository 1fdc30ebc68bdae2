"""The use cases, through the services as the GUI and CLI call them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from claimdesk.errors import NotFoundError, ValidationError
from claimdesk.models.enums import (
    DeadlineStatus,
    OpinionStatus,
    Outcome,
    PromiseStatus,
    ReviewMode,
    Stage,
)
from claimdesk.services import CallInput, Change, ClaimInput, PromiseInput, Services
from tests.pinned import NOW, TODAY


def new_case(services: Services, **overrides: object) -> int:
    values: dict[str, object] = {
        "claimant_name": "Maria Lopez",
        "plan_type": "erisa_group_health",
        "claim_type": "health",
        "country": "us",
        "region": "ca",
        "insurer_name": "Acme Health Plan",
        "denial_letter_date": TODAY - timedelta(days=20),
        "denial_received_date": TODAY - timedelta(days=15),
        "denial_reason": "Not medically necessary per InterQual criteria.",
        "denial_category": "medical_necessity",
        "amount": "48,250.00",
    }
    values.update(overrides)
    return services.claims.open_case(ClaimInput(**values)).id  # type: ignore[arg-type]


def a_call(**overrides: object) -> CallInput:
    values: dict[str, object] = {
        "occurred_at": NOW - timedelta(days=2),
        "person_name": "Dana (claims)",
        "person_staff_id": "E-4471",
        "summary": "Asked for the reviewer's report.",
        "call_reference": "REF-1001",
        "time_zone": "America/Los_Angeles",
    }
    values.update(overrides)
    return CallInput(**values)  # type: ignore[arg-type]


def test_open_case_normalises_and_numbers(services: Services) -> None:
    claim_id = new_case(services)
    second = new_case(services, claimant_name="  Ravi   Kumar ")
    claim = services.claims.get(claim_id)
    assert claim.case_number == f"CD-{TODAY.year}-0001"
    assert services.claims.get(second).case_number == f"CD-{TODAY.year}-0002"
    assert services.claims.get(second).claimant_name == "Ravi Kumar"
    assert (claim.country, claim.region) == ("US", "CA")
    assert claim.amount_minor == 4_825_000
    assert claim.insurer_name == "Acme Health Plan"
    # The same insurer is one organisation, not two.
    assert len(services.claims.organisations()) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("claimant_name", "   ", "Claimant's name is required"),
        ("country", "USA", "not a country code"),
        ("plan_type", "gold", "Plan type: 'gold' is not one of"),
        ("denial_received_date", "03/04/2026", "Write it as YYYY-MM-DD"),
        ("denial_letter_date", "2062-01-01", "check the"),
        ("amount", "12.345", "more than two decimal places"),
        ("amount", "lots", "is not an amount"),
        ("currency", "dollars", "not a currency code"),
    ],
)
def test_bad_case_input_is_refused_with_advice(
    services: Services, field: str, value: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        new_case(services, **{field: value})
    assert services.claims.list_claims() == []


def test_received_before_letter_date_is_refused(services: Services) -> None:
    with pytest.raises(ValidationError, match="received before the date on the letter"):
        new_case(
            services,
            denial_letter_date=TODAY - timedelta(days=3),
            denial_received_date=TODAY - timedelta(days=5),
        )


def test_update_case_records_only_what_changed(services: Services) -> None:
    claim_id = new_case(services)
    updated = services.claims.update_case(claim_id, stage="internal_appeal", outcome="pending")
    assert updated.stage == Stage.INTERNAL_APPEAL
    event = services.audit.events(claim_id)[0]
    assert (event.action, event.detail, event.user) == ("update", "stage", "Test Caseworker")
    with pytest.raises(ValidationError, match="no field named colour"):
        services.claims.update_case(claim_id, colour="blue")
    with pytest.raises(NotFoundError):
        services.claims.update_case(9999, stage="closed")


def test_call_log_is_chronological_and_amendments_keep_the_original(services: Services) -> None:
    claim_id = new_case(services)
    now = NOW
    later = services.calls.log_call(claim_id, a_call(occurred_at=now - timedelta(hours=1)))
    earlier = services.calls.log_call(
        claim_id,
        a_call(
            occurred_at=now - timedelta(days=3),
            promises=[PromiseInput("Send the claim file", TODAY + timedelta(days=10))],
            refusal_detail="Refused to give the reviewer's name",
        ),
    )
    assert earlier.refused  # a refusal detail implies the flag
    correction = services.calls.amend_call(
        earlier.id, a_call(occurred_at=now - timedelta(days=3), person_name="Dana Ortiz"), "Surname"
    )
    log = services.calls.calls(claim_id)
    assert [c.id for c in log] == [earlier.id, correction.id, later.id]
    original = log[0]
    assert original.superseded and original.amended_by_id == correction.id
    assert original.person_name == "Dana (claims)"  # history is not rewritten
    assert correction.amends_id == earlier.id and correction.amendment_reason == "Surname"
    assert original.promises[0].description == "Send the claim file"
    with pytest.raises(ValidationError, match="already been corrected"):
        services.calls.amend_call(earlier.id, a_call(), "again")
    with pytest.raises(ValidationError, match="Reason for the correction is required"):
        services.calls.amend_call(correction.id, a_call(), " ")


def test_call_times_keep_their_zone(services: Services) -> None:
    claim_id = new_case(services)
    call = services.calls.log_call(
        claim_id, a_call(occurred_at="2026-03-08 01:30", time_zone="America/New_York")
    )
    # 01:30 EST is 06:30 UTC (the DST change is at 02:00 that night).
    assert call.occurred_at == datetime(2026, 3, 8, 6, 30, tzinfo=UTC)
    assert call.time_zone == "America/New_York"
    with pytest.raises(ValidationError, match="not a time zone"):
        services.calls.log_call(claim_id, a_call(time_zone="Mars/Olympus"))
    with pytest.raises(ValidationError, match="in the future"):
        services.calls.log_call(claim_id, a_call(occurred_at=NOW + timedelta(days=5)))
    with pytest.raises(ValidationError, match="Who you spoke to is required"):
        services.calls.log_call(claim_id, a_call(person_name=""))


def test_promise_can_be_marked_kept(services: Services) -> None:
    claim_id = new_case(services)
    call = services.calls.log_call(claim_id, a_call(promises=[PromiseInput("Call back")]))
    kept = services.calls.set_promise_status(call.promises[0].id, "kept")
    assert kept.status == PromiseStatus.KEPT and kept.resolved_on == TODAY


def test_request_lifecycle_and_status(services: Services) -> None:
    claim_id = new_case(services)
    sent = TODAY - timedelta(days=40)
    request = services.requests.request_document(
        claim_id, "medical_reviewer_report", sent_on=sent, method="fax", reference="FAX-1"
    )
    assert request.due_on == sent + timedelta(days=30)
    assert request.status(TODAY) == "overdue"
    chased = services.requests.follow_up(
        request.id,
        sent_on=TODAY - timedelta(days=5),
        method="letter",
        new_due_on=TODAY + timedelta(days=9),
    )
    assert chased.current_due_on == TODAY + timedelta(days=9)
    assert chased.status(TODAY) == "requested"
    document = services.documents.attach(claim_id, "report.pdf", b"%PDF-1.4\n%%EOF")
    received = services.requests.mark_received(request.id, TODAY, document.id)
    assert received.status(TODAY) == "received" and received.document_id == document.id
    with pytest.raises(ValidationError, match="before the request was sent"):
        services.requests.mark_received(request.id, sent - timedelta(days=1))
    other = new_case(services, claimant_name="Other")
    second = services.requests.request_document(other, "claim_file", sent_on=TODAY, method="portal")
    with pytest.raises(ValidationError, match="another case"):
        services.requests.mark_received(second.id, TODAY, document.id)


def test_second_opinion_with_costs(services: Services) -> None:
    claim_id = new_case(services, currency="USD")
    specialist = services.specialists.add(
        name="Dr. Amara Osei",
        specialty="Cardiology",
        subspecialty="Electrophysiology",
        academic=True,
        conflict_of_interest=True,
        conflict_notes="Performs IMEs for Acme Health Plan",
    )
    opinion = services.opinions.start(claim_id, specialist.id, billed_minor="600.00")
    assert opinion.status == OpinionStatus.IDENTIFIED and opinion.currency == "USD"
    opinion = services.opinions.update(
        opinion.id,
        status="examined",
        review_mode="examination",
        examined_on=TODAY,
        allowed_minor="350",
        paid_minor="280.00",
        owed_minor="320.00",
    )
    assert opinion.review_mode == ReviewMode.EXAMINATION
    assert (opinion.billed_minor, opinion.allowed_minor, opinion.owed_minor) == (
        60000,
        35000,
        32000,
    )
    assert services.specialists.search("osei")[0].conflict_of_interest
    assert services.specialists.search(specialty="cardiology")[0].id == specialist.id
    with pytest.raises(ValidationError, match="required"):
        services.specialists.add(name="Dr. Nobody")


def test_appeal_decision_and_events(services: Services) -> None:
    claim_id = new_case(services)
    appeal = services.appeals.record(
        claim_id, "internal_1", filed_on=TODAY - timedelta(days=30), filed_method="certified_mail"
    )
    event = services.appeals.add_event(
        claim_id, "extension_notice", TODAY - timedelta(days=2), appeal_id=appeal.id
    )
    decided = services.appeals.record_decision(
        appeal.id, decided_on=TODAY, outcome="upheld", summary="Upheld on review."
    )
    assert decided.outcome == Outcome.UPHELD
    assert services.appeals.events(claim_id) == [event]
    with pytest.raises(ValidationError, match="cannot be 'pending'"):
        services.appeals.record_decision(appeal.id, decided_on=TODAY, outcome="pending")
    with pytest.raises(ValidationError, match="decided before it was filed"):
        services.appeals.update(appeal.id, decided_on=TODAY - timedelta(days=60))


def test_manual_deadline_override_keeps_computed_date(services: Services) -> None:
    claim_id = new_case(services)
    deadline = services.deadlines.add_manual(
        claim_id, "File the appeal", TODAY + timedelta(days=20)
    )
    moved = services.deadlines.override(deadline.id, TODAY + timedelta(days=15), "File early")
    assert moved.due_on == TODAY + timedelta(days=15)
    assert moved.computed_due_on == TODAY + timedelta(days=20)
    assert moved.overridden
    assert [d.id for d in services.deadlines.open_until(TODAY + timedelta(days=16))] == [
        deadline.id
    ]
    done = services.deadlines.set_status(deadline.id, DeadlineStatus.MET)
    assert done.completed_on == TODAY
    assert deadline.id not in [
        d.id for d in services.deadlines.open_until(TODAY + timedelta(days=365))
    ]


def test_every_change_is_audited_and_announced(services: Services) -> None:
    seen: list[Change] = []
    services.subscribe(seen.extend)
    claim_id = new_case(services)
    services.calls.log_call(claim_id, a_call())
    services.claims.add_note(claim_id, "Spoke to HR about the plan documents.")
    assert [(c.entity, c.action) for c in seen] == [
        ("claim", "create"),
        ("call", "create"),
        ("note", "create"),
    ]
    events = services.audit.events(claim_id)
    assert [e.entity for e in events] == ["note", "call", "claim"]
    # Field names only: no health data in the trail.
    assert all("Maria" not in e.detail and "medically" not in e.detail for e in events)


def test_a_failed_change_announces_nothing_and_writes_nothing(services: Services) -> None:
    claim_id = new_case(services)
    seen: list[Change] = []
    services.subscribe(seen.extend)
    with pytest.raises(ValidationError):
        services.calls.log_call(claim_id, a_call(promises=[PromiseInput("")]))
    assert seen == [] and services.calls.calls(claim_id) == []


def test_audit_trail_is_append_only(services: Services) -> None:
    new_case(services)
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError, match="append-only"), services.db.write() as session:
        session.execute(text("UPDATE audit_events SET action = 'x'"))
    with pytest.raises(IntegrityError, match="append-only"), services.db.write() as session:
        session.execute(text("DELETE FROM audit_events"))
