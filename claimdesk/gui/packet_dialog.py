"""Export the appeal packet: one paginated, indexed PDF (or parts, or a ZIP), with progress."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from claimdesk.errors import ClaimDeskError, ExhibitProblemsError, PacketCancelled
from claimdesk.gui import theme
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.forms import child, fit_height, load_form
from claimdesk.gui.progress import run_with_progress
from claimdesk.gui.tasks import TaskControl
from claimdesk.packets.model import PacketOptions, PacketResult


class PacketDialog(QDialog):
    """Choices for the packet, then the export itself behind a cancellable progress bar.

    The layout is ``ui/packet_dialog.ui``.
    """

    def __init__(self, env: GuiEnv, claim_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.services = env.services
        self.claim_id = claim_id
        self.outcome: PacketResult | None = None
        self.letter_file: bytes | None = None  # a PDF chosen as the letter, when one is
        load_form("packet_dialog.ui", base=self)

        claim = self.services.claims.get(claim_id)
        self.claim = claim
        exhibits = [d for d in self.services.documents.documents(claim_id) if d.packet_position]
        # The appeal letter kept on the case: on top of the packet if it is kept as a PDF,
        # else named with what to do about it.
        self.appeal_letter = self.services.packets.appeal_letter(claim_id)
        found = self.appeal_letter
        latest = found.label if found is not None and found.has_pdf else None

        intro = child(self, QLabel, "introLabel")
        intro.setText(
            intro.text().format(
                case_number=escape(claim.case_number),
                claimant=escape(claim.claimant_name),
                exhibits=len(exhibits),
            )
        )

        self.letter = child(self, QComboBox, "letterCombo")
        if latest:
            self.letter.addItem(latest, "latest")
        self.letter.addItem("A PDF of the letter, from a file…", "file")
        self.letter.addItem("No letter: the index and exhibits only", None)
        if not latest:
            self.letter.setCurrentIndex(self.letter.count() - 1)
        note = child(self, QLabel, "noLetterNote")
        theme.follow(
            note, lambda: note.setStyleSheet(f"color: {theme.WARNING.hex(note.palette())}")
        )
        if found is not None and not found.has_pdf:
            note.setText(found.problem)
        child(self, QFormLayout, "formLayout").setRowVisible(note, not latest)
        self.chronology = child(self, QCheckBox, "chronologyCheck")
        self.internal_notes = child(self, QCheckBox, "internalNotesCheck")
        self.chronology.toggled.connect(self.internal_notes.setEnabled)
        self.single = child(self, QRadioButton, "singleRadio")
        self.split = child(self, QRadioButton, "splitRadio")
        self.zip = child(self, QRadioButton, "zipRadio")
        self.split_mb = child(self, QSpinBox, "splitSize")
        self.split.toggled.connect(self.split_mb.setEnabled)

        buttons = child(self, QDialogButtonBox, "buttonBox")
        self.export_button = child(self, QPushButton, "exportButton")
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setEnabled(bool(exhibits) or bool(latest))
        buttons.accepted.connect(self.choose_and_export)
        buttons.rejected.connect(self.reject)
        fit_height(self)

    def choose_and_export(self) -> None:
        self.letter_file = None
        if self.letter.currentData() == "file":
            chosen = self.env.prompts.open_path(
                self, "Choose the appeal letter (PDF)", "PDF (*.pdf)"
            )
            if chosen is None:
                return
            try:
                self.letter_file = chosen.read_bytes()
            except OSError as error:
                self.env.prompts.error(
                    self,
                    "The letter cannot be read",
                    f"{chosen} cannot be read ({error.strerror or error}). Choose another copy.",
                )
                return
        if not self._letter_agrees():
            return
        suffix = ".zip" if self.zip.isChecked() else ".pdf"
        filters = "ZIP archive (*.zip)" if suffix == ".zip" else "PDF (*.pdf)"
        suggested = Path.home() / f"{self.claim.case_number} appeal packet{suffix}"
        path = self.env.prompts.save_path(self, "Save the appeal packet", suggested, filters)
        if path is None:
            return
        self.export(path, omit_unreadable=False)

    def _options(self, omit_unreadable: bool) -> PacketOptions:
        return self.services.packets.options(
            self.claim_id,
            include_chronology=self.chronology.isChecked(),
            include_internal_notes=self.internal_notes.isChecked(),
            omit_unreadable=omit_unreadable,
            split_bytes=self.split_mb.value() * 1_000_000 if self.split.isChecked() else None,
            as_zip=self.zip.isChecked(),
        )

    def _letter_agrees(self) -> bool:
        """Whether the letter's enclosures are the packet's exhibits (or the user goes on)."""
        packets = self.services.packets
        letter = self.letter_file
        if self.letter.currentData() == "latest":
            found = packets.latest_appeal_letter(self.claim_id)
            letter = found[1] if found else None
        if letter is None:
            return True
        differs = packets.enclosures_disagree(self.claim_id, letter, self._options(False))
        return not differs or self.env.prompts.confirm(
            self,
            "The letter and the packet disagree",
            f"{differs}\n\nExport the packet anyway?",
            "Export anyway",
        )

    def export(self, path: Path, *, omit_unreadable: bool) -> None:
        packets = self.services.packets
        claim_id = self.claim_id
        options = self._options(omit_unreadable)
        with_letter = self.letter.currentData() == "latest"
        from_file = self.letter_file if self.letter.currentData() == "file" else None
        self.export_button.setEnabled(False)

        def work(control: TaskControl) -> PacketResult:
            found = packets.latest_appeal_letter(claim_id) if with_letter else None
            letter = found[1] if found else from_file
            return packets.export(
                claim_id, path, letter, options, control.progress, control.cancelled
            )

        def failed(error: BaseException) -> None:
            self.export_button.setEnabled(True)
            if isinstance(error, PacketCancelled):
                return
            if isinstance(error, ExhibitProblemsError) and not omit_unreadable:
                listed = "\n".join(f"• {p.describe()}" for p in error.problems)
                if self.env.prompts.confirm(
                    self,
                    "Some exhibits cannot be used",
                    f"{listed}\n\nNo packet was written. Leave these out and export the rest? "
                    "(Or cancel, then attach readable copies on the Documents tab.)",
                    "Leave them out and export",
                ):
                    self.export(path, omit_unreadable=True)
                return
            if isinstance(error, ClaimDeskError):
                self.env.prompts.error(self, "The packet was not written", str(error))
            else:
                raise error

        run_with_progress(self, self.env, "Exporting the appeal packet…", work, self._done, failed)

    def _done(self, result: Any) -> None:
        self.outcome = result
        files = "\n".join(f"• {p}" for p in result.paths)
        omitted = ""
        if result.omitted:
            omitted = "\n\nLeft out:\n" + "\n".join(f"• {p.describe()}" for p in result.omitted)
            omitted += (
                "\n\nThe exhibits after one left out moved up a letter: if the appeal letter "
                "lists the enclosures, write it again so that it matches the packet."
            )
        replaced = ""
        if result.removed:
            names = ", ".join(p.name for p in result.removed)
            replaced += f"\n\nRemoved the older packet's extra parts: {names}."
        if result.stale:
            names = ", ".join(p.name for p in result.stale)
            replaced += (
                f"\n\nThese parts of an older packet could not be removed (is one open in "
                f"another program?): {names}. Delete them before you send the packet."
            )
        self.env.prompts.info(
            self,
            "Appeal packet written",
            f"{result.page_count} pages, {len(result.exhibits)} exhibits.\n\n"
            f"{files}{omitted}{replaced}",
        )
        self.accept()
