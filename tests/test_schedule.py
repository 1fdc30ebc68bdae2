"""Computed deadlines on real cases: recomputed on every change, overrides kept, the agenda."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from claimdesk.deadlines import plan_case
from claimdesk.deadlines.plan import AppealFacts, CaseFacts, EventFacts
from claimdesk.models import Deadline
from claimdesk.models.enums import Confidence, DeadlineSource, DeadlineStatus, Party, PlanType
from claimdesk.services import CallInput, Change, ClaimInput, PromiseInput, Services
from claimdesk.services import schedule as schedule_module
from claimdesk.services.demo import load_demo
from claimdesk.services.dto import ClaimDetail, DeadlineRecord
from claimdesk.services.schedule import rule_book
from claimdesk.storage import open_database
from tests.pinned import NOW, TODAY, pinned_clock
from tests.signin import as_user


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def open_case(services: Services, **overrides: Any) -> int:
    values: dict[str, Any] = {
        "claimant_name": "Maria Lopez",
        "plan_type": "erisa_group_health",
        "claim_type": "health",
        "country": "US",
        "region": "CA",
        "insurer_name": "Acme Health Plan",
        "denial_letter_date": ago(20),
        "denial_received_date": ago(15),
    }
    values.update(overrides)
    return services.claims.open_case(ClaimInput(**values)).id


def computed(services: Services, claim_id: int) -> dict[str, DeadlineRecord]:
    return {
        d.rule_id: d
        for d in services.deadlines.deadlines(claim_id)
        if d.source == DeadlineSource.COMPUTED
    }


# ---- a case follows its data --------------------------------------------------------------


def test_a_new_case_gets_its_appeal_deadline(services: Services) -> None:
    claim_id = open_case(services)
    deadline = computed(services, claim_id)["US-ERISA-appeal-file"]
    # Counted from the letter's date (the earliest), the receipt date gives the outer limit.
    assert deadline.due_on == ago(20) + timedelta(days=180)
    assert deadline.computed_due_on == deadline.due_on
    assert deadline.outer_limit_on is not None
    assert deadline.outer_limit_on >= ago(15) + timedelta(days=180)
    assert deadline.party == Party.CLAIMANT and deadline.status == DeadlineStatus.OPEN
    assert deadline.citation == "29 CFR 2560.503-1(h)(3)(i), (h)(4)"
    assert deadline.confidence == Confidence.SECONDARY
    assert deadline.trigger_ref == "denial"
    assert "+ 180 days" in deadline.derivation


def test_changing_a_date_recomputes(services: Services) -> None:
    claim_id = open_case(services)
    before = computed(services, claim_id)["US-ERISA-appeal-file"]
    services.claims.update_case(claim_id, denial_letter_date=ago(10), denial_received_date=ago(8))
    after = computed(services, claim_id)["US-ERISA-appeal-file"]
    assert after.id == before.id  # updated in place, not a new row
    assert after.due_on == ago(10) + timedelta(days=180)


def test_an_appeal_meets_the_filing_deadline_and_starts_the_plans_clock(
    services: Services,
) -> None:
    claim_id = open_case(services)
    appeal = services.appeals.record(claim_id, "internal_1", filed_on=ago(6), received_on=ago(4))
    deadlines = computed(services, claim_id)
    filing = deadlines["US-ERISA-appeal-file"]
    assert (filing.status, filing.completed_on) == (DeadlineStatus.MET, ago(6))
    decision = deadlines["US-ERISA-appeal-pre"]
    assert decision.party == Party.INSURER
    assert decision.due_on == ago(4) + timedelta(days=30)
    assert decision.trigger_ref == "appeal:internal_1:1"
    # The receipt date moves: the plan's date follows.
    services.appeals.update(appeal.id, received_on=ago(3))
    assert computed(services, claim_id)["US-ERISA-appeal-pre"].due_on == ago(3) + timedelta(days=30)
    # Decided after its date: missed (evidence of a late decision).
    services.appeals.record_decision(appeal.id, decided_on=TODAY, outcome="upheld")
    assert computed(services, claim_id)["US-ERISA-appeal-pre"].status == DeadlineStatus.MET


def test_a_late_insurer_is_marked_missed(services: Services) -> None:
    claim_id = open_case(services, denial_letter_date=ago(200), denial_received_date=ago(198))
    appeal = services.appeals.record(claim_id, "internal_1", filed_on=ago(100), received_on=ago(98))
    services.appeals.record_decision(appeal.id, decided_on=ago(20), outcome="upheld")
    decision = computed(services, claim_id)["US-ERISA-appeal-pre"]
    assert (decision.status, decision.completed_on) == (DeadlineStatus.MISSED, ago(20))
    # The final decision starts the external review clocks (federal, and California's IMR).
    deadlines = computed(services, claim_id)
    assert {"US-ACA-ext-file", "US-CA-IMR-file"} <= set(deadlines)
    assert deadlines["US-ACA-ext-file"].trigger_ref == "final-decision"


def test_a_second_internal_level_switches_to_the_two_level_periods(services: Services) -> None:
    claim_id = open_case(services)
    services.appeals.record(claim_id, "internal_1", filed_on=ago(10), received_on=ago(9))
    assert computed(services, claim_id)["US-ERISA-appeal-pre"].due_on == ago(9) + timedelta(30)
    services.appeals.record(claim_id, "internal_2", filed_on=ago(2), received_on=ago(1))
    rows = [
        d
        for d in services.deadlines.deadlines(claim_id)
        if d.rule_id.startswith("US-ERISA-appeal-pre")
    ]
    open_rows = {(d.rule_id, d.trigger_ref): d for d in rows if d.status == DeadlineStatus.OPEN}
    assert set(open_rows) == {
        ("US-ERISA-appeal-pre-two-level", "appeal:internal_1:1"),
        ("US-ERISA-appeal-pre-two-level", "appeal:internal_2:1"),
    }
    dismissed = [d for d in rows if d.status == DeadlineStatus.DISMISSED]
    assert [d.rule_id for d in dismissed] == ["US-ERISA-appeal-pre"]


def test_an_extension_notice_on_the_appeal_moves_the_insurers_date(services: Services) -> None:
    claim_id = open_case(services, plan_type="erisa_disability", claim_type="disability")
    appeal = services.appeals.record(claim_id, "internal_1", filed_on=ago(12), received_on=ago(10))
    base = ago(10) + timedelta(days=45)
    assert computed(services, claim_id)["US-ERISA-dis-appeal"].due_on == base
    services.appeals.add_event(claim_id, "extension_notice", ago(1), appeal_id=appeal.id)
    extended = computed(services, claim_id)["US-ERISA-dis-appeal"]
    assert extended.due_on == base + timedelta(days=45)
    assert "inside the period" in extended.derivation


def test_clock_stopped_and_resumed_on_the_appeal(services: Services) -> None:
    claim_id = open_case(services, plan_type="erisa_disability", claim_type="disability")
    appeal = services.appeals.record(claim_id, "internal_1", filed_on=ago(12), received_on=ago(10))
    services.appeals.add_event(claim_id, "clock_stopped", ago(8), appeal_id=appeal.id)
    services.appeals.add_event(claim_id, "clock_resumed", ago(3), appeal_id=appeal.id)
    deadline = computed(services, claim_id)["US-ERISA-dis-appeal"]
    assert deadline.due_on == ago(10) + timedelta(days=45 + 5)


def test_a_changed_plan_type_dismisses_and_replaces(services: Services) -> None:
    claim_id = open_case(services)
    services.claims.update_case(claim_id, plan_type="medicare_advantage")
    rows = services.deadlines.deadlines(claim_id)
    by_rule = {d.rule_id: d for d in rows}
    assert by_rule["US-ERISA-appeal-file"].status == DeadlineStatus.DISMISSED
    assert by_rule["US-ERISA-appeal-file"].completed_on is None
    reconsider = by_rule["US-MA-reconsider-file"]
    assert reconsider.due_on == ago(20) + timedelta(days=60)  # from the notice's date
    assert reconsider.outer_limit_on is not None
    # Back to ERISA: the engine's dismissal is undone (a person's would not be).
    services.claims.update_case(claim_id, plan_type="erisa_group_health")
    again = computed(services, claim_id)
    assert again["US-ERISA-appeal-file"].status == DeadlineStatus.OPEN
    assert again["US-ERISA-appeal-file"].id == by_rule["US-ERISA-appeal-file"].id
    assert again["US-MA-reconsider-file"].status == DeadlineStatus.DISMISSED


def test_a_dismissal_by_a_person_stays(services: Services) -> None:
    claim_id = open_case(services)
    deadline = computed(services, claim_id)["US-ERISA-appeal-file"]
    services.deadlines.set_status(deadline.id, "dismissed")
    services.claims.update_case(claim_id, denial_received_date=ago(14))
    assert computed(services, claim_id)["US-ERISA-appeal-file"].status == DeadlineStatus.DISMISSED


def test_an_override_survives_recompute_and_the_computed_date_stays_visible(
    services: Services,
) -> None:
    claim_id = open_case(services)
    deadline = computed(services, claim_id)["US-ERISA-appeal-file"]
    mine = TODAY + timedelta(days=30)
    services.deadlines.override(deadline.id, mine, "File early, before the surgery")
    services.claims.update_case(claim_id, denial_letter_date=ago(12), denial_received_date=ago(11))
    after = computed(services, claim_id)["US-ERISA-appeal-file"]
    assert after.due_on == mine and after.overridden
    assert after.computed_due_on == ago(12) + timedelta(days=180)
    with services.db.read() as session:
        row = session.get(Deadline, after.id)
        assert row is not None
        assert sorted(r.remind_on for r in row.reminders) == [
            mine - timedelta(days=d) for d in (14, 7, 3, 1)
        ]
    restored = services.deadlines.clear_override(after.id)
    assert restored.due_on == restored.computed_due_on and not restored.overridden


def test_the_fallback_start_then_the_reply(services: Services) -> None:
    """India: one year from the insurer's reply, or from a month after the grievance."""
    claim_id = open_case(services, plan_type="in_health", country="IN", region="MH", currency="INR")
    services.appeals.add_event(claim_id, "complaint_sent", ago(60))
    waiting = computed(services, claim_id)
    grievance = waiting["IN-grievance"]
    assert grievance.due_on == ago(60) + timedelta(weeks=2)
    ombudsman = waiting["IN-ombudsman"]
    assert ombudsman.trigger_ref == "final-decision"
    assert ombudsman.derivation.startswith("No reply is recorded, so the clock starts 1 month")
    assert "; no reply by " in ombudsman.derivation
    services.appeals.add_event(claim_id, "final_response", ago(30))
    replied = computed(services, claim_id)
    assert replied["IN-ombudsman"].id == ombudsman.id
    reply = ago(30)
    assert replied["IN-ombudsman"].due_on == reply.replace(year=reply.year + 1)
    # The reply came 16 days after the grievance period ended: missed.
    assert replied["IN-grievance"].status == DeadlineStatus.MISSED


