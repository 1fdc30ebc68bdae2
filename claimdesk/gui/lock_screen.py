"""What the window shows while locked: no case data, only the password (and name) to unlock."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from claimdesk.gui.credentials import CredentialsCard, Desk, centred, link_button

REASONS = {
    "idle": "Locked after {minutes} without use.",
    "screen": "Locked when the computer's screen locked.",
    "user": "Locked.",
}


class LockScreen(Desk):
    """The card in the middle of the window; the lock (gui/lock.py) connects its signals."""

    unlock_requested = Signal(str, str)  # name, password
    sign_out_requested = Signal()

    def __init__(
        self,
        *,
        office: bool,
        name: str,
        reason: str,
        minutes: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAccessibleName("ClaimDesk is locked")
        span = "1 minute" if minutes == 1 else f"{minutes} minutes"
        why = REASONS.get(reason, REASONS["user"]).format(minutes=span)
        if office:
            subtitle = (
                f"{why} {name} was working; unsaved typing is kept for them. "
                "Someone else can sign in with their own name."
            )
        else:
            subtitle = f"{why} Enter your password to carry on where you left off."
        self.card = CredentialsCard(
            "ClaimDesk is locked", subtitle, "Unlock", office=office, name=name
        )
        self.card.submitted.connect(self.unlock_requested)
        self.sign_out = link_button("Sign out")
        self.sign_out.setToolTip("Close this session; unsaved typing is discarded")
        self.sign_out.clicked.connect(self.sign_out_requested)
        self.card.add_link(self.sign_out)
        centred(self.card, self)

    def show_sign_out(self, shown: bool) -> None:
        self.sign_out.setVisible(shown)

    def focus_first(self) -> None:
        self.card.focus_first()

    def show_problem(self, message: str) -> None:
        self.card.show_problem(message)

    def set_busy(self, busy: bool) -> None:
        self.card.set_busy(busy)
