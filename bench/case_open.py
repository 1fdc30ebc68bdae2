#!/usr/bin/env python3
"""Opening a long case in the real window (offscreen): time to its painted workspace, the
GUI thread's longest stall meanwhile, and the timeline's paint.

    bench/case_open.py [--runs 5] [--claims 500]

Builds an office database in a temporary folder (bench/make_office_db.py's ``build``), then
gives two cases long histories: case 1 has 500 calls and 200 documents, case 2 has 5,000 calls
and 200 documents. The main window is shown as ClaimDesk shows it and left to settle; then
each case is opened (and closed again) ``--runs`` times, with a 10 ms timer pinging on the GUI
thread. Printed per step, medians over the runs:

- ``painted``: from the click to the first paint of the workspace (heading and panel in front);
- ``rows``: until the Calls table has painted with its rows (the case opened on its Call log);
- ``STEP: longest stall N ms``: the longest the GUI thread left the ping waiting beyond its
  10 ms period, from the click until the rows are painted and 300 ms more;
- the timeline: the tab shown until its canvas has painted its marks, and the canvas's paint
  alone (``repaint()``, the marks already read).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from bench.make_office_db import build
from bench.timing import compiled
from claimdesk.gui.collector import MainThreadCollector
from claimdesk.gui.main_window import MainWindow
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.gui.workspace import CaseWorkspace
from claimdesk.paths import sqlite_url
from claimdesk.storage import open_database
from tests.signin import as_user

NOW = datetime(2026, 11, 2, 9, 0)  # naive UTC; pins every date the bench writes
LONG_CASES = {"500 calls": (1, 500, 200), "5,000 calls": (2, 5000, 200)}


def lengthen(path: Path, claim_id: int, calls: int, documents: int, seed: int) -> None:
    """Give one case exactly ``calls`` calls and ``documents`` documents, over two years."""
    rng = random.Random(seed)
    con = sqlite3.connect(path)
    con.execute("DELETE FROM call_log_entries WHERE claim_id = ?", (claim_id,))
    con.execute("DELETE FROM documents WHERE claim_id = ?", (claim_id,))
    con.executemany(
        "INSERT INTO call_log_entries (claim_id, occurred_at, time_zone, direction, person_name, "
        "person_staff_id, number_dialled, call_reference, summary, refused, refusal_detail, "
        "amendment_reason, created_at, created_by_id) VALUES (?, ?, 'UTC', 'outgoing', ?, "
        "'E-1', '', ?, 'Asked for the claim file and the reviewer report.', ?, '', '', ?, 1)",
        (
            (
                claim_id,
                NOW - timedelta(minutes=rng.randint(60, 730 * 24 * 60)),
                f"Agent {n % 37}",
                f"L{claim_id}-{n}",
                int(rng.random() < 0.1),
                NOW,
            )
            for n in range(calls)
        ),
    )
    con.executemany(
        "INSERT INTO documents (claim_id, kind, title, original_name, media_type, size_bytes, "
        "sha256, description, document_date, created_at) VALUES (?, 'medical_record', ?, "
        "'r.pdf', 'application/pdf', 120000, ?, '', ?, ?)",
        (
            (
                claim_id,
                f"Record {n}",
                f"{claim_id:08x}{n:056x}",
                (NOW - timedelta(days=rng.randint(1, 700))).date(),
                NOW,
            )
            for n in range(documents)
        ),
    )
    con.commit()
    con.close()


class Ping(QObject):
    """A 10 ms timer on the GUI thread; the longest wait beyond its period is a stall."""

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.longest = 0.0

    def start(self) -> None:
        self.last = time.perf_counter()
        self.longest = 0.0
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last - 0.010)
        self.last = now

    def stop(self) -> float:
        self._tick()
        self.timer.stop()
        return max(self.longest, 0.0)


class Painted(QObject):
    """Notes when the first paint of a widget meeting a condition has been done (the filter
    sees the event before the widget paints: the time is taken once the loop is back)."""

    def __init__(self) -> None:
        super().__init__()
        self.watch: list[tuple[str, Callable[[QWidget], bool]]] = []
        self.seen: dict[str, float] = {}

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and isinstance(obj, QWidget):
            for name, ready in self.watch:
                if name not in self.seen and ready(obj):
                    self.seen[name] = 0.0
                    QTimer.singleShot(0, lambda name=name: self._done(name))
        return False

    def _done(self, name: str) -> None:
        self.seen[name] = time.perf_counter()


def wait_until(app: QApplication, done: Callable[[], bool], limit: float = 60.0) -> None:
    end = time.perf_counter() + limit
    while not done():
        if time.perf_counter() > end:
            windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
            shown = windows[0].prompts.shown if windows else []  # type: ignore[attr-defined]
            raise SystemExit(f"the window never got there; it said {shown}")
        app.processEvents()
        time.sleep(0.001)


def settle(app: QApplication, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.002)


def inside(holder: list[CaseWorkspace]) -> Callable[[QWidget], bool]:
    return lambda w: bool(holder) and (w is holder[0] or holder[0].isAncestorOf(w))


def calls_rows(holder: list[CaseWorkspace]) -> Callable[[QWidget], bool]:
    def ready(widget: QWidget) -> bool:
        if not holder:
            return False
        table = holder[0].panels["calls"].table  # type: ignore[attr-defined]
        return widget is table.viewport() and table.model().rowCount() > 0

    return ready


def timeline_marks(holder: list[CaseWorkspace]) -> Callable[[QWidget], bool]:
    def ready(widget: QWidget) -> bool:
        if not holder:
            return False
        canvas = holder[0].panels["timeline"].canvas  # type: ignore[attr-defined]
        return widget is canvas and bool(canvas.marks)

    return ready


def close_all_cases(window: MainWindow) -> None:
    for index in reversed(range(window.tabs.count())):
        if isinstance(window.tabs.widget(index), CaseWorkspace):
            widget = window.tabs.widget(index)
            window.tabs.removeTab(index)
            widget.deleteLater()


def open_once(
    app: QApplication, window: MainWindow, claim_id: int, ping: Ping, painted: Painted
) -> dict[str, float]:
    """Open the case on its Call log; then show its timeline."""
    holder: list[CaseWorkspace] = []
    painted.seen.clear()
    painted.watch = [("painted", inside(holder)), ("rows", calls_rows(holder))]
    ping.start()
    started = time.perf_counter()
    holder.append(window.open_case(claim_id, "calls"))
    wait_until(app, lambda: painted.seen.get("rows", 0.0) > 0)
    settle(app, 0.3)
    figures = {
        "painted": painted.seen["painted"] - started,
        "rows": painted.seen["rows"] - started,
        "stall": ping.stop(),
    }
    workspace = holder[0]
    painted.watch = [("timeline", timeline_marks(holder))]
    ping.start()
    started = time.perf_counter()
    workspace.show_panel("timeline")
    wait_until(app, lambda: painted.seen.get("timeline", 0.0) > 0)
    settle(app, 0.3)
    figures["timeline_shown"] = painted.seen["timeline"] - started
    figures["timeline_stall"] = ping.stop()
    canvas = workspace.panels["timeline"].canvas  # type: ignore[attr-defined]
    paints = []
    for _ in range(5):
        started = time.perf_counter()
        canvas.repaint()
        paints.append(time.perf_counter() - started)
    figures["timeline_paint"] = statistics.median(paints)
    close_all_cases(window)
    settle(app, 0.2)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--claims", type=int, default=500)
    args = parser.parse_args()
    compiled()  # the modules imported on opening a case, as an installed copy has them
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    MainThreadCollector(app)  # as gui/app.py starts it: garbage is collected on the GUI thread
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "office.sqlite"
        build(path, args.claims, args.claims * 10, args.claims, now=NOW)
        for claim_id, calls, documents in LONG_CASES.values():
            lengthen(path, claim_id, calls, documents, seed=claim_id)
        db = open_database(sqlite_url(path), backup_dir=Path(folder))
        services = as_user(db, "Bench")
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(services, RecordingPrompts(), "bench", settings)
        window.resize(1400, 900)
        window.show()
        # Start-up's own reads (the case list, Today's agenda) finish first: they are not
        # what is measured here.
        wait_until(app, lambda: window.warmed_up and not window.tasks.busy, limit=600)
        settle(app, 1.0)
        ping, painted = Ping(), Painted()
        app.installEventFilter(painted)
        for label, (claim_id, _calls, _documents) in LONG_CASES.items():
            open_once(app, window, claim_id, ping, painted)  # warm: imports, caches
            runs = [open_once(app, window, claim_id, ping, painted) for _ in range(args.runs)]

            def median(key: str, found: list[dict[str, float]] = runs) -> float:
                return statistics.median(r[key] for r in found) * 1000

            step = "open" + label.split()[0].replace(",", "") + "calls"
            print(
                f"open a case with {label}: painted {median('painted'):.0f} ms, rows "
                f"{median('rows'):.0f} ms ({args.runs} runs, medians)"
            )
            print(f"{step}: longest stall {median('stall'):.0f} ms")
            print(
                f"timeline of {label}: shown and painted {median('timeline_shown'):.0f} ms, "
                f"paint alone {median('timeline_paint'):.1f} ms"
            )
            print(f"timeline{step[4:]}: longest stall {median('timeline_stall'):.0f} ms")
        window.close()
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
