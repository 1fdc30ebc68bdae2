"""The other workstations' changes, live: on the window's change bus, on the GUI thread.

On an office server each view refreshes when another workstation commits a change that
concerns it, as it does for this window's own (services/live.py hears them). A form being
typed in is never refreshed under the typing: dialogs read their record once when opened, and
panels refresh their lists, not their forms. While the server cannot be reached the status bar
says so; when it is back, every view reads again once (what changed meanwhile was not heard).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QStatusBar

from claimdesk.gui import theme
from claimdesk.gui.env import ChangeBus
from claimdesk.services import Change, ChangeSet, Services
from claimdesk.services.live import REMOTE

UNREACHABLE = "⚠  The office server can't be reached — what you saved is safe; retrying…"
UNREACHABLE_MORE = (
    "Everything you saved before the server went away is on the server. ClaimDesk tries again "
    "every few seconds; when the server is back, everything on screen is read again. Check "
    "the network (cable, Wi-Fi, VPN), or ask whoever looks after the server."
)
BACK = "The office server is back; everything on screen has been read again."
# The other workstations' change sets heard within this many milliseconds reach the views as
# one: a burst of saves elsewhere (an import, a colleague's quick typing) costs each view one
# refresh, not one per save.
GATHER_MS = 100


class LiveUpdates(QObject):
    """Listens to the server (nothing on SQLite) and feeds the window's change bus."""

    # Emitted on the listener's thread; the receivers live on the GUI thread, so Qt queues
    # each delivery there.
    heard = Signal(object)
    reachable = Signal(bool)

    def __init__(self, services: Services, bus: ChangeBus, status: QStatusBar) -> None:
        super().__init__(status)
        self._status = status
        self.label = QLabel(UNREACHABLE)
        self.label.setToolTip(UNREACHABLE_MORE)
        self.label.setAccessibleName("Office server")
        self.label.setVisible(False)
        theme.follow(self.label, self._colour)
        # Permanent: a passing message in the status bar must not hide it.
        status.insertPermanentWidget(0, self.label)
        self._bus = bus
        self._gathered: list[Change] = []
        self._gather = QTimer(self, singleShot=True, interval=GATHER_MS)
        self._gather.timeout.connect(self._hand_on)
        self.heard.connect(self.gather)
        self.reachable.connect(self._show_reachable)
        self._live = services.live_changes(self.heard.emit, self.reachable.emit)

    @property
    def listening(self) -> bool:
        return self._live is not None

    def start(self) -> None:
        if self._live is not None:
            self._live.start()

    def stop(self) -> None:
        """Stop listening (the window is closing); waits for the thread, a fraction of a
        second."""
        if self._live is not None:
            self._live.stop()
            self._live = None

    def wait_listening(self, timeout: float) -> bool:
        """Whether the listener reached the server within ``timeout`` seconds (tests)."""
        return self._live is not None and self._live.wait_listening(timeout)

    @Slot(object)
    def gather(self, changes: ChangeSet) -> None:
        """Hold a change set heard from the server for a moment, with any that follow it."""
        self._gathered.extend(changes)
        if not self._gather.isActive():
            self._gather.start()

    def _hand_on(self) -> None:
        changes = tuple(dict.fromkeys(self._gathered))  # each change once, in order
        self._gathered = []
        if changes:
            self._bus.changed.emit(ChangeSet(changes, REMOTE))

    @property
    def unreachable(self) -> bool:
        return not self.label.isHidden()

    @Slot(bool)
    def _show_reachable(self, reachable: bool) -> None:
        self.label.setVisible(not reachable)
        if reachable:
            self._status.showMessage(BACK, 8000)

    def _colour(self) -> None:
        palette = self.label.palette()
        self.label.setStyleSheet(
            f"QLabel {{ color: {theme.DANGER.hex(palette)}; font-weight: 600; }}"
        )
