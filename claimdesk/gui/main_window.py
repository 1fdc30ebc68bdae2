"""The main window: Today, the case list, and a tab per open case."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

from PySide6.QtCore import QByteArray, QSettings, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QPaintEvent
from PySide6.QtWidgets import QDialog, QLabel, QMainWindow, QWidget

from claimdesk import __version__
from claimdesk.errors import ClaimDeskError
from claimdesk.gui import theme
from claimdesk.gui.cases_page import CasesPage
from claimdesk.gui.env import ChangeBus, GuiEnv
from claimdesk.gui.forms import load_form
from claimdesk.gui.prompts import Prompts
from claimdesk.gui.reminders import Reminders
from claimdesk.gui.search_page import SearchPage
from claimdesk.gui.tasks import TaskRunner
from claimdesk.gui.today_page import TodayPage
from claimdesk.paths import resources_dir
from claimdesk.services import Services

if TYPE_CHECKING:
    from claimdesk.gui.workspace import CaseWorkspace
    from claimdesk.services.backups import RestoreResult

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(
        self,
        services: Services,
        prompts: Prompts,
        location: str,
        settings: QSettings | None = None,
        *,
        data_dir: Path | None = None,
    ) -> None:
        """``data_dir`` is the data folder (About names it; backups/ in it keeps the database
        a restore replaces); without it, the database file's own folder."""
        super().__init__()
        self.services = services
        sqlite = services.sqlite_path
        self.data_dir = data_dir or (sqlite.parent if sqlite is not None else None)
        # Tests replace this to look at a dialog instead of showing it.
        self.run_dialog: Callable[[QDialog], bool] = lambda d: (
            d.exec() == QDialog.DialogCode.Accepted
        )
        self.prompts = prompts
        self.tasks = TaskRunner(self)
        self.bus = ChangeBus(services, self)
        self.env = GuiEnv(services, prompts, self.tasks, self.bus, settings or QSettings())
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
        self.cases_page = CasesPage(self.env)
        self.cases_page.open_case.connect(self.open_case)
        self.tabs.addTab(self.cases_page, "Cases")
        self.search_page = SearchPage(self.env)
        self.search_page.open_item.connect(lambda claim_id, panel: self.open_case(claim_id, panel))
        self.tabs.addTab(self.search_page, "Search")
        self._pinned: set[QWidget] = {self.today_page, self.cases_page, self.search_page}
        self.tabs.tabCloseRequested.connect(self._close_tab)
        self._hide_close_buttons()

        self._connect_actions()
        # The welcome's buttons are the File menu's actions, so both stay one behaviour.
        welcome = self.today_page.welcome
        welcome.start_case.connect(self.action("actionNewCase").trigger)
        welcome.load_samples.connect(self.action("actionLoadDemo").trigger)
        welcome.import_case.connect(self.action("actionImportCase").trigger)
        # Read when the menu opens (a count of cases), not at start-up: the models load later.
        self.form.menuFile.aboutToShow.connect(self.update_sample_action)  # type: ignore[attr-defined]
        self.location = location
        # A permanent widget: showMessage() would replace (and, after a timeout, erase) it.
        self.where = QLabel(f"Database: {location}   ·   Working as {services.user_name}")
        self.where.setAccessibleName("Database and user")
        self.statusBar().addPermanentWidget(self.where)
        self._restore_layout()
        self.reminders = Reminders(self.env, self)
        self.today_page.loaded.connect(self.show_overdue_banner)
        self._painted = False

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            # Queued, so it runs once the whole window (the case list too) is on screen.
            QTimer.singleShot(0, self, self._after_first_paint)

    def _after_first_paint(self) -> None:
        """What the first paint need not wait for: reminders, Today's agenda, filter lists,
        and the services the case list did not need (with the models they build)."""
        self.reminders.start()  # builds the schedule, and the models, on this thread
        self.update_sample_action()
        self.cases_page.start()  # the shorter work first: the rest of the case ids
        self.today_page.refresh()
        self.today_page.stack.check()
        self._warm_up(self.services.unbuilt())

    def _warm_up(self, names: list[str]) -> None:
        """Build the remaining services one per turn of the event loop, so no click waits for
        an import and the window answers in between (each takes at most a few tens of ms)."""
        if names:
            getattr(self.services, names.pop(0))
            QTimer.singleShot(0, self, lambda: self._warm_up(names))

    @property
    def warmed_up(self) -> bool:
        return not self.services.unbuilt()

    # ---- actions ---------------------------------------------------------------------------

    def action(self, name: str) -> QAction:
        found = self.form.findChild(QAction, name)
        assert found is not None, f"main_window.ui defines {name}"
        return found

    def _connect_actions(self) -> None:
        handlers = {
            "actionQuit": self.close,
            "actionAbout": self.show_about,
            "actionShortcuts": self.show_shortcuts,
            "actionUserGuide": self.show_guide,
            "actionLoadDemo": self.load_demo,
            "actionRemoveSamples": self.remove_samples,
            "actionCases": lambda: self.tabs.setCurrentWidget(self.cases_page),
            "actionFindCase": self._find_case,
            "actionSearchAll": self._search_all,
            "actionCloseCase": lambda: self._close_tab(self.tabs.currentIndex()),
            "actionBackup": self.backup,
            "actionRestore": self.restore_backup,
            "actionToday": lambda: self.tabs.setCurrentWidget(self.today_page),
            "actionExportCalendar": self.export_calendar,
            "actionSettings": self.show_settings,
            "actionNewCase": self.new_case,
            "actionLogCall": self.log_call,
            "actionWriteLetter": lambda: self._letters_action("write_letter"),
            "actionExportPacket": lambda: self._letters_action("export_packet"),
            "actionLetterTemplates": self.show_template_editor,
            "actionOrganisations": self.show_organisations,
            "actionAuditTrail": self.show_audit_trail,
            "actionImportCase": self.import_case,
            "actionExportCase": self.export_case,
        }
        for name, handler in handlers.items():
            self.action(name).triggered.connect(handler)
        for action in self.form.findChildren(QAction):
            self.addAction(action)  # shortcuts work wherever the focus is

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
        index = self.tabs.addTab(workspace, workspace.tab_title)
        self.tabs.setTabToolTip(index, workspace.detail.claimant_name if workspace.detail else "")
        self.tabs.setCurrentIndex(index)
        if panel:
            workspace.show_panel(panel)
        return workspace

    def current_workspace(self) -> CaseWorkspace | None:
        widget = self.tabs.currentWidget()
        return widget if _is_workspace(widget) else None

    def _close_tab(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if widget is None or widget in self._pinned:
            return
        # Cancel is the question's default button: Enter or Esc keeps the typing.
        if (
            _is_workspace(widget)
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
        if wizard.exec() and wizard.created is not None:
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

    def export_case(self) -> None:
        """The case in front of the user, whole, to a JSON case file (docs/case-format.md)."""
        workspace = self.current_workspace()
        if workspace is None:
            self.statusBar().showMessage("Open the case to export first.", 6000)
            return
        claim = self.services.claims.get(workspace.claim_id)
        path = self.prompts.save_path(
            self,
            "Export the case",
            Path.home() / f"{claim.case_number}.json",
            "ClaimDesk case file (*.json)",
        )
        if path is None:
            return
        self.env.tasks.run(
            lambda: self.services.exchange.write_case_file(claim.id, path),
            lambda number: self.statusBar().showMessage(f"Wrote {number} to {path}", 8000),
            lambda error: self._report("The case was not exported", error),
        )

    def import_case(self) -> None:
        """A case file from another ClaimDesk (or a backup of one case) becomes a new case."""
        path = self.prompts.open_path(self, "Import a case", "ClaimDesk case file (*.json)")
        if path is None:
            return
        self.env.tasks.run(
            lambda: self.services.exchange.read_case_file(path),
            lambda claim_id: self._open_imported(claim_id),
            lambda error: self._report("The case was not imported", error),
        )

    def _open_imported(self, claim_id: int) -> None:
        self.open_case(claim_id)
        self.statusBar().showMessage("The case was imported.", 8000)

    def _report(self, title: str, error: BaseException) -> None:
        if isinstance(error, ClaimDeskError):
            self.prompts.error(self, title, str(error))
        else:
            raise error

    def show_template_editor(self) -> None:
        from claimdesk.gui.templates.editor import TemplateEditor

        dialog = TemplateEditor(self.env, self)
        dialog.exec()
        dialog.deleteLater()

    def show_organisations(self) -> None:
        from claimdesk.gui.organisations_dialog import OrganisationsDialog

        dialog = OrganisationsDialog(self.env, self)
        dialog.exec()
        dialog.deleteLater()

    def show_audit_trail(self) -> None:
        from claimdesk.gui.audit_view import AuditDialog

        dialog = AuditDialog.open_for(self.env, self)
        if dialog is not None:
            dialog.exec()
            dialog.deleteLater()

    def show_settings(self) -> None:
        from claimdesk.gui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.env, self.location, self)
        while dialog.exec():
            problem = dialog.apply()
            if problem is None:
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

    def export_calendar(self) -> None:
        path = self.prompts.save_path(
            self,
            "Export deadlines to a calendar",
            Path("claimdesk-deadlines.ics"),
            "iCalendar file (*.ics)",
        )
        if path is None:
            return
        details = self.prompts.choose(
            self,
            "What to put in the calendar",
            "Calendars often end up on cloud services. By default each event names only the "
            "case number and the kind of deadline.\n\nInclude claimant names and titles too?",
            "Include names and titles",
            "Case numbers only",
        )
        self.tasks.run(
            lambda: self.services.calendar.write_ics(path, include_details=details),
            on_done=lambda count: self.statusBar().showMessage(
                f"Wrote {count} open deadlines to {path}", 10_000
            ),
            on_error=lambda error: self.show_error("The calendar export failed", error),
        )

    # ---- long work -------------------------------------------------------------------------

    def load_demo(self) -> None:
        """Add the sample cases; to a database that has cases already, only when asked to."""
        from claimdesk.services.demo import load_demo, sample_case_count

        tally = self.services.samples.tally()
        if tally.cases:
            what = f"{tally.cases} case" + ("s" if tally.cases != 1 else "")
            if tally.samples:
                what += f", {tally.samples} of them samples"
            question = (
                f"This database already has {what}. Add {sample_case_count()} fictional sample "
                "cases to it?\n\nThey are marked “(sample)” in the case list, and File ▸ Remove "
                "sample cases takes them all out again."
            )
            if not self.prompts.confirm(self, "Load sample cases", question, "Add sample cases"):
                return
        self.statusBar().showMessage("Adding sample cases…")
        self.tasks.run(
            lambda: load_demo(self.services),
            on_done=lambda ids: self._samples_changed(f"Added {len(ids)} sample cases."),
            on_error=lambda error: self._samples_failed("Could not add the sample cases", error),
        )

    def remove_samples(self) -> None:
        """Remove every sample case with all its records, once the user has confirmed."""
        tally = self.services.samples.tally()
        if not tally.samples:
            self.update_sample_action()
            self.statusBar().showMessage("There are no sample cases to remove.", 6000)
            return
        own = f"{tally.own_cases} case" + ("s" if tally.own_cases != 1 else "")
        question = (
            f"Remove the {tally.samples} sample cases and everything recorded on them (calls, "
            f"documents, requests, deadlines, letters)? Their open tabs close.\n\nYour own "
            f"{own} stay as they are. The audit trail keeps a record of the removal."
        )
        if not self.prompts.confirm(self, "Remove sample cases", question, "Remove sample cases"):
            return
        samples = set(self.services.samples.ids())
        for index in reversed(range(self.tabs.count())):
            widget = self.tabs.widget(index)
            if _is_workspace(widget) and widget.claim_id in samples:
                self.tabs.removeTab(index)  # fictional typing: the question said the tabs close
                widget.deleteLater()
        self.statusBar().showMessage("Removing the sample cases…")
        self.tasks.run(
            self.services.samples.remove,
            on_done=lambda gone: self._samples_changed(f"Removed {len(gone)} sample cases."),
            on_error=lambda error: self._samples_failed("The sample cases were not removed", error),
        )

    def _samples_changed(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)
        self.update_sample_action()

    def _samples_failed(self, title: str, error: BaseException) -> None:
        self.statusBar().clearMessage()
        self.update_sample_action()
        self.show_error(title, error)

    def update_sample_action(self) -> None:
        """File ▸ Remove sample cases is there to use only when there are samples."""
        self.action("actionRemoveSamples").setEnabled(bool(self.services.samples.tally().samples))

    def backup(self) -> None:
        from claimdesk.services.backups import cases

        path = self.prompts.save_path(
            self,
            "Back up the database",
            Path("claimdesk-backup.sqlite"),
            "ClaimDesk database (*.sqlite)",
        )
        if path is None:
            return
        self.statusBar().showMessage("Backing up…")
        self.tasks.run(
            lambda: self.services.backups.backup(path),
            on_done=lambda result: self.statusBar().showMessage(
                f"Backed up {cases(result.claims)} to {result.path}", 10_000
            ),
            on_error=lambda error: self.show_error("The backup failed", error),
        )

    def restore_backup(self) -> None:
        """Replace the database with a backup, the current one kept in backups/ first.

        The restore happens under the open services, so every view, cache and case tab would
        show the old data: afterwards the window closes and the user starts ClaimDesk again,
        which reads the restored database from scratch.
        """
        if self.data_dir is None:
            self.prompts.error(
                self,
                "Restore from a backup",
                "ClaimDesk can restore only its own SQLite file. For a PostgreSQL server use "
                "pg_restore.",
            )
            return
        if any(_is_workspace(w) and w.has_unsaved_edits() for w in self._tabs()):
            self.prompts.error(
                self,
                "Restore from a backup",
                "An open case has typing that is not saved yet. Save it or close its tab, "
                "then restore.",
            )
            return
        path = self.prompts.open_path(
            self, "Restore from a backup", "ClaimDesk backup (*.sqlite);;All files (*)"
        )
        if path is None:
            return
        kept_in = self.data_dir / "backups"
        question = (
            f"Replace everything in ClaimDesk with what the backup {path.name} holds?\n\n"
            "Every case, call, document and letter in the database now is replaced. The "
            f"database as it is now is kept first, in {kept_in}, so restoring that copy "
            "undoes this.\n\nWhen the restore is done ClaimDesk closes; start it again to "
            "work with the restored cases."
        )
        if not self.prompts.confirm(self, "Restore from a backup", question, "Replace with backup"):
            return
        for index in reversed(range(self.tabs.count())):
            widget = self.tabs.widget(index)
            if _is_workspace(widget):  # none has unsaved typing (asked above)
                self.tabs.removeTab(index)
                widget.deleteLater()
        # Nothing may be typed into the database while it is being replaced.
        self._set_central_enabled(False)
        self.menuBar().setEnabled(False)
        self.statusBar().showMessage("Checking the backup and restoring it…")
        self.tasks.run(
            lambda: self._restore(path, kept_in),
            on_done=self._restored,
            on_error=self._restore_failed,
        )

    def _restore(self, path: Path, kept_in: Path) -> RestoreResult:
        return self.services.backups.restore(path, kept_in)

    def _restored(self, result: RestoreResult) -> None:
        self.statusBar().clearMessage()
        noun = "case" if result.claims == 1 else "cases"
        self.prompts.info(
            self,
            "Restored",
            f"Restored {result.claims} {noun} from {result.restored_from}. The database as it "
            f"was is kept at {result.previous_kept_at}.\n\nClaimDesk closes now: start it "
            "again to work with the restored cases.",
        )
        self.close()

    def _set_central_enabled(self, enabled: bool) -> None:
        central = self.centralWidget()
        if central is not None:
            central.setEnabled(enabled)

    def _restore_failed(self, error: BaseException) -> None:
        self._set_central_enabled(True)
        self.menuBar().setEnabled(True)
        self.statusBar().clearMessage()
        self.show_error("The backup was not restored", error)

    def _tabs(self) -> list[QWidget]:
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

    def closeEvent(self, event: QCloseEvent) -> None:
        unsaved = [
            w
            for w in (self.tabs.widget(i) for i in range(self.tabs.count()))
            if _is_workspace(w) and w.has_unsaved_edits()
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
        self.tasks.wait(10_000)
        super().closeEvent(event)


def _is_workspace(widget: QWidget | None) -> TypeGuard[CaseWorkspace]:
    """A case's tab. The workspace module (and its panels) loads with the first case opened,
    not at start-up."""
    workspace = sys.modules.get("claimdesk.gui.workspace")
    return workspace is not None and isinstance(widget, workspace.CaseWorkspace)
