"""The main window driven as a user would, on a real database."""

from __future__ import annotations

import logging
import sys

import pytest
from pytestqt.qtbot import QtBot

from claimdesk.gui.app import install_exception_hook
from claimdesk.gui.case_list_model import CLAIM_ID_ROLE, CaseListModel
from claimdesk.gui.main_window import MainWindow
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.services import Services
from tests.builders import full_case


@pytest.fixture
def window(qtbot: QtBot, services: Services) -> MainWindow:
    full_case(services, "Maria Lopez")
    full_case(services, "Ravi Kumar")
    win = MainWindow(services, RecordingPrompts(), "test database")
    qtbot.addWidget(win)
    win.show()
    return win


def visible_claimants(win: MainWindow) -> list[str]:
    proxy = win.proxy
    return sorted(proxy.index(r, 1).data() for r in range(proxy.rowCount()))


def test_case_list_shows_the_cases(window: MainWindow) -> None:
    assert visible_claimants(window) == ["Maria Lopez", "Ravi Kumar"]
    assert window.title_label.text() == "Cases (2)"
    assert window.empty_label.isHidden()
    first = window.proxy.index(0, 0)
    assert window.proxy.data(first, CLAIM_ID_ROLE) in {
        c.id for c in window.services.claims.list_claims()
    }


def test_search_filters_the_list(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClicks(window.search_edit, "ravi")
    qtbot.waitUntil(lambda: visible_claimants(window) == ["Ravi Kumar"], timeout=3000)
    window.search_edit.clear()
    qtbot.waitUntil(lambda: len(visible_claimants(window)) == 2, timeout=3000)


def test_a_change_elsewhere_refreshes_the_list(qtbot: QtBot, window: MainWindow) -> None:
    full_case(window.services, "Chen Wei")
    qtbot.waitUntil(lambda: "Chen Wei" in visible_claimants(window), timeout=3000)


def test_empty_database_explains_what_to_do(qtbot: QtBot, services: Services) -> None:
    win = MainWindow(services, RecordingPrompts(), "test database")
    qtbot.addWidget(win)
    win.show()
    assert win.empty_label.isVisible() and "sample cases" in win.empty_label.text()
    assert not win.case_table.isVisible()


def test_load_sample_cases_from_the_menu(qtbot: QtBot, services: Services) -> None:
    win = MainWindow(services, RecordingPrompts(), "test database")
    qtbot.addWidget(win)
    win.show()
    win.form.actionLoadDemo.trigger()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: win.proxy.rowCount() >= 6, timeout=30_000)
    assert win.prompts.shown == []  # type: ignore[attr-defined]


def test_case_list_model_is_a_well_behaved_model(qtmodeltester, services: Services) -> None:  # type: ignore[no-untyped-def]
    full_case(services)
    model = CaseListModel()
    model.set_rows(services.claims.list_claims())
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
