"""Insurer-deadline alerts: a case made to miss an insurer's deadline raises the alert with the
rule's citation and what it opens (clock pinned, tests/pinned.py: 4 Nov 2026)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from claimdesk.clock import FixedClock
from claimdesk.deadlines import DeadlineRuleError, load_rules
from claimdesk.deadlines.missed import NOT_LEGAL_ADVICE
from claimdesk.services import ClaimInput, Services
from claimdesk.services.schedule import rule_book
from claimdesk.storage import Database
from tests.pinned import TODAY


def disability_case(services: Services, insurer: str = "Northwind Mutual") -> int:
    return services.claims.open_case(
        ClaimInput(
            claimant_name="Ada Example",
            plan_type="erisa_disability",
            claim_type="disability",
            country="US",
            insurer_name=insurer,
        )
    ).id


def test_a_missed_appeal_decision_raises_the_erisa_alert(services: Services) -> None:
    claim_id = disability_case(services)
    # Received 1 Sep: the plan has 45 days (29 CFR 2560.503-1(i)(3)(i)), so until 16 Oct.
    services.appeals.record(
        claim_id, "internal_1", filed_on=date(2026, 8, 27), received_on=date(2026, 9, 1)
    )
    [alert] = services.alerts.missed()
    assert alert.claim_id == claim_id
    assert alert.rule_id == "US-ERISA-dis-appeal"
    assert alert.due_on == date(2026, 10, 16)
    assert alert.days_late == (TODAY - date(2026, 10, 16)).days == 19
    assert alert.headline == (
        "Northwind Mutual's decision on the appeal was due 16 Oct 2026 (29 CFR 2560.503-1(i)(3)(i))"
    )
    [sentence] = alert.sentences()
    assert "; under (l)(2) the claimant may treat the claims procedure as exhausted" in sentence
    assert sentence.endswith("(29 CFR 2560.503-1(l)(2); confidence S).")
    assert alert.next_steps == ("court",)
    assert alert.penalty is None
    assert services.alerts.count() == 1

    # A decision recorded (even late) ends the alert: the deadline is then missed, not open.
    [appeal] = services.appeals.appeals(claim_id)
    services.appeals.record_decision(appeal.id, decided_on=date(2026, 10, 30), outcome="upheld")
    assert services.alerts.missed() == []


def test_not_yet_due_is_no_alert_and_the_day_after_is(services: Services, clock) -> None:  # type: ignore[no-untyped-def]
    claim_id = disability_case(services)
    services.appeals.record(claim_id, "internal_1", filed_on=TODAY - timedelta(days=45))
    # Filed (received unknown) 45 days ago: due today, so not yet late.
    assert services.alerts.missed() == []
    clock.advance(timedelta(days=1))
    [alert] = services.alerts.missed()
    assert alert.days_late == 1


def test_plan_documents_alert_carries_the_per_day_maximum(services: Services) -> None:
    claim_id = services.claims.open_case(
        ClaimInput(
            claimant_name="Ben Example",
            plan_type="erisa_group_health",
            claim_type="health",
            country="US",
            insurer_name="Acme Health",
        )
    ).id
    services.requests.request_document(
        claim_id, "plan_documents", sent_on=date(2026, 9, 1), method="letter"
    )
    [alert] = services.alerts.missed([claim_id])
    assert alert.rule_id == "US-ERISA-plan-docs"
    assert alert.due_on == date(2026, 10, 1)
    assert alert.penalty is not None
    assert alert.penalty.days_late == 34
    assert alert.penalty.maximum.amount == 34 * 110
    assert alert.next_steps == ("penalty",)  # late documents do not exhaust the procedure
    text = alert.text()
    assert "up to $110 a day, at most $3,740 so far" in text
    assert "ERISA 502(c)(1); 29 CFR 2575.502c-1" in text
    assert "Not legal advice." in text
    assert "legal advice" in NOT_LEGAL_ADVICE


@pytest.mark.parametrize(
    ("country", "plan_type", "opens", "citation"),
    [
        ("GB", "uk_private", "Financial Ombudsman Service", "FCA DISP 1.6.2R, DISP 2.8.1R"),
        ("AU", "au_private", "lodge the complaint with AFCA", "ASIC RG 271"),
        ("IN", "in_health", "Insurance Ombudsman", "Insurance Ombudsman Rules 2017 r.14(3)"),
    ],
)
def test_outside_the_us_the_ombudsman_door_is_named(
    services: Services, country: str, plan_type: str, opens: str, citation: str
) -> None:
    claim_id = services.claims.open_case(
        ClaimInput(
            claimant_name="Cara Example",
            plan_type=plan_type,
            claim_type="health",
            country=country,
            insurer_name="Harbour Insurance",
        )
    ).id
    services.appeals.add_event(claim_id, "complaint_sent", date(2026, 8, 3))
    [alert] = services.alerts.missed()
    [sentence] = alert.sentences()
    assert opens in sentence
    assert f"({citation}; confidence" in sentence
    assert alert.next_steps == ("ombudsman",)


def test_every_insurer_rule_says_what_was_missed() -> None:
    for rule in rule_book():
        if rule.party == "insurer":
            assert rule.if_missed is not None, rule.id
        else:
            assert rule.if_missed is None, rule.id


def test_an_unknown_consequence_is_refused_by_name(tmp_path: Path) -> None:
    rule = {
        "id": "XX-decide",
        "title": "Decide",
        "kind": "insurer decision due",
        "jurisdiction": "GB",
        "trigger": "complaint",
        "period": {"weeks": 8},
        "party": "insurer",
        "citation": "a citation",
        "confidence": "V",
        "if_missed": {"what": "decision", "gives": ["nowhere"]},
    }
    (tmp_path / "x.json").write_text(json.dumps({"rules": [rule]}), encoding="utf-8")
    with pytest.raises(DeadlineRuleError, match="unknown consequence 'nowhere'"):
        load_rules(tmp_path)
    rule["party"] = "claimant"
    rule["if_missed"] = {"what": "x", "gives": []}
    (tmp_path / "x.json").write_text(json.dumps({"rules": [rule]}), encoding="utf-8")
    with pytest.raises(DeadlineRuleError, match="not the claimant's"):
        load_rules(tmp_path)


def test_the_dashboard_and_report_read_on_every_backend(services: Services) -> None:
    """The dashboard's queries on SQLite and PostgreSQL alike (the services fixture runs both)."""
    from claimdesk.services.dashboard import DashboardFilter
    from claimdesk.services.report import ReportOptions

    claim_id = disability_case(services)
    services.appeals.record(
        claim_id, "internal_1", filed_on=date(2026, 8, 27), received_on=date(2026, 9, 1)
    )
    services.requests.request_document(
        claim_id, "claim_file", sent_on=date(2026, 9, 1), method="letter"
    )
    period = DashboardFilter(date(2026, 1, 1), date(2026, 12, 31))
    board = services.dashboard.read(period)
    assert board.open_cases == 1 and board.alert_count == 1
    late = {g.label: g.values for g in board.chart("insurers").groups}
    assert late == {"Northwind Mutual": (1, 1)}
    overdue = {g.label: g.values for g in board.chart("deadlines").groups}
    assert overdue["(unassigned)"][1] == 1  # the insurer's deadline, overdue
    [piece] = [s for s in board.chart("insurers").groups[0].slices[:1] if s is not None]
    assert services.dashboard.case_ids(piece) == [claim_id]
    data = json.loads(services.report.render(ReportOptions(period), "json"))
    assert data["missed_insurer_deadlines"]["count"] == 1


