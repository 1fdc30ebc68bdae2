"""The main window driven as a user would, on a real database."""

from __future__ import annotations

import logging
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from claimdesk.gui.app import install_exception_hook
from claimdesk.gui.case_list_model import CLAIM_ID_ROLE, CLAIMANT, DAYS_LEFT, CaseListModel
from claimdesk.gui.main_window import MainWindow
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.gui.workspace import CaseWorkspace
from claimdesk.services import Services
from tests.builders import full_case
from tests.gui_support import settled
from tests.pinned import TODAY


def make_window(qtbot: QtBot, services: Services, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(services, RecordingPrompts(), "test database", settings)
    qtbot.addWidget(win)
    win.show()
    return win


@pytest.fixture
def window(qtbot: QtBot, services: Services, tmp_path: Path) -> MainWindow:
    full_case(services, "Maria Lopez")
    full_case(services, "Ravi Kumar")
    return make_window(qtbot, services, tmp_path)


def visible_claimants(win: MainWindow) -> list[str]:
    model = win.cases_page.model
    return sorted(model.index(r, CLAIMANT).data() for r in range(model.rowCount()))


def test_case_list_shows_the_cases(window: MainWindow) -> None:
    assert visible_claimants(window) == ["Maria Lopez", "Ravi Kumar"]
    assert window.cases_page.count.text() == "2 cases match the filters"  # open cases only
    model = window.cases_page.model
    ids = {c.id for c in window.services.claims.list_claims()}
    assert model.data(model.index(0, 0), CLAIM_ID_ROLE) in ids


def test_search_filters_the_list(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClicks(window.cases_page.search, "ravi")
    qtbot.waitUntil(lambda: visible_claimants(window) == ["Ravi Kumar"], timeout=3000)
    window.cases_page.search.clear()
    qtbot.waitUntil(lambda: len(visible_claimants(window)) == 2, timeout=3000)


def test_overdue_cases_stand_out_and_filter(qtbot: QtBot, window: MainWindow) -> None:
    services = window.services
    late = services.claims.list_claims(search="Ravi")[0].id
    services.deadlines.add_manual(late, "Send the records", TODAY - timedelta(days=3))
    qtbot.waitUntil(lambda: window.cases_page.model.row_of(late) is not None, timeout=3000)
    model = window.cases_page.model
    qtbot.waitUntil(
        lambda: model.index(model.row_of(late) or 0, DAYS_LEFT).data() == "3 overdue",
        timeout=3000,
    )
    index = model.index(model.row_of(late) or 0, CLAIMANT)
    assert model.data(index, Qt.ItemDataRole.ForegroundRole) is not None
    window.cases_page.overdue.setChecked(True)
    assert visible_claimants(window) == ["Ravi Kumar"]


def test_a_change_elsewhere_refreshes_the_list(qtbot: QtBot, window: MainWindow) -> None:
    full_case(window.services, "Chen Wei")
    qtbot.waitUntil(lambda: "Chen Wei" in visible_claimants(window), timeout=3000)


def test_opening_a_case_shows_its_overview(qtbot: QtBot, window: MainWindow) -> None:
    window.cases_page.table.setFocus()
    window.cases_page.table.selectRow(0)
    claim_id = window.cases_page.model.claim_id(0)
    qtbot.keyClick(window.cases_page.table, Qt.Key.Key_Return)
    workspace = window.current_workspace()
    assert isinstance(workspace, CaseWorkspace) and workspace.claim_id == claim_id
    settled(workspace)
    overview = workspace.panels["overview"]
    assert "Acme Health Plan" in overview.fields["insurer"].text()  # type: ignore[attr-defined]
    # Opening it again brings the same tab forward rather than a second one.
    assert window.open_case(claim_id or 0) is workspace
    count = window.tabs.count()
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.count() == count - 1


def test_empty_database_explains_what_to_do(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    win = make_window(qtbot, services, tmp_path)
    win.action("actionCases").trigger()
    assert win.cases_page.empty.isVisible() and "New case" in win.cases_page.empty.text()
    assert not win.cases_page.table.isVisible()


def test_load_sample_cases_from_the_menu(qtbot: QtBot, services: Services, tmp_path: Path) -> None:
    win = make_window(qtbot, services, tmp_path)
    win.action("actionLoadDemo").trigger()
    win.cases_page.status.setCurrentIndex(0)  # any status
    qtbot.waitUntil(lambda: win.cases_page.model.rowCount() >= 6, timeout=30_000)
    assert win.prompts.shown == []  # type: ignore[attr-defined]


def test_window_layout_is_remembered(qtbot: QtBot, services: Services, tmp_path: Path) -> None:
    win = make_window(qtbot, services, tmp_path)
    win.cases_page.table.setColumnWidth(1, 333)
    win.close()
    again = make_window(qtbot, services, tmp_path)
    assert again.cases_page.table.columnWidth(1) == 333


def test_case_list_model_is_a_well_behaved_model(qtmodeltester, services: Services) -> None:  # type: ignore[no-untyped-def]
    full_case(services)
    full_case(services, "Second Person")
    model = CaseListModel(services.caselist)
    model.reload()
    qtmodeltester.check(model)


def test_unexpected_exception_is_logged_and_shown(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts = RecordingPrompts()
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    install_exception_hook(prompts)
    try:
        raise ValueError("boom")
    except ValueError:
        with caplog.at_level(logging.ERROR):
            sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]
    assert prompts.shown and prompts.shown[0][0] == "error"
    assert "What you had saved is safe" in prompts.shown[0][2]
    assert "ValueError: boom" in caplog.text


def test_ctrl_l_logs_a_call_from_anywhere_in_a_case(qtbot: QtBot, window: MainWindow) -> None:
    claim_id = window.cases_page.model.claim_id(0) or 0
    workspace = window.open_case(claim_id, "overview")
    before = len(window.services.calls.calls(claim_id))
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    settled(workspace)
    assert workspace.tabs.currentWidget() is workspace.panels["calls"]
    focused = window.focusWidget()
    assert focused is not None
    qtbot.keyClicks(focused, "Jordan at Acme")
    qtbot.keyClick(focused, Qt.Key.Key_Tab)
    for _ in range(4):  # their ID, organisation, reference, direction
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClicks(window.focusWidget(), "Asked for the claim file again.")
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    calls = window.services.calls.calls(claim_id)
    assert len(calls) == before + 1
    assert calls[-1].person_name == "Jordan at Acme" or any(
        c.person_name == "Jordan at Acme" for c in calls
    )


def test_main_actions_are_enabled(window: MainWindow) -> None:
    for name in (
        "actionNewCase",
        "actionLogCall",
        "actionToday",
        "actionSettings",
        "actionExportCalendar",
        "actionBackup",
    ):
        assert window.action(name).isEnabled(), name
