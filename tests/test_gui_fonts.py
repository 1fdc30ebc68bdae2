"""The shipped Noto fonts reach the window: a Devanagari name is drawn, not shown as boxes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QFont, QFontDatabase, QTextLayout
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from claimdesk.gui.app import add_script_fonts, use_script_fallbacks
from claimdesk.paths import resources_dir

NAME = "अनन्या देशपांडे"  # the demo's Pune claimant writes her name in Devanagari


@pytest.fixture
def app_font(qtbot: QtBot) -> Iterator[None]:
    before = QApplication.font()
    yield
    QApplication.setFont(before)


def drawn_with(text: str, font: QFont) -> set[str]:
    """The families Qt actually draws ``text`` with in ``font`` (after its fallbacks)."""
    layout = QTextLayout(text, font)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    return {run.rawFont().familyName() for run in layout.glyphRuns()}


def test_every_shipped_face_is_registered(qtbot: QtBot) -> None:
    families = add_script_fonts()
    assert set(families) == {"Noto Sans", "Noto Serif", "Noto Serif Devanagari"}
    assert "Noto Serif Devanagari" in QFontDatabase.families(QFontDatabase.WritingSystem.Devanagari)
    shipped = sorted(p.name for p in (resources_dir() / "fonts").glob("*.ttf"))
    assert len(shipped) == 8
    serif = set(QFontDatabase.styles("Noto Serif"))
    assert {"Regular", "Bold", "Italic", "Bold Italic"} <= serif
    assert {"Regular", "Bold"} <= set(QFontDatabase.styles("Noto Serif Devanagari"))
    assert {"Regular", "Bold"} <= set(QFontDatabase.styles("Noto Sans"))


def test_the_application_font_falls_back_to_the_shipped_faces(app_font: None) -> None:
    desktop = QApplication.font().families()
    use_script_fallbacks(add_script_fonts())
    families = QApplication.font().families()
    assert families[: len(desktop)] == desktop  # the desktop's own face comes first
    assert families[len(desktop) :] == ["Noto Serif Devanagari", "Noto Sans"]
    # A Devanagari name is drawn with the shipped face, the Latin around it as before.
    assert "Noto Serif Devanagari" in drawn_with(f"Claimant: {NAME}", QApplication.font())


def test_the_letter_preview_draws_devanagari(app_font: None) -> None:
    add_script_fonts()
    serif = QFont("Serif")
    serif.setStyleHint(QFont.StyleHint.Serif)
    assert "Noto Serif Devanagari" in drawn_with(NAME, serif)


def test_fallbacks_are_not_added_twice(app_font: None) -> None:
    registered = add_script_fonts()
    use_script_fallbacks(registered)
    once = QApplication.font().families()
    use_script_fallbacks(registered)
    assert QApplication.font().families() == once
