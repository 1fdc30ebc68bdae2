"""What every panel of the case workspace shares."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtWidgets import QWidget

from claimdesk.errors import ClaimDeskError
from claimdesk.gui.env import GuiEnv
from claimdesk.services import ChangeSet


class CasePanel(QWidget):
    """A tab of the case workspace showing one part of one case.

    Subclasses set ``title`` and ``watches`` (the change entities that concern them) and
    implement ``refresh``; the workspace calls ``refresh`` when one of those changes on this case.
    """

    key: ClassVar[str] = ""
    title: ClassVar[str] = ""
    watches: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, env: GuiEnv, claim_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.services = env.services
        self.claim_id = claim_id

    def refresh(self) -> None:
        raise NotImplementedError

    def concerns(self, changes: ChangeSet) -> bool:
        return any(
            change.claim_id in (self.claim_id, None) and change.entity in self.watches
            for change in changes
        )

    def has_unsaved_edits(self) -> bool:
        """True while a form in the panel holds typing that is not saved yet."""
        return False

    def report(self, title: str, error: BaseException) -> None:
        """Show a service error as a dialog; anything else is a bug for the exception hook."""
        if isinstance(error, ClaimDeskError):
            self.env.prompts.error(self, title, str(error))
        else:
            raise error
