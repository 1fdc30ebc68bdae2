"""The recovery key, shown once at setup: save it, print it or copy it, in plain words why."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from claimdesk.errors import ClaimDeskError
from claimdesk.files import write_atomically
from claimdesk.gui import theme
from claimdesk.gui.credentials import heading_label
from claimdesk.gui.prompts import Prompts

WHY = (
    "This key opens the database if the password is forgotten: it resets {whose} password. "
    "Print it or save it somewhere safe away from this computer (not in the same folder as "
    "the database), and keep it private: anyone with it and a copy of the database can read "
    "every case.\n\n"
    "Without the password or this recovery key, nobody can recover the data: not you, not "
    "an administrator, not ClaimDesk's makers. This is the only time it is shown."
)


def two_lines(key: str) -> str:
    """The key's groups on two lines: easier to copy out by hand than one long line."""
    groups = key.split("-")
    half = (len(groups) + 1) // 2
    return "\n".join(line for line in ("-".join(groups[:half]), "-".join(groups[half:])) if line)


def key_sheet(key: str, location: str) -> str:
    """The text saved or printed: the key, where it belongs, and what it does."""
    where = f"Database: {location}\n\n" if location else ""
    return (
        f"ClaimDesk recovery key\n\n    {key}\n\n{where}"
        'If the password is forgotten: start ClaimDesk, choose "Forgot password?" on the '
        "sign-in window and type this key to set a new password.\n"
        "Keep this sheet private and away from the computer that holds the database.\n"
    )


class RecoveryKeyDialog(QDialog):
    """Shows the key once; Continue only once the person says it is kept."""

    def __init__(
        self,
        key: str,
        location: str,
        prompts: Prompts,
        *,
        office: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.key = key
        self.location = location
        self.prompts = prompts
        self.kept_in: Path | None = None
        self.setWindowTitle("Your recovery key")
        self.setMinimumWidth(580)
        column = QVBoxLayout(self)
        column.setSpacing(12)
        column.setContentsMargins(24, 20, 24, 16)
        column.addWidget(heading_label("Keep this recovery key safe", 1.35))
        self.shown = QLabel(two_lines(key))
        self.shown.setAccessibleName("Recovery key")
        self.shown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Two fixed lines, not wrapped: a wrapped label with a padded style sheet was given
        # too little height and the text below overlapped it.
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.shown.setFont(font)
        theme.follow(self.shown, self._colour_key)
        column.addWidget(self.shown)
        whose = "an administrator's" if office else "your"
        why = QLabel(WHY.format(whose=whose))
        why.setWordWrap(True)
        column.addWidget(why)

        self.save = QPushButton("Save to a file…")
        self.print = QPushButton("Print…")
        self.copy = QPushButton("Copy")
        self.save.clicked.connect(self.save_sheet)
        self.print.clicked.connect(self.print_sheet)
        self.copy.clicked.connect(self.copy_key)
        row = QHBoxLayout()
        for button in (self.save, self.print, self.copy):
            row.addWidget(button)
        row.addStretch(1)
        column.addLayout(row)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("What was done with the key")
        self.status.hide()
        column.addWidget(self.status)

        self.kept = QCheckBox("I have printed or saved the recovery key and put it somewhere safe")
        column.addWidget(self.kept)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.go = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.go.setText("Continue")
        self.go.setEnabled(False)
        self.kept.toggled.connect(self.go.setEnabled)
        self.buttons.accepted.connect(self.accept)
        column.addWidget(self.buttons)

    def _colour_key(self) -> None:
        palette = self.shown.palette()
        self.shown.setStyleSheet(
            f"QLabel {{ border: 1px dashed {theme.MUTED.hex(palette)}; border-radius: 6px;"
            " padding: 14px; }"
        )

    def reject(self) -> None:
        """Esc does not skip the key: it is shown only this once."""
        if self.kept.isChecked():
            self.accept()

    def save_sheet(self) -> None:
        path = self.prompts.save_path(
            self,
            "Save the recovery key",
            Path.home() / "ClaimDesk recovery key.txt",
            "Text file (*.txt)",
        )
        if path is None:
            return
        try:
            write_atomically(path, key_sheet(self.key, self.location).encode())
        except ClaimDeskError as error:
            self.prompts.error(self, "The recovery key was not saved", str(error))
            return
        self.kept_in = path
        self.status.setText(
            f"Saved to {path}. Move it off this computer (a USB stick, a password manager)."
        )
        self.status.show()

    def print_sheet(self) -> None:
        sheet = key_sheet(self.key, self.location)
        html = "<pre style='font-size:12pt'>" + escape(sheet) + "</pre>"
        if self.prompts.print_html(self, "Print the recovery key", html):
            self.status.setText("Sent to the printer.")
            self.status.show()

    def copy_key(self) -> None:
        QGuiApplication.clipboard().setText(self.key)
        self.status.setText(
            "Copied. Paste it into your password manager, then copy something else so the "
            "key does not stay on the clipboard."
        )
        self.status.show()
