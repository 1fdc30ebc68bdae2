"""The Letters tab: write a letter on a demo case, mark it sent, export the appeal packet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from claimdesk.errors import PacketCancelled
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.letter_dialog import WriteLetterDialog
from claimdesk.gui.packet_dialog import PacketDialog
from claimdesk.gui.panels.letters import LettersPanel
from claimdesk.gui.progress import run_with_progress
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.gui.tasks import TaskControl
from claimdesk.models.enums import ContactMethod
from claimdesk.services import Services
from claimdesk.services.demo import load_demo
from claimdesk.storage import open_database
from tests.gui_support import filler, follow_changes, make_env, refreshed
from tests.pinned import pinned_clock
from tests.signin import as_user


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[Services, list[int]]]:
    database = open_database(f"sqlite:///{tmp_path / 'claimdesk.sqlite'}")
    services = as_user(database, "Letter Tester", tmp_path, clock=pinned_clock())
    yield services, load_demo(services)
    database.dispose()


def _prompts(env: GuiEnv) -> RecordingPrompts:
    assert isinstance(env.prompts, RecordingPrompts)
    return env.prompts


def test_write_a_letter_from_the_dialog(
    qtbot: QtBot, demo: tuple[Services, list[int]], tmp_path: Path
) -> None:
    services, ids = demo
    env = make_env(services, tmp_path)
    dialog = WriteLetterDialog(env, ids[0], kind="records_request")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.generate_button.isEnabled(), timeout=10_000)
    shown = dialog.view.toPlainText()
    assert services.claims.get(ids[0]).claimant_name in shown
    _prompts(env).answers.append(True)  # "Generate anyway?" if the check found anything
    dialog.docx.setChecked(True)
    dialog.generate()
    qtbot.waitUntil(lambda: dialog.generated is not None, timeout=10_000)
    assert dialog.generated is not None
    assert dialog.generated.file_name.endswith(".docx")
    letters = services.letters.letters(ids[0])
    assert letters[-1].kind == "records_request"
    assert letters[-1].document_id is not None


def test_a_flagged_letter_needs_confirmation(
    qtbot: QtBot, demo: tuple[Services, list[int]], tmp_path: Path
) -> None:
    services, ids = demo
    services.lettering.store.save(
        "records_request",
        '{% extends "_letter.jinja" %}{% block subject %}Request{% endblock %}'
        "{% block body %}A non-emergent request.{% endblock %}",
    )
    env = make_env(services, tmp_path)
    dialog = WriteLetterDialog(env, ids[0], kind="records_request")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.generate_button.isEnabled(), timeout=10_000)
    assert "non-emergent" in dialog.findings.text()
    before = len(services.letters.letters(ids[0]))
    _prompts(env).answers.append(False)  # the user declines to generate anyway
    dialog.generate()
    assert _prompts(env).shown[-1][0] == "confirm"
    assert len(services.letters.letters(ids[0])) == before
    assert dialog.generated is None


def test_a_broken_template_shows_its_line_in_the_preview(
    qtbot: QtBot, demo: tuple[Services, list[int]], tmp_path: Path
) -> None:
    services, ids = demo
    folder = tmp_path / "templates" / "letters"
    folder.mkdir(parents=True)
    (folder / "records_request.jinja").write_text("fine\n{{ claim.x | nope }}\n", encoding="utf-8")
    env = make_env(services, tmp_path)
    dialog = WriteLetterDialog(env, ids[0], kind="records_request")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "line 2" in dialog.view.toPlainText(), timeout=10_000)
    assert not dialog.generate_button.isEnabled()


def test_letters_panel_lists_and_marks_sent(
    qtbot: QtBot, demo: tuple[Services, list[int]], tmp_path: Path
) -> None:
    services, ids = demo
    env = make_env(services, tmp_path)
    services.lettering.generate(ids[0], "records_request", "pdf", force=True)
    panel = LettersPanel(env, ids[0])
    qtbot.addWidget(panel)
    follow_changes(panel)
    refreshed(panel)
    assert panel.model.rowCount() >= 1
    panel.view.selectRow(0)
    assert panel.open_button.isEnabled()
    assert panel.model.data(panel.model.index(0, 1)) == (
        "Request for the claim file and the documents relied on"
    )
    panel.run_dialog = filler(lambda dialog: None)
    panel.mark_sent()
    qtbot.waitUntil(lambda: panel.model.rows[0].sent_on is not None)
    assert panel.model.rows[0].sent_method is ContactMethod.LETTER
    # Save a copy writes the stored bytes.
    target = tmp_path / "copy.pdf"
    _prompts(env).answers.append(target)
    panel.save_copy()
    assert target.read_bytes().startswith(b"%PDF")


def test_packet_dialog_exports_with_the_appeal_letter(
    qtbot: QtBot, demo: tuple[Services, list[int]], tmp_path: Path
) -> None:
    services, ids = demo
    claim_id = ids[0]
    services.lettering.generate(claim_id, "internal_appeal", "pdf", force=True)
    env = make_env(services, tmp_path)
    dialog = PacketDialog(env, claim_id)
    qtbot.addWidget(dialog)
    assert dialog.letter.currentData() == "latest"
    out = tmp_path / "packet.pdf"
    # Parts of an earlier, split export to the same name: this one needs none of them.
    for n in (1, 2):
        (tmp_path / f"packet-part{n}.pdf").write_bytes(b"%PDF-1.4 old part")
    _prompts(env).answers.append(out)
    dialog.choose_and_export()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=60_000)
    assert dialog.outcome is not None
    reader = PdfReader(out)
    assert len(reader.pages) == dialog.outcome.page_count
    claim = services.claims.get(claim_id)
    assert f"{claim.case_number}-000001" in reader.pages[0].extract_text()
    assert _prompts(env).shown[-1][1] == "Appeal packet written"
    assert (
        "Removed the older packet's extra parts: packet-part1.pdf, packet-part2.pdf"
        in (_prompts(env).shown[-1][2])
    )
    assert not (tmp_path / "packet-part1.pdf").exists()


def test_progress_dialog_cancels_the_work(qtbot: QtBot, services: Services, tmp_path: Path) -> None:
    env = make_env(services, tmp_path)
    outcome: list[object] = []

    def work(control: TaskControl) -> str:
        for step in range(10_000):
            control.progress(step, 10_000, f"step {step}")
            if control.cancelled():
                raise PacketCancelled()
            import time

            time.sleep(0.001)
        return "finished"

    dialog = run_with_progress(
        None,
        env,
        "Working…",
        work,
        outcome.append,  # type: ignore[arg-type]
        outcome.append,
    )
    qtbot.waitUntil(lambda: dialog.maximum() == 10_000, timeout=5_000)
    dialog.canceled.emit()  # what the Cancel button does
    qtbot.waitUntil(lambda: bool(outcome), timeout=10_000)
    assert isinstance(outcome[0], PacketCancelled)


def test_work_that_ends_while_the_bar_is_updating_ends_once(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    """QProgressDialog.setValue() runs the event loop while modal, so the end of the work can be
    delivered inside it (under load it was: a segfault). The dialog must outlive that call and
    the end be told once, after it."""
    import shiboken6
    from PySide6.QtWidgets import QWidget

    env = make_env(services, tmp_path)
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    outcome: list[object] = []
    dialog = run_with_progress(
        parent, env, "Working…", lambda control: "finished", outcome.append, outcome.append
    )
    dialog.forceShow()  # as after its minimum duration: from now on setValue runs the event loop
    [signals] = env.tasks._running
    assert env.tasks.wait(10_000)  # the work is over: its end waits in the queue
    assert outcome == []
    signals.progressed.emit(1, 2, "step 1")  # a step, and inside its setValue the end arrives
    assert shiboken6.isValid(dialog)
    assert outcome == ["finished"]
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=5_000)  # deleted later
    assert outcome == ["finished"]
