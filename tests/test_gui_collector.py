"""Cyclic garbage is collected on the GUI thread, never in a worker (gui/collector.py)."""

from __future__ import annotations

import gc
import threading
import weakref
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from claimdesk.errors import ClaimDeskError
from claimdesk.gui.collector import MainThreadCollector, keep_start_up, release_start_up


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def test_the_collector_turns_automatic_collection_off_and_collects_on_its_timer(
    qtbot: QtBot,
) -> None:
    was_enabled = gc.isenabled()
    gc.enable()
    collector = MainThreadCollector(interval_ms=10)
    try:
        assert not gc.isenabled()
        freed_in: list[str] = []
        node = Node()
        weakref.finalize(node, lambda: freed_in.append(threading.current_thread().name))
        del node
        # A worker allocating far past the thresholds never collects by itself.
        worker = threading.Thread(target=lambda: [Node() for _ in range(50_000)], name="worker")
        worker.start()
        worker.join()
        assert freed_in == []
        qtbot.waitUntil(lambda: bool(freed_in), timeout=5_000)
        assert freed_in == [threading.main_thread().name]
    finally:
        collector.stop()
        assert gc.isenabled()
        if not was_enabled:
            gc.disable()


def test_what_start_up_made_is_kept_out_of_the_collectors_reach_until_it_stops(
    qtbot: QtBot,
) -> None:
    was_enabled = gc.isenabled()
    keep_start_up()  # no application collector: a test's window freezes nothing
    assert gc.get_freeze_count() == 0
    collector = MainThreadCollector(interval_ms=10_000)
    try:
        garbage = Node()
        freed: list[bool] = []
        weakref.finalize(garbage, lambda: freed.append(True))
        del garbage
        kept = Node()
        keep_start_up()
        # the young garbage was collected first; what was alive is frozen, not collected
        assert freed == [True]
        assert gc.get_freeze_count() > 0
        assert kept.me is kept
        # the window closing hands it back: its cycles are collectable again
        release_start_up()
        assert gc.get_freeze_count() == 0
        watched: list[bool] = []
        weakref.finalize(kept, lambda: watched.append(True))
        del kept
        gc.collect()
        assert watched == [True]
    finally:
        collector.stop()
        assert gc.get_freeze_count() == 0
        assert MainThreadCollector.running is None
        if not was_enabled:
            gc.disable()


def test_imports_made_with_collection_held_are_kept_at_once(qtbot: QtBot) -> None:
    """cli.main holds collection while the window's modules are imported; the window's
    collector then freezes what they made, so its first pass does not walk all of it."""
    from claimdesk import cli

    was_enabled = gc.isenabled()
    cli.hold_collection_for_window()
    assert not gc.isenabled()
    collector = MainThreadCollector(interval_ms=10_000)
    try:
        imported = Node()
        collector.keep_imports()
        assert gc.get_freeze_count() > 0
        assert gc.get_count()[0] < 50  # the young generation is empty again
        assert imported.me is imported
    finally:
        collector.stop()
        assert gc.isenabled()
        assert gc.get_freeze_count() == 0
        if not was_enabled:
            gc.disable()


def test_the_window_command_gives_collection_back_however_it_ends(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from claimdesk import cli
    from claimdesk.gui import app

    seen: list[bool] = []

    def window_that_fails(*args: object) -> int:
        seen.append(gc.isenabled())
        raise ClaimDeskError("There is no screen to open the ClaimDesk window on.")

    monkeypatch.setattr(app, "run_gui", window_that_fails)
    was_enabled = gc.isenabled()
    gc.enable()
    try:
        assert cli.main(["--data-dir", str(tmp_path), "gui"]) == cli.EXIT_ERROR
        assert seen == [False]  # its imports ran with collection held
        assert gc.isenabled()
    finally:
        if not was_enabled:
            gc.disable()
