"""Message boxes behind one small object, so tests can answer them without a modal loop.

While the window is locked (gui/lock.py) the prompts are held: a question gets its cancel
answer without being shown, a message waits for the unlock (and is dropped if someone else
signs in: it may name the first person's cases). A message box open when the lock comes is
hidden by it: a question counts as cancelled, a message comes back after the unlock.
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from claimdesk.errors import DatabaseLockedError
from claimdesk.gui.modal import run_modal


class Prompts:
    """Shows messages to the user; tests replace it with a recorder."""

    # Messages kept while the window is locked (None: not locked). A class default, so a
    # test's own Prompts subclass needs no __init__.
    _held: list[tuple[QWidget | None, str, str, str]] | None = None

    @property
    def holding(self) -> bool:
        return self._held is not None

    def hold(self) -> None:
        if self._held is None:
            self._held = []

    def release(self) -> None:
        """Show what came in while locked, in order; not a refusal to read while the key was
        put away (the window reads everything again after the unlock)."""
        held, self._held = self._held or [], None
        locked = str(DatabaseLockedError())
        for parent, kind, title, message in held:
            if locked in message:
                continue
            if parent is not None and not shiboken6.isValid(parent):
                parent = None  # its window closed meanwhile
            (self.error if kind == "error" else self.info)(parent, title, message)

    def discard_held(self) -> int:
        """Drop what came in while locked (another person unlocks); how many were dropped."""
        held, self._held = self._held or [], None
        return len(held)

    def _kept(self, parent: QWidget | None, kind: str, title: str, message: str) -> bool:
        """True when the message was kept for later instead of shown."""
        if self._held is None:
            return False
        self._held.append((parent, kind, title, message))
        return True

    def error(self, parent: QWidget | None, title: str, message: str) -> None:
        if not self._kept(parent, "error", title, message):
            _tell(QMessageBox(QMessageBox.Icon.Critical, title, message, parent=parent))

    def info(self, parent: QWidget | None, title: str, message: str) -> None:
        if not self._kept(parent, "info", title, message):
            _tell(QMessageBox(QMessageBox.Icon.Information, title, message, parent=parent))

    def confirm(self, parent: QWidget | None, title: str, message: str, yes: str) -> bool:
        """Ask before doing something; ``yes`` names the action on its button."""
        if self.holding:
            return False
        box = QMessageBox(QMessageBox.Icon.Question, title, message, parent=parent)
        go = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is go

    def choose(self, parent: QWidget | None, title: str, message: str, yes: str, no: str) -> bool:
        """A question with two named answers, ``no`` the default; True for ``yes``."""
        if self.holding:
            return False
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
        if self.holding:
            return None
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
        if self.holding:
            return None
        text, ok = QInputDialog.getText(parent, title, message, QLineEdit.EchoMode.Password)
        return text if ok else None

    def recovery_key(self, parent: QWidget | None, key: str, location: str = "") -> None:
        """Show a new recovery key, once, until the person says they have kept it (with Save,
        Print and Copy: gui/recovery_key.py); ``location`` names the database it opens."""
        from claimdesk.gui.recovery_key import RecoveryKeyDialog

        dialog = RecoveryKeyDialog(key, location, self, parent=parent)
        run_modal(dialog)
        dialog.deleteLater()

    def save_path(
        self, parent: QWidget | None, title: str, suggested: Path, filters: str
    ) -> Path | None:
        """A native Save dialog; None when the user cancels."""
        if self.holding:
            return None
        name, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), filters)
        return Path(name) if name else None

    def open_path(self, parent: QWidget | None, title: str, filters: str) -> Path | None:
        """A native Open dialog; None when the user cancels."""
        if self.holding:
            return None
        name, _ = QFileDialog.getOpenFileName(parent, title, str(Path.home()), filters)
        return Path(name) if name else None

    def print_html(self, parent: QWidget | None, title: str, html: str) -> bool:
        """The system's Print dialog, then the page printed; False when the user cancels."""
        if self.holding:
            return False
        from PySide6.QtGui import QTextDocument
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(title)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return False
        document = QTextDocument()
        document.setHtml(html)
        document.print_(printer)
        return True

    def open_paths(self, parent: QWidget | None, title: str, filters: str = "") -> list[Path]:
        """A native Open dialog for several files; [] when the user cancels."""
        if self.holding:
            return []
        names, _ = QFileDialog.getOpenFileNames(parent, title, str(Path.home()), filters)
        return [Path(name) for name in names]


def _tell(box: QMessageBox) -> None:
    """A message with OK: hidden by the lock, it comes back after the unlock (run_modal)."""
    run_modal(box)
    if shiboken6.isValid(box):
        box.deleteLater()


class RecordingPrompts(Prompts):
    """Keeps what would have been shown (for tests); holds while locked, as Prompts does."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str, str]] = []
        # Answers to give, in order: booleans for confirm, choose and print_html, paths (or
        # None) for save_path, lists of paths for open_paths, the answer's text (or None for
        # Cancel) for ask.
        self.answers: list[object] = []

    def error(self, parent: QWidget | None, title: str, message: str) -> None:
        if not self._kept(parent, "error", title, message):
            self.shown.append(("error", title, message))

    def info(self, parent: QWidget | None, title: str, message: str) -> None:
        if not self._kept(parent, "info", title, message):
            self.shown.append(("info", title, message))

    def recovery_key(self, parent: QWidget | None, key: str, location: str = "") -> None:
        self.shown.append(("recovery key", "Your recovery key", key))

    def confirm(self, parent: QWidget | None, title: str, message: str, yes: str) -> bool:
        if self.holding:
            return False
        self.shown.append(("confirm", title, message))
        answer = self.answers.pop(0) if self.answers else False
        return bool(answer)

    def choose(self, parent: QWidget | None, title: str, message: str, yes: str, no: str) -> bool:
        if self.holding:
            return False
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

    def print_html(self, parent: QWidget | None, title: str, html: str) -> bool:
        self.shown.append(("print", title, html))
        answer = self.answers.pop(0) if self.answers else False
        return bool(answer)

    def open_paths(self, parent: QWidget | None, title: str, filters: str = "") -> list[Path]:
        self.shown.append(("open", title, filters))
        answer = self.answers.pop(0) if self.answers else None
        return [Path(str(p)) for p in answer] if isinstance(answer, (list, tuple)) else []
