"""A person's time at the window: set-up or sign-in, the main window and its lock, switching
user and signing out.

One database stays open for the whole run; each sign-in builds ``Services`` for the principal
who signed in and a fresh ``MainWindow`` for them, so nothing of one person's session (open
cases, typing, caches) reaches the next. The session, not Qt, decides when the program ends:
when the main window is closed, or the sign-in window is closed without signing in.
"""

from __future__ import annotations

import getpass
import importlib
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog

from claimdesk.clock import Clock
from claimdesk.errors import ClaimDeskError
from claimdesk.gui.credentials import busy_cursor
from claimdesk.gui.first_start import FirstStartWindow
from claimdesk.gui.modal import run_modal
from claimdesk.gui.prompts import Prompts
from claimdesk.gui.recovery_key import RecoveryKeyDialog
from claimdesk.gui.sign_in import RecoveryDialog, SignInWindow
from claimdesk.services import Database, Services, signin
from claimdesk.services.accounts import DatabaseMode, Principal, database_mode
from claimdesk.services.context import everything

if TYPE_CHECKING:
    from claimdesk.gui.lock import IdleLock
    from claimdesk.gui.main_window import MainWindow

log = logging.getLogger(__name__)

_AFTER_PAINT_MS = 100  # a window shown is painted within this (the sign-in window: ~10 ms)

# What the main window is made of: imported once the sign-in (or set-up) window has painted,
# while the person reads it (``_import_window_soon``), or else while the password is checked
# (``_checked_beside_imports``); not before the sign-in window shows.
WINDOW_MODULES = (
    "claimdesk.gui.main_window",
    "claimdesk.gui.lock",
    "claimdesk.gui.screen_lock",
)


