"""How the screens write a day: "Wed 21 Oct 2026", never an ISO date."""

from __future__ import annotations

import re
from datetime import date

DAY_FORMAT = "%a %d %b %Y"
_ISO_DAY = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")


def day_text(value: date) -> str:
    return value.strftime(DAY_FORMAT)


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
