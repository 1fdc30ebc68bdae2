"""Write a letter: choose the kind, see it on this case, fix what the check finds, generate."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSplitter,
    QWidget,
)

from claimdesk.gui import theme
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.forms import child, load_form
from claimdesk.gui.letter_preview import LetterPreviewView, findings_html
from claimdesk.services.letter_context import LetterOptions
from claimdesk.services.lettering import GeneratedLetter, LetterPreview

KIND_ROLE = Qt.ItemDataRole.UserRole


class WriteLetterDialog(QDialog):
    """Generates one letter for one case and keeps it on the case; ``generated`` holds it.

    The layout is ``ui/letter_dialog.ui``.
    """

    def __init__(self, env: GuiEnv, claim_id: int, parent: QWidget | None = None,
                 kind: str | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.services = env.services
        self.claim_id = claim_id
        self.generated: GeneratedLetter | None = None
        self._preview: LetterPreview | None = None
        self._generation = 0
        load_form("letter_dialog.ui", base=self,
                  classes={"LetterPreviewView": LetterPreviewView})

        self.kinds = child(self, QListWidget, "kindList")
        for info in self.services.lettering.templates():
            item = QListWidgetItem(info.title)
            item.setData(KIND_ROLE, info.kind)
            item.setToolTip(info.summary)
            self.kinds.addItem(item)
        self.summary = child(self, QLabel, "kindSummary")

        self.call = child(self, QComboBox, "callCombo")
        for record in reversed(self.services.calls.calls(claim_id)):
            if record.superseded:
                continue
            who = record.person_name or record.organisation_name or "unknown"
            self.call.addItem(f"{record.occurred_at:%d %b %Y %H:%M} — {who}", record.id)
        self.opinion = child(self, QComboBox, "opinionCombo")
        for opinion in reversed(self.services.opinions.opinions(claim_id)):
            self.opinion.addItem(f"{opinion.specialist_name} ({opinion.specialty})", opinion.id)
        self.pdf = child(self, QRadioButton, "pdfRadio")
        self.docx = child(self, QRadioButton, "docxRadio")

        self.view = child(self, LetterPreviewView, "previewView")
        self.findings = child(self, QLabel, "findingsLabel")
        child(self, QSplitter, "splitter").setSizes([330, 670])

        self.buttons = child(self, QDialogButtonBox, "buttonBox")
        self.generate_button = child(self, QPushButton, "generateButton")
        self._generate_text = self.generate_button.text()
        self.buttons.addButton(self.generate_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.generate)
        self.buttons.rejected.connect(self.reject)

        self.kinds.currentItemChanged.connect(lambda *_: self._kind_changed())
        self.call.currentIndexChanged.connect(lambda *_: self.refresh_preview())
        self.opinion.currentIndexChanged.connect(lambda *_: self.refresh_preview())
        self.kinds.setCurrentRow(self._row_of(kind) if kind else 0)

    def _row_of(self, kind: str) -> int:
        for row in range(self.kinds.count()):
            if self.kinds.item(row).data(KIND_ROLE) == kind:
                return row
        return 0

    def kind(self) -> str | None:
        item = self.kinds.currentItem()
        return str(item.data(KIND_ROLE)) if item else None

    def options(self) -> LetterOptions:
        return LetterOptions(call_id=self.call.currentData(), opinion_id=self.opinion.currentData())

    def _kind_changed(self) -> None:
        kind = self.kind()
        if kind is None:
            return
        info = self.services.lettering.store.info(kind)
        self.summary.setText(info.summary)
        self.call.setEnabled(kind == "call_confirmation" and self.call.count() > 0)
        self.opinion.setEnabled(self.opinion.count() > 0)
        self.refresh_preview()

    def refresh_preview(self) -> None:
        kind = self.kind()
        if kind is None:
            return
        self._generation += 1
        generation = self._generation
        options = self.options()
        self.generate_button.setEnabled(False)
        self.findings.setText("Preparing the preview…")

        def done(preview: Any) -> None:
            if generation == self._generation:
                self._show(preview)

        def failed(error: BaseException) -> None:
            if generation != self._generation:
                return
            self._preview = None
            self.view.show_error(str(error))
            self.findings.setText("")

        self.env.tasks.run(
            lambda: self.services.lettering.preview(self.claim_id, kind, options), done, failed
        )

    def _show(self, preview: LetterPreview) -> None:
        self._preview = preview
        self.view.show_letter(preview)
        self.generate_button.setEnabled(True)
        self.findings.setText(findings_html(
            preview.findings, "Before you send it:", theme.DANGER,
            "The language check found nothing to fix.",
        ))

    def generate(self) -> None:
        kind = self.kind()
        preview = self._preview
        if kind is None or preview is None:
            return
        force = False
        if preview.findings:
            listed = "\n".join(f"• {f.message}" for f in preview.findings)
            if not self.env.prompts.confirm(
                self, "Generate anyway?",
                f"The check found:\n\n{listed}\n\nFix the case or the template first, or "
                "generate the letter as it is.", "Generate anyway",
            ):
                return
            force = True
        fmt = "docx" if self.docx.isChecked() else "pdf"
        options = self.options()
        self.generate_button.setEnabled(False)
        self.generate_button.setText("Generating…")

        def done(generated: Any) -> None:
            self.generated = generated
            self.accept()

        def failed(error: BaseException) -> None:
            self.generate_button.setEnabled(True)
            self.generate_button.setText(self._generate_text)
            from claimdesk.errors import ClaimDeskError

            if isinstance(error, ClaimDeskError):
                self.env.prompts.error(self, "The letter was not generated", str(error))
            else:
                raise error

        self.env.tasks.run(
            lambda: self.services.lettering.generate(
                self.claim_id, kind, fmt, options, force=force  # type: ignore[arg-type]
            ),
            done,
            failed,
        )

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self.kinds.setFocus)

