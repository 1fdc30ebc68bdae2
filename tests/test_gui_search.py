"""The Search tab: type, see hits grouped by case, open one in its panel."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from claimdesk.gui.dates import readable_dates
from claimdesk.gui.search_page import (
    CLAIM_ID_ROLE,
    FOUND,
    PANEL_ROLE,
    SNIPPET_HTML_ROLE,
    SearchPage,
    SearchResultsModel,
)
from claimdesk.services import Services
from claimdesk.services.calls import CallInput
from tests.builders import full_case
from tests.gui_support import make_env, open_case
from tests.pinned import ZONE


def make_page(qtbot: QtBot, services: Services, tmp_path: Path) -> SearchPage:
    page = SearchPage(make_env(services, tmp_path))
    qtbot.addWidget(page)
    page.resize(1000, 600)
    page.show()
    return page


def search(qtbot: QtBot, page: SearchPage, text: str) -> None:
    page.field.setText(text)
    qtbot.keyClick(page.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page._control is None, timeout=10_000)


def test_typing_a_name_lists_the_hits_by_case_and_opens_one(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    first = full_case(services, "Maria Lopez")
    full_case(services, "Jürgen Müller")
    page = make_page(qtbot, services, tmp_path)
    search(qtbot, page, "dana ortiz")
    model = page.model
    assert model.rowCount() == 2  # both cases have the call
    assert "<b>2</b> records in <b>2</b> cases" in page.status.text()
    case_row = model.index(0, 0)
    assert model.rowCount(case_row) >= 1
    hit = model.index(0, 0, case_row)
    assert str(hit.data()).startswith("Call ")
    assert "<b>Dana</b> <b>Ortiz</b>" in model.index(0, FOUND, case_row).data(SNIPPET_HTML_ROLE)
    assert hit.data(PANEL_ROLE) == "calls"
    assert page.tree.isExpanded(case_row)

    opened: list[tuple[int, str]] = []
    page.open_item.connect(lambda claim_id, panel: opened.append((claim_id, panel)))
    lopez = next(r for r in range(2) if "Lopez" in model.index(r, 0).data())
    page.tree.setCurrentIndex(model.index(0, 0, model.index(lopez, 0)))
    qtbot.keyClick(page.tree, Qt.Key.Key_Return)
    assert opened == [(first, "calls")]


def test_search_as_you_type_and_nothing_found(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    full_case(services)
    page = make_page(qtbot, services, tmp_path)
    qtbot.keyClicks(page.field, "zzqxw")
    qtbot.waitUntil(lambda: "Nothing found" in page.status.text(), timeout=10_000)
    assert page.model.rowCount() == 0
    search(qtbot, page, "*")
    assert "Type a word" in page.status.text()


def test_a_record_added_meanwhile_is_found_on_the_next_search(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    claim_id = full_case(services)
    page = make_page(qtbot, services, tmp_path)
    search(qtbot, page, "Quillfeather")
    assert page.model.rowCount() == 0
    services.claims.add_note(claim_id, "Spoke to Ines Quillfeather at the plan")
    search(qtbot, page, "Quillfeather")
    assert page.model.rowCount() == 1
    assert page.model.index(0, 0, page.model.index(0, 0)).data(CLAIM_ID_ROLE) == claim_id


def test_results_model_is_a_well_behaved_model(qtmodeltester, services: Services) -> None:  # type: ignore[no-untyped-def]
    full_case(services, "Maria Lopez")
    full_case(services, "Jürgen Müller")
    model = SearchResultsModel()
    model.set_result(services.search.search("claim"))
    assert model.rowCount() == 2
    qtmodeltester.check(model)


def test_ctrl_shift_f_in_the_window_searches_and_opens_the_case(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    from PySide6.QtCore import QSettings

    from claimdesk.gui.main_window import MainWindow
    from claimdesk.gui.prompts import RecordingPrompts

    claim_id = full_case(services, "Maria Lopez")
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    window = MainWindow(services, RecordingPrompts(), "test", settings)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # a window shortcut needs its window active
    qtbot.keyClick(
        window,
        Qt.Key.Key_F,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.tabs.currentWidget() is window.search_page
    page = window.search_page
    assert page.field.hasFocus()
    qtbot.keyClicks(page.field, "E-4471")
    qtbot.keyClick(page.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)
    page.tree.setFocus()
    page.tree.setCurrentIndex(page.model.index(0, 0, page.model.index(0, 0)))
    qtbot.keyClick(page.tree, Qt.Key.Key_Return)
    workspace = window.current_workspace()
    assert workspace is not None and workspace.claim_id == claim_id
    assert workspace.tabs.currentWidget() is workspace.panels["calls"]
    window.tasks.wait(5000)


def test_hits_write_days_as_the_rest_of_the_app_does(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    claim_id = open_case(services)
    services.calls.log_call(
        claim_id,
        CallInput(
            occurred_at=datetime(2026, 7, 8, 10, 0, tzinfo=ZONE),
            person_name="Quillon Abernathy",
            summary="Said the file went to review on 2026-07-01.",
        ),
    )
    page = make_page(qtbot, services, tmp_path)
    search(qtbot, page, "quillon")
    hit = page.model.index(0, 0, page.model.index(0, 0))
    assert str(hit.data()).startswith("Call Wed 08 Jul 2026 with Quillon Abernathy")
    assert "Wed 08 Jul 2026" in str(hit.data(Qt.ItemDataRole.ToolTipRole))
    search(qtbot, page, "review")
    found = page.model.index(0, FOUND, page.model.index(0, 0))
    assert "Wed 01 Jul 2026" in str(found.data())
    assert "Wed 01 Jul 2026" in str(found.data(SNIPPET_HTML_ROLE))
    assert "2026-07" not in str(found.data()) + str(found.data(SNIPPET_HTML_ROLE))


def test_readable_dates_leaves_what_is_not_a_day() -> None:
    assert readable_dates("due 2026-11-04, ref 2026-13-40") == "due Wed 04 Nov 2026, ref 2026-13-40"
    assert readable_dates("policy 12026-11-04-7") == "policy 12026-11-04-7"
