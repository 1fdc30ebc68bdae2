"""The packet dialog finds the appeal letter kept on the case and leaves internal notes out of
the chronology unless they are ticked in (issue 12, items 2 and 4)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader
from PySide6.QtWidgets import QFormLayout, QLabel
from pytestqt.qtbot import QtBot

from claimdesk.gui.forms import child
from claimdesk.gui.packet_dialog import PacketDialog
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.services import Services
from claimdesk.services.demo import load_demo
from claimdesk.storage import open_database
from tests.gui_support import make_env
from tests.pinned import pinned_clock
from tests.signin import as_user


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[Services, list[int]]]:
    database = open_database(f"sqlite:///{tmp_path / 'claimdesk.sqlite'}")
    services = as_user(database, "Packet Tester", tmp_path, clock=pinned_clock())
    yield services, load_demo(services)
    database.dispose()


def note_shown(dialog: PacketDialog) -> bool:
    form = child(dialog, QFormLayout, "formLayout")
    return form.isRowVisible(child(dialog, QLabel, "noLetterNote"))


def test_dialog_finds_the_sent_appeal_letter_and_ticks_notes_in(
    qtbot: QtBot, demo: tuple[Services, list[int]], tmp_path: Path
) -> None:
    services, ids = demo
    claim_id = ids[3]
    sent = services.letters.letters(claim_id)[0].sent_on
    assert sent is not None
    env = make_env(services, tmp_path)
    dialog = PacketDialog(env, claim_id)
    qtbot.addWidget(dialog)
    assert dialog.letter.itemText(0) == f"Appeal letter sent {sent:%d %b %Y}"
    assert dialog.letter.currentData() == "latest"
    assert not note_shown(dialog)

    # Internal notes: off by default, only with the chronology, in the packet when ticked.
    assert not dialog.internal_notes.isChecked()
    dialog.chronology.setChecked(False)
    assert not dialog.internal_notes.isEnabled()
    dialog.chronology.setChecked(True)
    assert dialog.internal_notes.isEnabled()
    dialog.internal_notes.setChecked(True)
    out = tmp_path / "packet.pdf"
    dialog.export(out, omit_unreadable=False)
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=60_000)
    assert dialog.outcome is not None
    reader = PdfReader(out)
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Keating-Vail for anything" in text  # the case note
    assert "Appeal of the termination of my long-term disability benefits" in text  # the letter


def test_dialog_leaves_notes_out_and_names_a_word_only_letter(
    qtbot: QtBot, demo: tuple[Services, list[int]], tmp_path: Path
) -> None:
    services, ids = demo
    claim_id = ids[3]
    word = services.lettering.generate(claim_id, "internal_appeal", "docx", force=True)
    assert word.letter is not None
    services.letters.mark_sent(word.letter.id, services.clock.today(), "fax")
    env = make_env(services, tmp_path)
    dialog = PacketDialog(env, claim_id)
    qtbot.addWidget(dialog)
    # The newest letter sent is kept only as DOCX: said so, with what to do, not dropped.
    assert [dialog.letter.itemData(i) for i in range(dialog.letter.count())] == ["file", None]
    assert dialog.letter.currentData() is None
    assert note_shown(dialog)
    note = child(dialog, QLabel, "noLetterNote").text()
    assert "Word file (DOCX)" in note and "Letters tab" in note
    assert f"sent {services.clock.today():%d %b %Y}" in note

    # What it offers: a PDF of the letter, chosen from a file, goes on top.
    letter = tmp_path / "appeal.pdf"
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    pdf.cell(0, 10, "Appeal letter saved from Word")
    letter.write_bytes(bytes(pdf.output()))
    out = tmp_path / "packet.pdf"
    prompts = env.prompts
    assert isinstance(prompts, RecordingPrompts)
    prompts.answers += [letter, out]
    dialog.letter.setCurrentIndex(dialog.letter.findData("file"))
    dialog.choose_and_export()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=60_000)
    pages = PdfReader(out).pages
    assert "Appeal letter saved from Word" in pages[0].extract_text()
    text = " ".join(" ".join(page.extract_text().split()) for page in pages)
    assert "Keating-Vail for anything" not in text
    assert "Letter sent" in text and ".jinja" not in text and "(demo)" not in text


def test_dialog_warns_when_the_letter_lists_another_packet(
    qtbot: QtBot, demo: tuple[Services, list[int]], tmp_path: Path
) -> None:
    services, ids = demo
    claim_id = ids[3]
    written = services.lettering.generate(claim_id, "internal_appeal", "pdf", force=True)
    assert written.letter is not None
    services.letters.mark_sent(written.letter.id, services.clock.today(), "fax")
    env = make_env(services, tmp_path)
    prompts = env.prompts
    assert isinstance(prompts, RecordingPrompts)
    dialog = PacketDialog(env, claim_id)
    qtbot.addWidget(dialog)
    assert dialog.letter.currentData() == "latest"
    # The letter lists the chronology as its last exhibit; a packet without it disagrees.
    dialog.chronology.setChecked(False)
    dialog.choose_and_export()  # no answer: the confirmation is declined
    assert [s[:2] for s in prompts.shown] == [("confirm", "The letter and the packet disagree")]
    assert "(Exhibits A, B, C, D, E, F)" in prompts.shown[0][2]
    # With the chronology, the letter and the packet agree: straight to where to save it.
    dialog.chronology.setChecked(True)
    prompts.shown.clear()
    dialog.choose_and_export()
    assert [s[0] for s in prompts.shown] == ["save"]
