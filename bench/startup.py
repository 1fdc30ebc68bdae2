#!/usr/bin/env python3
"""Startup time and memory: ClaimDesk on office-sized databases against a bare PySide6 window.

    bench/make_office_db.py /tmp/b5k.sqlite
    bench/make_office_db.py /tmp/b50k.sqlite --claims 50000
    bench/startup.py /tmp/b5k.sqlite /tmp/b50k.sqlite --runs 7

Each run is a fresh process, timed from spawn until the window has painted with the case list
populated (ClaimDesk) or painted empty (bare). Prints medians; targets from issue 3: 5,000
claims within 4x the bare window, 50,000 within 1.15x of 5,000, memory within bare + 100 MB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import resource, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTableWidget

class Painted(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and ready():
            QTimer.singleShot(0, finish)
        return False

def finish():
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"ready {rss}", flush=True)
    app.quit()

app = QApplication(sys.argv[:1])
mode = sys.argv[1]
if mode == "bare":
    window = QMainWindow()
    table = QTableWidget(0, 9)
    window.setCentralWidget(table)
    ready = lambda: True
else:
    from PySide6.QtCore import QSettings
    from claimdesk.gui.main_window import MainWindow
    from claimdesk.gui.prompts import Prompts
    from claimdesk.services import Services
    from claimdesk.storage import open_database
    db = open_database(f"sqlite:///{mode}")
    settings = QSettings(sys.argv[2], QSettings.Format.IniFormat)
    window = MainWindow(Services(db, "Bench"), Prompts(), mode, settings)
    window.tabs.setCurrentWidget(window.cases_page)
    table = window.cases_page.table
    ready = lambda: table.model().rowCount() > 0
table.viewport().installEventFilter(Painted(app))
window.resize(1280, 800)
window.show()
app.exec()
"""


def run_once(mode: str) -> tuple[float, int]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "PYTHONPATH": str(ROOT),
    }
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, mode, str(Path(folder) / "settings.ini")],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=folder,
        )
        assert child.stdout is not None
        line = child.stdout.readline()
        elapsed = time.perf_counter() - started
        child.wait(60)
    if not line.startswith("ready"):
        raise SystemExit(f"{mode}: the window never reported ready")
    return elapsed, int(line.split()[1]) // 1024  # ru_maxrss is in KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("small", help="database with about 5,000 claims")
    parser.add_argument("large", help="database with about 50,000 claims")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    results: dict[str, tuple[float, int]] = {}
    for label, mode in (
        ("bare PySide6 window", "bare"),
        ("ClaimDesk, 5,000 claims", args.small),
        ("ClaimDesk, 50,000 claims", args.large),
    ):
        run_once(mode)  # warm the disk cache
        runs = [run_once(mode) for _ in range(args.runs)]
        results[label] = (statistics.median(t for t, _ in runs), max(m for _, m in runs))
        print(
            f"{label:<26} median {results[label][0] * 1000:7.0f} ms   "
            f"peak RSS {results[label][1]:5d} MB   ({args.runs} runs)"
        )
    bare, small, large = results.values()
    print(
        f"5,000 claims vs bare:       {small[0] / bare[0]:.2f}x time (target <= 4x), "
        f"+{small[1] - bare[1]} MB (target <= 100 MB)"
    )
    print(
        f"50,000 vs 5,000 claims:     {large[0] / small[0]:.2f}x time (target <= 1.15x), "
        f"+{large[1] - bare[1]} MB over bare"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
