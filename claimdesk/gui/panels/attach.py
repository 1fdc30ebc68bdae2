"""Attaching files to a case: each file checked when chosen, then filed once, then kept.

The check (claimdesk.services.documents.check_attachable) runs first, on a worker: an empty
file, a text file renamed .pdf, a locked or damaged PDF, one too big are named at once with
what to do, before the user types a kind, a title and a date that would then be thrown away.
The others go on to the form and are attached on a worker.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from shiboken6 import isValid

from claimdesk.errors import ClaimDeskError
from claimdesk.gui.dialogs import FormDialog, picked
from claimdesk.models.enums import DocumentKind
from claimdesk.services.dto import DocumentInfo

if TYPE_CHECKING:
    from claimdesk.gui.panels.documents import DocumentsPanel

Checked = list[tuple[Path, list[str]]]
Results = list[tuple[Path, DocumentInfo | Exception]]


def _files(count: int) -> str:
    return f"{count} file{'s' if count != 1 else ''}"


def refusal(bad: Checked, good: int) -> tuple[str, str]:
    """The title and message naming the files that cannot be attached, and why."""
    if len(bad) == 1:
        title = f"Cannot attach {bad[0][0].name}"
    else:
        title = f"Cannot attach {len(bad)} of the files"
    message = "\n\n".join(problem for _, problems in bad for problem in problems)
    if good:
        others = "The other file" if good == 1 else f"The other {_files(good)}"
        message += f"\n\n{others} will be added next."
    return title, message


class Attacher:
    """The attach flow of one Documents panel; ``busy`` says what it is doing."""

    def __init__(self, panel: DocumentsPanel) -> None:
        self.panel = panel
        self.checking = 0  # batches being checked on a worker
        self.attaching = 0  # batches being attached on a worker

    @property
    def busy(self) -> str:
        if self.checking:
            return "Checking files… "
        return "Attaching files… " if self.attaching else ""

    def start(self, paths: list[Path]) -> None:
        """Check ``paths`` off the GUI thread; the rest follows when the check is done."""
        if not paths:
            return
        documents = self.panel.services.documents

        def work() -> Checked:
            # A big scan is read whole and its PDF opened: seconds, so not on the GUI thread.
            return [(path, documents.check_attachable(path)) for path in paths]

        self.checking += 1
        self.panel.show_summary()
        self.panel.env.tasks.run(work, self._checked, self._check_failed)

    def _checked(self, results: Checked) -> None:
        self.checking -= 1
        alive = isValid(self.panel)
        good = [path for path, problems in results if not problems]
        bad = [(path, problems) for path, problems in results if problems]
        if alive:
            self.panel.show_summary()  # no longer "Checking files…" behind the message
        if bad:
            title, message = refusal(bad, len(good) if alive else 0)
            self.panel.env.prompts.error(self.panel if alive else None, title, message)
        if not alive:
            return  # the case was closed meanwhile: nothing to file the files on
        if good:
            self._file(good)

    def _check_failed(self, error: BaseException) -> None:
        self.checking -= 1
        if isValid(self.panel):
            self.panel.show_summary()
        raise error  # a fault of ClaimDesk's own: the exception hook logs it and tells

    def _file(self, paths: list[Path]) -> None:
        """Ask once how to file them, then attach each; one bad file does not stop the rest."""
        panel = self.panel
        dialog = FormDialog("Add documents", panel)
        names = ", ".join(p.name for p in paths[:3]) + (" …" if len(paths) > 3 else "")
        heading = QLabel(f"<b>{_files(len(paths))}</b>: {names}")
        heading.setTextFormat(Qt.TextFormat.RichText)
        heading.setWordWrap(True)
        dialog.form.addRow(heading)
        kind = dialog.choice("Kind of document", [(k.label, k) for k in DocumentKind])
        kind.setCurrentIndex(kind.findData(DocumentKind.OTHER))
        title = dialog.line("Title") if len(paths) == 1 else None
        if title is not None:
            title.setPlaceholderText(paths[0].stem)
        day = dialog.day("Date of the document")
        dialog.finish()
        if not panel.run_dialog(dialog):
            return
        # Read on the GUI thread; the worker only gets plain values.
        metadata: dict[str, object] = {
            "kind": kind.currentData(),
            "title": title.text().strip() if title is not None else "",
            "document_date": picked(day),
        }
        documents, claim_id = panel.services.documents, panel.claim_id

        def work() -> Results:
            # Reading, hashing and counting the pages of a big scan takes seconds.
            results: Results = []
            for path in paths:
                try:
                    results.append((path, documents.attach_file(claim_id, path, **metadata)))
                except Exception as error:
                    # One bad file does not stop the rest: _attached names it, or raises it.
                    results.append((path, error))
            return results

        self.attaching += 1
        panel.show_summary()
        panel.env.tasks.run(work, self._attached, self._attach_failed)

    def _attached(self, results: Results) -> None:
        self.attaching -= 1
        panel = self.panel
        # The case may have been closed meanwhile: what was refused is still said.
        alive = isValid(panel)
        if alive:
            kept = [r for _, r in results if isinstance(r, DocumentInfo)]
            panel.show_summary()  # no longer "Attaching files…"; the list follows
            if kept:
                last = kept[-1].id
                panel.refresh(then=lambda: panel.select_document(last))
                panel.read_scans()  # in the background: words in scans become searchable
            else:
                panel.refresh()
        unexpected: list[Exception] = []
        for path, result in results:
            if isinstance(result, ClaimDeskError):
                # Changed or moved since it was checked.
                panel.env.prompts.error(
                    panel if alive else None, f"Cannot attach {path.name}", str(result)
                )
            elif isinstance(result, Exception):
                result.add_note(f"while attaching {path.name}")
                unexpected.append(result)
        if unexpected:
            # A fault of ClaimDesk's own, not the file's: the rest of the batch is kept, and
            # this goes to the exception hook (logged with its traceback, the user told).
            raise unexpected[0]

    def _attach_failed(self, error: BaseException) -> None:
        self.attaching -= 1
        panel = self.panel
        if not isValid(panel):
            if not isinstance(error, ClaimDeskError):
                raise error
            panel.env.prompts.error(None, "Cannot attach the files", str(error))
            return
        panel.show_summary()
        panel.refresh()
        panel.report("Cannot attach the files", error)
