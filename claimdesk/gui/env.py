"""What every window and panel is given: services, prompts, the task runner, the change bus."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QSettings, Signal

from claimdesk.clock import Clock
from claimdesk.gui.prompts import Prompts
from claimdesk.gui.tasks import TaskRunner
from claimdesk.services import Services
from claimdesk.viewing import ViewingCopies


class ChangeBus(QObject):
    """One application-level signal carrying every committed change."""

    changed = Signal(object)

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Services may commit on a worker thread; the signal is queued onto the GUI thread.
        services.subscribe(self.changed.emit)


@dataclass
class GuiEnv:
    services: Services
    prompts: Prompts
    tasks: TaskRunner
    bus: ChangeBus
    settings: QSettings
    # An office database (several people sign in) rather than one person's: the idle lock
    # comes sooner and asks for a name too.
    office: bool = False
    # Letters opened in another program: plain copies, removed when the window closes.
    viewing: ViewingCopies = field(default_factory=ViewingCopies)

    @property
    def clock(self) -> Clock:
        """The services' clock: the window's "today" is the one the services count from."""
        return self.services.clock
