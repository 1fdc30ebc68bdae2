"""File ▸ Back up and File ▸ Export deadlines, driven through the prompts as a user would."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from claimdesk.gui.main_window import MainWindow
from claimdesk.services import Services
from tests.builders import full_case
from tests.test_gui import make_window
from tests.test_gui_restore import answer, shown


def test_a_backup_goes_where_the_user_chose(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    full_case(services, "Maria Lopez")
    window = make_window(qtbot, services, tmp_path)
    target = tmp_path / "kept" / "Friday.sqlite"
    target.parent.mkdir()
    answer(window, target)
    window.database.backup()
    window.tasks.wait(20_000)
    qtbot.waitUntil(lambda: "Backed up 1 case to" in window.statusBar().currentMessage())
    assert target.stat().st_size > 0
    assert shown(window)[0][:2] == ("save", "Back up the database")


def test_a_cancelled_backup_writes_nothing(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = make_window(qtbot, services, tmp_path)
    window.database.backup()  # no answer: the Save dialog was cancelled
    window.tasks.wait(5000)
    assert list(tmp_path.glob("*.sqlite*")) == list(tmp_path.glob("claimdesk.sqlite*"))


def export(window: MainWindow, path: Path, details: bool) -> str:
    answer(window, path, details)
    window.database.export_calendar()
    window.tasks.wait(20_000)
    return path.read_text(encoding="utf-8")


def test_the_calendar_names_claimants_only_when_asked(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    full_case(services, "Maria Lopez")
    window = make_window(qtbot, services, tmp_path)
    plain = export(window, tmp_path / "plain.ics", details=False)
    assert "BEGIN:VEVENT" in plain and "Maria" not in plain
    detailed = export(window, tmp_path / "detailed.ics", details=True)
    assert "Maria Lopez" in detailed
    questions = [title for kind, title, _ in shown(window) if kind == "choose"]
    assert questions == ["What to put in the calendar"] * 2
