"""The one way slow work leaves the GUI thread: run it in the pool, get the result back on it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class _Signals(QObject):
    finished = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self._work = work
        self._signals = signals

    def run(self) -> None:
        try:
            try:
                result = self._work()
            except BaseException as error:  # handed to the GUI thread, which decides what to show
                self._signals.failed.emit(error)
            else:
                self._signals.finished.emit(result)
        except RuntimeError:
            # The window that asked was closed meanwhile: its signals are gone, nobody to tell.
            log.debug("a background task finished after its window closed")


class TaskRunner(QObject):
    """Runs callables off the GUI thread; callbacks run on the GUI thread. Workers never touch
    widgets."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one writer at a time keeps the database calm
        self._running: set[_Signals] = set()

    def run(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        # A child of the runner: when its window is destroyed, deliveries still queued for it
        # are dropped with it instead of reaching widgets that no longer exist.
        signals = _Signals(self)
        self._running.add(signals)

        @Slot(object)
        def done(result: Any) -> None:
            self._finish(signals)
            on_done(result)

        @Slot(object)
        def failed(error: BaseException) -> None:
            self._finish(signals)
            on_error(error)

        signals.finished.connect(done)
        signals.failed.connect(failed)
        self.busy_changed.emit(True)
        self._pool.start(_Job(work, signals))

    def _finish(self, signals: _Signals) -> None:
        self._running.discard(signals)
        signals.deleteLater()
        if not self._running:
            self.busy_changed.emit(False)

    def wait(self, msecs: int = -1) -> bool:
        return self._pool.waitForDone(msecs)
