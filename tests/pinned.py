"""The moment every test runs at. Nothing in the tests reads the wall clock: a suite started
at 23:59, or on a machine whose clock is years out, sees the same day from start to end."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from claimdesk.clock import FixedClock

# A fixed offset rather than a named zone: no time zone database is needed, and a zone that
# is not UTC keeps "the local date" and "the UTC date" honest about which is which.
ZONE = timezone(timedelta(hours=-5), "UTC-05:00")
NOW = datetime(2026, 11, 4, 10, 0, tzinfo=ZONE)
TODAY = NOW.date()


def pinned_clock() -> FixedClock:
    """A fresh clock at NOW (each test may move its own)."""
    return FixedClock(NOW)
