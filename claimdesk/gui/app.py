"""Starting the GUI: the application object, the database, the exception hook."""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType

# The database layer loads before PySide6: once PySide6 is imported, its import hook reads the
# source of every module imported after it (PYSIDE-2029), a fifth of a second for SQLAlchemy.
from claimdesk.services import Services  # noqa: F401  (loaded before PySide6, see above)

# isort: split
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QApplication

# isort: split
# Before any of ClaimDesk's Qt modules: PySide6's import hook then reads none of their sources.
from claimdesk.gui import feature_scan

# isort: split
from claimdesk.errors import ClaimDeskError, DatabaseLockedError
from claimdesk.gui.collector import MainThreadCollector
from claimdesk.gui.prompts import Prompts
from claimdesk.gui.session import GuiSession
from claimdesk.paths import APP_NAME, AppPaths, resources_dir

log = logging.getLogger(__name__)


def install_exception_hook(prompts: Prompts) -> None:
    """An unexpected exception is logged and shown; the app keeps running."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if isinstance(error, DatabaseLockedError):
            # A view read while the window was locked and the key put away; the unlock
            # reads everything again (gui/session.py), so there is nothing to tell.
            log.info("a read was refused while the window was locked")
            return
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, error, tb)))
        if isinstance(error, ClaimDeskError):
            message = str(error)
        else:
            message = (
                "Something went wrong inside ClaimDesk. What you had saved is safe. "
                "The details were written to the log file; please report them."
            )
        prompts.error(QApplication.activeWindow(), "ClaimDesk", message)

    sys.excepthook = hook


def check_display() -> None:
    """Qt aborts the process when it has no screen; say so in a sentence instead."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise ClaimDeskError(
            "There is no screen to open the ClaimDesk window on (DISPLAY is not set). "
            "Start ClaimDesk from your desktop, or use its commands: claimdesk --help."
        )


def style_for_scheme(platform: str, scheme: Qt.ColorScheme, style: str) -> str | None:
    """The style to switch to so the app follows the desktop's colour scheme, or None to keep it.

    Qt's "windowsvista" style paints its own light palette over a dark Windows desktop; Fusion
    takes the system palette, light or dark. Once on Fusion the app stays there: it follows
    a switch back to light as well.
    """
    if platform == "win32" and scheme == Qt.ColorScheme.Dark and style.lower() == "windowsvista":
        return "Fusion"
    return None


def follow_color_scheme() -> None:
    """Pick a style that honours the desktop's dark mode, now and whenever it changes."""
    hints = QGuiApplication.styleHints()

    def choose(scheme: Qt.ColorScheme) -> None:
        current = QApplication.style().name()
        wanted = style_for_scheme(sys.platform, scheme, current)
        if wanted is not None:
            log.info("dark colour scheme with the %s style: using %s", current, wanted)
            QApplication.setStyle(wanted)

    choose(hints.colorScheme())
    hints.colorSchemeChanged.connect(choose)


# The shipped families that draw what the desktop's font may not: Devanagari first (the
# demo's Pune claimant; Hindi and Marathi names and addresses), then Noto Sans for the Latin,
# Greek and Cyrillic accents a minimal desktop font lacks.
FALLBACK_FAMILIES = ("Noto Serif Devanagari", "Noto Sans")
_registered: dict[Path, int] = {}  # font file -> Qt's id for it


def add_script_fonts() -> list[str]:
    """Register every font shipped in resources/fonts with Qt; the families it now knows.

    A claimant's name or address may be written in Devanagari (the demo's Pune case is).
    With no system font that shapes it, Qt draws empty boxes, or tries every installed font in
    turn and logs "OpenType support missing" for each. ClaimDesk ships Noto for its letters;
    registered here, the window draws the names with the same faces the PDFs embed.
    """
    families: list[str] = []
    for path in sorted((resources_dir() / "fonts").glob("*.ttf")):
        # Once a process: registering again would add a duplicate and flush Qt's font caches.
        font_id = _registered.get(path)
        if font_id is None:
            font_id = QFontDatabase.addApplicationFont(str(path))
            if font_id < 0:
                log.warning("could not load the bundled font %s", path.name)
                continue
            _registered[path] = font_id
        for family in QFontDatabase.applicationFontFamilies(font_id):
            if family not in families:
                families.append(family)
    return families


def use_script_fallbacks(registered: list[str]) -> None:
    """The application font keeps the desktop's face and falls back to the shipped ones.

    Qt takes the families after the first as per-character fallbacks, so a Devanagari name
    in the case list or a form is drawn in Noto Serif Devanagari and the rest stays as it was.
    """
    font = QApplication.font()
    families = list(font.families()) or [font.family()]
    families += [f for f in FALLBACK_FAMILIES if f in registered and f not in families]
    font.setFamilies(families)
    QApplication.setFont(font)


def sweep_partials_in_background(paths: AppPaths) -> None:
    """Remove what exports killed outright left (hidden ``.NAME.xxxxxxxx.partial`` files of
    health records) in the data folder and the folders packets went to, and the letters a
    crashed window had opened for viewing; off the GUI thread."""
    from claimdesk.partials import EXPORT_FOLDERS_FILE, sweep_remembered
    from claimdesk.viewing import sweep_abandoned

    record = paths.data_dir / EXPORT_FOLDERS_FILE

    def sweep() -> None:
        sweep_remembered(record, paths.data_dir)
        sweep_abandoned()  # letters a crashed window had opened for viewing

    threading.Thread(target=sweep, name="sweep", daemon=True).start()


def saved_or_local(paths: AppPaths, prompts: Prompts) -> tuple[str | None, str | None]:
    """The office server saved in Settings and this computer's own database (offered if the
    server cannot be opened), or the own database alone; (None, None) when the saved server
    cannot be read and the person would rather not open the own database."""
    from claimdesk.services.office_server import saved_database_url

    local = paths.database_url
    try:
        server = saved_database_url(paths.data_dir)
    except ClaimDeskError as error:
        if prompts.confirm(
            None,
            "The office server cannot be opened",
            f"{error}\n\nOpen this computer's own database this time?",
            "Open this computer's database",
        ):
            return local, None
        return None, None
    return (server, local) if server is not None else (local, None)


def run_gui(database_url: str | None, account: str | None, paths: AppPaths) -> int:
    """The window on ``database_url`` (--db), else on the office server saved in Settings, else
    on the data folder's own database."""
    check_display()
    feature_scan.mark_every_module_featureless()  # a PySide6 imported before gui/app.py

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    # Cyclic garbage holding Qt objects must be freed on this thread, never a worker's.
    imported_without_collection = not gc.isenabled()  # cli.hold_collection_for_window
    collector = MainThreadCollector(app)
    if imported_without_collection:
        collector.keep_imports()
    follow_color_scheme()
    use_script_fallbacks(add_script_fonts())
    prompts = Prompts()
    install_exception_hook(prompts)
    # The session decides when the program ends (gui/session.py): between one person's
    # window and the next sign-in there is a moment with no window open.
    QApplication.setQuitOnLastWindowClosed(False)
    local: str | None = None
    if database_url is None:
        database_url, local = saved_or_local(paths, prompts)
        if database_url is None:
            return 1
    session = GuiSession(
        database_url,
        prompts,
        data_dir=paths.data_dir,
        backup_dir=paths.backup_dir,
        account=account,
        local_url=local,
    )
    session.finished.connect(app.quit)
    if not session.start():
        return 1
    sweep_partials_in_background(paths)
    code = app.exec()
    collector.stop()
    session.close()
    return int(code)
