"""The idle lock: what is hidden, what is kept, what waits, and who gets their typing back."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
)
from pytestqt.qtbot import QtBot

from claimdesk.errors import ClaimDeskError
from claimdesk.gui.dialogs import FormDialog, run_modal
from claimdesk.gui.lock import IdleLock, lock_minutes
from claimdesk.gui.main_window import MainWindow
from claimdesk.gui.panels.calls import CallsPanel
from claimdesk.gui.progress import run_with_progress
from claimdesk.gui.prompts import Prompts, RecordingPrompts
from claimdesk.gui.screen_lock import ScreenLockWatch, is_windows_session_lock
from claimdesk.models.enums import Role
from claimdesk.services import Services
from claimdesk.services.accounts import Principal
from tests.builders import full_case
from tests.gui_support import settled
from tests.pinned import TODAY

PASSWORDS = {"Test Caseworker": "right horse battery", "Dana Other": "another one"}


class Accounts:
    """Stands in for the accounts' sign-in (tested on its own): a name and password in, the
    principal out, a ClaimDeskError for a wrong password."""

    def __init__(self, me: Principal) -> None:
        self.people = {
            me.name: me,
            "Dana Other": Principal(me.user_id + 1, "Dana Other", Role.ADMIN),
        }

    def __call__(self, name: str, password: str) -> Principal:
        if PASSWORDS.get(name) != password:
            raise ClaimDeskError("The name or password is wrong. Check them and try again.")
        return self.people[name]


def make_window(qtbot: QtBot, services: Services, tmp_path: Path, prompts: Prompts) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(services, prompts, "test database", settings)
    qtbot.addWidget(win)
    win.show()
    return win


class Handovers:
    def __init__(self) -> None:
        self.to: list[Principal] = []
        self.signed_out = 0


def guard(win: MainWindow, handovers: Handovers, *, office: bool = True) -> IdleLock:
    me = win.services.context.principal
    lock = IdleLock(
        win,
        person=me,
        office=office,
        unlock=Accounts(me),
        prompts=win.prompts,
        tasks=win.tasks,
        minutes=5,
        other_person=handovers.to.append,
        sign_out=lambda: setattr(handovers, "signed_out", handovers.signed_out + 1),
    )
    lock.locked.connect(win.reminders.pause)
    lock.unlocked.connect(win.reminders.resume)
    lock.start()
    return lock


@pytest.fixture
def handovers() -> Handovers:
    return Handovers()


@pytest.fixture
def window(qtbot: QtBot, services: Services, tmp_path: Path) -> MainWindow:
    full_case(services, "Maria Lopez")
    return make_window(qtbot, services, tmp_path, RecordingPrompts())


@pytest.fixture
def lock(window: MainWindow, handovers: Handovers) -> Iterator[IdleLock]:
    guarded = guard(window, handovers)
    yield guarded
    guarded.stop()


def unlock_as(lock: IdleLock, name: str) -> None:
    assert lock.screen is not None
    lock.screen.card.name.setText(name)
    lock.screen.card.password.setText(PASSWORDS[name])
    lock.screen.card.button.click()


def open_maria(win: MainWindow) -> int:
    claim_id = win.services.claims.list_claims(search="Maria")[0].id
    win.open_case(claim_id)
    return claim_id


def visible_texts() -> list[str]:
    """Every piece of text a person at the screen could read, in every visible window."""
    texts: list[str] = []
    for widget in QApplication.allWidgets():
        if not widget.isVisible():
            continue
        texts += [widget.windowTitle(), widget.toolTip(), widget.accessibleName()]
        if isinstance(widget, (QLabel, QLineEdit, QAbstractButton)):
            texts.append(widget.text())
        if isinstance(widget, (QPlainTextEdit, QTextEdit)):
            texts.append(widget.toPlainText())
        if isinstance(widget, QTabBar):
            texts += [widget.tabText(i) for i in range(widget.count())]
            texts += [widget.tabToolTip(i) for i in range(widget.count())]
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(min(model.rowCount(), 200)):
                for column in range(model.columnCount()):
                    texts.append(str(model.index(row, column).data() or ""))
    return texts


def mentions(texts: list[str], word: str) -> bool:
    return any(word in text for text in texts)


# ---- what the lock hides ---------------------------------------------------------------------


def test_nothing_of_a_case_is_visible_while_locked(
    qtbot: QtBot, window: MainWindow, lock: IdleLock
) -> None:
    open_maria(window)
    qtbot.waitUntil(lambda: mentions(visible_texts(), "Lopez"), timeout=3000)
    lock.watch.timer.timeout.emit()  # the idle minutes are up
    assert lock.is_locked
    texts = visible_texts()
    for word in ("Maria", "Lopez", "CD-", "Acme", "ablation"):
        assert not mentions(texts, word), word
    assert window.windowTitle() == "ClaimDesk (locked)"
    assert mentions(texts, "ClaimDesk is locked")
    assert mentions(texts, "Locked after 5 minutes without use.")


def test_shortcuts_do_nothing_while_locked(
    qtbot: QtBot, window: MainWindow, lock: IdleLock
) -> None:
    lock.lock_now()
    log_call = window.action("actionLogCall")
    assert not log_call.isEnabled()
    unlock_as(lock, "Test Caseworker")
    assert log_call.isEnabled()
    assert window.windowTitle() == "ClaimDesk"


def test_input_keeps_the_window_unlocked(qtbot: QtBot, window: MainWindow, lock: IdleLock) -> None:
    seen = lock.watch.inputs
    qtbot.keyClick(window.cases_page.search, Qt.Key.Key_A)
    assert lock.watch.inputs > seen
    assert lock.watch.timer.isActive() and lock.watch.timer.interval() == 5 * 60_000
    assert not lock.is_locked


def test_a_personal_database_asks_for_the_password_only(
    window: MainWindow, handovers: Handovers
) -> None:
    lock = guard(window, handovers, office=False)
    lock.lock_now()
    assert lock.screen is not None
    assert not lock.screen.card.name.isVisible()
    assert lock.screen.card.password.hasFocus() or not window.isActiveWindow()
    lock.screen.card.password.setText(PASSWORDS["Test Caseworker"])
    lock.screen.card.button.click()
    assert not lock.is_locked
    lock.stop()


def test_the_minutes_default_to_five_in_an_office_and_fifteen_alone(tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert lock_minutes(settings, office=True) == 5
    assert lock_minutes(settings, office=False) == 15
    settings.setValue("lock/minutes", 30)
    assert lock_minutes(settings, office=True) == 30
    settings.setValue("lock/minutes", "0")
    assert lock_minutes(settings, office=False) == 1  # never off


# ---- modal windows ---------------------------------------------------------------------------


def later(*steps: Callable[[], None]) -> None:
    """Run each step in a later turn of the event loop, one after another (inside the modal
    loops the test opens)."""
    if steps:
        first, rest = steps[0], steps[1:]

        def run() -> None:
            first()
            later(*rest)

        QTimer.singleShot(0, run)


def test_a_message_box_open_at_the_lock_is_cancelled(
    qtbot: QtBot, services: Services, tmp_path: Path, handovers: Handovers
) -> None:
    full_case(services, "Maria Lopez")
    win = make_window(qtbot, services, tmp_path, Prompts())
    lock = guard(win, handovers)
    boxes: list[QMessageBox] = []
    later(lambda: boxes.append(QApplication.activeModalWidget()), lock.lock_now)  # type: ignore[arg-type]
    answer = win.prompts.confirm(win, "Remove", "Remove Maria Lopez's case?", "Remove")
    assert answer is False  # the safe answer, as Cancel
    assert isinstance(boxes[0], QMessageBox) and not boxes[0].isVisible()
    assert lock.is_locked
    assert not mentions(visible_texts(), "Maria")
    # While locked, a question is not shown at all and gets its cancel answer.
    assert win.prompts.confirm(win, "Remove", "Remove it?", "Remove") is False
    lock.stop()


def test_a_dialog_open_at_the_lock_comes_back_to_the_same_person(
    qtbot: QtBot, window: MainWindow, lock: IdleLock
) -> None:
    dialog = FormDialog("Add a note", window)
    note = dialog.text("Note")
    dialog.finish()
    seen: dict[str, object] = {}

    def while_locked() -> None:
        seen["dialog shown"] = dialog.isVisible()
        seen["locked"] = lock.is_locked
        unlock_as(lock, "Test Caseworker")

    def after_unlock() -> None:
        seen["back"] = dialog.isVisible()
        seen["text"] = note.toPlainText()
        dialog.accept()

    later(
        lambda: note.setPlainText("Spoke to Maria's GP about the records"),
        lock.lock_now,
        while_locked,
        after_unlock,
    )
    accepted = run_modal(dialog)
    assert seen == {
        "dialog shown": False,
        "locked": True,
        "back": True,
        "text": "Spoke to Maria's GP about the records",
    }
    assert accepted  # the dialog ended the way the person ended it, after the lock


def test_a_dialog_open_at_the_lock_is_cancelled_when_someone_else_unlocks(
    qtbot: QtBot, window: MainWindow, lock: IdleLock, handovers: Handovers
) -> None:
    dialog = FormDialog("Add a note", window)
    note = dialog.text("Note")
    dialog.finish()
    later(
        lambda: note.setPlainText("Spoke to Maria's GP"),
        lock.lock_now,
        lambda: unlock_as(lock, "Dana Other"),
    )
    assert run_modal(dialog) is False
    assert not dialog.isVisible()
    # Dana's session starts only once the dialog's own loop has returned.
    qtbot.waitUntil(lambda: bool(handovers.to), timeout=3000)
    assert [p.name for p in handovers.to] == ["Dana Other"]


def test_a_wrong_password_keeps_the_lock_and_says_so(
    qtbot: QtBot, window: MainWindow, lock: IdleLock
) -> None:
    lock.lock_now()
    assert lock.screen is not None
    card = lock.screen.card
    card.password.setText("wrong")
    card.button.click()
    assert lock.is_locked
    assert card.problem.isVisible()
    assert card.problem.text() == "The name or password is wrong. Check them and try again."
    assert card.password.text() == ""  # cleared for another try
    card.password.setText("")
    card.button.click()
    assert card.problem.text() == "Enter the password."


# ---- typing kept -----------------------------------------------------------------------------


def start_call(qtbot: QtBot, win: MainWindow) -> CallsPanel:
    open_maria(win)
    win.log_call()
    workspace = win.current_workspace()
    assert workspace is not None
    settled(workspace)
    panel = workspace.panels["calls"]
    assert isinstance(panel, CallsPanel)
    qtbot.keyClicks(panel.form.who, "Janet at Acme")
    panel.form.summary.setPlainText("Said the appeal file for Maria Lopez is with a reviewer")
    return panel


def test_unsaved_call_log_typing_comes_back_after_unlocking(
    qtbot: QtBot, window: MainWindow, lock: IdleLock
) -> None:
    panel = start_call(qtbot, window)
    lock.lock_now()
    assert not panel.form.isVisible()
    assert not mentions(visible_texts(), "reviewer")
    unlock_as(lock, "Test Caseworker")
    assert not lock.is_locked
    assert panel.form.isVisible()
    assert panel.form.who.text() == "Janet at Acme"
    assert panel.form.summary.toPlainText() == (
        "Said the appeal file for Maria Lopez is with a reviewer"
    )
    panel.save_form()  # and it saves as if nothing happened
    calls = window.services.calls.calls(panel.claim_id)
    assert any(c.person_name == "Janet at Acme" for c in calls)


def test_another_person_unlocking_does_not_get_the_typing(
    qtbot: QtBot, window: MainWindow, lock: IdleLock, handovers: Handovers
) -> None:
    start_call(qtbot, window)
    lock.lock_now()
    unlock_as(lock, "Dana Other")
    assert [p.name for p in handovers.to] == ["Dana Other"]
    assert not window.isVisible()  # the session starts a fresh window for Dana
    assert not mentions(visible_texts(), "reviewer")


# ---- what waits ------------------------------------------------------------------------------


def test_reminders_wait_for_the_unlock(qtbot: QtBot, window: MainWindow, lock: IdleLock) -> None:
    claim_id = window.services.claims.list_claims(search="Maria")[0].id
    window.services.deadlines.add_manual(claim_id, "Mail the records", TODAY + timedelta(days=3))
    lock.lock_now()
    window.reminders.check()  # the hourly timer comes round
    assert window.reminders.shown == []
    with qtbot.waitSignal(window.reminders.checked):
        unlock_as(lock, "Test Caseworker")  # the missed check runs, off the GUI thread
    assert len(window.reminders.shown) == 1


def test_a_task_finishing_while_locked_shows_its_result_after_unlock(
    qtbot: QtBot, window: MainWindow, lock: IdleLock
) -> None:
    gate = threading.Event()
    results: list[str] = []
    progress = run_with_progress(
        window,
        window.env,
        "Exporting the appeal packet…",
        lambda control: gate.wait(10) and "CD-2026-0001 appeal packet.pdf",
        results.append,
        lambda error: results.append(f"failed: {error}"),
    )
    progress.show()
    lock.lock_now()
    assert not progress.isVisible()
    gate.set()
    # Not busy: its end was handed to the GUI thread, and kept there for the unlock (in the
    # same slot, so nothing more can arrive).
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=5000)
    assert window.tasks.waiting >= 1
    assert results == []
    unlock_as(lock, "Test Caseworker")
    qtbot.waitUntil(lambda: results == ["CD-2026-0001 appeal packet.pdf"], timeout=3000)


def test_work_asked_for_while_locked_starts_after_unlock(
    qtbot: QtBot, window: MainWindow, lock: IdleLock
) -> None:
    lock.lock_now()
    ran: list[str] = []
    window.tasks.run(lambda: "read", ran.append, lambda error: None)
    assert not window.tasks.busy  # not started: the database key may be gone
    unlock_as(lock, "Test Caseworker")
    qtbot.waitUntil(lambda: ran == ["read"], timeout=3000)


def test_a_message_arriving_while_locked_is_shown_after_unlock(
    qtbot: QtBot, window: MainWindow, lock: IdleLock
) -> None:
    prompts = window.prompts
    assert isinstance(prompts, RecordingPrompts)
    lock.lock_now()
    prompts.error(window, "The packet was not written", "Maria Lopez's exhibit B is unreadable")
    assert prompts.shown == []
    unlock_as(lock, "Test Caseworker")
    qtbot.waitUntil(lambda: bool(prompts.shown), timeout=3000)
    assert prompts.shown == [
        ("error", "The packet was not written", "Maria Lopez's exhibit B is unreadable")
    ]


def test_the_key_is_dropped_once_no_task_runs(
    qtbot: QtBot, window: MainWindow, handovers: Handovers
) -> None:
    dropped: list[str] = []
    me = window.services.context.principal
    gate = threading.Event()
    window.tasks.run(lambda: gate.wait(10), lambda _: None, lambda _: None)
    lock = IdleLock(
        window,
        person=me,
        office=True,
        unlock=Accounts(me),
        prompts=window.prompts,
        tasks=window.tasks,
        minutes=5,
        other_person=handovers.to.append,
        forget_key=lambda: dropped.append("key") or True,
    )
    lock.lock_now()
    assert dropped == []  # the export still reads the database
    gate.set()
    qtbot.waitUntil(lambda: dropped == ["key"], timeout=5000)
    assert lock.key_dropped
    unlock_as(lock, "Test Caseworker")
    assert not lock.key_dropped


# ---- the system's screen lock ----------------------------------------------------------------


@pytest.fixture
def private_bus() -> Iterator[str]:
    """A D-Bus daemon of the test's own (the desktop's session bus stands in for nothing)."""
    daemon = shutil.which("dbus-daemon")
    if daemon is None:
        pytest.skip("dbus-daemon is not installed (Debian: dbus)")
    process = subprocess.Popen(
        [daemon, "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    address = process.stdout.readline().strip()
    yield address
    process.terminate()
    process.wait(10)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="D-Bus: Linux desktops")
@pytest.mark.parametrize("saver", ["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"])
def test_the_window_locks_when_the_desktop_screen_saver_locks(
    qtbot: QtBot, window: MainWindow, lock: IdleLock, private_bus: str, saver: str
) -> None:
    from PySide6.QtDBus import QDBusConnection, QDBusMessage

    listening = QDBusConnection.connectToBus(private_bus, f"claimdesk-test-{saver}")
    sending = QDBusConnection.connectToBus(private_bus, f"claimdesk-sender-{saver}")
    assert listening.isConnected() and sending.isConnected()
    watch = ScreenLockWatch(window, session_bus=listening, system_bus=listening)
    assert saver in watch.start()
    watch.screen_locked.connect(lambda: lock.lock_now("screen"))

    def announce(active: bool) -> None:
        message = QDBusMessage.createSignal("/" + saver.replace(".", "/"), saver, "ActiveChanged")
        message.setArguments([active])
        assert sending.send(message)

    announce(False)  # the screen saver stopping is not a lock
    announce(True)
    qtbot.waitUntil(lambda: lock.is_locked, timeout=5000)
    assert lock.screen is not None
    assert "Locked when the computer's screen locked." in lock.screen.card.subtitle.text()
    QDBusConnection.disconnectFromBus(f"claimdesk-test-{saver}")
    QDBusConnection.disconnectFromBus(f"claimdesk-sender-{saver}")


def test_a_windows_session_lock_message_is_recognised() -> None:
    assert is_windows_session_lock(0x02B1, 0x7)
    assert not is_windows_session_lock(0x02B1, 0x8)  # unlock
    assert not is_windows_session_lock(0x0010, 0x7)


def test_the_case_details_dialog_keeps_its_typing_across_the_lock(
    qtbot: QtBot, window: MainWindow, lock: IdleLock
) -> None:
    """The issue's own example: a form dialog open on a case when the lock comes."""
    from claimdesk.gui.case_details_dialog import CaseDetailsDialog
    from claimdesk.gui.panels.overview import OverviewPanel

    claim_id = open_maria(window)
    workspace = window.current_workspace()
    assert workspace is not None
    settled(workspace)
    overview = workspace.panels["overview"]
    assert isinstance(overview, OverviewPanel)
    seen: dict[str, object] = {}

    def dialog() -> CaseDetailsDialog:
        found = QApplication.activeModalWidget()
        assert isinstance(found, CaseDetailsDialog)
        return found

    def type_and_lock() -> None:
        seen["dialog"] = dialog()
        dialog().texts["denial_reason"].setPlainText("Not medically necessary (typed, unsaved)")
        lock.lock_now()

    def while_locked() -> None:
        seen["hidden"] = not seen["dialog"].isVisible()  # type: ignore[attr-defined]
        seen["names"] = mentions(visible_texts(), "Lopez")
        unlock_as(lock, "Test Caseworker")

    def after_unlock() -> None:
        shown = dialog()
        seen["same dialog"] = shown is seen["dialog"]
        seen["typing"] = shown.texts["denial_reason"].toPlainText()
        shown.accept()  # saves

    later(type_and_lock, while_locked, after_unlock)
    overview.edit_details()
    assert seen == {
        "dialog": seen["dialog"],
        "hidden": True,
        "names": False,
        "same dialog": True,
        "typing": "Not medically necessary (typed, unsaved)",
    }
    detail = window.services.claims.get(claim_id)
    assert detail.denial_reason == "Not medically necessary (typed, unsaved)"


def test_a_file_picker_open_at_the_lock_is_cancelled(
    qtbot: QtBot, services: Services, tmp_path: Path, handovers: Handovers
) -> None:
    full_case(services, "Maria Lopez")
    win = make_window(qtbot, services, tmp_path, Prompts())
    lock = guard(win, handovers)
    pickers: list[object] = []

    def safety() -> None:  # if the lock failed to close it, the test must not hang
        modal = QApplication.activeModalWidget()
        if modal is not None:
            pickers.append("still open")
            modal.hide()

    later(lambda: pickers.append(QApplication.activeModalWidget()), lock.lock_now, safety)
    chosen = win.prompts.save_path(
        win, "Export the case", tmp_path / "Maria Lopez.json", "Case file (*.json)"
    )
    assert chosen is None  # cancelled
    assert "still open" not in pickers and pickers[0] is not None
    assert lock.is_locked
    lock.stop()
