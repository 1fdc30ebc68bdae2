"""The main window: Today, the case list, and a tab per open case."""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QPaintEvent
from PySide6.QtWidgets import QDialog, QLabel, QMainWindow, QWidget

from claimdesk import __version__
from claimdesk.errors import ClaimDeskError
from claimdesk.gui import theme
from claimdesk.gui.cases_page import CasesPage
from claimdesk.gui.collector import keep_start_up, release_start_up
from claimdesk.gui.dashboard_page import DashboardPage
from claimdesk.gui.database_actions import DatabaseActions, is_workspace
from claimdesk.gui.env import ChangeBus, GuiEnv
from claimdesk.gui.forms import load_form
from claimdesk.gui.letter_fields import LetterIntake
from claimdesk.gui.live import LiveUpdates
from claimdesk.gui.modal import run_modal
from claimdesk.gui.prompts import Prompts
from claimdesk.gui.reminders import Reminders
from claimdesk.gui.search_page import SearchPage
from claimdesk.gui.tasks import TaskRunner
from claimdesk.gui.today_page import TodayPage
from claimdesk.paths import resources_dir
from claimdesk.services import Services
from claimdesk.services.accounts import Right

if TYPE_CHECKING:
    from claimdesk.gui.workspace import CaseWorkspace

log = logging.getLogger(__name__)

WARM_UP_WAIT = 2.0  # seconds the warm-up waits for Today's first read, at most
WARM_UP_BREATH = 0.005  # seconds between two services' builds: the GUI thread's turn
WARM_UP_MODULES = ("claimdesk.gui.workspace", "claimdesk.gui.panels.registry")


# The menu actions each right allows, and what a role without it cannot do (said in the
# greyed action's tooltip).
ROLE_ACTIONS: dict[Right, tuple[tuple[str, ...], str]] = {
    Right.WORK_CASES: (
        (
            "actionNewCase",
            "actionNewCaseFromLetter",
            "actionLogCall",
            "actionWriteLetter",
            "actionImportCase",
            "actionLoadDemo",
            "actionRemoveSamples",
        ),
        "change the cases",
    ),
    Right.EXPORT: (
        ("actionExportCase", "actionExportPacket", "actionExportCalendar"),
        "export the cases",
    ),
    Right.ADMINISTER: (
        ("actionBackup", "actionRestore", "actionEncrypt"),
        "back up, restore or encrypt the database",
    ),
}


