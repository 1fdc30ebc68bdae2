"""How the screens write a day: in the system locale's words, with the weekday, never ISO.

The pattern is the locale's long date with the weekday and the month abbreviated, so the month
is a name (no 10/11 ambiguity) and the year has four digits: "Wed, 21 Oct 2026" in en_GB,
"Wed, Oct 21, 2026" in en_US, "Mi., 21. Okt. 2026" in de_DE. Where no locale is set (Qt's "C"
locale: LANG=C, or a test that pins it) the screens write ClaimDesk's own "Wed 21 Oct 2026".

``DAY_FORMAT`` stays the strftime pattern of that own format (for code that formats with
strftime); ``qt_day_format()`` is the Qt pattern of the locale's writing, for
``QDateEdit.setDisplayFormat`` and ``QLocale.toString``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import cache

from PySide6.QtCore import QDate, QLocale, QTime
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QWidget

DAY_FORMAT = "%a %d %b %Y"
"""strftime pattern of ClaimDesk's own writing (the C locale's): "Wed 21 Oct 2026"."""
OWN_QT_DAY_FORMAT = "ddd dd MMM yyyy"
"""The same in Qt's date pattern language."""

_ISO_DAY = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
# A Qt date pattern: quoted literal text ('...', with '' for a quote) or anything else.
_PATTERN_PART = re.compile(r"('(?:[^']|'')*')|([^']+)")


def _shorten(pattern: str) -> str:
    """The long pattern with names abbreviated: dddd -> ddd, MMMM -> MMM; quotes kept."""
    out = []
    for quoted, plain in _PATTERN_PART.findall(pattern):
        if quoted:
            out.append(quoted)
            continue
        plain = re.sub(r"d{4,}", "ddd", plain)
        plain = re.sub(r"M{4,}", "MMM", plain)
        plain = re.sub(r"(?<!y)y{2}(?!y)", "yyyy", plain)  # never a two-digit year
        out.append(plain)
    return "".join(out)


def qt_day_format(locale: QLocale | None = None) -> str:
    """The Qt date pattern the screens write a day with, in ``locale`` (default: the app's)."""
    locale = QLocale() if locale is None else locale
    if locale.language() == QLocale.Language.C:
        return OWN_QT_DAY_FORMAT
    pattern = _shorten(locale.dateFormat(QLocale.FormatType.LongFormat))
    unquoted = "".join(plain for _quoted, plain in _PATTERN_PART.findall(pattern))
    if "ddd" not in unquoted:
        pattern = f"ddd {pattern}"
    return pattern


def day_text(value: date, locale: QLocale | None = None) -> str:
    """A day as the screens write it ("Wed 21 Oct 2026" in the C locale)."""
    locale = QLocale() if locale is None else locale
    return locale.toString(QDate(value.year, value.month, value.day), qt_day_format(locale))


def long_day_text(value: date, locale: QLocale | None = None) -> str:
    """A day written in full, for a heading: the locale's long date ("Wednesday, 21 October
    2026" in en_GB); in the C locale ClaimDesk's own "Wednesday 21 October 2026"."""
    locale = QLocale() if locale is None else locale
    qdate = QDate(value.year, value.month, value.day)
    if locale.language() == QLocale.Language.C:
        return locale.toString(qdate, "dddd dd MMMM yyyy")
    return locale.toString(qdate, QLocale.FormatType.LongFormat)


def moment_text(value: datetime, locale: QLocale | None = None) -> str:
    """A day and a time of day as the screens write them, in the moment's own zone."""
    locale = QLocale() if locale is None else locale
    clock = locale.toString(
        QTime(value.hour, value.minute), locale.timeFormat(QLocale.FormatType.ShortFormat)
    )
    return f"{day_text(value.date(), locale)} {clock}"


def month_text(value: date, *, with_year: bool, locale: QLocale | None = None) -> str:
    """A month's short name ("Oct"), with its year ("Oct 2026") when asked, in the locale."""
    locale = QLocale() if locale is None else locale
    name = locale.monthName(value.month, QLocale.FormatType.ShortFormat)
    return f"{name} {value.year}" if with_year else name


def day_width(widget: QWidget, suffix: str = "") -> int:
    """Pixels a table column needs for any day (plus ``suffix``) in the widget's font and the
    app's locale: locales write days longer or shorter, so no fixed width fits them all."""
    return _widest_day(widget.font(), QLocale().name(), suffix) + 16


@cache
def _widest_day(font: QFont, _locale_name: str, suffix: str) -> int:
    metrics = QFontMetrics(font)
    first = date(2026, 1, 1)  # every month name and every weekday name appear in a year
    return max(
        metrics.horizontalAdvance(day_text(first + timedelta(days=n)) + suffix) for n in range(365)
    )


def readable_dates(text: str) -> str:
    """Each ISO date in the text ("2026-07-08") written as the screens write a day.

    For text made elsewhere (the search index keeps ISO dates in its titles, so a search for
    "2026-07-08" still finds them); something that only looks like a date is left alone.
    """

    def rewrite(found: re.Match[str]) -> str:
        try:
            return day_text(date(*(int(part) for part in found.groups())))
        except ValueError:
            return found.group(0)

    return _ISO_DAY.sub(rewrite, text)
