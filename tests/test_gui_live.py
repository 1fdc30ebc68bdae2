"""The window's side of live changes (gui/live.py), without a server: what it does with the
change sets and the reachability a listener hands it (tests/test_gui_server.py runs the whole
way on PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from claimdesk.gui.env import ChangeBus
from claimdesk.gui.live import BACK, UNREACHABLE, LiveUpdates
from claimdesk.services import ChangeSet, Services
from claimdesk.services.context import Change, Entity
from claimdesk.services.live import REMOTE
from tests.test_gui import make_window


def live_updates(qtbot: QtBot, services: Services) -> tuple[LiveUpdates, ChangeBus, QMainWindow]:
    holder = QMainWindow()
    qtbot.addWidget(holder)
    bus = ChangeBus(services, holder)
    return LiveUpdates(services, bus, holder.statusBar()), bus, holder


def test_on_sqlite_the_window_listens_to_nothing(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = make_window(qtbot, services, tmp_path)
    assert not window.live.listening
    assert window.live.label.isHidden()


def test_a_burst_of_changes_from_elsewhere_reaches_the_views_as_one(
    qtbot: QtBot, services: Services
) -> None:
    live, bus, _ = live_updates(qtbot, services)
    delivered: list[ChangeSet] = []
    bus.changed.connect(delivered.append)
    call = Change(Entity.CALL, "create", 5, 1)
    claim = Change(Entity.CLAIM, "update", 1, 1)
    note = Change(Entity.NOTE, "create", 9, 2)

    for changes in ((call, claim), (claim,), (note,)):
        live.heard.emit(ChangeSet(changes, REMOTE))
    assert delivered == []  # held for a moment, for any that follow

    qtbot.waitUntil(lambda: len(delivered) == 1, timeout=5000)
    assert delivered[0].changes == (call, claim, note)  # each change once, in order
    assert delivered[0].initiator is REMOTE
    qtbot.wait(300)
    assert len(delivered) == 1


def test_the_status_bar_says_when_the_server_cannot_be_reached(
    qtbot: QtBot, services: Services
) -> None:
    live, _, holder = live_updates(qtbot, services)
    holder.show()
    live.reachable.emit(False)
    qtbot.waitUntil(lambda: live.label.isVisibleTo(holder), timeout=5000)
    assert live.label.text() == UNREACHABLE
    holder.statusBar().showMessage("Open a case first.", 6000)  # a passing message
    assert live.label.isVisibleTo(holder)

    live.reachable.emit(True)
    qtbot.waitUntil(lambda: not live.label.isVisibleTo(holder), timeout=5000)
    assert holder.statusBar().currentMessage() == BACK


def test_the_warning_gets_the_room_of_the_database_label_while_it_shows(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    """A reminder beside the warning once left both cut short: while the server can't be
    reached the database and user label steps aside, and the warning's tooltip says the rest."""
    window = make_window(qtbot, services, tmp_path)
    window.show()
    assert window.where.isVisible()
    window.live.reachable.emit(False)
    qtbot.waitUntil(window.live.label.isVisible, timeout=5000)
    assert not window.where.isVisible()
    assert "on the server" in window.live.label.toolTip()
    window.live.reachable.emit(True)
    qtbot.waitUntil(window.where.isVisible, timeout=5000)
    assert not window.live.label.isVisible()
