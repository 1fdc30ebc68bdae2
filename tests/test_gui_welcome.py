"""The first run: an empty database welcomes with the ways to begin; the first case brings the
agenda back, and removing every case brings the welcome again."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from claimdesk.gui.main_window import MainWindow
from claimdesk.services import Services
from tests.builders import full_case
from tests.test_gui import make_window


def triggered(window: MainWindow, name: str) -> list[bool]:
    seen: list[bool] = []
    window.action(name).triggered.connect(lambda: seen.append(True))
    return seen


def test_an_empty_database_welcomes_and_the_first_case_brings_today_back(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = make_window(qtbot, services, tmp_path)
    page = window.today_page
    qtbot.waitUntil(lambda: page.stack.welcoming, timeout=10_000)
    assert window.tabs.currentWidget() is page
    assert page.welcome.isVisible() and not page.table.isVisible()
    assert page.welcome.start.text() == "Start your first case…"
    assert page.welcome.samples.text() == "Explore with sample cases"
    assert "Import case file" in page.welcome.import_line.text()

    full_case(services, "Maria Lopez")  # announces a new 'claim', as the wizard's case does
    qtbot.waitUntil(lambda: not page.stack.welcoming, timeout=10_000)
    assert page.table.isVisible() and not page.welcome.isVisible()


def test_a_database_with_cases_opens_on_the_agenda(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    full_case(services, "Maria Lopez")
    window = make_window(qtbot, services, tmp_path)
    page = window.today_page
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=10_000)
    window.tasks.wait(5000)
    qtbot.wait(50)
    assert not page.stack.welcoming and page.table.isVisible()


def test_the_welcome_buttons_are_the_file_menu_actions(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = make_window(qtbot, services, tmp_path)
    page = window.today_page
    qtbot.waitUntil(lambda: page.stack.welcoming, timeout=10_000)
    imported = triggered(window, "actionImportCase")
    page.welcome.import_line.linkActivated.emit("import")  # the prompt answers None: cancelled
    assert imported == [True]
    assert window.prompts.shown[-1][:2] == ("open", "Import a case")  # type: ignore[attr-defined]

    samples = triggered(window, "actionLoadDemo")
    page.welcome.samples.click()
    assert samples == [True]
    qtbot.waitUntil(lambda: services.samples.tally().samples == 6, timeout=20_000)
    qtbot.waitUntil(lambda: not page.stack.welcoming, timeout=10_000)

    window.prompts.answers.append(True)  # type: ignore[attr-defined]
    window.action("actionRemoveSamples").trigger()
    qtbot.waitUntil(lambda: services.samples.tally().cases == 0, timeout=20_000)
    qtbot.waitUntil(lambda: page.stack.welcoming, timeout=10_000)


def test_start_your_first_case_opens_the_new_case_wizard(
    qtbot: QtBot, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimdesk.gui.new_case_wizard import NewCaseWizard

    shown: list[str] = []

    def answer(wizard: NewCaseWizard) -> int:
        shown.append(wizard.windowTitle())
        return 0  # cancelled

    monkeypatch.setattr(NewCaseWizard, "exec", answer)
    window = make_window(qtbot, services, tmp_path)
    qtbot.waitUntil(lambda: window.today_page.stack.welcoming, timeout=10_000)
    window.today_page.welcome.start.click()
    assert len(shown) == 1
    assert window.today_page.stack.welcoming  # cancelled: still no case


def test_the_welcome_points_to_the_first_steps_in_the_guide(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    from claimdesk.gui.guide import GuideWindow

    window = make_window(qtbot, services, tmp_path)
    page = window.today_page
    qtbot.waitUntil(lambda: page.stack.welcoming, timeout=10_000)
    assert "user guide" in page.welcome.import_line.text()
    page.welcome.import_line.linkActivated.emit("guide")
    guide = window.findChild(GuideWindow)
    assert guide is not None and guide.current_page() == "first-steps"
