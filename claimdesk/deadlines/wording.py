"""Dates and times written the same way on every machine, whatever its locale."""

from __future__ import annotations

from datetime import date, datetime

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def day_text(day: date, *, weekday: bool = False) -> str:
    """'29 Aug 2026', or 'Saturday 29 Aug 2026' with ``weekday``."""
    text = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return f"{WEEKDAYS[day.weekday()]} {text}" if weekday else text


def missing_day_text(year: int, month: int, day: int) -> str:
    """A day that does not exist in the calendar ('30 Feb 2027')."""
    return f"{day} {MONTHS[month - 1]} {year}"


def instant_text(moment: datetime) -> str:
    """'7 Mar 2026 10:00 EST (UTC-05:00)' in the instant's own time zone."""
    offset = moment.strftime("%z")
    sign, hours, minutes = offset[:1] or "+", offset[1:3] or "00", offset[3:5] or "00"
    name = moment.tzname() or ""
    zone = (
        f"{name} (UTC{sign}{hours}:{minutes})"
        if name and not name.startswith(("+", "-"))
        else (f"UTC{sign}{hours}:{minutes}")
    )
    return f"{day_text(moment.date())} {moment:%H:%M} {zone}"
