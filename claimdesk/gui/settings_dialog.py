"""Settings: where the data is, who is working, when to be reminded."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QBoxLayout, QLabel, QLineEdit, QSpinBox, QWidget

from claimdesk.errors import ClaimDeskError
from claimdesk.gui.dialogs import FormDialog
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.forms import child
from claimdesk.gui.lock import LOCK_MINUTES_KEY, lock_minutes
from claimdesk.gui.reminders import LEAD_DAYS_KEY, lead_days_from
from claimdesk.gui.server_settings import OfficeServerBox


class SettingsDialog(FormDialog):
    """The layout is ``ui/settings_dialog.ui``; this fills it in and saves what changed."""

    def __init__(
        self,
        env: GuiEnv,
        location: str,
        parent: QWidget | None = None,
        *,
        data_dir: Path | None = None,
    ) -> None:
        """``data_dir`` is where this computer's choice of database is kept (the Office
        server box); without it the box is not shown."""
        super().__init__(parent=parent, form="settings_dialog.ui")
        self.env = env
        child(self, QLabel, "dataValue").setText(location)
        if "://" in location:  # a database server (its URL), not a file in the data folder
            child(self, QLabel, "dataHint").setText(
                "<small>The office's server: Office server, below, chooses the database this "
                "computer works on.</small>"
            )
        child(self, QLabel, "userValue").setText(env.services.user_name)
        self.lead_days = child(self, QLineEdit, "leadDaysEdit")
        self.lead_days.setText(", ".join(str(d) for d in env.services.schedule.lead_days))
        self.lock_minutes = child(self, QSpinBox, "lockMinutesSpin")
        self.lock_minutes.setValue(lock_minutes(env.settings, env.office))
        self.server: OfficeServerBox | None = None
        if data_dir is not None:
            self.server = OfficeServerBox(data_dir, env.tasks, self)
            layout = self.layout()
            assert isinstance(layout, QBoxLayout)
            layout.insertWidget(layout.indexOf(self.buttons), self.server)
        self.finish()

    def apply(self) -> str | None:
        """Save the settings; return an error sentence instead when the input is wrong."""
        try:
            days = lead_days_from(self.lead_days.text())
        except ValueError as error:
            return str(error)
        self.env.services.schedule.lead_days = days
        self.env.settings.setValue(LEAD_DAYS_KEY, ", ".join(str(d) for d in days))
        self.env.settings.setValue(LOCK_MINUTES_KEY, self.lock_minutes.value())
        if self.server is not None:
            try:
                note = self.server.apply()
            except ClaimDeskError as error:
                return str(error)
            if note:
                self.env.prompts.info(self, "Office server", note)
        return None
