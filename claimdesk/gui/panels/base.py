"""What every panel of the case workspace shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from claimdesk.errors import ClaimDeskError
from claimdesk.gui.case_source import CaseRecords, CaseSource
from claimdesk.gui.env import GuiEnv
from claimdesk.services import ChangeSet

T = TypeVar("T")


class CasePanel(QWidget):
    """A tab of the case workspace showing one part of one case.

    Subclasses set ``title``, ``watches`` (the change entities that concern them) and
    ``failure`` (the title of the message when their records cannot be read), and implement
    ``reads`` (what to read, run on the task runner's worker) and ``paint`` (show what was
    read, on the GUI thread). Nothing is read on the GUI thread: ``refresh`` asks, the worker
    reads through the case's shared ``CaseSource``, the panel paints (docs/architecture.md).
    """

    key: ClassVar[str] = ""
    title: ClassVar[str] = ""
    watches: ClassVar[frozenset[str]] = frozenset()
    failure: ClassVar[str] = "Cannot read the case"

    # Emitted once the panel has painted the newest of the reads it asked for.
    loaded = Signal()

    def __init__(self, env: GuiEnv, claim_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.services = env.services
        self.claim_id = claim_id
        # The panel's own lists when it stands alone; the workspace hands its panels one
        # source, so a list shown on two tabs is read once.
        self._own_source = CaseSource(env.services, claim_id)
        self.source = self._own_source
        env.bus.changed.connect(self._forget_own)
        # Shown out of date: the workspace refreshes a hidden panel only when it is shown.
        self.stale = True
        self._asked: dict[str, int] = {}  # per kind of read, the newest asked
        self._waiting: set[str] = set()  # kinds of read not painted yet
        self._then: list[Callable[[], None]] = []

    def _forget_own(self, changes: ChangeSet) -> None:
        # Connected before any follower of the panel, so the lists go before a refresh asks.
        # A shared source is the workspace's to forget, before it asks for refreshes: once a
        # read has begun, forgetting again could drop what it is reading after the change.
        if shiboken6.isValid(self) and self.source is self._own_source:
            self._own_source.forget(changes)

    @property
    def reading_now(self) -> bool:
        """A read was asked for and its result is not painted yet."""
        return bool(self._waiting)

    def reads(self) -> Callable[[CaseRecords], Any]:
        """What ``refresh`` reads: taken on the GUI thread (so it can capture what the
        widgets say now), run on the worker, where it must not touch a widget."""
        raise NotImplementedError

    def paint(self, data: Any) -> None:
        """Show what ``reads`` returned."""
        raise NotImplementedError

    def refresh(self, then: Callable[[], None] | None = None) -> None:
        """Read the panel's records afresh off the GUI thread and paint them; ``then`` runs
        once they are painted (a selection to restore, a row to show)."""
        self.stale = False
        if then is not None:
            self._then.append(then)
        self.read_async("refresh", self.reads(), self._paint_refresh, self.failure)

    def _paint_refresh(self, data: Any) -> None:
        self.paint(data)
        then, self._then = self._then, []
        for step in then:
            step()

    def read_async(
        self,
        kind: str,
        work: Callable[[CaseRecords], T],
        paint: Callable[[T], None],
        failure: str,
    ) -> None:
        """Run ``work`` in one read transaction on the task runner, then ``paint`` its result
        on the GUI thread, unless a newer read of the same ``kind`` was asked meanwhile (its
        result follows) or the panel has gone. A read that fails is shown under ``failure``."""
        asked = self._asked.get(kind, 0) + 1
        self._asked[kind] = asked
        self._waiting.add(kind)
        records = self.source.records()  # before the read's transaction starts
        context = self.services.context

        def run() -> T:
            with context.snapshot():
                return work(records)

        def newest() -> bool:
            if not shiboken6.isValid(self) or self._asked.get(kind) != asked:
                return False
            self._waiting.discard(kind)
            return True

        def done(result: T) -> None:
            if newest():
                paint(result)
                self._loaded_if_done()

        def failed(error: BaseException) -> None:
            if newest():
                self._then.clear()
                self._loaded_if_done()
                self.report(failure, error)

        self.env.tasks.read(run, done, failed)

    def _loaded_if_done(self) -> None:
        if not self._waiting:
            self.loaded.emit()

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
