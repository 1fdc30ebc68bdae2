"""The window's database actions: sample cases, backup and restore, a case file in or out,
the deadlines to a calendar. Each asks through the prompts and runs its work on the task
runner; the window only wires its menu to them."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeGuard

from claimdesk.errors import ClaimDeskError

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from claimdesk.gui.main_window import MainWindow
    from claimdesk.gui.workspace import CaseWorkspace
    from claimdesk.services.backups import RestoreResult

log = logging.getLogger(__name__)


class DatabaseActions:
    """File ▸ Load / Remove sample cases, Back up, Restore, Import / Export a case, and
    Export deadlines to a calendar, for one main window."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.services = window.services
        self.prompts = window.prompts
        self.tasks = window.tasks

    def current_workspace(self) -> CaseWorkspace | None:
        return self.window.current_workspace()

    def export_case(self) -> None:
        """The case in front of the user, whole, to a JSON case file (docs/case-format.md)."""
        workspace = self.current_workspace()
        if workspace is None:
            self.window.statusBar().showMessage("Open the case to export first.", 6000)
            return
        claim = self.services.claims.get(workspace.claim_id)
        path = self.prompts.save_path(
            self.window,
            "Export the case",
            Path.home() / f"{claim.case_number}.json",
            "ClaimDesk case file (*.json)",
        )
        if path is None:
            return
        self.tasks.run(
            lambda: self.services.exchange.write_case_file(claim.id, path),
            lambda number: self.window.statusBar().showMessage(f"Wrote {number} to {path}", 8000),
            lambda error: self._report("The case was not exported", error),
        )

    def import_case(self) -> None:
        """A case file from another ClaimDesk (or a backup of one case) becomes a new case."""
        path = self.prompts.open_path(self.window, "Import a case", "ClaimDesk case file (*.json)")
        if path is None:
            return
        self.tasks.run(
            lambda: self.services.exchange.read_case_file(path),
            lambda claim_id: self._open_imported(claim_id),
            lambda error: self._report("The case was not imported", error),
        )

    def _open_imported(self, claim_id: int) -> None:
        self.window.open_case(claim_id)
        self.window.statusBar().showMessage("The case was imported.", 8000)

    def _report(self, title: str, error: BaseException) -> None:
        if isinstance(error, ClaimDeskError):
            self.prompts.error(self.window, title, str(error))
        else:
            raise error

    def export_calendar(self) -> None:
        path = self.prompts.save_path(
            self.window,
            "Export deadlines to a calendar",
            Path("claimdesk-deadlines.ics"),
            "iCalendar file (*.ics)",
        )
        if path is None:
            return
        details = self.prompts.choose(
            self.window,
            "What to put in the calendar",
            "Calendars often end up on cloud services. By default each event names only the "
            "case number and the kind of deadline.\n\nInclude claimant names and titles too?",
            "Include names and titles",
            "Case numbers only",
        )
        self.tasks.run(
            lambda: self.services.calendar.write_ics(path, include_details=details),
            on_done=lambda count: self.window.statusBar().showMessage(
                f"Wrote {count} open deadlines to {path}", 10_000
            ),
            on_error=lambda error: self.window.show_error("The calendar export failed", error),
        )

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
            if not self.prompts.confirm(
                self.window, "Load sample cases", question, "Add sample cases"
            ):
                return
        self.window.statusBar().showMessage("Adding sample cases…")
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
            self.window.statusBar().showMessage("There are no sample cases to remove.", 6000)
            return
        own = f"{tally.own_cases} case" + ("s" if tally.own_cases != 1 else "")
        question = (
            f"Remove the {tally.samples} sample cases and everything recorded on them (calls, "
            f"documents, requests, deadlines, letters)? Their open tabs close.\n\nYour own "
            f"{own} stay as they are. The audit trail keeps a record of the removal."
        )
        if not self.prompts.confirm(
            self.window, "Remove sample cases", question, "Remove sample cases"
        ):
            return
        samples = set(self.services.samples.ids())
        for index in reversed(range(self.window.tabs.count())):
            widget = self.window.tabs.widget(index)
            if is_workspace(widget) and widget.claim_id in samples:
                self.window.tabs.removeTab(
                    index
                )  # fictional typing: the question said the tabs close
                widget.deleteLater()
        self.window.statusBar().showMessage("Removing the sample cases…")
        self.tasks.run(
            self.services.samples.remove,
            on_done=lambda gone: self._samples_changed(f"Removed {len(gone)} sample cases."),
            on_error=lambda error: self._samples_failed("The sample cases were not removed", error),
        )

    def _samples_changed(self, message: str) -> None:
        self.window.statusBar().showMessage(message, 8000)
        self.update_sample_action()

    def _samples_failed(self, title: str, error: BaseException) -> None:
        self.window.statusBar().clearMessage()
        self.update_sample_action()
        self.window.show_error(title, error)

    def update_sample_action(self) -> None:
        """File ▸ Remove sample cases is there to use only when there are samples (counted
        off the GUI thread: the menu opens at once, the action follows)."""
        from claimdesk.services.accounts import Right

        action = self.window.action("actionRemoveSamples")
        if not self.services.principal.may(Right.WORK_CASES):
            action.setEnabled(False)
            return
        services = self.services  # the service built in the worker too: building imports
        self.tasks.run(
            lambda: services.samples.tally().samples,
            on_done=lambda count: action.setEnabled(bool(count)),
            on_error=self._tally_failed,
        )

    def _tally_failed(self, error: BaseException) -> None:
        if not isinstance(error, ClaimDeskError):
            raise error
        log.warning("could not count the sample cases: %s", error)  # the action stays as it was

    def backup(self) -> None:
        from claimdesk.services.backups import cases

        name, kind = self.services.backups.backup_file()
        path = self.prompts.save_path(self.window, "Back up the database", Path(name), kind)
        if path is None:
            return
        self.window.statusBar().showMessage("Backing up…")
        self.tasks.run(
            lambda: self.services.backups.backup(path),
            on_done=lambda result: self.window.statusBar().showMessage(
                f"Backed up {cases(result.claims)} to {result.path} "
                f"(record integrity: {result.chain_head[:16]})",
                10_000,
            ),
            on_error=lambda error: self.window.show_error("The backup failed", error),
        )

    def restore_backup(self) -> None:
        """Replace the database with a backup, the current one kept in backups/ first.

        The restore happens under the open services, so every view, cache and case tab would
        show the old data: afterwards the window closes and the user starts ClaimDesk again,
        which reads the restored database from scratch.
        """
        if self.window.data_dir is None:
            self.prompts.error(
                self.window,
                "Restore from a backup",
                "ClaimDesk has no data folder to keep the current database in before the "
                "restore. Start it with --data-dir DIR, or use 'claimdesk restore FILE'.",
            )
            return
        if any(is_workspace(w) and w.has_unsaved_edits() for w in self.window.open_tabs()):
            self.prompts.error(
                self.window,
                "Restore from a backup",
                "An open case has typing that is not saved yet. Save it or close its tab, "
                "then restore.",
            )
            return
        path = self.prompts.open_path(
            self.window,
            "Restore from a backup",
            "ClaimDesk backup (*.sqlite *.dump);;All files (*)",
        )
        if path is None:
            return
        key = self._backup_key(path)
        if key is False:
            return
        kept_in = self.window.data_dir / "backups"
        question = (
            f"Replace everything in ClaimDesk with what the backup {path.name} holds?\n\n"
            "Every case, call, document and letter in the database now is replaced. The "
            f"database as it is now is kept first, in {kept_in}, so restoring that copy "
            "undoes this.\n\nWhen the restore is done ClaimDesk closes; start it again to "
            "work with the restored cases."
        )
        if not self.prompts.confirm(
            self.window, "Restore from a backup", question, "Replace with backup"
        ):
            return
        for index in reversed(range(self.window.tabs.count())):
            widget = self.window.tabs.widget(index)
            if is_workspace(widget):  # none has unsaved typing (asked above)
                self.window.tabs.removeTab(index)
                widget.deleteLater()
        # Nothing may be typed into the database while it is being replaced.
        self._set_central_enabled(False)
        self.window.menuBar().setEnabled(False)
        self.window.statusBar().showMessage("Checking the backup and restoring it…")
        self.tasks.run(
            lambda: self._restore(path, kept_in, key or None),
            on_done=self._restored,
            on_error=self._restore_failed,
        )

    def _backup_key(self, path: Path) -> bytes | Literal[False] | None:
        """The key of a backup another setup encrypted, from a password it knew or its
        recovery key (asked here); None when none is needed; False when the user gave up."""
        try:
            if not self.services.backups.backup_needs_key(path):
                return None
        except ClaimDeskError:
            return None  # not readable as a backup: the restore says what is wrong
        while True:
            secret = self.prompts.password(
                self.window,
                "Restore from a backup",
                f"{path.name} was encrypted on another computer or by another set-up. Type "
                "the password of an account it holds (as it was then), or its recovery key:",
            )
            if secret is None:
                return False
            try:
                return self.services.backups.unlock_backup(path, secret)
            except ClaimDeskError as error:
                self.prompts.error(self.window, "Restore from a backup", str(error))

    def _restore(self, path: Path, kept_in: Path, key: bytes | None = None) -> RestoreResult:
        return self.services.backups.restore(path, kept_in, source_key=key)

    def _restored(self, result: RestoreResult) -> None:
        self.window.statusBar().clearMessage()
        noun = "case" if result.claims == 1 else "cases"
        self.prompts.info(
            self.window,
            "Restored",
            f"Restored {result.claims} {noun} from {result.restored_from}. The database as it "
            f"was is kept at {result.previous_kept_at}.\n\nClaimDesk closes now: start it "
            "again to work with the restored cases."
            + (
                " The backup's keys came with it: sign in with a password it knew."
                if result.keys_replaced
                else ""
            ),
        )
        self.window.close()

    def _set_central_enabled(self, enabled: bool) -> None:
        central = self.window.centralWidget()
        if central is not None:
            central.setEnabled(enabled)

    def _restore_failed(self, error: BaseException) -> None:
        self._set_central_enabled(True)
        self.window.menuBar().setEnabled(True)
        self.window.statusBar().clearMessage()
        self.window.show_error("The backup was not restored", error)


def is_workspace(widget: QWidget | None) -> TypeGuard[CaseWorkspace]:
    """A case's tab. The workspace module (and its panels) loads with the first case opened,
    not at start-up."""
    workspace = sys.modules.get("claimdesk.gui.workspace")
    return workspace is not None and isinstance(widget, workspace.CaseWorkspace)
