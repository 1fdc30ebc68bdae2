"""Cyclic garbage is collected on the GUI thread, never in a worker (gui/collector.py)."""

from __future__ import annotations

import gc
import threading
import weakref

from pytestqt.qtbot import QtBot

from claimdesk.gui.collector import MainThreadCollector


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
