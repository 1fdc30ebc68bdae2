"""Missed insurer deadlines as the red list Today and the Dashboard show above their own."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtGui import QPalette

from claimdesk.gui import theme

if TYPE_CHECKING:  # the deadline engine loads after the first paint
    from claimdesk.deadlines.missed import MissedDeadline


def alerts_html(
    alerts: Sequence[MissedDeadline], count: int, palette: QPalette, more_where: str
) -> str:
    """A red heading, one line per alert (its case a link 'case:ID'), and how many more."""
    red = theme.DANGER.hex(palette)
    lines = "".join(
        f"<li><a href='case:{a.claim_id}'>{escape(a.case_number)}</a>: "
        f"{escape(a.text(), quote=False)}</li>"
        for a in alerts
    )
    more = count - len(alerts)
    tail = f"<p>…and {more:,} more {more_where}.</p>" if more > 0 else ""
    noun = "deadline" if count == 1 else "deadlines"
    return (
        f"<div style='color:{red}'><b>⚠ {count:,} insurer {noun} passed with nothing "
        f"recorded</b> (what the rule says, not legal advice)<ul>{lines}</ul>{tail}</div>"
    )


def case_link(link: str) -> int | None:
    """The case id of a 'case:ID' link."""
    kind, _, value = link.partition(":")
    return int(value) if kind == "case" and value.isdigit() else None
