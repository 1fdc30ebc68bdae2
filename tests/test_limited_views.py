"""A caseworker an office limits to their own cases sees only those on the Core-read views too:
the missed-deadline alerts on Today and the dashboard (their queries bypass the ORM's policy)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from claimdesk.clock import FixedClock
from claimdesk.models.enums import Role
from claimdesk.services import ClaimInput, Services
from claimdesk.services.dashboard import DashboardFilter
from claimdesk.storage import Database
from tests.signin import as_user


def late_case(services: Services, name: str, assigned_to: str = "") -> int:
    """A UK case whose insurer let its 8 weeks pass without a final response."""
    claim_id = services.claims.open_case(
        ClaimInput(
            claimant_name=name,
            plan_type="uk_private",
            claim_type="health",
            country="GB",
            insurer_name="Harbour Insurance",
            assigned_to=assigned_to,
        )
    ).id
    services.appeals.add_event(claim_id, "complaint_sent", date(2026, 8, 3))
    return claim_id


def test_a_limited_caseworker_sees_only_their_alerts_and_dashboard(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    office = as_user(db, "Office Admin", tmp_path, clock=clock)
    as_user(db, "Cas Worker", clock=clock, role=Role.CASEWORKER)
    mine = late_case(office, "Mine Tester", assigned_to="Cas Worker")
    late_case(office, "Other Tester")
    assert {a.claimant_name for a in office.alerts.missed()} == {"Mine Tester", "Other Tester"}

    office.accounts.set_only_assigned(True)
    caseworker = as_user(db, "Cas Worker", clock=clock, role=Role.CASEWORKER)
    assert [a.claim_id for a in caseworker.alerts.missed()] == [mine]
    assert caseworker.alerts.count() == 1
    board = caseworker.dashboard.read(DashboardFilter())
    assert board.open_cases == 1
    assert [a.claim_id for a in board.alerts] == [mine]
    assert caseworker.dashboard.caseworkers() == ["Cas Worker"]
    # The office's administrator still sees the whole office.
    assert office.dashboard.read(DashboardFilter()).open_cases == 2


def test_a_volunteer_reads_the_dashboard_but_writes_no_report(
    db: Database, clock: FixedClock, tmp_path: Path
) -> None:
    from claimdesk.errors import PermissionDenied
    from claimdesk.services.report import ReportOptions

    office = as_user(db, "Office Admin", tmp_path, clock=clock)
    late_case(office, "Other Tester")
    volunteer = as_user(db, "Vic Volunteer", clock=clock, role=Role.VOLUNTEER)
    assert volunteer.dashboard.read(DashboardFilter()).open_cases == 1
    out = tmp_path / "report.pdf"
    for kind in ("pdf", "csv", "json"):
        with pytest.raises(PermissionDenied, match=r"cannot change or export.*export reports"):
            volunteer.report.write(ReportOptions(DashboardFilter()), kind, out)
    assert not out.exists()
    office.report.write(ReportOptions(DashboardFilter()), "pdf", out)
    assert out.read_bytes().startswith(b"%PDF")
