"""The one way slow work leaves the GUI thread: run it in the pool, get the result back on it."""

from __future__ import annotations

import contextlib
import logging
import threading
import warnings
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

log = logging.getLogger(__name__)


class _Signals(QObject):
    finished = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int, str)


class TaskControl:
    """Handed to long work: it reports progress and asks whether the user cancelled.

    Both methods are safe to call from the worker thread; progress travels to the GUI thread
    as a queued signal.
    """

    def __init__(self) -> None:
        self._cancel = threading.Event()
        self._signals: _Signals | None = None

    def progress(self, done: int, total: int, text: str = "") -> None:
        if self._signals is not None:
            try:
                self._signals.progressed.emit(done, total, text)
            except RuntimeError:  # the window that asked has gone
                self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()


def _disconnect_all(signals: _Signals) -> None:
    for signal in (signals.finished, signals.failed, signals.progressed):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # nothing was connected
            with contextlib.suppress(RuntimeError, TypeError):
                signal.disconnect()


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
    widgets.

    While the window is locked (gui/lock.py) the runner is held: work already running
    finishes, but its result waits for the unlock, and new work waits to start (the database
    key may be gone meanwhile).
    """

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one writer at a time keeps the database calm
        # Reads a view waits on (an open case's panels) have a worker of their own, so a case
        # opens while a packet is exported or a long agenda is read.
        self._reads = QThreadPool(self)
        self._reads.setMaxThreadCount(1)
        self._reads.setExpiryTimeout(-1)  # kept: starting a thread costs a case's opening 5 ms
        self._running: set[_Signals] = set()
        self._held: list[Callable[[], None]] | None = None

    @property
    def busy(self) -> bool:
        return bool(self._running)

    @property
    def holding(self) -> bool:
        return self._held is not None

    @property
    def waiting(self) -> int:
        """Results and starts held for the unlock."""
        return len(self._held or [])

    def hold(self) -> None:
        if self._held is None:
            self._held = []

    def release(self) -> None:
        """Start the waiting work and hand over the waiting results, in order, from the event
        loop (so the window has painted itself unlocked first)."""
        held, self._held = self._held or [], None
        for step in held:
            QTimer.singleShot(0, self, step)

    def discard_held(self) -> int:
        """Forget the waiting results and work (another person unlocked); how many."""
        held, self._held = self._held or [], None
        if held:
            log.info("%d task results or starts dropped at a change of user", len(held))
        return len(held)

    def run(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        self._start(self._pool, work, on_done, on_error)

    def read(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """Like run, for a short read that must not queue behind long work (it must not write:
        writes keep to one worker, one at a time)."""
        self._start(self._reads, work, on_done, on_error)

    def _start(
        self,
        pool: QThreadPool,
        work: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        if self._held is not None:
            self._held.append(lambda: self._start(pool, work, on_done, on_error))
            return
        signals = self._signals_for(on_done, on_error)
        self.busy_changed.emit(True)
        pool.start(_Job(work, signals))

    def run_controlled(
        self,
        work: Callable[[TaskControl], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        on_progress: Callable[[int, int, str], None],
    ) -> TaskControl:
        """Like run, for long work that reports progress and can be cancelled."""
        control = TaskControl()

        def start() -> None:
            signals = self._signals_for(on_done, on_error)
            signals.progressed.connect(on_progress)
            control._signals = signals
            self.busy_changed.emit(True)
            self._pool.start(_Job(lambda: work(control), signals))

        if self._held is not None:
            self._held.append(start)
        else:
            start()
        return control

    def _signals_for(
        self, on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]
    ) -> _Signals:
        # A child of the runner: when its window is destroyed, deliveries still queued for it
        # are dropped with it instead of reaching widgets that no longer exist.
        signals = _Signals(self)
        self._running.add(signals)

        @Slot(object)
        def done(result: Any) -> None:
            self._finish(signals)
            self._deliver(lambda: on_done(result))

        @Slot(object)
        def failed(error: BaseException) -> None:
            self._finish(signals)
            self._deliver(lambda: on_error(error))

        signals.finished.connect(done)
        signals.failed.connect(failed)
        return signals

    def _deliver(self, callback: Callable[[], None]) -> None:
        if self._held is not None:
            self._held.append(callback)  # shown once unlocked
        else:
            callback()

    def _finish(self, signals: _Signals) -> None:
        self._running.discard(signals)
        # Drop the callbacks now, in an ordinary call. Left to the signals' own destructor,
        # releasing them could free the last reference to this runner (a model that owns its
        # runner, dropped meanwhile), whose destructor would then delete these signals a
        # second time, mid-destruction: a segfault in the next event loop turn.
        _disconnect_all(signals)
        signals.deleteLater()
        if not self._running:
            self.busy_changed.emit(False)

    def wait(self, msecs: int = -1) -> bool:
        return self._pool.waitForDone(msecs) and self._reads.waitForDone(msecs)
