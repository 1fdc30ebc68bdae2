"""Export the appeal packet: one paginated, indexed PDF (or parts, or a ZIP), with progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from claimdesk.errors import ClaimDeskError, ExhibitProblemsError, PacketCancelled
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.progress import run_with_progress
from claimdesk.gui.tasks import TaskControl
from claimdesk.packets.model import PacketResult


class PacketDialog(QDialog):
    """Choices for the packet, then the export itself behind a cancellable progress bar."""

    def __init__(self, env: GuiEnv, claim_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.services = env.services
        self.claim_id = claim_id
        self.outcome: PacketResult | None = None
        self.setWindowTitle("Export the appeal packet")
        self.setMinimumWidth(560)

        claim = self.services.claims.get(claim_id)
        self.claim = claim
        exhibits = [d for d in self.services.documents.documents(claim_id) if d.packet_position]
        latest = self._latest_letter_label()

        intro = QLabel(
            f"<b>{claim.case_number}</b> — {claim.claimant_name}<br>"
            f"The packet holds the appeal letter, an exhibit index, the <b>{len(exhibits)}</b> "
            "document(s) placed in the packet on the Documents tab (in that order) and, if you "
            "wish, the chronology of calls, requests, letters and decisions. Every page is "
            f"numbered {claim.case_number}-000001, 000002… and the index refers to them."
        )
        intro.setWordWrap(True)

        self.letter = QComboBox()
        self.letter.setAccessibleName("Appeal letter")
        if latest:
            self.letter.addItem(latest, "latest")
        self.letter.addItem("No letter: the index and exhibits only", None)
        if not latest:
            note = QLabel("No appeal letter has been kept as a PDF yet: write one on the "
                          "Letters tab (Internal appeal letter, PDF) to put it first.")
            note.setWordWrap(True)
            note.setStyleSheet("color: #b26a00;")
        self.chronology = QCheckBox("Add the chronology as the last exhibit")
        self.chronology.setChecked(True)
        self.single = QRadioButton("One PDF")
        self.split = QRadioButton("PDF parts, each under")
        self.zip = QRadioButton("A ZIP of separate PDFs (letter, index, each exhibit)")
        self.single.setChecked(True)
        self.split_mb = QSpinBox()
        self.split_mb.setRange(1, 500)
        self.split_mb.setValue(10)
        self.split_mb.setSuffix(" MB")
        self.split_mb.setAccessibleName("Largest part, in megabytes")
        self.split_mb.setToolTip("Upload portals often refuse files over 10 MB")
        self.split_mb.setEnabled(False)
        self.split.toggled.connect(self.split_mb.setEnabled)
        split_row = QHBoxLayout()
        split_row.addWidget(self.split)
        split_row.addWidget(self.split_mb)
        split_row.addStretch(1)

        form = QFormLayout()
        form.addRow("Letter", self.letter)
        if not latest:
            form.addRow("", note)
        form.addRow("", self.chronology)
        form.addRow("Write", self.single)
        form.addRow("", self._wrap(split_row))
        form.addRow("", self.zip)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = buttons.addButton("Export…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setEnabled(bool(exhibits) or bool(latest))
        buttons.accepted.connect(self.choose_and_export)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)

    @staticmethod
    def _wrap(row: QHBoxLayout) -> QWidget:
        holder = QWidget()
        row.setContentsMargins(0, 0, 0, 0)
        holder.setLayout(row)
        return holder

    def _latest_letter_label(self) -> str | None:
        letter = self.services.packets.latest_appeal_letter_record(self.claim_id)
        if letter is None:
            return None
        titles = {t.kind: t.title for t in self.services.lettering.templates()}
        title = titles.get(letter.kind, letter.kind)
        return f"{title}, written {letter.generated_at.astimezone():%d %b %Y}"

    def choose_and_export(self) -> None:
        suffix = ".zip" if self.zip.isChecked() else ".pdf"
        filters = "ZIP archive (*.zip)" if suffix == ".zip" else "PDF (*.pdf)"
        suggested = Path.home() / f"{self.claim.case_number} appeal packet{suffix}"
        path = self.env.prompts.save_path(self, "Save the appeal packet", suggested, filters)
        if path is None:
            return
        self.export(path, omit_unreadable=False)

    def export(self, path: Path, *, omit_unreadable: bool) -> None:
        packets = self.services.packets
        claim_id = self.claim_id
        options = packets.options(
            claim_id,
            include_chronology=self.chronology.isChecked(),
            omit_unreadable=omit_unreadable,
            split_bytes=self.split_mb.value() * 1_000_000 if self.split.isChecked() else None,
            as_zip=self.zip.isChecked(),
        )
        with_letter = self.letter.currentData() == "latest"
        self.export_button.setEnabled(False)

        def work(control: TaskControl) -> PacketResult:
            found = packets.latest_appeal_letter(claim_id) if with_letter else None
            letter = found[1] if found else None
            return packets.export(claim_id, path, letter, options, control.progress,
                                  control.cancelled)

        def failed(error: BaseException) -> None:
            self.export_button.setEnabled(True)
            if isinstance(error, PacketCancelled):
                return
            if isinstance(error, ExhibitProblemsError) and not omit_unreadable:
                listed = "\n".join(f"• {p.describe()}" for p in error.problems)
                if self.env.prompts.confirm(
                    self, "Some exhibits cannot be used",
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

        run_with_progress(self, self.env, "Exporting the appeal packet…", work, self._done,
                          failed)

    def _done(self, result: Any) -> None:
        self.outcome = result
        files = "\n".join(f"• {p}" for p in result.paths)
        omitted = ""
        if result.omitted:
            omitted = "\n\nLeft out:\n" + "\n".join(f"• {p.describe()}" for p in result.omitted)
        self.env.prompts.info(
            self, "Appeal packet written",
            f"{result.page_count} pages, {len(result.exhibits)} exhibits.\n\n{files}{omitted}",
        )
        self.accept()
