"""Reminders while ClaimDesk runs: the tray where the desktop has one, the status bar always."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QMainWindow, QSystemTrayIcon

from claimdesk.errors import ClaimDeskError
from claimdesk.gui.env import GuiEnv
from claimdesk.paths import resources_dir

if TYPE_CHECKING:
    from claimdesk.services.schedule import ReminderItem

log = logging.getLogger(__name__)
LEAD_DAYS_KEY = "reminders/lead_days"
DEFAULT_LEAD_DAYS = (14, 7, 3, 1)


def lead_days_from(text: str) -> tuple[int, ...]:
    """'14, 7, 3, 1' -> (14, 7, 3, 1); ValueError with a sentence when it is not that."""
    try:
        days = sorted(
            {int(part) for part in text.replace(";", ",").split(",") if part.strip()}, reverse=True
        )
    except ValueError:
        raise ValueError(
            "Write the reminder days as whole numbers separated by commas, for example 14, 7, 3, 1."
        ) from None
    if not days or days[-1] < 0 or days[0] > 365:
        raise ValueError("Reminder days must be between 0 and 365, for example 14, 7, 3, 1.")
    return tuple(days)


class Reminders(QObject):
    """Checks for reminders that have come due and shows each once."""

    checked = Signal()  # a check has read (and shown, and marked) what was due

    def __init__(self, env: GuiEnv, window: QMainWindow) -> None:
        super().__init__(window)
        self.env = env
        self.window = window
        saved = env.settings.value(LEAD_DAYS_KEY, "")
        try:
            self.lead_days = lead_days_from(str(saved)) if saved else DEFAULT_LEAD_DAYS
        except ValueError:
            self.lead_days = DEFAULT_LEAD_DAYS
        self.tray: QSystemTrayIcon | None = None
        self.shown: list[str] = []
        # While the window is locked (gui/lock.py) nothing is shown; a check that came due
        # meanwhile runs at the unlock.
        self.paused = False
        self._missed = False
        self._checking = False  # a check is reading or marking off the GUI thread
        self._again = False  # another check was asked for meanwhile
        self._timer = QTimer(self, interval=60 * 60 * 1000)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        """Once the window is on screen: the lead days, the tray icon, the hourly check."""
        services, lead_days = self.env.services, self.lead_days
        # Built off the GUI thread (it imports the deadline engine and the models).
        self.env.tasks.run(
            lambda: services.schedule,
            on_done=lambda schedule: setattr(schedule, "lead_days", lead_days),
            on_error=self._not_built,
        )
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(
                QIcon(str(resources_dir() / "icons" / "claimdesk.svg")), self
            )
            self.tray.setToolTip("ClaimDesk")
            self.tray.show()
        self._timer.start()
        QTimer.singleShot(2000, self, self.check)

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False
        if self._missed:
            self._missed = False
            self.check()

    def check(self) -> None:
        """Read the reminders come due off the GUI thread (at 50,000 cases the read took half
        a second), then show them; ``checked`` says when that is done."""
        if self.paused:
            self._missed = True
            return
        if self._checking:
            self._again = True
            return
        self._checking = True
        schedule, today = self.env.services.schedule, self.env.clock.today()
        self.env.tasks.run(
            lambda: schedule.reminders_due(today, unseen_only=True),
            on_done=self._show,
            on_error=self._failed,
        )

    def _not_built(self, error: BaseException) -> None:
        raise error  # building a service reads nothing: a failure is a bug, shown as such

    def _failed(self, error: BaseException) -> None:
        self._finish()
        if not isinstance(error, ClaimDeskError):
            raise error
        log.warning("could not read reminders: %s", error)

    def _finish(self) -> None:
        self._checking = False
        if self._again:
            self._again = False
            self.check()
        else:
            self.checked.emit()

    def _show(self, due: list[ReminderItem]) -> None:
        if not due:
            self._finish()
            return
        # Case numbers and kinds only: a notification can be seen by anyone near the screen.
        lines = [
            f"{r.case_number}: {r.kind} in {r.days_left} days"
            if r.days_left > 0
            else f"{r.case_number}: {r.kind} due today"
            if r.days_left == 0
            else f"{r.case_number}: {r.kind} overdue"
            for r in due
        ]
        message = "\n".join(lines[:5]) + (f"\n…and {len(lines) - 5} more" if len(lines) > 5 else "")
        self.shown.append(message)
        if self.tray is not None:
            self.tray.showMessage(
                "ClaimDesk reminders", message, QSystemTrayIcon.MessageIcon.Information
            )
        self.window.statusBar().showMessage(
            f"Reminder: {lines[0]}"
            + (f" (+{len(lines) - 1} more, see Today)" if len(lines) > 1 else ""),
            60_000,
        )
        ids = [i for r in due for i in r.reminder_ids]
        schedule = self.env.services.schedule
        self.env.tasks.run(
            lambda: schedule.mark_reminders_shown(ids),
            on_done=lambda _count: self._finish(),
            on_error=self._mark_failed,
        )

    def _mark_failed(self, error: BaseException) -> None:
        self._finish()
        if not isinstance(error, ClaimDeskError):
            raise error
        log.warning("could not mark reminders shown: %s", error)
