"""Python's cycle collector runs on the GUI thread only.

Left automatic, the collector runs in whichever thread happens to allocate when a threshold is
crossed: often a worker building a packet or reading a PDF. If the garbage it finds holds Qt
objects of the GUI thread (a closed dialog and the lambdas connected to it, a finished task's
signals), their C++ objects are destroyed from the worker while the GUI thread may be
delivering an event to them, and Python dies with a segfault (seen intermittently after the
packet export in the test suite). pyqtgraph's GarbageCollector and Anki do the same: turn
automatic collection off and collect from a timer on the GUI thread, generation by generation,
as the default thresholds would have.

Once start-up is over, what it made (modules, classes, the window's widgets) lives as long as
the program: ``keep_start_up`` moves it out of the collector's reach (``gc.freeze``), so a
collection of the old generation walks only what was made since. Called by the window when
its warm-up has built every service; without it an old-generation collection took 45-65 ms
of the GUI thread at 5,000 claims, a stall every minute or so of use. When the window closes
(a sign-out, another person signing in) ``release_start_up`` hands it all back to the
collector, so nothing the closed window held stays frozen in memory for the next person.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class MainThreadCollector(QObject):
    """Collects cyclic garbage on the GUI thread every ``interval_ms`` (automatic GC off)."""

    running: MainThreadCollector | None = None  # the application's, while it runs

    def __init__(self, parent: QObject | None = None, interval_ms: int = 500) -> None:
        super().__init__(parent)
        MainThreadCollector.running = self
        self._threshold = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect)
        self._timer.start(interval_ms)

    def collect(self) -> int:
        """Collect the generations whose counts passed their thresholds; return what was freed."""
        young, middle, old = gc.get_count()
        freed = 0
        if young > self._threshold[0]:
            freed += gc.collect(0)
            if middle > self._threshold[1]:
                freed += gc.collect(1)
                if old > self._threshold[2]:
                    freed += gc.collect(2)
        return freed

    def keep(self) -> None:
        """What is alive now stays alive: no collection walks it again. Garbage still
        unreachable from it is collected first, in the young generations only (a few ms);
        the old generation's few leftovers of start-up stay."""
        gc.collect(1)
        gc.freeze()

    def keep_imports(self) -> None:
        """What the start-up's imports made (modules, classes, their tables) is kept out of the
        collector's reach at once, when it was imported with collection held: nothing walked
        it yet, and its little garbage is not worth a pass over all of it."""
        gc.freeze()

    def stop(self) -> None:
        """Back to automatic collection of everything (the application is closing)."""
        self._timer.stop()
        gc.unfreeze()
        gc.enable()
        if MainThreadCollector.running is self:
            MainThreadCollector.running = None


def keep_start_up() -> None:
    """Start-up is over (the window has built every service): what it made is kept out of the
    collector's reach, when the application's collector runs (not in a test's window)."""
    if MainThreadCollector.running is not None:
        MainThreadCollector.running.keep()


def release_start_up() -> None:
    """The window is closing: what was kept is collectable again (its cycles included)."""
    if MainThreadCollector.running is not None:
        gc.unfreeze()
