"""Write a letter: choose the kind, see it on this case, fix what the check finds, generate."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QSignalBlocker, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication
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
from claimdesk.gui.dates import day_text, moment_text
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.forms import child, load_form
from claimdesk.gui.letter_preview import LetterPreviewView, findings_html
from claimdesk.services.letter_context import LetterOptions
from claimdesk.services.lettering import Format, GeneratedLetter, LetterPreview

KIND_ROLE = Qt.ItemDataRole.UserRole
# The size the dialog opens at, capped to the screen it opens on.
DEFAULT_SIZE = QSize(1200, 800)


class WriteLetterDialog(QDialog):
    """Generates one letter for one case and keeps it on the case; ``generated`` holds it.

    The layout is ``ui/letter_dialog.ui``.
    """

    def __init__(
        self, env: GuiEnv, claim_id: int, parent: QWidget | None = None, kind: str | None = None
    ) -> None:
        super().__init__(parent)
        self.env = env
        self.services = env.services
        self.claim_id = claim_id
        self.generated: GeneratedLetter | None = None
        self._preview: LetterPreview | None = None
        self._generation = 0
        load_form("letter_dialog.ui", base=self, classes={"LetterPreviewView": LetterPreviewView})

        self.kinds = child(self, QListWidget, "kindList")
        for info in self.services.lettering.templates():
            item = QListWidgetItem(info.title)
            item.setData(KIND_ROLE, info.kind)
            item.setToolTip(info.summary)
            self.kinds.addItem(item)
        # Wide enough for the longest title, so the list never needs a horizontal scroll bar.
        widest = max(
            (
                self.kinds.fontMetrics().horizontalAdvance(self.kinds.item(row).text())
                for row in range(self.kinds.count())
            ),
            default=200,
        )
        self._list_width = widest + 2 * self.kinds.frameWidth() + 40
        self.kinds.setMinimumWidth(min(self._list_width, 520))
        self.summary = child(self, QLabel, "kindSummary")
        self.recipient = child(self, QLabel, "recipientLabel")
        self.add_organisation = child(self, QPushButton, "addOrganisationButton")
        self.add_organisation.hide()
        self.add_organisation.clicked.connect(self._add_organisation)
        self._directory_id: str | None = None

        self.call = child(self, QComboBox, "callCombo")
        for record in reversed(self.services.calls.calls(claim_id)):
            if record.superseded:
                continue
            who = record.person_name or record.organisation_name or "unknown"
            self.call.addItem(f"{moment_text(record.occurred_at.astimezone())} — {who}", record.id)
        self.opinion = child(self, QComboBox, "opinionCombo")
        for opinion in reversed(self.services.opinions.opinions(claim_id)):
            if opinion.report_received_on:
                state = f"report {day_text(opinion.report_received_on)}"
            else:
                state = f"{opinion.status.label.lower()}, no report yet"
            self.opinion.addItem(f"{opinion.specialist_name} — {state}", opinion.id)
            self.opinion.setItemData(
                self.opinion.count() - 1,
                f"{opinion.specialist_name} ({opinion.specialty}): {opinion.status.label}",
                Qt.ItemDataRole.ToolTipRole,
            )
        self.pdf = child(self, QRadioButton, "pdfRadio")
        self.docx = child(self, QRadioButton, "docxRadio")

        self.view = child(self, LetterPreviewView, "previewView")
        self.findings = child(self, QLabel, "findingsLabel")
        self._size_to_screen()

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

    def _size_to_screen(self) -> None:
        """1200x800 by default, never larger than the screen; the choices column as wide as
        the longest kind of letter, the preview the rest."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        size = QSize(DEFAULT_SIZE)
        if screen is not None:
            room = screen.availableGeometry().size() * 0.92
            # Even the minimum gives way on a screen smaller than it.
            self.setMinimumSize(self.minimumSize().boundedTo(room))
            size = size.boundedTo(room).expandedTo(self.minimumSize())
        self.resize(size)
        choices = max(380, min(self._list_width + 24, 540))
        child(self, QSplitter, "splitter").setSizes([choices, max(size.width() - choices, 400)])

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
        # The opinion this kind of letter is about unless the user picks another: for an
        # appeal the one whose report arrived (newest first), for a briefing the one waiting.
        default = self.services.lettering.default_opinion_id(self.claim_id, kind)
        if default is not None:
            with QSignalBlocker(self.opinion):
                self.opinion.setCurrentIndex(max(self.opinion.findData(default), 0))
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
        blocked = any(f.blocking for f in preview.findings)
        self.generate_button.setEnabled(not blocked)
        self.generate_button.setToolTip(
            "The case's record does not support this letter yet: see what the check found."
            if blocked
            else ""
        )
        self.findings.setText(
            findings_html(
                preview.findings,
                "Before you send it:",
                theme.DANGER,
                "The check found nothing to fix.",
            )
        )
        self._show_recipient(preview.recipient)

    def _show_recipient(self, recipient: dict[str, Any] | None) -> None:
        if not recipient:
            self.recipient.setText("")
            self.add_organisation.hide()
            return
        lines = [recipient.get("name"), recipient.get("department"), recipient.get("address")]
        shown = "<br>".join(escape(str(line)).replace("\n", "<br>") for line in lines if line)
        note = ""
        from_directory = recipient.get("source") == "directory"
        if from_directory:
            checked = (
                ""
                if recipient.get("directory_verified")
                else (" Not verified on the body's own pages: check the address before sending.")
            )
            note = (
                "<br><i>From ClaimDesk's directory of ombudsmen and regulators."
                f"{escape(checked)}</i>"
            )
        self.recipient.setText(f"<b>To:</b><br>{shown}{note}")
        self.add_organisation.setVisible(from_directory)
        self._directory_id = str(recipient["directory_id"]) if from_directory else None

    def _add_organisation(self) -> None:
        entry = self._directory_id
        if not entry:
            return
        from claimdesk.errors import ClaimDeskError

        try:
            org = self.services.lettering.add_directory_organisation(str(entry))
        except ClaimDeskError as error:
            self.env.prompts.error(self, "The organisation was not added", str(error))
            return
        self.add_organisation.hide()
        self.env.prompts.info(
            self,
            "Organisation added",
            f"{org.name} is now one of the office's organisations; letters use its details, "
            "and a correction made there is used from now on.",
        )
        self.refresh_preview()

    def generate(self) -> None:
        kind = self.kind()
        preview = self._preview
        if kind is None or preview is None:
            return
        force = False
        blocking = [f for f in preview.findings if f.blocking]
        if blocking:
            self.env.prompts.error(
                self,
                "The letter cannot be written yet",
                "\n\n".join(f.message for f in blocking),
            )
            return
        if preview.findings:
            listed = "\n".join(f"• {f.message}" for f in preview.findings)
            if not self.env.prompts.confirm(
                self,
                "Generate anyway?",
                f"The check found:\n\n{listed}\n\nFix the case or the template first, or "
                "generate the letter as it is.",
                "Generate anyway",
            ):
                return
            force = True
        fmt: Format = "docx" if self.docx.isChecked() else "pdf"
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
                self.claim_id,
                kind,
                fmt,
                options,
                force=force,
            ),
            done,
            failed,
        )

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self.kinds.setFocus)
