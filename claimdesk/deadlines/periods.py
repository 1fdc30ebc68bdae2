"""Periods of time and how a deadline counts them (DOMAIN.md, "Deadline rules").

The trigger day is excluded: a period of N days from 2 Mar ends on 2 Mar + N.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from claimdesk.deadlines.calendars import BusinessCalendar
from claimdesk.deadlines.errors import DeadlineRuleError
from claimdesk.deadlines.wording import day_text, missing_day_text

UNITS = ("hours", "days", "business_days", "weeks", "months", "years")
_NAMES = {
    "hours": ("hour", "hours"),
    "days": ("day", "days"),
    "business_days": ("business day", "business days"),
    "weeks": ("week", "weeks"),
    "months": ("month", "months"),
    "years": ("year", "years"),
}

# What happens when "the same day N months later" does not exist (30 Feb):
# clamp to the month's last day (earlier, so safer), or move to the 1st of the next month
# (the federal external review rule's own text: "if there is no corresponding date...").
MONTH_END_MODES = ("clamp", "next_month_first")


@dataclass(frozen=True)
class Period:
    """A length of time: 180 days, 4 months, 72 hours, 5 business days..."""

    amount: int
    unit: str

    @property
    def hourly(self) -> bool:
        return self.unit == "hours"

    def describe(self) -> str:
        singular, plural = _NAMES[self.unit]
        return f"{self.amount} {singular if self.amount == 1 else plural}"


@dataclass(frozen=True)
class Counted:
    """The end of a period, and a sentence when the month-end rule moved it."""

    end: date
    note: str = ""


def add_period(
    start: date, period: Period, *, month_end: str, calendar: BusinessCalendar
) -> Counted:
    """``start`` + ``period`` by the counting rules; hours count as whole days here."""
    try:
        if period.unit in ("days", "hours"):
            days = period.amount if period.unit == "days" else -(-period.amount // 24)
            return Counted(start + timedelta(days=days))
        if period.unit == "weeks":
            return Counted(start + timedelta(weeks=period.amount))
        if period.unit == "business_days":
            return Counted(calendar.add_business_days(start, period.amount))
        months = period.amount * (12 if period.unit == "years" else 1)
        return add_months(start, months, month_end)
    except (OverflowError, ValueError):
        raise DeadlineRuleError(
            f"{day_text(start)} + {period.describe()} is beyond the dates ClaimDesk can count; "
            "check the year of the trigger date."
        ) from None


def add_months(start: date, months: int, month_end: str) -> Counted:
    """The same day ``months`` later; a day the month lacks is clamped or moved on."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    if start.day <= last:
        return Counted(date(year, month, start.day))
    missing = missing_day_text(year, month, start.day)
    if month_end == "next_month_first":
        moved = date(year, month, last) + timedelta(days=1)
        return Counted(
            moved, f"{missing} does not exist, so the rule moves it to {day_text(moved)}"
        )
    clamped = date(year, month, last)
    return Counted(
        clamped, f"{missing} does not exist, so it is the month's last day, {day_text(clamped)}"
    )
