"""Reminders while ClaimDesk runs: the tray where the desktop has one, the status bar always."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QMainWindow, QSystemTrayIcon

from claimdesk.errors import ClaimDeskError
from claimdesk.gui.env import GuiEnv
from claimdesk.paths import resources_dir

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
        self._timer = QTimer(self, interval=60 * 60 * 1000)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        """Once the window is on screen: the lead days, the tray icon, the hourly check."""
        self.env.services.schedule.lead_days = self.lead_days
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
        if self.paused:
            self._missed = True
            return
        try:
            due = self.env.services.schedule.reminders_due(self.env.clock.today(), unseen_only=True)
        except ClaimDeskError:
            log.warning("could not read reminders", exc_info=True)
            return
        if not due:
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
        try:
            self.env.services.schedule.mark_reminders_shown(ids)
        except ClaimDeskError:
            log.warning("could not mark reminders shown", exc_info=True)
