"""The documents panel: adding and dropping files, the packet order, saving, the preview."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfWriter
from PySide6.QtCore import QDate, QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QImage
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from claimdesk.gui.panels.documents import (
    IN_PACKET,
    KIND,
    NO_PREVIEW,
    SIZE,
    TITLE,
    DocumentModel,
    DocumentsPanel,
)
from claimdesk.models.enums import DocumentKind
from claimdesk.services import ClaimInput, Services
from tests.gui_support import field, follow_changes, make_env, refreshed, settled, threads_calling
from tests.pinned import TODAY


def open_case(services: Services) -> int:
    return services.claims.open_case(
        ClaimInput(
            claimant_name="Maria Lopez",
            plan_type="erisa_group_health",
            claim_type="health",
            country="US",
            region="CA",
            insurer_name="Acme Health Plan",
            denial_received_date=TODAY - timedelta(days=60),
            denial_category="medical_necessity",
        )
    ).id


@pytest.fixture
def panel(qtbot: QtBot, services: Services, tmp_path: Path) -> Iterator[DocumentsPanel]:
    claim_id = open_case(services)
    env = make_env(services, tmp_path)
    widget = DocumentsPanel(env, claim_id)
    follow_changes(widget)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    refreshed(widget)
    widget.show()
    yield widget
    env.tasks.wait(5000)


def accept(fill: Callable[[QDialog], None] = lambda d: None) -> Callable[[QDialog], bool]:
    def run(dialog: QDialog) -> bool:
        fill(dialog)
        return True

    return run


def pdf_bytes(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=300, height=400)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def shown(panel: DocumentsPanel) -> list[tuple[str, str, str]]:
    """The messages the user was shown (not the file choosers)."""
    every: list[tuple[str, str, str]] = panel.env.prompts.shown  # type: ignore[attr-defined]
    return [entry for entry in every if entry[0] not in ("open", "save")]


def answer(panel: DocumentsPanel, *answers: object) -> None:
    """What the next file choosers answer."""
    panel.env.prompts.answers.extend(answers)  # type: ignore[attr-defined]


def wait_attached(qtbot: QtBot, panel: DocumentsPanel) -> None:
    """Until the files are checked, handed to the worker, kept, and the panel has said so."""
    qtbot.waitUntil(lambda: not panel.attacher.busy)
    settled(panel)
    assert not panel.summary.text().startswith(("Checking", "Attaching"))


def test_add_files_through_the_chooser(qtbot: QtBot, panel: DocumentsPanel, tmp_path: Path) -> None:
    letter = tmp_path / "denial letter.pdf"
    letter.write_bytes(pdf_bytes(2))
    day = TODAY - timedelta(days=3)

    def fill(dialog: QDialog) -> None:
        kind = field(dialog, QComboBox, "Kind of document")
        assert isinstance(kind, QComboBox) and kind.currentData() == DocumentKind.OTHER
        kind.setCurrentIndex(kind.findData(DocumentKind.DENIAL_LETTER))
        field(dialog, QLineEdit, "Title").setText("Denial of 3 March")  # type: ignore[attr-defined]
        field(dialog, QWidget, "Date of the document").setDate(QDate(day.year, day.month, day.day))  # type: ignore[attr-defined]

    answer(panel, [letter])
    panel.run_dialog = accept(fill)
    panel.add_button.click()
    wait_attached(qtbot, panel)
    assert shown(panel) == []
    [document] = panel.services.documents.documents(panel.claim_id)
    assert document.kind == DocumentKind.DENIAL_LETTER
    assert document.title == "Denial of 3 March" and document.document_date == day
    assert document.pages == 2 and document.packet_position is None
    assert panel.model.index(0, KIND).data() == "Denial letter"
    assert panel.model.index(0, SIZE).data().endswith("KB")
    assert panel.selected() is not None and panel.selected().id == document.id  # type: ignore[union-attr]


def test_cancelled_add_attaches_nothing(
    qtbot: QtBot, panel: DocumentsPanel, tmp_path: Path
) -> None:
    note = tmp_path / "note.txt"
    note.write_text("hello")
    answer(panel, [note])
    asked: list[QDialog] = []
    panel.run_dialog = lambda dialog: bool(asked.append(dialog))
    panel.add_button.click()
    qtbot.waitUntil(lambda: bool(asked))
    wait_attached(qtbot, panel)
    assert panel.services.documents.documents(panel.claim_id) == []
    assert shown(panel) == []


def test_a_bad_file_is_named_when_chosen_before_the_form(
    qtbot: QtBot, panel: DocumentsPanel, tmp_path: Path
) -> None:
    """Issue 12 / 19: the 0-byte file is named before kind, title and date are asked; the good
    file goes on, filed with what was typed."""
    empty = tmp_path / "blank scan.pdf"
    empty.write_bytes(b"")
    good = tmp_path / "denial letter.pdf"
    good.write_bytes(pdf_bytes(2))
    forms: list[tuple[list[tuple[str, str, str]], str]] = []

    def fill(dialog: QDialog) -> None:
        forms.append((list(shown(panel)), dialog.findChild(QLabel).text()))  # type: ignore[union-attr]
        kind = field(dialog, QComboBox, "Kind of document")
        kind.setCurrentIndex(kind.findData(DocumentKind.DENIAL_LETTER))  # type: ignore[attr-defined]
        field(dialog, QLineEdit, "Title").setText("Denial of 3 March")  # type: ignore[attr-defined]

    answer(panel, [empty, good])
    panel.run_dialog = accept(fill)
    panel.add_button.click()
    assert panel.summary.text().startswith("Checking files…")
    wait_attached(qtbot, panel)
    # One form, opened after the empty file was named, for the good file alone.
    [(named, heading)] = forms
    assert named == [
        (
            "error",
            "Cannot attach blank scan.pdf",
            "'blank scan.pdf' is empty (0 bytes), so there is nothing to keep. Check the file "
            "opens on your computer, then attach it again.\n\nThe other file will be added next.",
        )
    ]
    assert "denial letter.pdf" in heading and "blank scan" not in heading
    assert shown(panel) == named  # nothing more was said after the form
    [document] = panel.services.documents.documents(panel.claim_id)
    assert (document.original_name, document.title) == ("denial letter.pdf", "Denial of 3 March")
    assert document.kind == DocumentKind.DENIAL_LETTER and document.pages == 2


def test_a_locked_pdf_and_a_text_file_named_pdf_are_named_and_no_form_opens(
    qtbot: QtBot, panel: DocumentsPanel, tmp_path: Path
) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=300, height=400)
    writer.encrypt("secret")
    locked = tmp_path / "eob.pdf"
    with locked.open("wb") as handle:
        writer.write(handle)
    renamed = tmp_path / "email.pdf"
    renamed.write_text("Dear Ms Lopez,\nyour appeal was received.\n")
    asked: list[QDialog] = []
    panel.run_dialog = lambda dialog: bool(asked.append(dialog)) or True
    answer(panel, [locked, renamed])
    panel.add_button.click()
    wait_attached(qtbot, panel)
    [(level, title, message)] = shown(panel)
    assert (level, title) == ("error", "Cannot attach 2 of the files")
    assert "'eob.pdf' cannot be attached: it is password-protected" in message
    assert "'email.pdf' is not a PDF: it holds plain text" in message
    assert "will be added" not in message
    assert asked == [] and panel.services.documents.documents(panel.claim_id) == []


def test_drop_of_a_good_and_an_empty_file(
    qtbot: QtBot, panel: DocumentsPanel, tmp_path: Path
) -> None:
    good = tmp_path / "records.txt"
    good.write_text("Visit notes, 2 March.\n")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    named_before_the_form: list[list[tuple[str, str, str]]] = []
    panel.run_dialog = accept(lambda dialog: named_before_the_form.append(list(shown(panel))))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(empty)), QUrl.fromLocalFile(str(good))])
    event = QDropEvent(
        QPointF(QPoint(10, 10)),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    panel.dropEvent(event)
    qtbot.waitUntil(lambda: bool(panel.model.rows))
    wait_attached(qtbot, panel)
    [document] = panel.services.documents.documents(panel.claim_id)
    assert document.original_name == "records.txt" and document.kind == DocumentKind.OTHER
    [(level, title, message)] = shown(panel)
    assert level == "error" and "empty.pdf" in title and "0 bytes" in message
    assert named_before_the_form == [shown(panel)]
    # The text file is previewed as text.
    qtbot.waitUntil(lambda: panel.preview.stack.currentWidget() is panel.preview.text)
    assert "Visit notes" in panel.preview_text()


def test_a_folder_is_reported(qtbot: QtBot, panel: DocumentsPanel, tmp_path: Path) -> None:
    panel.run_dialog = accept()
    panel.add_paths([tmp_path])
    qtbot.waitUntil(lambda: bool(shown(panel)))
    [(_, _, message)] = shown(panel)
    assert "folder" in message


def test_attaching_runs_on_the_task_runner(
    qtbot: QtBot, panel: DocumentsPanel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan = tmp_path / "claim file.pdf"
    scan.write_bytes(pdf_bytes(4))
    documents = panel.services.documents
    read_on = threads_calling(monkeypatch, documents, "attach_file")
    panel.run_dialog = accept()
    said: list[str] = []
    say = panel.summary.setText
    monkeypatch.setattr(panel.summary, "setText", lambda text: (said.append(text), say(text)))
    panel.add_paths([scan])
    # The window is not held while the file is read: the list fills in when it is kept.
    assert panel.summary.text().startswith("Checking files…")
    wait_attached(qtbot, panel)
    # (A passing state: on a fast machine it can come and go between two looks at the label.)
    assert any(text.startswith("Attaching files…") for text in said), said
    assert read_on and read_on[0] is not threading.main_thread()
    [document] = documents.documents(panel.claim_id)
    assert document.original_name == "claim file.pdf" and document.pages == 4
    assert panel.model.index(0, TITLE).data() == "claim file"
    assert panel.selected() is not None and panel.selected().id == document.id  # type: ignore[union-attr]
    assert panel.summary.text().startswith("1 document,")
    assert shown(panel) == []


def test_a_refused_file_is_reported_and_nothing_is_kept(
    qtbot: QtBot, panel: DocumentsPanel, tmp_path: Path
) -> None:
    moved = tmp_path / "moved away.pdf"  # chosen, then gone before it was read
    empty = tmp_path / "blank scan.pdf"
    empty.write_bytes(b"")
    asked: list[QDialog] = []
    panel.run_dialog = lambda dialog: bool(asked.append(dialog)) or True
    panel.add_paths([moved, empty])
    qtbot.waitUntil(lambda: bool(shown(panel)))
    wait_attached(qtbot, panel)
    # Both named in one message, at once; no form is opened for nothing to file.
    assert shown(panel) == [
        (
            "error",
            "Cannot attach 2 of the files",
            f"'{moved}' does not exist; it may have been moved.\n\n"
            "'blank scan.pdf' is empty (0 bytes), so there is nothing to keep. Check the file "
            "opens on your computer, then attach it again.",
        ),
    ]
    assert asked == []
    assert panel.services.documents.documents(panel.claim_id) == []
    assert panel.model.rows == []
    assert panel.summary.text().startswith("No documents yet.")


def test_an_unexpected_failure_is_not_swallowed(
    qtbot: QtBot, panel: DocumentsPanel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = tmp_path / "note.txt"
    note.write_text("hello")

    def broken(*args: object, **kwargs: object) -> object:
        raise OSError("disk on fire")

    monkeypatch.setattr(panel.services.documents, "attach_file", broken)
    panel.run_dialog = accept()
    with qtbot.captureExceptions() as exceptions:
        panel.add_paths([note])
        qtbot.waitUntil(lambda: bool(exceptions))
    assert isinstance(exceptions[0][1], OSError)
    assert panel.services.documents.documents(panel.claim_id) == []
    assert not panel.summary.text().startswith("Attaching")


def test_packet_include_and_order(panel: DocumentsPanel) -> None:
    services = panel.services
    ids = [
        services.documents.attach(panel.claim_id, f"{name}.txt", name.encode()).id
        for name in ("alpha", "beta", "gamma")
    ]
    refreshed(panel)

    def positions() -> dict[int, int | None]:
        return {d.id: d.packet_position for d in services.documents.documents(panel.claim_id)}

    panel.select_document(ids[2])
    assert panel.packet_button.text() == "Include in packet"
    assert not panel.up_button.isEnabled()
    panel.packet_button.click()
    settled(panel)
    panel.select_document(ids[0])
    panel.packet_button.click()
    settled(panel)
    assert positions() == {ids[0]: 2, ids[1]: None, ids[2]: 1}
    assert panel.model.index(0, IN_PACKET).data() == "2"
    assert panel.packet_button.text() == "Leave out of packet"

    assert panel.up_button.isEnabled() and not panel.down_button.isEnabled()
    panel.up_button.click()
    settled(panel)
    assert positions() == {ids[0]: 1, ids[1]: None, ids[2]: 2}
    assert panel.selected().id == ids[0]  # type: ignore[union-attr]
    panel.down_button.click()
    settled(panel)
    assert positions() == {ids[0]: 2, ids[1]: None, ids[2]: 1}

    panel.select_document(ids[2])
    panel.packet_button.click()
    settled(panel)
    assert positions() == {ids[0]: 1, ids[1]: None, ids[2]: None}
    assert panel.packet_button.text() == "Include in packet"


def test_save_a_copy(panel: DocumentsPanel, tmp_path: Path) -> None:
    document = panel.services.documents.attach(panel.claim_id, "scan.bin", b"\x00\x01data")
    refreshed(panel)
    panel.select_document(document.id)
    target = tmp_path / "out" / "copy.bin"
    target.parent.mkdir()
    answer(panel, target)
    panel.save_button.click()
    assert target.read_bytes() == b"\x00\x01data"
    assert panel.preview_text() == NO_PREVIEW
    answer(panel, tmp_path / "missing" / "copy.bin")
    panel.save_button.click()
    [(level, title, _)] = shown(panel)
    assert level == "error" and title == "Cannot save the copy"


def test_pdf_preview_pages(qtbot: QtBot, panel: DocumentsPanel) -> None:
    document = panel.services.documents.attach(panel.claim_id, "claim file.pdf", pdf_bytes(3))
    refreshed(panel)
    panel.select_document(document.id)
    qtbot.waitUntil(lambda: panel.preview.page_label.text() == "Page 1 of 3", timeout=10_000)
    assert panel.preview.stack.currentWidget() is panel.preview.image_area
    assert panel.preview.image.pixmap() is not None and not panel.preview.image.pixmap().isNull()
    assert not panel.preview.previous_button.isEnabled() and panel.preview.next_button.isEnabled()
    panel.preview.next_button.click()
    qtbot.waitUntil(lambda: panel.preview.page_label.text() == "Page 2 of 3", timeout=10_000)
    panel.preview.next_button.click()
    qtbot.waitUntil(lambda: panel.preview.page_label.text() == "Page 3 of 3", timeout=10_000)
    assert not panel.preview.next_button.isEnabled() and panel.preview.previous_button.isEnabled()


def test_corrupt_pdf_says_it_cannot_be_shown(qtbot: QtBot, panel: DocumentsPanel) -> None:
    document = panel.services.documents.attach(
        panel.claim_id, "broken.pdf", b"%PDF-1.4\nthis is not really a pdf\n"
    )
    refreshed(panel)
    panel.select_document(document.id)
    qtbot.waitUntil(
        lambda: panel.preview_text().startswith("This PDF cannot be shown: "), timeout=10_000
    )
    assert shown(panel) == []


def test_image_preview(qtbot: QtBot, panel: DocumentsPanel, tmp_path: Path) -> None:
    image = QImage(2000, 100, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkCyan)
    path = tmp_path / "photo.png"
    assert image.save(str(path))
    document = panel.services.documents.attach(panel.claim_id, "photo.png", path.read_bytes())
    refreshed(panel)
    panel.select_document(document.id)
    qtbot.waitUntil(lambda: panel.preview_text() == "image", timeout=10_000)
    # Scaled down to the preview's width.
    assert panel.preview.image.pixmap().width() < 2000


def test_document_model_is_a_well_behaved_model(qtmodeltester, services: Services) -> None:  # type: ignore[no-untyped-def]
    claim_id = open_case(services)
    first = services.documents.attach(claim_id, "a.pdf", pdf_bytes(1), title="Letter")
    services.documents.attach(claim_id, "b.txt", b"notes", document_date=TODAY)
    services.documents.set_packet_order(claim_id, [first.id])
    model = DocumentModel()
    model.set_rows(services.documents.documents(claim_id))
    assert model.rowCount() == 2
    assert {model.index(r, TITLE).data() for r in range(2)} == {"Letter", "b"}
    qtmodeltester.check(model)


def test_encrypted_pdf_says_it_needs_a_password(qtbot: QtBot, panel: DocumentsPanel) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=300, height=400)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    document = panel.services.documents.attach(panel.claim_id, "locked.pdf", out.getvalue())
    refreshed(panel)
    panel.select_document(document.id)
    qtbot.waitUntil(lambda: "password" in panel.preview_text(), timeout=10_000)
    assert panel.preview_text().startswith("This PDF cannot be shown: ")


def test_edit_a_documents_details_and_a_refused_title(panel: DocumentsPanel) -> None:
    document = panel.services.documents.attach(
        panel.claim_id, "scan0042.pdf", pdf_bytes(1), document_date=TODAY
    )
    refreshed(panel)
    panel.select_document(document.id)
    answers = iter(["", "IME report, Dr. Ames"])  # first an empty title, refused

    def fill(dialog: QDialog) -> None:
        field(dialog, QLineEdit, "Title").setText(next(answers))  # type: ignore[attr-defined]
        kind = field(dialog, QComboBox, "Kind of document")
        kind.setCurrentIndex(kind.findData(DocumentKind.IME_REPORT))  # type: ignore[attr-defined]
        known = field(dialog, QCheckBox, "Date of the document is known")
        known.setChecked(False)  # type: ignore[attr-defined]  # the date is not known

    runs = iter([True, True])
    panel.run_dialog = lambda dialog: (fill(dialog), next(runs))[1]
    panel.edit_button.click()
    [(level, title, message)] = shown(panel)
    assert (level, title) == ("error", "Cannot change the document") and "Title" in message
    updated = panel.services.documents.get(document.id)
    assert updated.title == "IME report, Dr. Ames" and updated.kind == DocumentKind.IME_REPORT
    assert updated.document_date is None
    assert updated.sha256 == document.sha256  # the file itself never changes
    assert panel.model.index(0, TITLE).data() == "IME report, Dr. Ames"


def drop(panel: DocumentsPanel, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    panel.dropEvent(
        QDropEvent(
            QPointF(QPoint(10, 10)),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
    )


def four_files(tmp_path: Path) -> list[Path]:
    """Four real-world files; the second is the one each test breaks."""
    from tests.pdf_corpus import CORPUS

    made = {s.name: s.make() for s in CORPUS}
    paths = []
    for name in ("aes256-empty-password.pdf", "second.pdf", "deep-page-tree.pdf"):
        path = tmp_path / name
        path.write_bytes(made.get(name, b""))
        paths.append(path)
    notes = tmp_path / "notes.txt"
    notes.write_text("Call with Acme, 3 March.\n")
    return [*paths, notes]


def test_a_bad_file_in_a_dropped_batch_is_named_and_the_rest_kept(
    qtbot: QtBot, panel: DocumentsPanel, tmp_path: Path
) -> None:
    paths = four_files(tmp_path)  # the second is empty
    panel.run_dialog = accept()
    drop(panel, paths)
    qtbot.waitUntil(lambda: len(panel.model.rows) == 3)
    wait_attached(qtbot, panel)
    kept = {d.original_name: d.pages for d in panel.services.documents.documents(panel.claim_id)}
    assert kept == {"aes256-empty-password.pdf": 2, "deep-page-tree.pdf": 3, "notes.txt": None}
    [(level, title, message)] = shown(panel)
    assert level == "error" and title == "Cannot attach second.pdf" and "empty" in message


def test_a_fault_on_one_file_of_a_batch_keeps_the_others(
    qtbot: QtBot, panel: DocumentsPanel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a missing `cryptography` did: an exception no one expected, on the 2nd file."""
    from pypdf.errors import DependencyError

    paths = four_files(tmp_path)
    paths[1].write_bytes(pdf_bytes(1))
    documents = panel.services.documents
    attach_file = documents.attach_file

    def failing(claim_id: int, path: Path, **metadata: object) -> object:
        if path.name == "second.pdf":
            raise DependencyError("cryptography>=3.1 is required for AES algorithm")
        return attach_file(claim_id, path, **metadata)

    monkeypatch.setattr(documents, "attach_file", failing)
    panel.run_dialog = accept()
    with qtbot.captureExceptions() as exceptions:
        drop(panel, paths)
        qtbot.waitUntil(lambda: bool(exceptions))
    # Not swallowed: it reaches the exception hook (logged, the user told), naming the file.
    error = exceptions[0][1]
    assert isinstance(error, DependencyError)
    assert "while attaching second.pdf" in getattr(error, "__notes__", [])
    names = {d.original_name for d in documents.documents(panel.claim_id)}
    assert names == {"aes256-empty-password.pdf", "deep-page-tree.pdf", "notes.txt"}
    assert len(panel.model.rows) == 3 and not panel.summary.text().startswith("Attaching")


def test_a_case_closed_while_its_files_are_checked(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    """The refusal is still said (with no window to sit on); no form opens for a closed case."""
    from shiboken6 import delete, isValid

    env = make_env(services, tmp_path)
    claim_id = open_case(services)
    widget = DocumentsPanel(env, claim_id)
    asked: list[QDialog] = []
    widget.run_dialog = lambda dialog: bool(asked.append(dialog)) or True
    empty = tmp_path / "blank.pdf"
    empty.write_bytes(b"")
    good = tmp_path / "notes.txt"
    good.write_text("Call with Acme.\n")
    widget.add_paths([empty, good])
    delete(widget)  # closed at once, before the check's answer can arrive
    assert not isValid(widget)
    qtbot.waitUntil(lambda: bool(env.prompts.shown))  # type: ignore[attr-defined]
    [(level, title, message)] = env.prompts.shown  # type: ignore[attr-defined]
    assert (level, title) == ("error", "Cannot attach blank.pdf") and "0 bytes" in message
    assert "will be added" not in message
    env.tasks.wait(5000)
    assert asked == [] and services.documents.documents(claim_id) == []
