"""How long a change committed at one workstation takes to reach another (issue 15).

This process is the workstation that listens (services/live.py, as the window does); a second
process logs calls on a case, COUNT of them, and notes for each the moment it began saving and
the moment its commit returned (its own change set is announced just then). Two latencies:
from the commit returning to the listener here handing the change on (negative when the
notice arrived before the writer itself heard back from the server), and from the save's
start (the write itself included: what a person at the other screen waits). Both on the
system's monotonic clock, one clock for every process of the machine. Two runs: paced (a
call every PACE ms, as people work) and a burst (every call at once, as an import would).

Usage: .venv/bin/python bench/live_updates.py [--server URL] [--count 200] [--pace 20]
(the server: a PostgreSQL maintenance database URL; by default $CLAIMDESK_TEST_POSTGRES, as
scripts/pg-server start prints it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# Run as a script from a checkout: make its claimdesk, and the tests' sign-in helpers, importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.crash_and_concurrency import new_case
from claimdesk.services import CallInput, ChangeSet, Services
from claimdesk.services.context import Entity
from claimdesk.services.live import LiveChanges
from claimdesk.storage import open_database
from tests.signin import as_user

DATABASE = "claimdesk_bench_live"
WAIT_S = 60.0


def fresh_database(server: str) -> str:
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {DATABASE}"))
    engine.dispose()
    return make_url(server).set(database=DATABASE).render_as_string(hide_password=False)


def writer(url: str, claim_id: int, count: int, pace_ms: float, kind: str) -> None:
    """The other workstation: log ``count`` calls (or open ``count`` cases), printing each
    record's id, the moment its save began and the moment its commit returned."""
    services = as_user(open_database(url), "Ben Writer")
    committed: list[tuple[int, float, float]] = []
    started = 0.0
    entity = Entity.CALL if kind == "calls" else Entity.CLAIM

    def note(changes: ChangeSet) -> None:
        moment = time.monotonic()
        committed.extend(
            (c.record_id or 0, started, moment)
            for c in changes
            if c.entity == entity and c.action == "create"
        )

    services.subscribe(note)
    now = services.clock.now()
    for number in range(count):
        started = time.monotonic()
        if kind == "calls":
            services.calls.log_call(
                claim_id,
                CallInput(occurred_at=now, person_name=f"Caller {number}", summary="Bench"),
            )
        else:
            new_case(services, f"Claimant {number}")
        if pace_ms:
            time.sleep(pace_ms / 1000)
    for record_id, began, moment in committed:
        print(record_id, repr(began), repr(moment))
    services.close()


def run(url: str, claim_id: int, listener: Services, count: int, pace_ms: float) -> None:
    heard: dict[int, float] = {}
    done = threading.Event()

    def arrived(changes: ChangeSet) -> None:
        moment = time.monotonic()
        for change in changes:
            if change.entity == Entity.CALL and change.record_id is not None:
                heard.setdefault(change.record_id, moment)
        if len(heard) >= count:
            done.set()

    live = LiveChanges(listener.context, arrived, lambda _: None)
    live.start()
    assert live.wait_listening(WAIT_S), "the listener never reached the server"
    output = subprocess.run(
        writer_command(url, claim_id, count, pace_ms, "calls"),
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    ).stdout
    committed = commit_moments(output)
    done.wait(WAIT_S)
    live.stop()
    got = [i for i in committed if i in heard]
    label = f"paced, a call every {pace_ms:g} ms" if pace_ms else "burst, as fast as it commits"
    print(f"{label}: {len(committed)} changes, {len(committed) - len(got)} lost")
    print("  from commit: " + summary([heard[i] - committed[i][1] for i in got]))
    print("  from save:   " + summary([heard[i] - committed[i][0] for i in got]))


def writer_command(url: str, claim_id: int, count: int, pace_ms: float, kind: str) -> list[str]:
    return [
        sys.executable,
        __file__,
        "--writer",
        url,
        str(claim_id),
        str(count),
        str(pace_ms),
        kind,
    ]


def commit_moments(output: str) -> dict[int, tuple[float, float]]:
    """The writer's lines: record id -> (save began, commit returned)."""
    return {
        int(a): (float(b), float(c)) for a, b, c in (line.split() for line in output.splitlines())
    }


def run_window(url: str, listener: Services, count: int, pace_ms: float) -> None:
    """The whole way, as a person at the other screen sees it: from another process opening a
    case to the case list of a window here showing one more row (the window's 100 ms gather,
    the list's 250 ms debounce and its read included)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from claimdesk.gui.main_window import MainWindow
    from claimdesk.gui.prompts import RecordingPrompts

    app = QApplication.instance() or QApplication([])
    folder = tempfile.mkdtemp(prefix="claimdesk-bench-")
    settings = QSettings(os.path.join(folder, "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(listener, RecordingPrompts(), listener.location, settings)
    window.show()
    assert window.live.wait_listening(WAIT_S), "the window never reached the server"
    model = window.cases_page.model
    deadline = time.monotonic() + WAIT_S
    while model.rowCount() == 0 and time.monotonic() < deadline:
        app.processEvents()
    base = model.rowCount()
    shown: list[float] = []

    def look() -> None:
        while base + len(shown) < model.rowCount():
            shown.append(time.monotonic())

    model.modelReset.connect(look)
    model.rowsInserted.connect(look)
    writer_process = subprocess.Popen(
        writer_command(url, 0, count, pace_ms, "cases"), stdout=subprocess.PIPE, text=True
    )
    ticker = QTimer(interval=5)
    ticker.timeout.connect(look)
    ticker.start()
    deadline = time.monotonic() + WAIT_S + count * pace_ms / 1000
    while (len(shown) < count or writer_process.poll() is None) and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.001)
    output, _ = writer_process.communicate(timeout=60)
    ticker.stop()
    window.close()
    moments = [m for _, m in sorted(commit_moments(output).items())]
    print(
        f"window, a new case every {pace_ms:g} ms: {len(moments)} cases, "
        f"{len(moments) - len(shown)} never shown"
    )
    print(
        "  commit -> in the case list: "
        + summary([seen - began[1] for seen, began in zip(shown, moments, strict=False)])
    )


def summary(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return f"p50 {q[49]:.1f} ms, p99 {q[98]:.1f} ms, min {ms[0]:.1f} ms, max {ms[-1]:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=os.environ.get("CLAIMDESK_TEST_POSTGRES"))
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--pace", type=float, default=20.0, help="ms between paced calls")
    parser.add_argument("--window-cases", type=int, default=30, help="cases for the window run")
    parser.add_argument("--writer", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.writer:
        url, claim_id, count, pace, kind = args.writer
        writer(url, int(claim_id), int(count), float(pace), kind)
        return
    if not args.server:
        parser.error("give --server URL or set CLAIMDESK_TEST_POSTGRES (scripts/pg-server start)")
    url = fresh_database(args.server)
    listener = as_user(open_database(url), "Ana Listener")
    claim_id = new_case(listener, "Bench Claimant")
    run(url, claim_id, listener, args.count, args.pace)
    run(url, claim_id, listener, args.count, 0.0)
    if args.window_cases:
        run_window(url, listener, args.window_cases, 700.0)
    listener.close()


if __name__ == "__main__":
    main()