class MainWindow(QMainWindow):
    # File ▸ Switch user… and Sign out, for the session (gui/session.py) to act on.
    lock_requested = Signal()
    switch_user_requested = Signal()
    sign_out_requested = Signal()
    settings_changed = Signal()

    def __init__(
        self,
        services: Services,
        prompts: Prompts,
        location: str,
        settings: QSettings | None = None,
        *,
        data_dir: Path | None = None,
        office: bool = False,
    ) -> None:
        """``data_dir`` is the data folder (About names it; backups/ in it keeps the database
        a restore replaces); without it, the database file's own folder. ``office``: several
        people sign in to this database."""
        super().__init__()
        self.services = services
        sqlite = services.sqlite_path
        self.data_dir = data_dir or (sqlite.parent if sqlite is not None else None)
        # Tests replace this to look at a dialog instead of showing it.
        self.run_dialog: Callable[[QDialog], bool] = run_modal
        self.prompts = prompts
        self.tasks = TaskRunner(self)
        self.bus = ChangeBus(services, self)
        self.env = GuiEnv(
            services, prompts, self.tasks, self.bus, settings or QSettings(), office=office
        )
        self.form: QWidget = load_form("main_window.ui")
        central = self.form.findChild(QWidget, "centralWidget")
        assert central is not None, "main_window.ui defines centralWidget"
        self.setCentralWidget(central)
        self.setMenuBar(self.form.menuBar())  # type: ignore[attr-defined]
        self.setStatusBar(self.form.statusBar())  # type: ignore[attr-defined]
        self.setWindowTitle("ClaimDesk")
        self.setWindowIcon(QIcon(str(resources_dir() / "icons" / "claimdesk.svg")))
        self.resize(1280, 800)
        self.tabs = self.form.mainTabs  # type: ignore[attr-defined]
        self.banner = self.form.banner  # type: ignore[attr-defined]
        theme.follow(self.banner, self._colour_banner)

        self.today_page = TodayPage(self.env)
        self.today_page.open_item.connect(lambda claim_id, panel: self.open_case(claim_id, panel))
        self.tabs.addTab(self.today_page, "Today")
        self.dashboard_page = DashboardPage(self.env)
        self.dashboard_page.open_case.connect(self.open_case)
        self.dashboard_page.open_cases.connect(self.show_cases_behind)
        self.tabs.addTab(self.dashboard_page, "Dashboard")
        self.cases_page = CasesPage(self.env)
        self.cases_page.open_case.connect(self.open_case)
        self.tabs.addTab(self.cases_page, "Cases")
        self.search_page = SearchPage(self.env)
        self.search_page.open_item.connect(lambda claim_id, panel: self.open_case(claim_id, panel))
        self.tabs.addTab(self.search_page, "Search")
        self._pinned: set[QWidget] = {self.today_page, self.dashboard_page, self.cases_page,
                                      self.search_page}  # fmt: skip
        self.tabs.tabCloseRequested.connect(self._close_tab)
        self._hide_close_buttons()

        self.database = DatabaseActions(self)
        self.letter_intake = LetterIntake(
            self, self.env, self.open_case, lambda d: self.run_dialog(d)
        )
        self.cases_page.letter_dropped.connect(self.letter_intake.start)
        self._connect_actions()
        # The welcome's buttons are the File menu's actions, so both stay one behaviour.
        welcome = self.today_page.welcome
        welcome.start_case.connect(self.action("actionNewCase").trigger)
        welcome.start_from_letter.connect(self.action("actionNewCaseFromLetter").trigger)
        welcome.load_samples.connect(self.action("actionLoadDemo").trigger)
        welcome.import_case.connect(self.action("actionImportCase").trigger)
        # Read when the menu opens (a count of cases), not at start-up: the models load later.
        self.form.menuFile.aboutToShow.connect(self.database.update_sample_action)  # type: ignore[attr-defined]
        self.form.menuFile.aboutToShow.connect(self._update_encrypt_action)  # type: ignore[attr-defined]
        self.location = location
        # A permanent widget: showMessage() would replace (and, after a timeout, erase) it.
        self.where = QLabel(f"Database: {location}   ·   Working as {services.user_name}")
        self.where.setAccessibleName("Database and user")
        self.statusBar().addPermanentWidget(self.where)
        # On an office server, the other workstations' changes reach the views as they commit.
        self.live = LiveUpdates(services, self.bus, self.statusBar())
        # While the server can't be reached its warning needs the room more than this does.
        self.live.reachable.connect(self.where.setVisible)
        self.live.start()
        self._restore_layout()
        self.reminders = Reminders(self.env, self)
        self.today_page.loaded.connect(self.show_overdue_banner)
        self._painted = False
        self._warmed = threading.Event()  # the warm-up has built and imported everything
        self._warm_check = QTimer(self, interval=250)  # until it has
        self._warm_check.timeout.connect(self._check_warmed)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            # Queued, so it runs once the whole window (the case list too) is on screen.
            QTimer.singleShot(0, self, self._after_first_paint)

    def _after_first_paint(self) -> None:
        """What the first paint need not wait for: reminders, Today's agenda, filter lists,
        and the services the case list did not need (with the models they build), each read
        or built off the GUI thread."""
        self.reminders.start()
        self.database.update_sample_action()
        self.cases_page.start()  # the shorter work first: the rest of the case ids
        self.today_page.refresh()
        self.today_page.stack.check()
        self._warm_up(self.services.unbuilt())

    def _warm_up(self, names: list[str]) -> None:
        """Build the remaining services in a thread of their own, so no click waits for an
        import and the window answers meanwhile (building one is importing its modules, up
        to a few hundred ms on a busy machine: on the GUI thread, a stall). Not the task
        runner: it is held while the window is locked, and the lock waits for the warm-up
        before it puts the key away (gui/session.py). Building reads nothing.

        The first paint's reads (Today's agenda, the rest of the case list) go first, and the
        builds take turns with the GUI thread: started together, the imports, the reads and the
        GUI thread wanted three threads' worth of the GIL and of two cores, and the window
        stopped answering for 120-220 ms at 5,000 claims."""
        services = self.services
        read, done = threading.Event(), self._warmed
        # A lambda, held by the connection: a bound method is held weakly, and its owner's
        # end in the warm-up thread would disconnect from there, deadlocking with the GUI
        # thread's next connect (seen in the tests).
        self.today_page.loaded.connect(lambda: read.set())

        def build() -> None:
            read.wait(WARM_UP_WAIT)
            for name in names:
                getattr(services, name)
                time.sleep(WARM_UP_BREATH)
            # The case workspace and its panels: classes only, no widget is made here (opening
            # the first case imported them on the GUI thread, 20 of its 35 ms).
            for module in WARM_UP_MODULES:
                importlib.import_module(module)
            done.set()

        # The thread holds no widget: the last reference to a window dropped in it would
        # destroy the window there.
        threading.Thread(target=build, name="warm-up", daemon=True).start()
        self._warm_check.start()

    def _check_warmed(self) -> None:
        if self._warmed.is_set():
            self._warm_check.stop()
            keep_start_up()

    @property
    def warmed_up(self) -> bool:
        return not self.services.unbuilt()

    # ---- actions ---------------------------------------------------------------------------

    def action(self, name: str) -> QAction:
        found = self.form.findChild(QAction, name)
        assert found is not None, f"main_window.ui defines {name}"
        return found

    def _connect_actions(self) -> None:
        actions = self.database
        handlers = {
            "actionQuit": self.close,
            "actionLockNow": self.lock_requested.emit,
            "actionSwitchUser": self.switch_user_requested.emit,
            "actionSignOut": self.sign_out_requested.emit,
            "actionAbout": self.show_about,
            "actionShortcuts": self.show_shortcuts,
            "actionUserGuide": self.show_guide,
            "actionLoadDemo": actions.load_demo,
            "actionRemoveSamples": actions.remove_samples,
            "actionCases": lambda: self.tabs.setCurrentWidget(self.cases_page),
            "actionFindCase": self._find_case,
            "actionSearchAll": self._search_all,
            "actionCloseCase": lambda: self._close_tab(self.tabs.currentIndex()),
            "actionBackup": actions.backup,
            "actionRestore": actions.restore_backup,
            "actionEncrypt": self._encrypt,
            "actionToday": lambda: self.tabs.setCurrentWidget(self.today_page),
            "actionExportCalendar": actions.export_calendar,
            "actionSettings": self.show_settings,
            "actionNewCase": self.new_case,
            "actionNewCaseFromLetter": lambda: self.letter_intake.start(),
            "actionLogCall": self.log_call,
            "actionWriteLetter": lambda: self._letters_action("write_letter"),
            "actionExportPacket": lambda: self._letters_action("export_packet"),
            "actionLetterTemplates": self.show_template_editor,
            "actionOrganisations": self.show_organisations,
            "actionAccounts": self.show_accounts,
            "actionAuditTrail": self.show_audit_trail,
            "actionImportCase": actions.import_case,
            "actionExportCase": actions.export_case,
        }
        for name, handler in handlers.items():
            self.action(name).triggered.connect(handler)
        for action in self.form.findChildren(QAction):
            self.addAction(action)  # shortcuts work wherever the focus is
        self._offer_what_the_role_may()

    def _offer_what_the_role_may(self) -> None:
        """Grey out what the signed-in account's role may not do (the services refuse it
        anyway), so a volunteer does not fill in a new case only to be refused at the end."""
        principal = self.services.principal
        for right, (names, doing) in ROLE_ACTIONS.items():
            if principal.may(right):
                continue
            for name in names:
                action = self.action(name)
                action.setEnabled(False)
                action.setToolTip(f"A {principal.role.label.lower()} account cannot {doing}.")

    def show_cases_behind(self, piece: object) -> None:
        """A dashboard bar clicked: the case list, filtered to the cases behind it."""
        self.cases_page.show_subset(piece)  # type: ignore[arg-type]
        self.tabs.setCurrentWidget(self.cases_page)

    def _encrypt(self) -> None:
        from claimdesk.gui.encryption import EncryptAction

        EncryptAction(self).run()

    def _update_encrypt_action(self) -> None:
        """File ▸ Encrypt this database is offered for an unencrypted SQLite file only."""
        self.action("actionEncrypt").setVisible(self.services.backups.can_encrypt)

    def _search_all(self) -> None:
        self.tabs.setCurrentWidget(self.search_page)
        self.search_page.focus_field()

    def _find_case(self) -> None:
        self.tabs.setCurrentWidget(self.cases_page)
        self.cases_page.focus_search()

    # ---- case tabs -------------------------------------------------------------------------

    def open_case(self, claim_id: int, panel: str | None = None) -> CaseWorkspace:
        """Bring the case's tab forward, opening it if needed."""
        from claimdesk.gui.workspace import CaseWorkspace

        for index in range(self.tabs.count()):
            widget = self.tabs.widget(index)
            if isinstance(widget, CaseWorkspace) and widget.claim_id == claim_id:
                self.tabs.setCurrentIndex(index)
                if panel:
                    widget.show_panel(panel)
                return widget
        workspace = CaseWorkspace(self.env, claim_id)
        if panel:
            workspace.show_panel(panel)  # before it is shown: only that panel is built
        index = self.tabs.addTab(workspace, workspace.tab_title)
        # The heading is read off the GUI thread: the tab is named once it has arrived.
        workspace.titled.connect(lambda: self._name_case_tab(workspace))
        self.tabs.setCurrentIndex(index)
        return workspace

    def _name_case_tab(self, workspace: CaseWorkspace) -> None:
        index = self.tabs.indexOf(workspace)
        if index >= 0:
            self.tabs.setTabText(index, workspace.tab_title)
            self.tabs.setTabToolTip(
                index, workspace.detail.claimant_name if workspace.detail else ""
            )

    def current_workspace(self) -> CaseWorkspace | None:
        widget = self.tabs.currentWidget()
        return widget if is_workspace(widget) else None

    def _close_tab(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if widget is None or widget in self._pinned:
            return
        # Cancel is the question's default button: Enter or Esc keeps the typing.
        if (
            is_workspace(widget)
            and widget.has_unsaved_edits()
            and not self.prompts.confirm(
                self,
                "Unsaved changes",
                "This case has typing that is not saved yet. Close it and lose that typing?",
                "Close and discard",
            )
        ):
            return
        self.tabs.removeTab(index)
        widget.deleteLater()

    def _hide_close_buttons(self) -> None:
        bar = self.tabs.tabBar()
        for index in range(self.tabs.count()):
            if self.tabs.widget(index) in self._pinned:
                for side in (bar.ButtonPosition.RightSide, bar.ButtonPosition.LeftSide):
                    bar.setTabButton(index, side, None)

    def pin_page(self, page: QWidget, title: str, position: int) -> None:
        """Add a page that cannot be closed (Today, Cases, Search)."""
        self.tabs.insertTab(position, page, title)
        self._pinned.add(page)
        self._hide_close_buttons()

    def log_call(self) -> None:
        """Ctrl+L from anywhere in a case: the call form, the time filled in, cursor in 'Who'."""
        workspace = self.current_workspace()
        if workspace is None:
            self.statusBar().showMessage(
                "Open a case first, then press Ctrl+L to log a call.", 6000
            )
            return
        panel = workspace.show_panel("calls")
        if panel is not None:
            panel.start_new_call()  # type: ignore[attr-defined]

    def new_case(self) -> None:
        from claimdesk.gui.new_case_wizard import NewCaseWizard

        wizard = NewCaseWizard(self.env, self)
        if run_modal(wizard) and wizard.created is not None:
            self.open_case(wizard.created.id)

    def _letters_action(self, method: str) -> None:
        """Write a letter / export the packet for the case in front of the user."""
        workspace = self.current_workspace()
        if workspace is None:
            self.statusBar().showMessage("Open a case first.", 6000)
            return
        panel = workspace.show_panel("letters")
        if panel is not None:
            getattr(panel, method)()

    def show_template_editor(self) -> None:
        from claimdesk.gui.templates.editor import TemplateEditor

        dialog = TemplateEditor(self.env, self)
        run_modal(dialog)
        dialog.deleteLater()

    def show_organisations(self) -> None:
        from claimdesk.gui.organisations_dialog import OrganisationsDialog

        dialog = OrganisationsDialog(self.env, self)
        run_modal(dialog)
        dialog.deleteLater()

    def show_accounts(self) -> None:
        from claimdesk.gui.accounts_dialog import AccountsDialog

        dialog = AccountsDialog(self.env, self)
        run_modal(dialog)
        dialog.deleteLater()

    def show_audit_trail(self) -> None:
        from claimdesk.gui.audit_view import AuditDialog

        dialog = AuditDialog.open_for(self.env, self)
        if dialog is not None:
            run_modal(dialog)
            dialog.deleteLater()

    def show_settings(self) -> None:
        from claimdesk.gui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.env, self.location, self, data_dir=self.data_dir)
        while run_modal(dialog):
            problem = dialog.apply()
            if problem is None:
                self.settings_changed.emit()  # (the idle lock's minutes)
                return
            self.prompts.error(self, "Settings", problem)

    # ---- reminders -------------------------------------------------------------------------

    def show_overdue_banner(self) -> None:
        """On start, say plainly when something is overdue (Today has the details)."""
        overdue = self.today_page.overdue_count()
        self.banner.setVisible(bool(overdue))
        if overdue:
            noun = "thing is" if overdue == 1 else "things are"
            self.banner.setText(
                f"⚠  {overdue} {noun} overdue across your cases. They are at the top of Today."
            )

    def _colour_banner(self) -> None:
        # The window's palette: the banner's own carries the background its style sheet sets.
        palette = self.palette()
        self.banner.setStyleSheet(
            f"QLabel {{ background: {theme.DANGER_BACKGROUND.hex(palette)};"
            f" color: {theme.DANGER.hex(palette)};"
            f" border: 1px solid {theme.DANGER_BORDER.hex(palette)};"
            " border-radius: 4px; padding: 6px 10px; font-weight: 600; }"
        )

    def open_tabs(self) -> list[QWidget]:
        return [self.tabs.widget(i) for i in range(self.tabs.count())]

    def show_error(self, title: str, error: BaseException) -> None:
        if isinstance(error, ClaimDeskError):
            self.prompts.error(self, title, str(error))
        else:
            log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
            self.prompts.error(
                self,
                title,
                "Something went wrong inside ClaimDesk; nothing saved was lost. "
                "The details are in the log file.",
            )

    # ---- help ------------------------------------------------------------------------------

    def show_about(self) -> None:
        from claimdesk.gui.help import AboutDialog

        dialog = AboutDialog(__version__, self.data_dir, self)
        self.run_dialog(dialog)
        dialog.deleteLater()

    def show_guide(self) -> None:
        """The user guide, at the page of the screen (or the case tab) in front."""
        from claimdesk.gui.guide import page_of, show_guide

        show_guide(page_of(self.tabs.currentWidget()), self)

    def show_shortcuts(self) -> None:
        from claimdesk.gui.help import ShortcutsDialog, shortcut_rows

        dialog = ShortcutsDialog(shortcut_rows(self.form.findChildren(QAction)), self)
        self.run_dialog(dialog)
        dialog.deleteLater()

    # ---- layout ----------------------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self.env.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        header = self.env.settings.value("cases/header")
        if isinstance(header, QByteArray):
            self.cases_page.table.horizontalHeader().restoreState(header)

    def close_cases(self) -> None:
        """Close every case tab, unsaved typing and all (a sign-out already asked)."""
        for index in reversed(range(self.tabs.count())):
            widget = self.tabs.widget(index)
            if is_workspace(widget):
                self.tabs.removeTab(index)
                widget.deleteLater()

    def unsaved_cases(self) -> int:
        """How many open cases hold typing not saved yet."""
        return sum(
            1
            for w in (self.tabs.widget(i) for i in range(self.tabs.count()))
            if is_workspace(w) and w.has_unsaved_edits()
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        unsaved = [
            w
            for w in (self.tabs.widget(i) for i in range(self.tabs.count()))
            if is_workspace(w) and w.has_unsaved_edits()
        ]
        if unsaved:
            noun = "case has" if len(unsaved) == 1 else "cases have"
            if not self.prompts.confirm(
                self,
                "Unsaved changes",
                f"{len(unsaved)} open {noun} typing that is not saved. Quit and lose it?",
                "Quit and discard",
            ):
                event.ignore()
                return
        self.env.settings.setValue("window/geometry", self.saveGeometry())
        self.env.settings.setValue(
            "cases/header", self.cases_page.table.horizontalHeader().saveState()
        )
        self.live.stop()
        self.tasks.wait(10_000)
        self.env.viewing.remove_all()
        self._warm_check.stop()
        release_start_up()
        super().closeEvent(event)
