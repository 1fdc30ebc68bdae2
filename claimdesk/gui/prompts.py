"""Message boxes behind one small object, so tests can answer them without a modal loop."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget


class Prompts:
    """Shows messages to the user; tests replace it with a recorder."""

    def error(self, parent: QWidget | None, title: str, message: str) -> None:
        QMessageBox.critical(parent, title, message)

    def info(self, parent: QWidget | None, title: str, message: str) -> None:
        QMessageBox.information(parent, title, message)

    def confirm(self, parent: QWidget | None, title: str, message: str, yes: str) -> bool:
        """Ask before doing something; ``yes`` names the action on its button."""
        box = QMessageBox(QMessageBox.Icon.Question, title, message, parent=parent)
        go = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is go

    def choose(self, parent: QWidget | None, title: str, message: str, yes: str, no: str) -> bool:
        """A question with two named answers, ``no`` the default; True for ``yes``."""
        box = QMessageBox(QMessageBox.Icon.Question, title, message, parent=parent)
        go = box.addButton(yes, QMessageBox.ButtonRole.YesRole)
        stay = box.addButton(no, QMessageBox.ButtonRole.NoRole)
        box.setDefaultButton(stay)
        box.exec()
        return box.clickedButton() is go

    def ask(
        self, parent: QWidget | None, title: str, message: str, answers: tuple[str, ...]
    ) -> str | None:
        """A question with a button for each answer and Cancel (the default); None for Cancel."""
        box = QMessageBox(QMessageBox.Icon.Question, title, message, parent=parent)
        buttons = []
        for number, answer in enumerate(answers):
            role = (
                QMessageBox.ButtonRole.AcceptRole
                if number == 0
                else QMessageBox.ButtonRole.DestructiveRole
            )
            buttons.append((box.addButton(answer, role), answer))
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        return next((answer for button, answer in buttons if button is clicked), None)

    def password(self, parent: QWidget | None, title: str, message: str) -> str | None:
        """A password typed in a field that does not show it; None when the user cancels."""
        text, ok = QInputDialog.getText(parent, title, message, QLineEdit.EchoMode.Password)
        return text if ok else None

    def save_path(
        self, parent: QWidget | None, title: str, suggested: Path, filters: str
    ) -> Path | None:
        """A native Save dialog; None when the user cancels."""
        name, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), filters)
        return Path(name) if name else None

    def open_path(self, parent: QWidget | None, title: str, filters: str) -> Path | None:
        """A native Open dialog; None when the user cancels."""
        name, _ = QFileDialog.getOpenFileName(parent, title, str(Path.home()), filters)
        return Path(name) if name else None

    def open_paths(self, parent: QWidget | None, title: str, filters: str = "") -> list[Path]:
        """A native Open dialog for several files; [] when the user cancels."""
        names, _ = QFileDialog.getOpenFileNames(parent, title, str(Path.home()), filters)
        return [Path(name) for name in names]


class RecordingPrompts(Prompts):
    """Keeps what would have been shown (for tests)."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str, str]] = []
        # Answers to give, in order: booleans for confirm and choose, paths (or None) for
        # save_path, lists of paths for open_paths, the answer's text (or None for Cancel) for ask.
        self.answers: list[object] = []

    def error(self, parent: QWidget | None, title: str, message: str) -> None:
        self.shown.append(("error", title, message))

    def info(self, parent: QWidget | None, title: str, message: str) -> None:
        self.shown.append(("info", title, message))

    def confirm(self, parent: QWidget | None, title: str, message: str, yes: str) -> bool:
        self.shown.append(("confirm", title, message))
        answer = self.answers.pop(0) if self.answers else False
        return bool(answer)

    def choose(self, parent: QWidget | None, title: str, message: str, yes: str, no: str) -> bool:
        self.shown.append(("choose", title, message))
        answer = self.answers.pop(0) if self.answers else False
        return bool(answer)

    def ask(
        self, parent: QWidget | None, title: str, message: str, answers: tuple[str, ...]
    ) -> str | None:
        self.shown.append(("ask", title, message))
        answer = self.answers.pop(0) if self.answers else None
        return answer if isinstance(answer, str) and answer in answers else None

    def password(self, parent: QWidget | None, title: str, message: str) -> str | None:
        self.shown.append(("password", title, message))
        answer = self.answers.pop(0) if self.answers else None
        return answer if isinstance(answer, str) else None

    def save_path(
        self, parent: QWidget | None, title: str, suggested: Path, filters: str
    ) -> Path | None:
        self.shown.append(("save", title, str(suggested)))
        answer = self.answers.pop(0) if self.answers else None
        return Path(str(answer)) if answer else None

    def open_path(self, parent: QWidget | None, title: str, filters: str) -> Path | None:
        self.shown.append(("open", title, filters))
        answer = self.answers.pop(0) if self.answers else None
        return Path(str(answer)) if answer else None

    def open_paths(self, parent: QWidget | None, title: str, filters: str = "") -> list[Path]:
        self.shown.append(("open", title, filters))
        answer = self.answers.pop(0) if self.answers else None
        return [Path(str(p)) for p in answer] if isinstance(answer, (list, tuple)) else []
