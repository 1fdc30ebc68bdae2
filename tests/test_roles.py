"""Roles, enforced in the services: a test per rule (issue 14).

admin: everything, plus accounts, templates, backup and restore, settings.
caseworker: works cases (open, calls, letters, documents, packets, exports), optionally only
the cases assigned to them. volunteer: reads and searches; cannot change or export.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from claimdesk import models
from claimdesk.clock import FixedClock
from claimdesk.errors import NotFoundError, PermissionDenied
from claimdesk.letters.letterhead import Letterhead
from claimdesk.models.enums import Role
from claimdesk.services import CallInput, Services
from claimdesk.services.dashboard import DashboardFilter
from claimdesk.services.report import ReportOptions
from claimdesk.storage import Database
from tests.signin import as_user
from tests.test_schedule import open_case

Action = Callable[[Services, int, Path], Any]


@pytest.fixture
def office(db: Database, clock: FixedClock, tmp_path: Path) -> Services:
    """An office: the administrator, with one case of theirs."""
    return as_user(db, "Office Admin", tmp_path, clock=clock)


def member(office: Services, name: str, role: Role) -> Services:
    return as_user(office.db, name, office._data_dir, clock=office.clock, role=role)


def audit_count(db: Database) -> int:
    with db.read() as session:
        return len(session.scalars(select(models.AuditEvent.id)).all())


# What a volunteer may not do: every kind of change, and every export.
CHANGES: dict[str, Action] = {
    "open a case": lambda s, c, d: open_case(s),
    "add a note": lambda s, c, d: s.claims.add_note(c, "Called the plan."),
    "change a case": lambda s, c, d: s.claims.update_case(c, claimant_name="Someone Else"),
    "log a call": lambda s, c, d: s.calls.log_call(
        c, CallInput(occurred_at=s.clock.now(), person_name="Dana", summary="Asked.")
    ),
    "attach a document": lambda s, c, d: s.documents.attach(c, "note.txt", b"hello"),
    "write a letter": lambda s, c, d: s.lettering.generate(c, "records_request", "pdf", force=True),
    "import a case": lambda s, c, d: s.exchange.import_case({"claim": {}}),
}
EXPORTS: dict[str, Action] = {
    "export a case": lambda s, c, d: s.exchange.write_case_file(c, d / "case.json"),
    "export a packet": lambda s, c, d: s.packets.export(
        c, d / "packet.pdf", None, s.packets.options(c)
    ),
    "export the calendar": lambda s, c, d: s.calendar.write_ics(d / "deadlines.ics"),
    "write the office report": lambda s, c, d: s.report.write(
        ReportOptions(DashboardFilter()), "pdf", d / "report.pdf"
    ),
}
ADMINISTRATION: dict[str, Action] = {
    "back up": lambda s, c, d: s.backups.backup(d / "backup.sqlite"),
    "restore": lambda s, c, d: s.backups.restore(d / "backup.sqlite", d / "kept"),
    "change a template": lambda s, c, d: s.lettering.store.save("records_request", "Dear"),
    "reset a template": lambda s, c, d: s.lettering.store.reset("records_request"),
    "change the letterhead": lambda s, c, d: s.lettering.save_letterhead(Letterhead()),
    "add an account": lambda s, c, d: s.accounts.add("New Person", Role.CASEWORKER, "pass word"),
    "disable an account": lambda s, c, d: s.accounts.disable("Office Admin"),
    "change a role": lambda s, c, d: s.accounts.set_role("Office Admin", Role.VOLUNTEER),
    "reset a password": lambda s, c, d: s.accounts.change_password("Office Admin", "new pass"),
    "change a setting": lambda s, c, d: s.accounts.set_only_assigned(True),
}


@pytest.mark.parametrize("what", sorted({**CHANGES, **EXPORTS, **ADMINISTRATION}))
def test_a_volunteer_cannot_change_or_export(office: Services, tmp_path: Path, what: str) -> None:
    claim_id = open_case(office)
    volunteer = member(office, "Vic Volunteer", Role.VOLUNTEER)
    before = audit_count(office.db)
    action = {**CHANGES, **EXPORTS, **ADMINISTRATION}[what]
    with pytest.raises(PermissionDenied, match="volunteer account can read and search"):
        action(volunteer, claim_id, tmp_path)
    assert audit_count(office.db) == before  # nothing was written
    assert not (tmp_path / "case.json").exists() and not (tmp_path / "packet.pdf").exists()


def test_a_volunteer_reads_and_searches(office: Services) -> None:
    claim_id = open_case(office, claimant_name="Maria Lopez")
    office.claims.add_note(claim_id, "Peer to peer review booked.")
    volunteer = member(office, "Vic Volunteer", Role.VOLUNTEER)
    assert volunteer.claims.get(claim_id).claimant_name == "Maria Lopez"
    assert [c.id for c in volunteer.claims.list_claims()] == [claim_id]
    assert volunteer.claims.notes(claim_id)[0].body == "Peer to peer review booked."
    assert volunteer.search.search("peer review").cases


@pytest.mark.parametrize("what", sorted(ADMINISTRATION))
def test_a_caseworker_cannot_administer(office: Services, tmp_path: Path, what: str) -> None:
    claim_id = open_case(office)
    caseworker = member(office, "Cas Worker", Role.CASEWORKER)
    with pytest.raises(PermissionDenied, match="caseworker account cannot"):
        ADMINISTRATION[what](caseworker, claim_id, tmp_path)


@pytest.mark.parametrize("what", sorted({**CHANGES, **EXPORTS}))
def test_a_caseworker_works_cases_and_exports(office: Services, tmp_path: Path, what: str) -> None:
    claim_id = open_case(office)
    caseworker = member(office, "Cas Worker", Role.CASEWORKER)
    action = {**CHANGES, **EXPORTS}[what]
    try:
        action(caseworker, claim_id, tmp_path)
    except PermissionDenied:
        raise
    except Exception:
        pass


def test_an_administrator_does_everything(office: Services, tmp_path: Path) -> None:
    claim_id = open_case(office)
    member(office, "Cas Worker", Role.CASEWORKER)
    if office.sqlite_path is not None:  # a server is backed up with its own tools
        office.backups.backup(tmp_path / "backup.sqlite")
    office.lettering.save_letterhead(Letterhead(organisation="Advocacy Office"))
    office.accounts.add("New Person", Role.VOLUNTEER, "pass word")
    office.accounts.set_role("Cas Worker", Role.ADMIN)
    office.accounts.disable("New Person")
    office.accounts.set_only_assigned(True)
    office.exchange.write_case_file(claim_id, tmp_path / "case.json")
    assert (tmp_path / "case.json").exists()


def test_a_volunteers_refusal_names_the_action(office: Services) -> None:
    claim_id = open_case(office)
    volunteer = member(office, "Vic Volunteer", Role.VOLUNTEER)
    with pytest.raises(PermissionDenied) as refused:
        volunteer.calls.log_call(
            claim_id, CallInput(occurred_at=office.clock.now(), person_name="Dana", summary="x")
        )
    assert str(refused.value) == (
        "A volunteer account can read and search the cases but cannot change or export them "
        "(here: log calls). An administrator can do it, or give this account the right role."
    )


def test_the_refusal_names_what_the_role_cannot_do(office: Services, tmp_path: Path) -> None:
    caseworker = member(office, "Cas Worker", Role.CASEWORKER)
    with pytest.raises(PermissionDenied) as refused:
        caseworker.backups.backup(tmp_path / "b.sqlite")
    assert str(refused.value) == (
        "A caseworker account cannot back up the database. An administrator can do it, or give "
        "this account the right role."
    )


# --- caseworkers limited to their own cases ---------------------------------------------------


def test_caseworkers_see_every_case_unless_the_office_says_otherwise(office: Services) -> None:
    theirs = open_case(office, claimant_name="Someone Else")
    caseworker = member(office, "Cas Worker", Role.CASEWORKER)
    assert not caseworker.accounts.only_assigned()
    assert [c.id for c in caseworker.claims.list_claims()] == [theirs]
    caseworker.claims.add_note(theirs, "Helped out.")


def test_a_limited_caseworker_sees_and_changes_only_their_cases(office: Services) -> None:
    member(office, "Cas Worker", Role.CASEWORKER)
    mine = open_case(office, claimant_name="Mine Tester", assigned_to="Cas Worker")
    other = open_case(office, claimant_name="Other Tester")
    office.claims.add_note(other, "Private to the office.")
    office.accounts.set_only_assigned(True)
    caseworker = member(office, "Cas Worker", Role.CASEWORKER)  # signs in after the change

    assert [c.id for c in caseworker.claims.list_claims()] == [mine]
    assert caseworker.claims.get(mine).claimant_name == "Mine Tester"
    with pytest.raises(NotFoundError):
        caseworker.claims.get(other)
    assert caseworker.claims.notes(other) == []
    assert caseworker.search.search("Private").empty
    with pytest.raises((NotFoundError, PermissionDenied)):
        caseworker.claims.add_note(other, "Not mine.")
    caseworker.claims.add_note(mine, "Mine.")
    # A case they open is theirs, and numbered after every case of the office.
    opened = caseworker.claims.get(open_case(caseworker, claimant_name="New Tester"))
    assert opened.assigned_to == "Cas Worker"
    assert opened.case_number > office.claims.get(other).case_number
    # The administrator still sees everything.
    assert len(office.claims.list_claims()) == 3


def test_a_limited_caseworkers_case_list_is_theirs(office: Services) -> None:
    member(office, "Cas Worker", Role.CASEWORKER)
    mine = open_case(office, claimant_name="Mine Tester", assigned_to="Cas Worker")
    open_case(office, claimant_name="Other Tester")
    office.accounts.set_only_assigned(True)
    caseworker = member(office, "Cas Worker", Role.CASEWORKER)
    from claimdesk.services.caselist import CaseFilter

    assert caseworker.caselist.case_ids(CaseFilter()) == [mine]
    assert [r.id for r in caseworker.caselist.rows([mine, mine + 1])] == [mine]
    assert caseworker.caselist.assignees() == ["Cas Worker"]
    # "My cases" for anyone: the administrator has none assigned.
    assert office.caselist.case_ids(CaseFilter(mine=True)) == []
    assert office.caselist.case_ids(CaseFilter(assignee="Cas Worker")) == [mine]
