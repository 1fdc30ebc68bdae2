"""The first run in the window: sample cases asked about, marked and removed; one count of what
is overdue; the safe answer as the default; the status bar keeps where the data is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from claimdesk.gui.case_list_model import CLAIMANT
from claimdesk.gui.main_window import MainWindow
from claimdesk.gui.prompts import Prompts
from claimdesk.gui.workspace import CaseWorkspace
from claimdesk.services import Services
from tests.builders import full_case
from tests.gui_support import settled
from tests.test_gui import make_window, visible_claimants


def asked(window: MainWindow) -> list[tuple[str, str, str]]:
    return [s for s in window.prompts.shown if s[0] == "confirm"]  # type: ignore[attr-defined]


def open_tabs(window: MainWindow) -> list[int]:
    """The claim ids of the case tabs."""
    tabs = (window.tabs.widget(i) for i in range(window.tabs.count()))
    return [tab.claim_id for tab in tabs if isinstance(tab, CaseWorkspace)]


def answer(window: MainWindow, *answers: bool) -> None:
    window.prompts.answers.extend(answers)  # type: ignore[attr-defined]


def test_samples_are_asked_for_marked_and_removed(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    own = full_case(services, "Maria Lopez")
    window = make_window(qtbot, services, tmp_path)
    remove = window.action("actionRemoveSamples")
    window.database.update_sample_action()
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=5000)  # counted off the GUI thread
    assert not remove.isEnabled()

    answer(window, False)
    window.action("actionLoadDemo").trigger()
    [(_, title, question)] = asked(window)
    assert title == "Load sample cases" and "already has 1 case" in question
    assert "Remove sample cases" in question
    window.tasks.wait(10_000)
    assert services.samples.tally().samples == 0

    answer(window, True)
    window.action("actionLoadDemo").trigger()
    qtbot.waitUntil(lambda: services.samples.tally().samples == 6, timeout=20_000)
    qtbot.waitUntil(lambda: len(visible_claimants(window)) == 7, timeout=5000)
    names = visible_claimants(window)
    assert "Maria Lopez" in names
    assert sum(name.endswith(" (sample)") for name in names) == 6
    qtbot.waitUntil(remove.isEnabled, timeout=5000)

    sample = services.samples.ids()[0]
    window.open_case(sample)
    answer(window, False)
    remove.trigger()
    assert "Remove the 6 sample cases" in asked(window)[-1][2]
    assert "own 1 case stay" in asked(window)[-1][2]
    assert services.samples.tally().samples == 6 and open_tabs(window) == [sample]

    # Every status message, not only the last: a reminder may follow the removal's at once.
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    answer(window, True)
    remove.trigger()
    qtbot.waitUntil(lambda: services.samples.tally().samples == 0, timeout=10_000)
    qtbot.waitUntil(lambda: visible_claimants(window) == ["Maria Lopez"], timeout=5000)
    assert open_tabs(window) == []
    qtbot.waitUntil(lambda: not remove.isEnabled(), timeout=5000)
    assert services.claims.get(own).claimant_name == "Maria Lopez"
    qtbot.waitUntil(lambda: any("Removed 6 sample cases" in m for m in messages), timeout=5000)


def test_an_empty_database_gets_the_samples_without_a_question(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = make_window(qtbot, services, tmp_path)
    window.action("actionLoadDemo").trigger()
    qtbot.waitUntil(lambda: services.samples.tally().samples == 6, timeout=20_000)
    assert asked(window) == []
    model = window.cases_page.model
    qtbot.waitUntil(lambda: model.rowCount() == 6, timeout=5000)
    tip = model.index(0, CLAIMANT).data(3)  # ToolTipRole
    assert tip and ("sample" in tip or "Overdue" in tip)


def test_banner_today_and_the_overdue_filter_count_the_same_things(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    """The demo's dates, the agenda and the case list all follow the services' pinned clock."""
    from claimdesk.services.demo import load_demo

    load_demo(services)
    window = make_window(qtbot, services, tmp_path)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=20_000)

    late = [item for item in window.today_page.model.items if item.overdue]
    banner = int(re.search(r"(\d+) things? (is|are) overdue", window.banner.text())[1])  # type: ignore[index]
    assert banner == len(late) == window.today_page.overdue_count()
    assert f"{len(late)} overdue" in window.today_page.summary.text()
    # The bug: the filter counted deadlines only; the demo's overdue things are requests.
    assert late and "request" in {item.source for item in late}

    window.cases_page.overdue.setChecked(True)
    model = window.cases_page.model
    qtbot.waitUntil(model.complete, timeout=5000)
    listed = {model.claim_id(row) for row in range(model.rowCount())}
    assert listed == {item.claim_id for item in late}
    for row in range(model.rowCount()):
        assert model.index(row, CLAIMANT).data(9) is not None  # ForegroundRole: shown red


def test_the_discard_question_defaults_to_the_safe_answer(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Enter presses the default button: it must keep the typing."""
    seen: list[str] = []

    def press_default(box: QMessageBox) -> int:
        default = box.defaultButton()
        seen.append(default.text())
        default.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", press_default)
    parent = QWidget()
    qtbot.addWidget(parent)
    assert not Prompts().confirm(parent, "Unsaved changes", "Lose it?", "Close and discard")
    assert seen == ["Cancel"]


def test_half_typed_call_is_kept_unless_discard_is_chosen(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    claim_id = full_case(services, "Maria Lopez")
    window = make_window(qtbot, services, tmp_path)
    workspace = window.open_case(claim_id)
    assert isinstance(workspace, CaseWorkspace)
    panel = workspace.show_panel("calls")
    panel.start_new_call()  # type: ignore[union-attr]
    settled(panel)  # type: ignore[arg-type]
    qtbot.keyClicks(panel.form.who, "Dana")  # type: ignore[union-attr]
    assert workspace.has_unsaved_edits()

    index = window.tabs.indexOf(workspace)
    window.tabs.tabCloseRequested.emit(index)  # the default answer: keep
    assert asked(window)[-1][1] == "Unsaved changes"
    assert window.tabs.indexOf(workspace) == index
    assert not window.close()  # quitting asks too, and the default keeps the window open
    assert "Quit and lose it" in asked(window)[-1][2]
    assert window.isVisible()

    answer(window, True)
    window.tabs.tabCloseRequested.emit(index)
    assert open_tabs(window) == []


def test_the_status_bar_keeps_where_the_data_is(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = make_window(qtbot, services, tmp_path)
    assert window.where.isVisible()
    assert window.where.text() == "Database: test database   ·   Working as Test Caseworker"
    window.statusBar().showMessage("Open a case first.", 10)
    qtbot.wait(50)  # the message has come and gone
    assert window.statusBar().currentMessage() == ""
    assert window.where.isVisible() and "Working as Test Caseworker" in window.where.text()


def test_devanagari_has_a_font_that_shapes_it(qtbot: QtBot) -> None:
    """Without one, Qt logs 'OpenType support missing' for every installed font it tries."""
    from PySide6.QtGui import QFontDatabase

    from claimdesk.gui.app import add_script_fonts

    add_script_fonts()
    families = QFontDatabase.families(QFontDatabase.WritingSystem.Devanagari)
    assert "Noto Serif Devanagari" in families
