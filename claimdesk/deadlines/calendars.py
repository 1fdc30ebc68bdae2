"""Business days: weekends and public holidays per jurisdiction, from the `holidays` package.

Holiday dates are never typed in by hand: the maintained calendars know observed days, new
holidays (Juneteenth, 2021) and one-off closures.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

# Saturday and Sunday; every jurisdiction in the rule table rests on both.
WEEKEND = (5, 6)


class BusinessCalendar:
    """Which days are working days in one jurisdiction."""

    def __init__(
        self,
        name: str,
        public: holidays.HolidayBase | None,
        closures: holidays.HolidayBase | None = None,
    ) -> None:
        self.name = name
        self._public = public
        self._closures = closures

    def holiday(self, day: date) -> str:
        """The public holiday on ``day`` ('' if none)."""
        if self._public is None:
            return ""
        return str(self._public.get(day) or "")

    def closure(self, day: date) -> str:
        """A one-off government closure on ``day`` that is not a public holiday ('' if none)."""
        if self._closures is None or self.holiday(day):
            return ""
        return str(self._closures.get(day) or "")

    def is_business_day(self, day: date) -> bool:
        return day.weekday() not in WEEKEND and not self.holiday(day)

    def next_business_day(self, day: date, *, skip_closures: bool = False) -> date:
        """``day`` itself if it is a business day, else the next one."""
        while not self.is_business_day(day) or (skip_closures and self.closure(day)):
            day += timedelta(days=1)
        return day

    def add_business_days(self, start: date, count: int) -> date:
        """The ``count``-th business day after ``start`` (``start`` itself never counts)."""
        day = start
        for _ in range(count):
            day = self.next_business_day(day + timedelta(days=1))
        return day

    def why_not_business_day(self, day: date) -> str:
        """'a Saturday', 'a public holiday (Veterans Day)'... or '' on a business day."""
        if day.weekday() in WEEKEND:
            return "a Saturday" if day.weekday() == 5 else "a Sunday"
        name = self.holiday(day)
        return f"a {self.holiday_word} ({name})" if name else ""

    @property
    def holiday_word(self) -> str:
        return "federal holiday" if self.name == "US" else "public holiday"


@lru_cache(maxsize=64)
def calendar_for(jurisdiction: str) -> BusinessCalendar:
    """The calendar of 'US' (federal), 'US-NY', 'GB', 'CA-QC'...; weekends only if unknown."""
    country, _, region = jurisdiction.partition("-")
    if country == "US" and not region:
        # Federal holidays are the statutory ones (5 U.S.C. 6103): the package's PUBLIC
        # category. Executive-order closures (Christmas Eve 2024...) are in GOVERNMENT; they
        # are kept apart and only ever extend an outer limit, never the date to act by.
        public = holidays.country_holidays("US", categories=(holidays.PUBLIC,))
        closures = holidays.country_holidays("US", categories=(holidays.GOVERNMENT,))
        return BusinessCalendar("US", public, closures)
    try:
        return BusinessCalendar(
            jurisdiction, holidays.country_holidays(country, subdiv=region or None)
        )
    except NotImplementedError:
        if region:
            return calendar_for(country)
        return BusinessCalendar(jurisdiction, None)
