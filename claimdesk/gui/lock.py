"""The idle lock: after some minutes without input, the window is covered by a lock screen.

HIPAA's automatic logoff (45 CFR 164.312(a)(2)(iii)) on a shared workstation. While locked:

- the window shows no case data: its central widget is taken out (case tabs, forms and all),
  the menu and status bars are hidden, its actions (and so their shortcuts) are disabled and
  its title names no case; the lock screen asks for the password (and, on an office database,
  the name);
- every other window is hidden: a message box counts as cancelled, a dialog run through
  ``run_modal`` (gui/dialogs.py) waits with its typing and comes back after unlocking by the
  same person, cancelled if someone else signs in;
- prompts are held (gui/prompts.py), reminders pause (gui/reminders.py), the task runner lets
  running work finish but keeps its result, and starts nothing new, until unlock
  (gui/tasks.py); once no task runs, ``forget_key`` drops the database key.

The window keeps its widgets in memory, so a half-typed call log entry is there again when
the same person unlocks. Another person unlocking hands over to ``other_person``, which
starts a fresh window for them (the typing of the first is discarded, with a note).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QMessageBox, QWidget

from claimdesk.errors import ClaimDeskError
from claimdesk.gui.credentials import busy_cursor
from claimdesk.gui.lock_screen import LockScreen
from claimdesk.gui.modal import Episode, Outcome, mark_paused, runs_a_loop
from claimdesk.gui.prompts import Prompts
from claimdesk.gui.tasks import TaskRunner
from claimdesk.services.accounts import Principal

log = logging.getLogger(__name__)

LOCK_MINUTES_KEY = "lock/minutes"
# Five minutes at a shared office desk; a person alone at home is interrupted less by it.
DEFAULT_MINUTES = {True: 5, False: 15}  # office database?
MINUTES_RANGE = (1, 120)

# Keyboard, mouse, wheel, touch and pen: what says someone is at the computer.
_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
        QEvent.Type.TabletMove,
    }
)

# Checks a name and password; returns who signed in, raises a ClaimDeskError saying why not.
Unlock = Callable[[str, str], Principal]


def lock_minutes(settings: QSettings, office: bool) -> int:
    """The minutes without input before the window locks (the Settings dialog sets them)."""
    saved = settings.value(LOCK_MINUTES_KEY)
    try:
        minutes = int(str(saved)) if saved is not None else DEFAULT_MINUTES[office]
    except ValueError:
        minutes = DEFAULT_MINUTES[office]
    low, high = MINUTES_RANGE
    return max(low, min(high, minutes))


class IdleWatch(QObject):
    """Says ``idle`` once no key or mouse input reached the application for ``minutes``."""

    idle = Signal()

    def __init__(self, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle)
        self.set_minutes(minutes)
        self._watching = False
        self.inputs = 0  # input events seen (tests read it)

    def set_minutes(self, minutes: int) -> None:
        self.timer.setInterval(minutes * 60_000)
        if self.timer.isActive():
            self.timer.start()

    def start(self) -> None:
        """Watch every input event of the application (a filter on the application object)."""
        app = QApplication.instance()
        if app is not None and not self._watching:
            app.installEventFilter(self)
            self._watching = True
        self.timer.start()

    def stop(self) -> None:
        app = QApplication.instance()
        if app is not None and self._watching:
            app.removeEventFilter(self)
            self._watching = False
        self.timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT:
            self.inputs += 1
            if self.timer.isActive():
                self.timer.start()  # from the top
        return False


class IdleLock(QObject):
    """Covers ``window`` after idle minutes (or on ``lock_now``) and uncovers it on the password.

    ``forget_key`` drops the database key once no task runs (True if it did; it may also set
    ``key_dropped`` itself later, when it had to wait).
    ``unlock`` checks the name and password (and reopens the database with the key it
    derives); ``person`` is who is signed in now; ``other_person`` is called (once the
    dialogs the lock closed have given up) when someone else unlocks, to start their session.
    """

    locked = Signal()
    unlocked = Signal()

    def __init__(
        self,
        window: QMainWindow,
        *,
        person: Principal,
        office: bool,
        unlock: Unlock,
        prompts: Prompts,
        tasks: TaskRunner,
        minutes: int,
        other_person: Callable[[Principal], None],
        sign_out: Callable[[], None] | None = None,
        forget_key: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.person = person
        self.office = office
        self._unlock = unlock
        self.prompts = prompts
        self.tasks = tasks
        self._other_person = other_person
        self._sign_out = sign_out
        self._forget_key = forget_key
        self.watch = IdleWatch(minutes, self)
        self.watch.idle.connect(lambda: self.lock_now("idle"))
        self.screen: LockScreen | None = None
        self.episode: Episode | None = None
        self.reason = ""
        self.key_dropped = False
        self.rekeyed = False  # the last unlock unwrapped the key again (views read afresh)
        self._central: QWidget | None = None
        self._title = ""
        self._bars: list[tuple[QWidget, bool]] = []
        self._actions: list[tuple[QAction, bool]] = []
        self._hidden: list[QWidget] = []
        self.dialogs_closed = 0  # forms the lock closed (their typing waits for the unlock)

    @property
    def is_locked(self) -> bool:
        return self.screen is not None

    def start(self) -> None:
        self.watch.start()

    def stop(self) -> None:
        self.watch.stop()

    def set_minutes(self, minutes: int) -> None:
        self.watch.set_minutes(minutes)

    # ---- locking ----------------------------------------------------------------------------

    def lock_now(self, reason: str = "idle") -> None:
        """Cover the window now: ``reason`` is "idle", "screen" (the system's screen locked) or
        "user" (asked for it)."""
        if self.is_locked:
            return
        log.info("locking the window (%s)", reason)
        self.reason = reason
        self.episode = Episode()
        self.dialogs_closed = 0
        self.watch.timer.stop()
        self.prompts.hold()
        self.tasks.hold()
        self._close_popups()
        self._hide_other_windows()
        self._cover()
        self.locked.emit()
        if self.tasks.busy:
            self.tasks.busy_changed.connect(self._idle_now)
        else:
            self._drop_key()

    def _close_popups(self) -> None:
        # A menu, a combo box's list, a tooltip: they float above the lock screen.
        for _ in range(20):
            popup = QApplication.activePopupWidget()
            if popup is None:
                break
            popup.close()

    def _hide_other_windows(self) -> None:
        """Hide every other window, modal ones first from the innermost: a hidden dialog's
        ``exec`` returns Rejected (a message box: cancelled; ``run_modal`` waits instead)."""
        assert self.episode is not None
        seen: list[QWidget] = []
        for _ in range(50):
            modal = QApplication.activeModalWidget()
            if modal is None or modal is self.window or modal in seen:
                break
            seen.append(modal)
            self._hide(modal)
        for widget in QApplication.topLevelWidgets():
            if widget is self.window or not widget.isVisible() or widget in seen:
                continue
            if widget.windowType() in (Qt.WindowType.ToolTip, Qt.WindowType.Popup):
                widget.hide()
                continue
            self._hide(widget)

    def _hide(self, widget: QWidget) -> None:
        if isinstance(widget, QDialog) and runs_a_loop(widget):
            assert self.episode is not None
            mark_paused(widget, self.episode)
            if not isinstance(widget, QMessageBox):
                self.dialogs_closed += 1
        # hide(), not reject() or close(): a dialog that asks "discard your changes?" on
        # reject would ask it over the lock screen.
        widget.hide()
        self._hidden.append(widget)

    def _cover(self) -> None:
        window = self.window
        self._title = window.windowTitle()
        window.setWindowTitle("ClaimDesk (locked)")
        self._actions = [(a, a.isEnabled()) for a in window.findChildren(QAction)]
        for action in window.actions():
            self._actions.append((action, action.isEnabled()))
        for action, _enabled in self._actions:
            action.setEnabled(False)  # their shortcuts too
        self._bars = []
        for bar in (window.menuBar(), window.statusBar()):
            self._bars.append((bar, bar.isVisible()))
            bar.hide()
        self.screen = LockScreen(
            office=self.office, name=self.person.name, reason=self.reason, minutes=self.minutes
        )
        self.screen.unlock_requested.connect(self.try_unlock)
        self.screen.sign_out_requested.connect(self._sign_out_requested)
        self.screen.show_sign_out(self._sign_out is not None)
        # The case tabs, forms and typing leave the window but stay in memory.
        self._central = window.takeCentralWidget()
        if self._central is not None:
            # Kept a hidden child of the window, so it goes with the window if the window
            # closes while locked (not left behind, parentless, to answer a theme flip).
            self._central.setParent(window)
            self._central.hide()
        window.setCentralWidget(self.screen)
        self.screen.show()  # (a layout would show it only in the next turn of the loop)
        self.screen.focus_first()

    @property
    def minutes(self) -> int:
        return self.watch.timer.interval() // 60_000

    def _idle_now(self, busy: bool) -> None:
        if busy:
            return
        self.tasks.busy_changed.disconnect(self._idle_now)
        if self.is_locked:
            self._drop_key()

    def _drop_key(self) -> None:
        if self._forget_key is None or self.key_dropped:
            return
        try:
            dropped = self._forget_key()
        except ClaimDeskError:
            log.warning("could not drop the database key", exc_info=True)
            return
        if dropped:
            self.key_dropped = True
            log.info("the database key was dropped from memory")

    # ---- unlocking --------------------------------------------------------------------------

    def try_unlock(self, name: str, password: str) -> None:
        """The lock screen's Unlock: the same person carries on, another starts afresh."""
        screen = self.screen
        if screen is None:
            return
        if not password:
            screen.show_problem("Enter the password.")
            return
        screen.set_busy(True)
        try:
            with busy_cursor():
                who = self._unlock(name if self.office else self.person.name, password)
        except ClaimDeskError as error:
            screen.set_busy(False)
            screen.show_problem(str(error))
            return
        self.rekeyed, self.key_dropped = self.key_dropped, False
        if who.user_id == self.person.user_id:
            self._uncover(Outcome.SAME_PERSON)
        else:
            self._hand_over(who)

    def _uncover(self, outcome: Outcome) -> None:
        window = self.window
        screen, self.screen = self.screen, None
        episode, self.episode = self.episode, None
        if screen is not None:
            taken = window.takeCentralWidget()
            if taken is not None:
                taken.deleteLater()
        if self._central is not None:
            window.setCentralWidget(self._central)
            self._central.show()
            self._central = None
        window.setWindowTitle(self._title)
        for bar, visible in self._bars:
            bar.setVisible(visible)
        for action, enabled in self._actions:
            if shiboken6.isValid(action):
                action.setEnabled(enabled)
        self._bars, self._actions = [], []
        hidden, self._hidden = self._hidden, []
        if episode is not None:
            episode.end(outcome)
        if outcome is Outcome.SAME_PERSON:
            # Windows no dialog loop brings back (a progress bar, the user guide).
            for widget in hidden:
                if shiboken6.isValid(widget) and not runs_a_loop(widget):
                    widget.show()
            self.tasks.release()
            self.watch.timer.start()
            self.unlocked.emit()
            # From the event loop: a message shown now would hold this handler in its own loop.
            QTimer.singleShot(0, self, self.prompts.release)
            log.info("unlocked by the same person")

    def _hand_over(self, who: Principal) -> None:
        """Someone else unlocked: the dialogs give up, then their session starts."""
        episode = self.episode
        self.tasks.discard_held()
        self.prompts.discard_held()
        self._uncover(Outcome.OTHER_PERSON)
        self.window.hide()
        self._after_dialogs(episode, lambda: self._other_person(who))

    def _sign_out_requested(self) -> None:
        if self._sign_out is None:
            return
        episode = self.episode
        self.tasks.discard_held()
        self.prompts.discard_held()
        self._uncover(Outcome.OTHER_PERSON)
        self.window.hide()
        sign_out = self._sign_out
        self._after_dialogs(episode, sign_out)

    def _after_dialogs(self, episode: Episode | None, then: Callable[[], None]) -> None:
        """Run ``then`` once every dialog loop the lock paused has returned, so no panel is
        deleted under a frame still waiting in it."""
        if episode is not None and episode.waiting:
            QTimer.singleShot(0, self, lambda: self._after_dialogs(episode, then))
            return
        then()
