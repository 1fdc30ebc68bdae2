"""The Cases page's count line agrees with its number."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from claimdesk.gui.cases_page import CasesPage, count_text
from claimdesk.models.enums import Role
from claimdesk.services import Services
from claimdesk.storage import Database, open_database
from tests.gui_support import make_env, open_case
from tests.signin import personal, principal


def test_the_count_agrees_in_number() -> None:
    assert count_text(0, True) == "0 cases match the filters"
    assert count_text(1, True) == "1 case matches the filters"
    assert count_text(2, True) == "2 cases match the filters"
    assert count_text(1, False) == "1 case"
    assert count_text(1200, False) == "1,200 cases"


def test_one_open_case_matches_the_filters(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    open_case(services)
    page = CasesPage(make_env(services, tmp_path))
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    assert page.count.text() == "1 case matches the filters"  # open cases only, by default


def test_my_cases_shows_only_the_cases_assigned_to_me(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    principal(services.db, "Ana Ruiz", Role.CASEWORKER)
    mine = open_case(services)
    theirs = open_case(services)
    services.claims.update_case(mine, assigned_to=services.user_name)
    services.claims.update_case(theirs, assigned_to="Ana Ruiz")
    page = CasesPage(make_env(services, tmp_path))
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    page.mine.setChecked(True)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    assert page.model.claim_id(0) == mine
    page.mine.setChecked(False)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)


def test_my_cases_is_offered_on_an_office_database_only(
    qtbot: QtBot, services: Services, db: Database, tmp_path: Path
) -> None:
    office_page = CasesPage(make_env(services, tmp_path))
    qtbot.addWidget(office_page)
    assert not office_page.mine.isHidden()
    home = tmp_path / "home"
    home.mkdir()
    personal_db = open_database(f"sqlite:///{home / 'claimdesk.sqlite'}")
    try:
        claimant = Services(personal_db, personal(personal_db), clock=services.clock)
        page = CasesPage(make_env(claimant, home))
        qtbot.addWidget(page)
        assert page.mine.isHidden()  # nobody else to assign a case to
    finally:
        personal_db.dispose()