def test_a_state_reviewer_replaces_the_federal_timetable(services: Services) -> None:
    claim_id = open_case(services, plan_type="aca_individual")
    services.appeals.record(claim_id, "external_review", filed_on=ago(5), received_on=ago(3))
    rules = set(computed(services, claim_id))
    assert "US-CA-IMR-decision" in rules and "US-ACA-ext-decision" not in rules


def test_a_records_request_gets_its_30_days(services: Services) -> None:
    claim_id = open_case(services)
    request = services.requests.request_document(
        claim_id, "plan_documents", sent_on=ago(5), method="certified_mail"
    )
    deadline = computed(services, claim_id)["US-ERISA-plan-docs"]
    assert deadline.due_on == ago(5) + timedelta(days=30)
    assert "$110 a day" in deadline.derivation
    services.requests.mark_received(request.id, ago(1))
    assert computed(services, claim_id)["US-ERISA-plan-docs"].status == DeadlineStatus.MET
    services.requests.withdraw(request.id)


def test_hour_rules_use_the_recorded_instant() -> None:
    """An urgent claim submitted at a known time: the plan's 72 hours, to the minute."""
    moment = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)  # 10:00 in New York
    facts = CaseFacts(
        plan_type="erisa_group_health",
        country="US",
        urgent=True,
        events=(EventFacts(1, "claim_submitted", moment.date(), moment),),
    )
    plan = plan_case(facts, rule_book())
    (urgent,) = [p for p in plan.deadlines if p.rule.id == "US-ERISA-claim-urgent"]
    assert urgent.computation.due_at == datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    assert urgent.trigger_ref == "event:claim_submitted:1"