class GuiSession(QObject):
    """Opens the database, then shows the set-up or the sign-in window, then the main window."""

    finished = Signal()  # the person is done: the program may end

    def __init__(
        self,
        database_url: str,
        prompts: Prompts,
        *,
        data_dir: Path | None = None,
        backup_dir: Path | None = None,
        account: str | None = None,
        settings: QSettings | None = None,
        clock: Clock | None = None,
        watch_screen: bool = True,
        local_url: str | None = None,
    ) -> None:
        """``account`` fills in the name on an office's sign-in (--user); ``watch_screen``
        locks the window when the system's screen locks (gui/screen_lock.py); ``local_url``,
        when ``database_url`` is the office server saved in Settings, is this computer's own
        database, offered when the server cannot be opened."""
        super().__init__()
        self.database_url = database_url
        self.prompts = prompts
        self.data_dir = data_dir
        self.backup_dir = backup_dir
        self.account = account or ""
        self.settings = settings or QSettings()
        self.clock = clock
        self.watch_screen = watch_screen
        self.local_url = local_url
        self.db: Database | None = None
        self.door = signin.Door(None, True, False, ())
        self.mode = DatabaseMode.NEW
        # How the recovery key dialog is shown (tests look at it instead).
        self.show_recovery: Callable[[QDialog], bool] = run_modal
        self.first_start: FirstStartWindow | None = None
        self.sign_in_window: SignInWindow | None = None
        self.window: MainWindow | None = None
        self.lock: IdleLock | None = None

    @property
    def office(self) -> bool:
        return self.mode is DatabaseMode.OFFICE

    @property
    def location(self) -> str:
        if self.db is not None:
            return str(self.db.sqlite_path or self.db.url)
        return str(self.door.path or self.database_url)

    # ---- start -------------------------------------------------------------------------------

    def start(self) -> bool:
        """Show the first window (opening the database if it needs no key); False, having
        said why, when the database cannot be opened."""
        try:
            self.door = signin.look_at(self.database_url)
            if self.door.encrypted:
                # Its mode is inside the encrypted file: the key file's accounts say whether
                # to ask for a name (more than one account can open it).
                self.mode = (
                    DatabaseMode.OFFICE
                    if len(self.door.key_accounts) > 1
                    else DatabaseMode.PERSONAL
                )
            elif self.door.exists or self.door.path is None:
                self.db = signin.open_plain(self.database_url, self.backup_dir)
                self.mode = database_mode(self.db)
        except ClaimDeskError as error:
            if self.local_url is not None and self._open_local_instead(str(error)):
                return self.start()
            self.prompts.error(None, "ClaimDesk cannot start", str(error))
            return False
        if self.db is None and not self.door.encrypted:
            self._show_first_start()  # a new file: made encrypted once the password is chosen
        elif self.mode is DatabaseMode.NEW:
            self._show_first_start()  # made before sign-in existed, or a server's
        else:
            self.show_sign_in()
        return True

    def _open_local_instead(self, problem: str) -> bool:
        """The saved office server cannot be opened: offer this computer's own database, this
        time only (the next start tries the server again)."""
        assert self.local_url is not None
        if not self.prompts.confirm(
            None,
            "The office server cannot be opened",
            f"{problem}\n\nOpen this computer's own database this time? Cases saved there are "
            "not on the office server. (Tools ▸ Settings ▸ Office server chooses for good.)",
            "Open this computer's database",
        ):
            return False
        log.info("the office server could not be opened; this computer's database instead")
        self.database_url, self.local_url = self.local_url, None
        return True

    def _show_first_start(self) -> None:
        window = FirstStartWindow(self.location, encrypted=self.db is None)
        window.chosen.connect(self._set_up)
        window.closed.connect(self._gave_up)
        self.first_start = window
        window.show()
        self._import_window_soon()

    def _set_up(self, office: bool, name: str, password: str) -> None:
        window = self.first_start
        assert window is not None
        clock = self._clock()
        own = name if office else _own_name(self.account)
        try:
            with busy_cursor():
                principal, recovery = self._create_or_set_up(office, own, password, clock)
        except ClaimDeskError as error:
            window.show_problem(str(error))
            return
        self.mode = DatabaseMode.OFFICE if office else DatabaseMode.PERSONAL
        log.info("set up a new %s database", self.mode.value)
        if recovery is not None:
            self._show_recovery_key(recovery, window)
        self._open_window(principal)
        window.done()
        self.first_start = None
        window.deleteLater()

    def _create_or_set_up(
        self, office: bool, own: str, password: str, clock: Clock
    ) -> tuple[Principal, str | None]:
        """A new file made encrypted (with its recovery key), or a database already open
        without a key set up."""
        if self.db is None:
            self.db, principal, recovery = signin.create(
                self.database_url,
                office=office,
                name=own,
                password=password,
                clock=clock,
                backup_dir=self.backup_dir,
            )
            return principal, recovery
        return signin.set_up_plain(
            self.db, office=office, name=own, password=password, clock=clock
        ), None

    def _show_recovery_key(self, recovery: str, parent: FirstStartWindow) -> None:
        """The recovery key, once, before anything else (gui/recovery_key.py)."""
        dialog = RecoveryKeyDialog(
            recovery, self.location, self.prompts, office=self.office, parent=parent
        )
        self.show_recovery(dialog)
        dialog.deleteLater()

    def show_sign_in(self, name: str | None = None) -> None:
        """The sign-in window, the name filled in (office databases) with ``name``."""
        window = SignInWindow(
            office=self.office,
            location=self.location,
            name=self.account if name is None else name,
        )
        window.submitted.connect(self._sign_in)
        window.forgot_password.connect(self._forgot_password)
        window.closed.connect(self._gave_up)
        self.sign_in_window = window
        window.show()
        self._import_window_soon()
        log.info("the sign-in window is shown")

    def _import_window_soon(self) -> None:
        """The main window's modules, one per turn of the event loop, starting once the window
        just shown has painted: tens of milliseconds, over before anyone has typed a password,
        so that signing in then waits for the password check alone."""
        pending = [name for name in WINDOW_MODULES if name not in sys.modules]
        if pending:
            QTimer.singleShot(_AFTER_PAINT_MS, self, lambda: self._import_next(pending))

    def _import_next(self, pending: list[str]) -> None:
        importlib.import_module(pending.pop(0))
        if pending:
            QTimer.singleShot(0, self, lambda: self._import_next(pending))

    def _sign_in(self, name: str, password: str) -> None:
        window = self.sign_in_window
        assert window is not None
        window.set_busy(True)
        try:
            with busy_cursor():
                principal = self._checked_beside_imports(name, password)
        except ClaimDeskError as error:
            window.show_problem(str(error))
            return
        self._open_window(principal)
        window.signed_in()
        self.sign_in_window = None
        window.deleteLater()

    def check(self, name: str, password: str) -> Principal:
        """Who ``name`` and ``password`` sign in as (the sign-in window's and the lock's check);
        a SignInError saying what is wrong. An encrypted file not open yet, or whose key the
        lock or a sign-out put away, is opened with the key that password unwraps."""
        typed = name if self.office else None
        if self.db is None:
            self.db, principal = signin.open_signed_in(
                self.database_url, typed, password, self.backup_dir
            )
            self.mode = database_mode(self.db)
            return principal
        return signin.unlock(self.db, typed, password)

    def _checked_beside_imports(self, name: str, password: str) -> Principal:
        """``check`` on a thread of its own while this one imports the main window's modules.

        The check is mostly argon2id (0.1 s on purpose), which lets go of the interpreter's
        lock, so the imports run meanwhile instead of after it. Every import stays on this
        thread: two threads importing at once can meet in a cycle of module locks."""
        outcome: list[Principal | BaseException] = []

        def check() -> None:
            try:
                outcome.append(self.check(name, password))
            except BaseException as error:  # raised again on this thread below
                outcome.append(error)

        checking = threading.Thread(target=check, name="sign-in check", daemon=True)
        checking.start()
        try:
            for module in WINDOW_MODULES:
                importlib.import_module(module)
        finally:
            checking.join()
        result = outcome[0]
        if isinstance(result, BaseException):
            raise result
        return result

    def _forgot_password(self) -> None:
        parent = self.sign_in_window
        dialog = RecoveryDialog(self._reset_with_recovery, office=self.office, parent=parent)
        if dialog.exec() and parent is not None:
            parent.show_problem("")
            parent.card.problem.hide()
            self.prompts.info(
                parent, "Password changed", "The new password is set. Sign in with it now."
            )
        dialog.deleteLater()

    def _reset_with_recovery(self, key: str, name: str, password: str) -> None:
        signin.reset_with_recovery(
            self.database_url, key, name if self.office else None, password, self.backup_dir
        )

    def _gave_up(self) -> None:
        """The set-up or sign-in window was closed: nobody is signed in, the program ends."""
        if self.window is None:
            self.finished.emit()

    # ---- the main window -----------------------------------------------------------------------

    def _window_class(self) -> type[MainWindow]:
        from claimdesk.gui.main_window import MainWindow

        return MainWindow

    def _open_window(self, principal: Principal, note: str = "") -> MainWindow:
        from claimdesk.gui.lock import IdleLock, lock_minutes
        from claimdesk.gui.screen_lock import ScreenLockWatch

        assert self.db is not None
        services = Services(self.db, principal, self.data_dir, clock=self.clock)
        window = self._window_class()(
            services,
            self.prompts,
            self.location,
            self.settings,
            data_dir=self.data_dir,
            office=self.office,
        )
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.destroyed.connect(self._window_gone)
        lock = IdleLock(
            window,
            person=principal,
            office=self.office,
            unlock=self.check,
            prompts=self.prompts,
            tasks=window.tasks,
            minutes=lock_minutes(self.settings, self.office),
            other_person=self._hand_over,
            sign_out=self.sign_out,
            forget_key=self._forget_key,
        )
        lock.locked.connect(window.reminders.pause)
        lock.unlocked.connect(window.reminders.resume)
        lock.unlocked.connect(lambda: _read_again(window) if lock.rekeyed else None)
        window.lock_requested.connect(lambda: lock.lock_now("user"))
        window.settings_changed.connect(
            lambda: lock.set_minutes(lock_minutes(self.settings, self.office))
        )
        window.switch_user_requested.connect(self.switch_user)
        # One person signs in to a personal database: there is nobody to switch to.
        window.action("actionSwitchUser").setVisible(self.office)
        window.sign_out_requested.connect(self.sign_out)
        if self.watch_screen:
            screen = ScreenLockWatch(window)
            screen.screen_locked.connect(lambda: lock.lock_now("screen"))
            screen.start()
        self.window, self.lock = window, lock
        window.show()
        lock.start()
        log.info("signed in (account %d)", principal.user_id)
        if note:
            self.prompts.info(window, "Signed in", note)
        return window

    def _window_gone(self) -> None:
        """The main window was closed (File ▸ Quit, its close button): the program ends."""
        self.window = self.lock = None
        self.finished.emit()

    def _close_window(self) -> None:
        """Close the main window without asking (the caller asked, or someone else signed in)."""
        window, lock = self.window, self.lock
        if window is None:
            return
        window.destroyed.disconnect(self._window_gone)
        if lock is not None:
            lock.stop()
        window.close_cases()
        window.close()
        self.window = self.lock = None

    # ---- switching ----------------------------------------------------------------------------

    def sign_out(self) -> None:
        """Back to the sign-in window, once unsaved typing is discarded (asked first)."""
        self._leave(name="" if self.office else None, why="Sign out")

    def switch_user(self) -> None:
        """The sign-in window with an empty name, for someone else."""
        self._leave(name="", why="Switch user")

    def _leave(self, name: str | None, why: str) -> None:
        window = self.window
        if window is None:
            return
        if (
            window.isVisible()
            and window.unsaved_cases()
            and not self.prompts.confirm(
                window,
                why,
                "An open case has typing that is not saved. Close it and lose the typing?",
                "Close and discard",
            )
        ):
            return
        self._close_window()
        self._forget_key()  # the next person's password unwraps it again
        self.show_sign_in(name)

    def _hand_over(self, principal: Principal) -> None:
        """Someone else unlocked the window: a fresh window for them; the typing of the
        person before is discarded, and they are told so (never what it was)."""
        window = self.window
        before = window.services.principal.name if window is not None else ""
        unsaved = window.unsaved_cases() if window is not None else 0
        closed = self.lock.dialogs_closed if self.lock is not None else 0
        self._close_window()
        note = ""
        if unsaved or closed:
            note = (
                f"{before} had typing that was not saved; it was discarded when you "
                "signed in. Their saved work is all there."
            )
        self._open_window(principal, note)

    def _forget_key(self) -> bool:
        """Drop the database key (the lock, a sign-out); True if there was one to drop."""
        window, lock = self.window, self.lock
        if window is not None and not window.warmed_up and lock is not None:
            # Start-up still reads on this thread (the first paint's work): once it is done.
            QTimer.singleShot(500, self, lambda: self._later_forget(lock))
            return False
        return self.db is not None and signin.forget_key(self.db)

    def _later_forget(self, lock: IdleLock) -> None:
        if lock.is_locked and self._forget_key():
            lock.key_dropped = True

    def _clock(self) -> Clock:
        if self.clock is not None:
            return self.clock
        from claimdesk.clock import SystemClock

        return SystemClock()

    def close(self) -> None:
        """Close every window and the database (the program is ending)."""
        for window in (self.first_start, self.sign_in_window):
            if window is not None:
                window.hide()
        if self.window is not None:
            self.window.destroyed.disconnect(self._window_gone)
            self.window.close()
        if self.db is not None:
            self.db.dispose()


def _read_again(window: MainWindow) -> None:
    """After the key came back: every view reads again what it may have been refused while
    locked (announced as a change to everything; each view refreshes as for any change)."""
    window.bus.changed.emit(everything())


def _own_name(account: str) -> str:
    """A personal database's one account: --user if given, else the computer's login name."""
    try:
        login = getpass.getuser()
    except (OSError, KeyError):
        login = ""
    return account or login or "Me"
