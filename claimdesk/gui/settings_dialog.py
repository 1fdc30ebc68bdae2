"""Settings: where the data is, who is working, when to be reminded."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from claimdesk.gui.dialogs import FormDialog
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.reminders import LEAD_DAYS_KEY, lead_days_from


class SettingsDialog(FormDialog):
    def __init__(self, env: GuiEnv, location: str, parent: QWidget | None = None) -> None:
        super().__init__("Settings", parent)
        self.env = env
        where = QLabel(
            f"{location}<br><small>Start ClaimDesk with --data-dir DIR (or set "
            "CLAIMDESK_DATA_DIR) to keep it elsewhere.</small>"
        )
        where.setWordWrap(True)
        self.form.addRow("Data:", where)
        who = QLabel(
            f"{env.services.user_name}<br><small>Your changes are recorded under this "
            "name. Start ClaimDesk with --user NAME (or set CLAIMDESK_USER) to change "
            "it.</small>"
        )
        who.setWordWrap(True)
        self.form.addRow("Working as:", who)
        days = ", ".join(str(d) for d in env.services.schedule.lead_days)
        self.lead_days = self.line("Remind me this many days before", days)
        self.finish()

    def apply(self) -> str | None:
        """Save the settings; return an error sentence instead when the input is wrong."""
        try:
            days = lead_days_from(self.lead_days.text())
        except ValueError as error:
            return str(error)
        self.env.services.schedule.lead_days = days
        self.env.settings.setValue(LEAD_DAYS_KEY, ", ".join(str(d) for d in days))
        return None
