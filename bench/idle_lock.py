#!/usr/bin/env python3
"""What the idle lock's watch costs: every event the application delivers passes its filter.

    bench/idle_lock.py [--events 200000]

The lock (claimdesk/gui/lock.py) learns of keyboard and mouse input through an event filter
on the application object, which Qt calls for every event to every object: paints, timers
and layout requests as well as input. Measured here: the time to deliver the same events
(mouse moves, which restart the idle timer, and paint requests, which only pass through)
with and without the filter installed, in one run; printed per event and as a ratio.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from claimdesk.gui.lock import IdleWatch


def deliver(target: QLineEdit, count: int) -> float:
    """Seconds to send ``count`` mouse moves and ``count`` update requests to ``target``."""
    move = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(5, 5),
        QPointF(5, 5),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    other = QEvent(QEvent.Type.UpdateRequest)
    started = time.perf_counter()
    for _ in range(count):
        QApplication.sendEvent(target, move)
        QApplication.sendEvent(target, other)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    target = QLineEdit()
    target.show()
    deliver(target, 2000)  # warm up
    bare = min(deliver(target, args.events) for _ in range(3))
    watch = IdleWatch(5)
    watch.start()
    watched = min(deliver(target, args.events) for _ in range(3))
    watch.stop()
    total = 2 * args.events
    print(f"{total:,} events (half mouse moves), best of 3 runs each")
    print(f"  without the idle watch: {bare / total * 1e6:6.2f} µs an event")
    print(f"  with the idle watch:    {watched / total * 1e6:6.2f} µs an event")
    print(
        f"  the watch adds {(watched - bare) / total * 1e6:.2f} µs an event "
        f"({watched / bare:.2f}x the delivery alone)"
    )
    print(f"  input events seen: {watch.inputs:,}")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