def test_impossible_dates_are_reported_not_raised() -> None:
    facts = CaseFacts(
        plan_type="uk_private",
        country="GB",
        appeals=(AppealFacts(1, "internal_1", decided_on=date(9999, 11, 1), outcome="upheld"),),
    )
    plan = plan_case(facts, rule_book())
    assert any("UK-FOS-refer" in problem for problem in plan.problems)


# ---- writing quietly, retrying, announcing -------------------------------------------------


def test_the_automatic_recompute_adds_no_notice_and_no_audit_row(services: Services) -> None:
    seen: list[Change] = []
    services.subscribe(seen.extend)
    claim_id = open_case(services)
    assert [(c.entity, c.action) for c in seen] == [("claim", "create")]
    assert [e.entity for e in services.audit.events(claim_id)] == ["claim"]
    assert computed(services, claim_id)  # yet the deadline is there when the notice arrives


def test_an_explicit_recompute_is_audited_and_announced_once(services: Services) -> None:
    claim_id = open_case(services)
    with services.db.write() as session:
        row = session.scalars(select(Deadline).where(Deadline.claim_id == claim_id)).one()
        row.due_on = TODAY  # as if an older ClaimDesk had computed it differently
    seen: list[Change] = []
    services.subscribe(seen.extend)
    result = services.schedule.recompute(claim_id)
    assert result.changed_ids == (row.id,)
    assert [(c.entity, c.action) for c in seen] == [("deadline", "recompute")]
    assert services.schedule.recompute(claim_id).changed_ids == ()


