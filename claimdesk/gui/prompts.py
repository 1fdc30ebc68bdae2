"""Message boxes behind one small object, so tests can answer them without a modal loop."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


class Prompts:
    """Shows messages to the user; tests replace it with a recorder."""

    def error(self, parent: QWidget | None, title: str, message: str) -> None:
        QMessageBox.critical(parent, title, message)

    def info(self, parent: QWidget | None, title: str, message: str) -> None:
        QMessageBox.information(parent, title, message)


class RecordingPrompts(Prompts):
    """Keeps what would have been shown (for tests)."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str, str]] = []

    def error(self, parent: QWidget | None, title: str, message: str) -> None:
        self.shown.append(("error", title, message))

    def info(self, parent: QWidget | None, title: str, message: str) -> None:
        self.shown.append(("info", title, message))
