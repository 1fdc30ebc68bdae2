"""Screens write a day in the system locale's words, with the weekday, never ISO."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import TypeAlias

import pytest
from PySide6.QtCore import QDate, QLocale
from pytestqt.qtbot import QtBot

from claimdesk.gui.dates import (
    DAY_FORMAT,
    day_text,
    long_day_text,
    moment_text,
    month_text,
    qt_day_format,
    readable_dates,
)

DAY = date(2026, 10, 21)
Use: TypeAlias = Callable[[str], None]


@pytest.fixture
def locale_named() -> Iterator[Use]:
    """Sets the app's default locale for one test, then puts the pinned one back."""
    pinned = QLocale()

    def use(name: str) -> None:
        QLocale.setDefault(QLocale(name))

    yield use
    QLocale.setDefault(pinned)


def test_the_pinned_c_locale_writes_claimdesks_own_format() -> None:
    assert QLocale().language() == QLocale.Language.C  # tests/conftest.py pins it
    assert day_text(DAY) == "Wed 21 Oct 2026" == DAY.strftime(DAY_FORMAT)
    assert moment_text(datetime(2026, 10, 21, 9, 5)) == "Wed 21 Oct 2026 09:05"


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("en_US", "Wed, Oct 21, 2026"),
        ("en_GB", "Wed, 21 Oct 2026"),
        ("de_DE", "Mi., 21. Okt. 2026"),
    ],
)
def test_each_locale_writes_its_own_way(locale_named: Use, name: str, written: str) -> None:
    locale_named(name)
    assert day_text(DAY) == written
    assert readable_dates("due 2026-10-21.") == f"due {written}."


def test_a_heading_writes_the_day_in_full(locale_named: Use) -> None:
    assert long_day_text(DAY) == "Wednesday 21 October 2026"
    locale_named("de_DE")
    assert long_day_text(DAY) == "Mittwoch, 21. Oktober 2026"


def test_a_two_digit_year_never_reaches_the_screen(locale_named: Use) -> None:
    # de_DE's and en_US's short formats say "21.10.26" and "10/21/26"; a deadline needs the year.
    for name in ("en_US", "de_DE", "en_AU", "en_IN", "ja_JP", "fr_FR"):
        pattern = qt_day_format(QLocale(name))
        assert "yyyy" in pattern, name
        assert "2026" in day_text(DAY, QLocale(name)), name


def test_the_qt_pattern_works_in_a_date_edit(qtbot: QtBot, locale_named: Use) -> None:
    from PySide6.QtWidgets import QDateEdit

    locale_named("en_GB")
    edit = QDateEdit(QDate(2026, 10, 21))
    qtbot.addWidget(edit)
    edit.setDisplayFormat(qt_day_format())
    assert edit.text() == "Wed, 21 Oct 2026"


def test_month_labels_follow_the_locale(locale_named: Use) -> None:
    assert month_text(date(2027, 1, 1), with_year=True) == "Jan 2027"
    locale_named("de_DE")
    assert month_text(date(2027, 1, 1), with_year=False).startswith("Jan")
    assert month_text(date(2026, 3, 1), with_year=False) == "März"
