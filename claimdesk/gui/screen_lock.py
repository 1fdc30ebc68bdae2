"""Hearing that the computer's screen locked, where the system says so.

Qt itself has no such signal (``QGuiApplication.applicationStateChanged`` only says the app
lost focus, which happens all day). What each system offers:

- **Linux**: the desktop's screen saver announces ``ActiveChanged(true)`` on the session bus
  (``org.freedesktop.ScreenSaver`` on KDE and Xfce, ``org.gnome.ScreenSaver`` on GNOME,
  likewise MATE and Cinnamon), and systemd-logind sends ``Lock`` to the session on the system
  bus (``loginctl lock-session``, and what most lock screens listen to). Both through QtDBus.
- **Windows**: ``WM_WTSSESSION_CHANGE`` with ``WTS_SESSION_LOCK``, sent to a window that asked
  for it with ``WTSRegisterSessionNotification`` (wtsapi32), read by a native event filter.
- **macOS**: the lock is announced only as the distributed notification
  ``com.apple.screenIsLocked``, which Qt does not pass on and which needs the Objective-C
  runtime (PyObjC) to hear; ClaimDesk does not ship it, so on macOS the idle minutes alone lock.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import SLOT, QAbstractNativeEventFilter, QByteArray, QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from PySide6.QtDBus import QDBusConnection

log = logging.getLogger(__name__)

# The screen savers that announce ActiveChanged(bool) on the session bus.
SCREEN_SAVERS = (
    "org.freedesktop.ScreenSaver",
    "org.gnome.ScreenSaver",
    "org.mate.ScreenSaver",
    "org.cinnamon.ScreenSaver",
)
WM_WTSSESSION_CHANGE = 0x02B1
WTS_SESSION_LOCK = 0x7
NOTIFY_FOR_THIS_SESSION = 0


def is_windows_session_lock(message: int, wparam: int) -> bool:
    """Whether a Windows message says this session was locked."""
    return message == WM_WTSSESSION_CHANGE and wparam == WTS_SESSION_LOCK


def _slot(signature: str) -> Any:
    """Qt's SLOT(): a text at run time, though PySide6's stubs say bytes."""
    return SLOT(signature)


class ScreenLockWatch(QObject):
    """Emits ``screen_locked`` when the system says the screen locked; ``start`` says which
    sources it could listen to (none on a system that offers none)."""

    screen_locked = Signal()

    def __init__(
        self,
        window: QWidget,
        *,
        session_bus: QDBusConnection | None = None,
        system_bus: QDBusConnection | None = None,
    ) -> None:
        """The buses are the user's and the system's unless given (tests give private ones)."""
        super().__init__(window)
        self.window = window
        self._buses = (session_bus, system_bus)
        self.sources: list[str] = []
        self._filter: _WindowsFilter | None = None

    def start(self) -> list[str]:
        if sys.platform.startswith("linux"):
            self._listen_on_dbus()
        elif sys.platform == "win32":
            self._listen_on_windows()
        if self.sources:
            log.info("the window locks with the screen (%s)", ", ".join(self.sources))
        else:
            log.info("the system does not say when the screen locks; the idle timer alone locks")
        return self.sources

    # ---- Linux -------------------------------------------------------------------------------

    def _listen_on_dbus(self) -> None:
        try:
            from PySide6.QtDBus import QDBusConnection, QDBusInterface
        except ImportError:  # a build without QtDBus
            return
        session = self._buses[0] or QDBusConnection.sessionBus()
        if session.isConnected():
            for name in SCREEN_SAVERS:
                if session.connect("", "", name, "ActiveChanged", self, _slot("saverActive(bool)")):
                    self.sources.append(name)
        system = self._buses[1] or QDBusConnection.systemBus()
        if not system.isConnected():
            return
        manager = QDBusInterface(
            "org.freedesktop.login1",
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager",
            system,
        )
        reply = manager.call("GetSessionByPID", os.getpid()) if manager.isValid() else None
        arguments = reply.arguments() if reply is not None else []
        if not arguments:
            return
        path = arguments[0]
        path = getattr(path, "path", lambda: str(path))()
        if system.connect(
            "org.freedesktop.login1",
            path,
            "org.freedesktop.login1.Session",
            "Lock",
            self,
            _slot("sessionLock()"),
        ):
            self.sources.append("systemd-logind")

    @Slot(bool)
    def saverActive(self, active: bool) -> None:
        if active:
            self.screen_locked.emit()

    @Slot()
    def sessionLock(self) -> None:
        self.screen_locked.emit()

    # ---- Windows -----------------------------------------------------------------------------

    def _listen_on_windows(self) -> None:  # pragma: no cover - Windows only
        from PySide6.QtCore import QCoreApplication

        try:
            wtsapi = ctypes.WinDLL("wtsapi32")  # type: ignore[attr-defined]
            hwnd = int(self.window.winId())
            if not wtsapi.WTSRegisterSessionNotification(hwnd, NOTIFY_FOR_THIS_SESSION):
                return
        except (OSError, AttributeError):
            return
        self._filter = _WindowsFilter(self.screen_locked.emit)
        app = QCoreApplication.instance()
        if app is not None:
            app.installNativeEventFilter(self._filter)
            self.sources.append("Windows session notification")


class _WindowsFilter(QAbstractNativeEventFilter):  # pragma: no cover - Windows only
    def __init__(self, locked: object) -> None:
        super().__init__()
        self._locked = locked

    def nativeEventFilter(
        self, kind: QByteArray | bytes | bytearray | memoryview, message: int
    ) -> object:
        if bytes(kind.data() if isinstance(kind, QByteArray) else kind) == b"windows_generic_MSG":
            from ctypes import wintypes

            msg = wintypes.MSG.from_address(int(message))
            if is_windows_session_lock(msg.message, msg.wParam):
                self._locked()  # type: ignore[operator]
        return False, 0
