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
    """A red heading; one line per alert (what was due, when, under which rule, how late; its
    case a link 'case:ID'); then what those rules give the claimant, each rule once, with its
    citation and confidence; and how many more there are."""
    red = theme.DANGER.hex(palette)
    lines = "".join(
        f"<li><a href='case:{a.claim_id}'>{escape(a.case_number)}</a>: "
        f"{_text(a.headline)}, {a.days_late} day{'s' if a.days_late != 1 else ''} late"
        f"{_text(': ' + a.penalty.award()) if a.penalty else ''}</li>"
        for a in alerts
    )
    rules = {
        c.id: f"{_text(c.gives[:1].upper() + c.gives[1:])} ({_text(c.citation)}; "
        f"confidence {c.confidence})."
        for a in alerts
        for c in a.consequences
    }
    given = (
        f"<p><b>What the rules give the claimant:</b></p><ul>"
        f"{''.join(f'<li>{r}</li>' for r in rules.values())}</ul>"
        if rules
        else ""
    )
    more = count - len(alerts)
    tail = f"<p>…and {more:,} more {more_where}.</p>" if more > 0 else ""
    noun = "deadline" if count == 1 else "deadlines"
    return (
        f"<div style='color:{red}'><b>⚠ {count:,} insurer {noun} passed with nothing "
        f"recorded</b> (what the rules say, not legal advice)<ul>{lines}</ul>{tail}{given}</div>"
    )


def _text(value: str) -> str:
    return escape(value, quote=False)


def case_link(link: str) -> int | None:
    """The case id of a 'case:ID' link."""
    kind, _, value = link.partition(":")
    return int(value) if kind == "case" and value.isdigit() else None
