"""Modal dialogs and the idle lock: a dialog the lock hides waits for the unlock.

A dialog's ``exec`` runs its own event loop; the lock (gui/lock.py) ends it by hiding the
dialog, which makes ``exec`` return Rejected without calling ``reject`` (so no "discard your
changes?" question appears over the lock screen). ``run_modal`` then waits, in a nested loop
of its own, for the lock's outcome: the same person gets the dialog back with their typing;
someone else, or a sign-out, cancels it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import shiboken6
from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QDialog, QProgressDialog, QWidget


class Outcome(Enum):
    SAME_PERSON = "same"
    OTHER_PERSON = "other"


@dataclass
class Episode:
    """One locked spell: the dialogs it closed wait here for its outcome."""

    outcome: Outcome | None = None
    loops: list[QEventLoop] = field(default_factory=list)
    waiting: int = 0

    def wait(self) -> bool:
        """Until unlocked (a nested event loop, as a dialog's own); True for the same person."""
        self.waiting += 1
        try:
            if self.outcome is None:
                loop = QEventLoop()
                self.loops.append(loop)
                loop.exec()
                self.loops.remove(loop)
        finally:
            self.waiting -= 1
        return self.outcome is Outcome.SAME_PERSON

    def end(self, outcome: Outcome) -> None:
        self.outcome = outcome
        for loop in list(self.loops):
            loop.quit()


PAUSED = "_claimdesk_closed_by_lock"


class Paused:
    """A dialog the lock closed: whether to show it again, and whether it ended meanwhile."""

    def __init__(self, episode: Episode, dialog: QDialog) -> None:
        self.episode = episode
        self.concluded: int | None = None
        dialog.finished.connect(self._finished)

    def _finished(self, result: int) -> None:
        self.concluded = result


def runs_a_loop(widget: QWidget) -> bool:
    """Whether the window runs its own loop (``exec``), which hiding it ends: a dialog; not a
    progress bar (shown beside running work) nor an ordinary window (the user guide)."""
    return isinstance(widget, QDialog) and not isinstance(widget, QProgressDialog)


def mark_paused(dialog: QDialog, episode: Episode) -> None:
    """Note on ``dialog`` that the lock hid it during ``episode``."""
    setattr(dialog, PAUSED, Paused(episode, dialog))


def closed_by_lock(dialog: QDialog) -> Paused | None:
    """The lock's note on a dialog it hid (taken off the dialog), or None."""
    paused = getattr(dialog, PAUSED, None)
    if paused is not None:
        delattr(dialog, PAUSED)
    return paused if isinstance(paused, Paused) else None


def run_modal(dialog: QDialog) -> bool:
    """Show a dialog and wait; True when the user accepted it (panels' ``run_dialog`` hook).

    When the idle lock hides the dialog, this waits for the unlock: the same person gets the
    dialog back as they left it; someone else, or a sign-out, cancels it.
    """
    while True:
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        paused = closed_by_lock(dialog)
        if paused is None:
            return accepted
        same = paused.episode.wait()
        if paused.concluded is not None:  # accepted or rejected by the program meanwhile
            return paused.concluded == QDialog.DialogCode.Accepted.value
        if not same or not shiboken6.isValid(dialog):
            return False
