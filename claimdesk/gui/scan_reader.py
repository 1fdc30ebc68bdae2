"""Reading newly attached scans for search, in the background, one document at a time.

OCR takes seconds a page, so it has its own worker (a TaskRunner of its own, child of the
window's): a 200-page claim file being read never holds up a search, a save or an export, which
queue on the window's runner. Closing the window stops it between two pages. A missing OCR
engine is said once, in the status line, with how to add one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from claimdesk.errors import ClaimDeskError
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.tasks import TaskControl, TaskRunner

log = logging.getLogger(__name__)


class ScanReader(QObject):
    """Reads the unread documents of the cases it is given, in turn."""

    status = Signal(str)  # what it is doing, for a status line ("" when idle)

    def __init__(self, env: GuiEnv) -> None:
        super().__init__(env.tasks)
        self.env = env
        self.runner = TaskRunner(self)
        self.queue: list[int] = []
        self.control: TaskControl | None = None
        self.missing_engine = ""
        self.on_idle: Callable[[], None] | None = None  # tests wait on it
        env.tasks.destroyed.connect(self.stop)

    @staticmethod
    def of(env: GuiEnv) -> ScanReader:
        """The window's one reader (made when first asked for)."""
        found = env.tasks.findChild(ScanReader)
        return found if isinstance(found, ScanReader) else ScanReader(env)

    def read_case(self, claim_id: int) -> None:
        if self.missing_engine:
            return
        if claim_id not in self.queue:
            self.queue.append(claim_id)
        if self.control is None:
            self._next()

    def stop(self) -> None:
        self.queue.clear()
        if self.control is not None:
            self.control.cancel()

    def _next(self) -> None:
        if not self.queue:
            self.control = None
            self.status.emit("")
            if self.on_idle is not None:
                self.on_idle()
            return
        claim_id = self.queue.pop(0)
        scans = self.env.services.scans

        def work(control: TaskControl) -> int:
            return scans.read_unread(claim_id, control.progress, control.cancelled)

        self.control = self.runner.run_controlled(
            work, lambda _: self._next(), self._failed, self._progressed
        )

    def _progressed(self, done: int, total: int, text: str) -> None:
        if text:
            self.status.emit(f"{text} (for search)")

    def _failed(self, error: BaseException) -> None:
        name = type(error).__name__
        if name == "OcrUnavailable":
            self.missing_engine = str(error)
            self.queue.clear()
            self.status.emit(f"Scans are not searchable: {error}")
        elif name != "ReadingCancelled" and not isinstance(error, ClaimDeskError):
            log.error("reading scans failed: %s", name)
        self.control = None
        if not self.missing_engine:
            self._next()
        elif self.on_idle is not None:
            self.on_idle()