def test_a_failed_recompute_keeps_the_change_and_is_retried(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = schedule_module.plan_case

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("rules unavailable")

    monkeypatch.setattr(schedule_module, "plan_case", broken)
    claim_id = open_case(services)
    assert services.claims.get(claim_id).claimant_name == "Maria Lopez"
    assert services.schedule.stale_claims == {claim_id}
    assert computed(services, claim_id) == {}
    monkeypatch.setattr(schedule_module, "plan_case", real)
    services.schedule.agenda(TODAY, 365)
    assert services.schedule.stale_claims == frozenset()
    assert "US-ERISA-appeal-file" in computed(services, claim_id)


def test_an_imported_case_keeps_its_computed_deadlines_and_overrides(
    services: Services, tmp_path: Path
) -> None:
    claim_id = open_case(services)
    services.appeals.record(claim_id, "internal_1", filed_on=ago(5), received_on=ago(4))
    decision = computed(services, claim_id)["US-ERISA-appeal-pre"]
    services.deadlines.override(decision.id, TODAY + timedelta(days=5), "Plan promised sooner")
    document = services.exchange.export_case(claim_id)
    other = as_user(
        open_database(f"sqlite:///{tmp_path / 'other.sqlite'}"), "Importer", clock=services.clock
    )
    new_id = other.exchange.import_case(document)
    imported = computed(other, new_id)
    assert imported["US-ERISA-appeal-pre"].due_on == TODAY + timedelta(days=5)
    assert imported["US-ERISA-appeal-pre"].status == DeadlineStatus.OPEN
    assert (
        other.exchange.export_case(new_id)["claim"]["deadlines"] == document["claim"]["deadlines"]
    )


# ---- the agenda and reminders ----------------------------------------------------------------


def test_the_agenda_lists_deadlines_promises_and_requests(services: Services) -> None:
    claim_id = open_case(services)
    case_number = services.claims.get(claim_id).case_number
    services.deadlines.add_manual(claim_id, "Send the ECG tracings", ago(1))
    services.calls.log_call(
        claim_id,
        CallInput(
            occurred_at=NOW - timedelta(days=3),
            person_name="Dana",
            summary="Promised the claim file.",
            promises=[PromiseInput("Mail the claim file", TODAY + timedelta(days=2))],
        ),
    )
    request = services.requests.request_document(
        claim_id, "claim_file", sent_on=ago(40), method="fax", recipient_name="Acme appeals"
    )
    services.requests.follow_up(
        request.id, sent_on=ago(5), method="fax", new_due_on=TODAY + timedelta(days=4)
    )
    items = services.schedule.agenda(TODAY, days=7)
    assert [(i.source, i.title, i.overdue) for i in items] == [
        ("deadline", "Send the ECG tracings", True),
        ("promise", "Mail the claim file", False),
        ("request", "Complete claim file from Acme appeals", False),
    ]
    assert {i.case_number for i in items} == {case_number}
    # The 180-day appeal deadline is further out; a longer window shows it with its rule.
    later = services.schedule.agenda(TODAY, days=365)
    appeal = next(i for i in later if i.rule_id == "US-ERISA-appeal-file")
    assert appeal.kind == "appeal filing deadline"
    assert appeal.confidence == Confidence.SECONDARY and appeal.citation
    # A closed case drops out.
    services.claims.update_case(claim_id, status="closed")
    assert services.schedule.agenda(TODAY, days=365) == []


def test_a_corrected_call_lists_its_promise_once(services: Services) -> None:
    claim_id = open_case(services)
    call = services.calls.log_call(
        claim_id,
        CallInput(
            occurred_at=NOW - timedelta(days=3),
            person_name="Dana",
            summary="Promised a callback.",
            promises=[PromiseInput("Call back", TODAY)],
        ),
    )
    services.calls.amend_call(
        call.id,
        CallInput(
            occurred_at=NOW - timedelta(days=3),
            person_name="Dana Ortiz",
            summary="Promised a callback.",
            promises=[PromiseInput("Call back", TODAY)],
        ),
        "Full name",
    )
    promises = [i for i in services.schedule.agenda(TODAY, 1) if i.source == "promise"]
    assert len(promises) == 1


def test_a_request_and_its_rule_deadline_are_not_listed_twice(services: Services) -> None:
    claim_id = open_case(services)
    services.requests.request_document(claim_id, "plan_documents", sent_on=ago(5), method="letter")
    items = services.schedule.agenda(TODAY, days=30)
    assert [i.source for i in items if i.due_on == ago(5) + timedelta(days=30)] == ["deadline"]


def test_reminders_from_lead_times(services: Services) -> None:
    claim_id = open_case(services, denial_letter_date=ago(175), denial_received_date=ago(174))
    deadline = computed(services, claim_id)["US-ERISA-appeal-file"]
    assert deadline.due_on == TODAY + timedelta(days=5)
    due = services.schedule.reminders_due(TODAY)
    assert [(r.deadline_id, r.days_left) for r in due] == [(deadline.id, 5)]
    # The 14- and 7-day reminders have come; the 3- and 1-day ones have not.
    assert len(due[0].reminder_ids) == 2
    assert services.schedule.mark_reminders_shown(due[0].reminder_ids) == 2
    assert services.schedule.reminders_due(TODAY, unseen_only=True) == []
    assert len(services.schedule.reminders_due(TODAY + timedelta(days=2), unseen_only=True)) == 1
    services.schedule.dismiss_reminders(due[0].reminder_ids)
    assert services.schedule.reminders_due(TODAY) == []


# ---- the demo ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    database = open_database(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite'}")
    shared = as_user(database, "Test Caseworker", clock=pinned_clock())
    load_demo(shared)
    yield shared
    database.dispose()


def demo_case(services: Services, plan: PlanType) -> ClaimDetail:
    summary = next(c for c in services.claims.list_claims() if c.plan_type == plan)
    return services.claims.get(summary.id)


def test_the_demo_cases_get_sensible_computed_deadlines(demo_services: Services) -> None:
    s = demo_services
    assert s.schedule.stale_claims == frozenset()
    erisa = demo_case(s, PlanType.ERISA_GROUP_HEALTH)
    assert erisa.region == "CA" and erisa.denial_received_date and erisa.denial_letter_date
    appeal_file = computed(s, erisa.id)["US-ERISA-appeal-file"]
    # 180 days from receipt is the outer limit (moved off a weekend if need be); the date to
    # act by counts from the letter, four days earlier.
    from_receipt = erisa.denial_received_date + timedelta(days=180)
    assert appeal_file.outer_limit_on is not None
    assert from_receipt <= appeal_file.outer_limit_on <= from_receipt + timedelta(days=3)
    assert appeal_file.due_on == erisa.denial_letter_date + timedelta(days=180)
    assert appeal_file.status == DeadlineStatus.MET  # the appeal was filed
    assert computed(s, erisa.id)["US-ERISA-appeal-pre"].due_on == TODAY + timedelta(days=26)

    uk = demo_case(s, PlanType.UK_PRIVATE)
    fos = computed(s, uk.id)["UK-FOS-refer"]
    sent = ago(85)  # the final response, dated and sent 85 days ago
    months = (fos.due_on.year - sent.year) * 12 + fos.due_on.month - sent.month
    assert months == 6 and fos.due_on.day <= sent.day
    assert (fos.status, fos.completed_on) == (DeadlineStatus.MET, ago(40))
    assert computed(s, uk.id)["UK-final-response"].status == DeadlineStatus.MET

    ltd = demo_case(s, PlanType.ERISA_DISABILITY)
    assert computed(s, ltd.id)["US-ERISA-dis-appeal"].due_on == TODAY + timedelta(days=19)
    ma = demo_case(s, PlanType.MEDICARE_ADVANTAGE)
    reconsider = computed(s, ma.id)["US-MA-reconsider-file"]
    # 60 days from the notice; 65 as the outer limit (moved off a weekend if need be).
    assert reconsider.due_on == ago(45) + timedelta(days=60)
    assert reconsider.outer_limit_on is not None
    assert 0 <= (reconsider.outer_limit_on - (ago(45) + timedelta(days=65))).days <= 3
    india = demo_case(s, PlanType.IN_HEALTH)
    assert computed(s, india.id)["IN-grievance"].status == DeadlineStatus.MISSED
    aca = demo_case(s, PlanType.ACA_INDIVIDUAL)
    assert computed(s, aca.id)["US-ACA-ext-file"].status == DeadlineStatus.MET


def test_every_demo_case_is_already_up_to_date(demo_services: Services) -> None:
    assert demo_services.schedule.recompute_all() == []
