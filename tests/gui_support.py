"""What the panel tests share: a GUI environment, a claim to work on, dialog helpers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QElapsedTimer,
    QEventLoop,
    QSettings,
    QThread,
)
from PySide6.QtWidgets import QDialog, QWidget

from claimdesk.gui.env import ChangeBus, GuiEnv
from claimdesk.gui.panels.base import CasePanel
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.gui.tasks import TaskRunner
from claimdesk.gui.workspace import CaseWorkspace
from claimdesk.services import ChangeSet, ClaimInput, Services


def make_env(services: Services, tmp_path: Path) -> GuiEnv:
    """Services behind recording prompts and a throwaway settings file."""
    from claimdesk.services.accounts import DatabaseMode, database_mode

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    env = GuiEnv(services, RecordingPrompts(), TaskRunner(), ChangeBus(services), settings)
    env.office = database_mode(services.db) is DatabaseMode.OFFICE  # as gui/session.py sets it
    return env


def open_case(services: Services) -> int:
    """A California ERISA medical-necessity denial received 40 days ago (by the services'
    clock)."""
    return services.claims.open_case(
        ClaimInput(
            claimant_name="Maria Lopez",
            plan_type="erisa_group_health",
            claim_type="health",
            country="US",
            region="CA",
            insurer_name="Acme Health Plan",
            denial_received_date=services.clock.today() - timedelta(days=40),
            denial_category="medical_necessity",
        )
    ).id


def follow_changes(panel: CasePanel) -> None:
    """Refresh the panel on the changes that concern it, as the workspace does, and wait until
    it has painted what it read (so the test looks at what the user sees once it is in)."""

    def follow(changes: ChangeSet) -> None:
        if panel.concerns(changes):
            refreshed(panel)

    panel.env.bus.changed.connect(follow)


def refreshed(panel: CasePanel) -> None:
    """Ask the panel to read afresh and wait until it has painted what it read (panels read
    off the GUI thread)."""
    panel.refresh()
    settled(panel)


def settled(*panels: CasePanel | CaseWorkspace) -> None:
    """Wait until the panels (or a case's workspace) have painted every read they asked for
    (after a change they follow, say); a read that never ends fails the test."""
    waited = QElapsedTimer()
    waited.start()
    while any(p.reading_now for p in panels):
        assert waited.elapsed() < 10_000, "a panel's read never finished"
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
        QThread.msleep(1)


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def filler(fill: Callable[[QDialog], None]) -> Callable[[QDialog], bool]:
    """A run_dialog stand-in: fill the dialog's widgets, then press OK."""

    def run(dialog: QDialog) -> bool:
        fill(dialog)
        return True

    return run


def field(dialog: QDialog, kind: type[QWidget], name: str) -> QWidget:
    """The dialog's widget of this kind with this accessible name."""
    found = [w for w in dialog.findChildren(kind) if w.accessibleName() == name]
    assert found, f"no {kind.__name__} named {name!r}"
    return found[0]


def threads_calling(
    monkeypatch: pytest.MonkeyPatch, owner: object, method: str
) -> list[threading.Thread]:
    """Wrap ``owner.method`` so each call notes the thread it ran on (to show work left the GUI
    thread); the call itself goes through unchanged."""
    seen: list[threading.Thread] = []
    real = getattr(owner, method)

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, method, spy)
    return seen
