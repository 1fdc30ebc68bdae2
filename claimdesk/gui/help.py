"""Help ▸ Keyboard shortcuts and Help ▸ About: what the keys do, and what ClaimDesk is."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from claimdesk.paths import resources_dir


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """(keys, what they do) for every enabled action with a shortcut, in menu-text order."""
    rows = []
    for action in actions:
        if action.shortcut().isEmpty() or not action.isEnabled():
            continue
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        rows.append((keys, action.text().replace("&", "").rstrip("…")))
    return sorted(rows, key=lambda row: row[1].casefold())


class ShortcutsDialog(QDialog):
    """A two-column table: the keys, and what they do."""

    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.table = QTableWidget(len(rows), 2)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Keys", "What they do"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        for row, (keys, does) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(does))
        header = self.table.horizontalHeader()
        # Fitted once, with a gap: fitted exactly, "Ctrl+Shift+P" runs into its description.
        self.table.resizeColumnToContents(0)
        self.table.setColumnWidth(0, self.table.columnWidth(0) + 24)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        # Tall enough to show every row without scrolling on an ordinary screen.
        height = self.table.horizontalHeader().height() + sum(
            self.table.rowHeight(r) for r in range(len(rows))
        )
        self.table.setMinimumHeight(min(height + 4, 560))
        self.resize(440, self.sizeHint().height())

    def rows(self) -> list[tuple[str, str]]:
        """What the table shows (for tests)."""
        return [(self._text(row, 0), self._text(row, 1)) for row in range(self.table.rowCount())]

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""


def about_html(version: str, data_dir: Path | None) -> str:
    """What the About box says: version, what it is, offline, where the data is, font licences."""
    licence = resources_dir() / "fonts" / "OFL.txt"
    if data_dir is not None:
        link = QUrl.fromLocalFile(str(data_dir)).toString()
        where = (
            "Your cases, documents and backups are kept on this computer, in "
            f"<a href='{escape(link)}'>{escape(str(data_dir))}</a>."
        )
    else:
        where = "Your cases are kept in the database named in the status bar."
    return (
        f"<h2>ClaimDesk {escape(version)}</h2>"
        "<p>Keeps the whole record of an insurance denial (calls, letters, documents and "
        "deadlines) and helps you write and send the appeal in time.</p>"
        "<p>ClaimDesk works offline: it needs no account and sends nothing over the "
        f"internet. {where}</p>"
        "<p>Letters and packets use the bundled Noto Sans, Noto Serif and Noto Serif "
        "Devanagari fonts, under the SIL Open Font License 1.1 "
        f"(<a href='{escape(QUrl.fromLocalFile(str(licence)).toString())}'>OFL.txt</a>).</p>"
    )


class AboutDialog(QDialog):
    def __init__(self, version: str, data_dir: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About ClaimDesk")
        self.text = QLabel(about_html(version, data_dir))
        self.text.setAccessibleName("About ClaimDesk")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.text.setOpenExternalLinks(True)  # the folder and the licence open in their apps
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)
