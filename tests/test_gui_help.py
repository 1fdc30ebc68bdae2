"""Help ▸ Keyboard shortcuts is a two-column table of what the keys do; Help ▸ About says what
ClaimDesk is, that it works offline, where the data is and under what licence the fonts are."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from claimdesk import __version__
from claimdesk.gui.help import AboutDialog, ShortcutsDialog
from claimdesk.gui.main_window import MainWindow
from claimdesk.services import Services
from tests.test_gui import make_window


def shown_dialogs(window: MainWindow) -> list[QDialog]:
    seen: list[QDialog] = []

    def look(dialog: QDialog) -> bool:
        seen.append(dialog)
        return False

    window.run_dialog = look
    return seen


def test_the_shortcuts_are_a_table_of_keys_and_what_they_do(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = make_window(qtbot, services, tmp_path)
    seen = shown_dialogs(window)
    window.action("actionShortcuts").trigger()
    [dialog] = seen
    assert isinstance(dialog, ShortcutsDialog)
    assert dialog.table.columnCount() == 2
    assert dialog.table.horizontalHeaderItem(0).text() == "Keys"  # type: ignore[union-attr]
    rows = dict((does, keys) for keys, does in dialog.rows())
    assert rows["New case"] == "Ctrl+N"
    assert rows["Log a call"] == "Ctrl+L"
    assert rows["Keyboard shortcuts"] == "Ctrl+/"
    assert rows["User guide"] == "F1"
    assert all(keys and does and "&" not in does for keys, does in dialog.rows())
    # Sorted by what they do, so a claimant finds an action by its name.
    names = [does.casefold() for _, does in dialog.rows()]
    assert names == sorted(names)


def test_about_says_what_it_is_where_the_data_is_and_the_font_licence(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = make_window(qtbot, services, tmp_path)
    seen = shown_dialogs(window)
    window.action("actionAbout").trigger()
    [dialog] = seen
    assert isinstance(dialog, AboutDialog)
    text = dialog.text.text()
    assert f"ClaimDesk {__version__}" in text
    assert "insurance denial" in text
    assert "works offline" in text and "this computer" in text
    assert str(tmp_path) in text  # the test database's folder is its data folder
    assert "SIL Open Font License" in text and "OFL.txt" in text


def test_about_names_the_data_folder_it_is_given(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    dialog = AboutDialog("9.9", tmp_path / "my data")
    qtbot.addWidget(dialog)
    assert "my data" in dialog.text.text()
    assert "fonts/OFL.txt" in dialog.text.text()
