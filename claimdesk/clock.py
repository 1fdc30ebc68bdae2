"""The one clock the services and the window read: the system's, or a pinned one in tests.

Nothing deep inside reads the wall clock (docs/STYLE, rule 14): "today" decides what is overdue,
which dates are in the future and which year a case number carries, so a run that crosses
midnight, or a test suite started at 23:59, must see one consistent day. ``now()`` is an
instant (aware, UTC) for timestamps; ``today()`` is the user's local date, which is what a
claimant means by "today" and what deadlines are counted in.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import UTC, date, datetime, time, timedelta, tzinfo


class Clock(ABC):
    """Tells the time: an instant in UTC and the local date."""

    @abstractmethod
    def now(self) -> datetime:
        """The current instant, aware, in UTC."""

    @abstractmethod
    def today(self) -> date:
        """The local date at ``now()``."""

    @abstractmethod
    def start_of(self, day: date) -> datetime:
        """The instant (aware, UTC) at which local ``day`` begins."""

    def local(self, moment: datetime) -> datetime:
        """``moment`` (aware) as the clock's local time, for saying when something happened."""
        return moment.astimezone()

    def until_tomorrow(self) -> timedelta:
        """How long until the next local midnight (never negative)."""
        left = self.start_of(self.today() + timedelta(days=1)) - self.now()
        return max(left, timedelta(0))


class SystemClock(Clock):
    """The computer's clock, in its own time zone (daylight saving included)."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return date.today()

    def start_of(self, day: date) -> datetime:
        # A naive datetime's astimezone() reads it in the system's zone, with the offset in
        # force on that day, so a day that starts in summer time gets the summer offset.
        return datetime.combine(day, time()).astimezone().astimezone(UTC)


class FixedClock(Clock):
    """A clock that stands still until it is set or advanced (tests, demonstrations).

    ``at`` must be aware; its zone is the clock's local zone unless ``zone`` is given.
    """

    def __init__(self, at: datetime, zone: tzinfo | None = None) -> None:
        if at.tzinfo is None:
            raise ValueError("A FixedClock needs an aware datetime, with its time zone.")
        self.zone = zone or at.tzinfo
        self._now = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._now.astimezone(self.zone).date()

    def start_of(self, day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=self.zone).astimezone(UTC)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("Set a FixedClock to an aware datetime, with its time zone.")
        self._now = at.astimezone(UTC)

    def advance(self, by: timedelta) -> None:
        self._now += by
