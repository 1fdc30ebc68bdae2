"""The task runner's deliveries end cleanly even when they held the last reference to it."""

from __future__ import annotations

import weakref

from PySide6.QtCore import QCoreApplication, QEvent
from pytestqt.qtbot import QtBot

from claimdesk.gui.tasks import TaskRunner


class Owner:
    """Something that owns its runner, as a case-list model made with its own does."""

    def __init__(self) -> None:
        self.tasks = TaskRunner()
        self.results: list[int] = []


def test_a_runner_whose_owner_only_its_callback_kept_is_freed_without_a_crash(
    qtbot: QtBot,
) -> None:
    owner = Owner()
    results = owner.results
    gone = weakref.ref(owner)
    # The callback is the only other holder of the owner, and so of its runner: before the
    # fix, the runner died inside the destructor of its own finished task's signals.
    owner.tasks.run(
        lambda: 7, on_done=lambda value, held=owner: held.results.append(value), on_error=print
    )
    del owner
    qtbot.waitUntil(lambda: results == [7], timeout=5000)
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()
    assert gone() is None
