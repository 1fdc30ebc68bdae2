#!/usr/bin/env python3
"""Startup time and memory: ClaimDesk on office-sized databases against a bare PySide6 window.

    bench/make_office_db.py /tmp/b5k.sqlite
    bench/make_office_db.py /tmp/b50k.sqlite --claims 50000
    bench/startup.py /tmp/b5k.sqlite /tmp/b50k.sqlite --runs 7

Each run is a fresh process, timed from spawn until the window has painted with the case list
populated (ClaimDesk, started as ``claimdesk --db URL gui`` starts it) or painted empty (bare).
Also timed: until ClaimDesk has settled (Today's agenda shown, every service built). Prints
medians; targets from issue 3: 5,000 claims within 4x the bare window, 50,000 within 1.15x of
5,000, memory within bare + 100 MB.
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
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timing import compiled  # noqa: E402

# Both children start the same way: a fresh interpreter, the window shown, timed until it has
# painted. ClaimDesk's is its real start (``claimdesk --db URL gui``: the command line, the
# imports in the application's own order, the database check, the settings); the bench only
# adds a watcher for the paint of a populated case list, and shows the Cases tab.
BARE = r"""
import resource, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTableWidget

class Painted(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, finish)
        return False

def finish():
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"ready {rss}", flush=True)
    print(f"settled {rss}", flush=True)
    app.quit()

app = QApplication(sys.argv[:1])
window = QMainWindow()
table = QTableWidget(0, 9)
window.setCentralWidget(table)
table.viewport().installEventFilter(Painted(app))
window.resize(1280, 800)
window.show()
app.exec()
"""

# How a child signs in, shared with bench/responsiveness.py (it needs gui_app, gui_session).
SIGNED_IN = r"""
PASSWORD = "bench password"

# The first run sets the database up, which encrypts it: the recovery key is not waited on.
gui_app.Prompts.recovery_key = lambda self, parent, key: None

class Signed(gui_session.GuiSession):
    # Signs in (setting the database up as a personal one the first time) the moment the
    # window asks, as a person would who typed at once: the password check is in the time.
    def _show_first_start(self):
        super()._show_first_start()
        self.first_start.hide()
        self._set_up(False, "", PASSWORD)

    def show_sign_in(self, name=None):
        super().show_sign_in(name)
        self.sign_in_window.hide()
        self._sign_in("", PASSWORD)

    def _window_class(self):
        # the session imports the main window once the password is typed; so does the bench
        return watched(super()._window_class())
"""

CLAIMDESK = r"""
import resource, sys, time
from claimdesk import cli
cli.hold_collection_for_window()  # as cli.main does before it imports the window
import claimdesk.gui.app as gui_app
import claimdesk.gui.session as gui_session
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
from pathlib import Path
from claimdesk import cli
from claimdesk.paths import sqlite_url

def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

SIGNED_IN

def watched(main_window):
    class Watched(main_window):
        # "ready": the case list has painted with its rows. "settled": Today's agenda is shown
        # and every service is built, so nothing the user does next waits for an import.
        def show(self):
            self.tabs.setCurrentWidget(self.cases_page)
            self.cases_page.table.viewport().installEventFilter(WATCHER)
            self.today_page.loaded.connect(self._settle)
            super().show()

        def _settle(self):
            QTimer.singleShot(0, self._check_settled)

        def _check_settled(self):
            if not self.warmed_up:
                QTimer.singleShot(20, self._check_settled)
                return
            print(f"settled {rss()}", flush=True)
            QApplication.instance().quit()

    return Watched

class Painted(QObject):
    done = False
    def eventFilter(self, obj, event):
        if not self.done and event.type() == QEvent.Type.Paint:
            if obj.parent().model().rowCount() > 0:
                self.done = True
                print(f"ready {rss()}", flush=True)
        return False

WATCHER = Painted()
gui_app.GuiSession = Signed
sys.exit(cli.main(["--data-dir", sys.argv[2], "--db", sqlite_url(Path(sys.argv[1])), "gui"]))
""".replace("SIGNED_IN\n", SIGNED_IN)


class Run(NamedTuple):
    ready: float  # seconds to the first paint of the populated case list
    settled: float  # seconds until Today's agenda is shown and every service is built
    rss_mb: int  # peak resident memory once settled


def run_once(mode: str) -> Run:
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
            "PYTHONPATH": str(ROOT),
            # A fresh profile each run: no remembered window layout, no settings.
            "XDG_CONFIG_HOME": folder,
            "HOME": folder,
        }
        argv = ["-c", BARE] if mode == "bare" else ["-c", CLAIMDESK, mode, folder]
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, *argv], stdout=subprocess.PIPE, text=True, env=env, cwd=folder
        )
        assert child.stdout is not None
        ready_line = child.stdout.readline()
        ready = time.perf_counter() - started
        settled_line = child.stdout.readline()
        settled = time.perf_counter() - started
        child.wait(60)
    if not ready_line.startswith("ready") or not settled_line.startswith("settled"):
        raise SystemExit(f"{mode}: the window never reported ready and settled")
    # ru_maxrss is in KiB on Linux
    return Run(ready, settled, int(settled_line.split()[1]) // 1024)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("small", help="database with about 5,000 claims")
    parser.add_argument("large", help="database with about 50,000 claims")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    modes = {"bare": "bare", "small": args.small, "large": args.large}
    compiled()  # nor may a checkout compiling its modules in the first run count in the others
    for mode in modes.values():
        run_once(mode)  # warm the disk cache
    # Interleaved, so a busy spell on a shared machine falls on all three alike, and rotated:
    # a run straight after a ClaimDesk run came out slower, whichever database it opened.
    runs: dict[str, list[Run]] = {key: [] for key in modes}
    keys = list(modes)
    for round_ in range(args.runs):
        for key in keys[round_ % 3 :] + keys[: round_ % 3]:
            runs[key].append(run_once(modes[key]))
    ready = {key: statistics.median(r.ready for r in found) for key, found in runs.items()}
    settled = {key: statistics.median(r.settled for r in found) for key, found in runs.items()}
    rss = {key: max(r.rss_mb for r in found) for key, found in runs.items()}
    labels = {
        "bare": "bare PySide6 window",
        "small": "ClaimDesk, 5,000 claims",
        "large": "ClaimDesk, 50,000 claims",
    }
    for key, label in labels.items():
        extra = "" if key == "bare" else f"   settled {settled[key] * 1000:5.0f} ms"
        print(
            f"{label:<26} painted {ready[key] * 1000:5.0f} ms{extra}   "
            f"peak RSS {rss[key]:4d} MB   ({args.runs} runs, medians)"
        )
    print(
        f"5,000 claims vs bare:       {ready['small'] / ready['bare']:.2f}x time (target <= 4x), "
        f"+{rss['small'] - rss['bare']} MB (target <= 100 MB)"
    )
    print(
        f"50,000 vs 5,000 claims:     {ready['large'] / ready['small']:.2f}x time "
        f"(target <= 1.15x), +{rss['large'] - rss['bare']} MB over bare"
    )
    print(
        f"settled (Today shown, every service built): 5,000 at "
        f"{settled['small'] / ready['bare']:.2f}x bare, 50,000 at "
        f"{settled['large'] / ready['bare']:.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
