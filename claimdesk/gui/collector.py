"""Python's cycle collector runs on the GUI thread only.

Left automatic, the collector runs in whichever thread happens to allocate when a threshold is
crossed: often a worker building a packet or reading a PDF. If the garbage it finds holds Qt
objects of the GUI thread (a closed dialog and the lambdas connected to it, a finished task's
signals), their C++ objects are destroyed from the worker while the GUI thread may be
delivering an event to them, and Python dies with a segfault (seen intermittently after the
packet export in the test suite). pyqtgraph's GarbageCollector and Anki do the same: turn
automatic collection off and collect from a timer on the GUI thread, generation by generation,
as the default thresholds would have.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class MainThreadCollector(QObject):
    """Collects cyclic garbage on the GUI thread every ``interval_ms`` (automatic GC off)."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = 500) -> None:
        super().__init__(parent)
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

    def stop(self) -> None:
        """Back to automatic collection (the application is closing)."""
        self._timer.stop()
        gc.enable()