def test_a_caseworker_limited_to_their_cases_counts_and_sees_only_those(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    """The office's read policy (services/policy.py) reaches the dashboard's Core queries."""
    from claimdesk.models.enums import Role
    from claimdesk.services.dashboard import DashboardFilter
    from tests.signin import as_user

    office = as_user(db, "Office Admin", tmp_path, clock=clock)
    as_user(db, "Cas Worker", tmp_path, clock=clock, role=Role.CASEWORKER)
    cases = []
    for assigned in ("Cas Worker", ""):
        claim_id = office.claims.open_case(
            ClaimInput(
                claimant_name="Ada Example",
                plan_type="erisa_disability",
                claim_type="disability",
                country="US",
                insurer_name="Northwind Mutual",
                assigned_to=assigned,
            )
        ).id
        office.appeals.record(
            claim_id, "internal_1", filed_on=date(2026, 8, 27), received_on=date(2026, 9, 1)
        )
        cases.append(claim_id)
    office.accounts.set_only_assigned(True)
    caseworker = as_user(db, "Cas Worker", tmp_path, clock=clock, role=Role.CASEWORKER)

    assert office.alerts.count() == 2
    assert [a.claim_id for a in caseworker.alerts.missed()] == [cases[0]]
    assert caseworker.alerts.count() == 1
    board = caseworker.dashboard.read(DashboardFilter())
    assert board.open_cases == 1 and board.alert_count == 1
    assert {g.label for g in board.chart("caseload").groups} == {"Cas Worker"}
    # Even a bar of the whole office's, asked for by hand, lists only their case.
    whole = office.dashboard.read(DashboardFilter())
    piece = whole.chart("insurers").groups[0].slices[0]
    assert piece is not None
    assert office.dashboard.case_ids(piece) == sorted(cases)
    assert caseworker.dashboard.case_ids(piece) == [cases[0]]
