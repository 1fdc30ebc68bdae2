"""No database read on the GUI thread once the window has painted (issue 16).

A listener on the engine notes the thread of every statement; the window is driven the way a
person works with it (the reminders' check, Today, the case list filtered, sorted, searched
and scrolled, a global search) and none of those statements may come from the GUI thread.
Mutations may stay synchronous: none is made here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from claimdesk.gui.case_list_model import NEXT_DEADLINE, CaseListModel
from claimdesk.gui.main_window import MainWindow
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.services import ClaimInput, Services
from tests.pinned import TODAY


class GuiThreadReads:
    """The statements run on the GUI thread while switched on."""

    def __init__(self) -> None:
        self.on = False
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.on and threading.current_thread() is threading.main_thread():
            self.statements.append(statement.split("\n")[0][:120])


@pytest.fixture
def spy(services: Services) -> Iterator[GuiThreadReads]:
    found = GuiThreadReads()
    event.listen(services.db.engine, "before_cursor_execute", found)
    yield found
    event.remove(services.db.engine, "before_cursor_execute", found)


def settled_window(qtbot: QtBot, services: Services, tmp_path: Path) -> MainWindow:
    for n in range(12):
        claim_id = services.claims.open_case(
            ClaimInput(
                claimant_name=f"Claimant {n} Lopez" if n % 3 == 0 else f"Claimant {n}",
                plan_type="erisa_group_health",
                claim_type="health",
                country="US",
                region="CA",
                insurer_name="Acme Health Plan",
                denial_received_date=TODAY - timedelta(days=10 + n),
            )
        ).id
        services.deadlines.add_manual(claim_id, "Send the records", TODAY + timedelta(days=n - 4))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(services, RecordingPrompts(), "test database", settings)
    qtbot.addWidget(window)
    window.tabs.setCurrentWidget(window.cases_page)
    with qtbot.waitSignal(window.today_page.loaded, timeout=10_000):
        window.show()
    qtbot.waitUntil(lambda: window.warmed_up and window.cases_page.model.complete(), timeout=10_000)
    return window


def test_nothing_is_read_on_the_gui_thread_after_the_first_paint(
    qtbot: QtBot,
    services: Services,
    tmp_path: Path,
    spy: GuiThreadReads,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import claimdesk.gui.case_list_model as case_list_model

    monkeypatch.setattr(case_list_model, "PAGE", 4)  # scrolling needs pages read later
    window = settled_window(qtbot, services, tmp_path)
    page = window.cases_page
    model: CaseListModel = page.model
    spy.on = True

    with qtbot.waitSignal(window.reminders.checked, timeout=10_000):
        window.reminders.check()
    assert window.reminders.shown, "the check found the reminders come due"

    window.tabs.setCurrentWidget(window.today_page)
    with qtbot.waitSignal(window.today_page.loaded, timeout=10_000):
        window.today_page.refresh()

    window.tabs.setCurrentWidget(page)
    page.overdue.setChecked(True)
    qtbot.waitUntil(lambda: model.count() == 4, timeout=10_000)
    page.overdue.setChecked(False)
    page.table.sortByColumn(NEXT_DEADLINE, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: model.count() == 12, timeout=10_000)
    qtbot.waitUntil(
        lambda: model.index(11, NEXT_DEADLINE).data() is not None, timeout=10_000
    )  # the last page, read when asked for
    days = [model.index(row, NEXT_DEADLINE).data() for row in range(12)]
    assert days[0] != days[-1]
    qtbot.keyClicks(page.search, "Lopez")
    qtbot.waitUntil(lambda: model.count() == 4, timeout=10_000)
    assert page.count.text() == "4 cases match the filters"

    window.tabs.setCurrentWidget(window.search_page)
    with qtbot.waitSignal(window.search_page.model.modelReset, timeout=20_000):
        window.search_page.search("Lopez")
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=20_000)

    assert spy.statements == [], "read on the GUI thread after the first paint"
