"""Open deadlines as an iCalendar file (RFC 5545), for the calendar a claimant already uses.

Calendars end up in the cloud, so by default an event names only the case number and the kind
of deadline ("CD-2026-0001: appeal filing deadline"): no claimant, insurer, diagnosis or
service. ``include_details`` adds the title, the derivation and the notes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from claimdesk import __version__
from claimdesk.deadlines import CONFIDENCES
from claimdesk.files import write_atomically
from claimdesk.models import Claim, Deadline
from claimdesk.models.enums import ClaimStatus, DeadlineStatus
from claimdesk.services.context import ServiceContext
from claimdesk.services.process import DEFAULT_LEAD_DAYS
from claimdesk.services.schedule import ScheduleService, deadline_kind

if TYPE_CHECKING:
    import icalendar

# UIDs are a UUID5 of the deadline's id and creation instant: the same deadline keeps its UID
# in every export (calendars update the event rather than adding a copy), and two databases
# that both have a deadline number 17 still give different UIDs.
UID_NAMESPACE = uuid.UUID("6f1c2f43-5d2e-4f4b-9a55-3c0de5d7a1e2")
UID_DOMAIN = "claimdesk.invalid"
PRODID = f"-//ClaimDesk//ClaimDesk {__version__}//EN"


@dataclass(frozen=True)
class CalendarExport:
    """An .ics file's bytes and how many deadlines it holds."""

    data: bytes
    events: int


class CalendarService:
    def __init__(self, ctx: ServiceContext, schedule: ScheduleService) -> None:
        self._ctx = ctx
        self._schedule = schedule

    def write_ics(self, path: Path, *, include_details: bool = False) -> int:
        """Write the calendar file whole (or not at all); the number of events in it."""
        export = self.export_ics(include_details=include_details)
        write_atomically(path, export.data)
        return export.events

    def export_ics(
        self,
        *,
        include_details: bool = False,
        lead_days: tuple[int, ...] = DEFAULT_LEAD_DAYS,
        now: datetime | None = None,
    ) -> CalendarExport:
        """Every open deadline of every case not closed, each with alarms before it."""
        from claimdesk.services.accounts import Right

        self._ctx.require(Right.EXPORT, "export the deadlines calendar")
        stamp = (now or self._ctx.clock.now()).astimezone(UTC)
        import icalendar  # imported when exporting: it costs a second at start-up

        calendar = icalendar.Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("x-wr-calname", "ClaimDesk deadlines")
        count = 0
        with self._ctx.reader() as session:
            rows = session.execute(
                select(Deadline, Claim.case_number, Claim.claimant_name)
                .join(Claim, Deadline.claim_id == Claim.id)
                .where(Deadline.status == DeadlineStatus.OPEN, Claim.status != ClaimStatus.CLOSED)
                .order_by(Deadline.due_on, Deadline.id)
            ).all()
            for deadline, case_number, claimant in rows:
                event = self._event(deadline, case_number, claimant, include_details, stamp)
                for lead in sorted({d for d in lead_days if d > 0}, reverse=True):
                    event.add_component(_alarm(lead, case_number))
                calendar.add_component(event)
                count += 1
        return CalendarExport(calendar.to_ical(), count)

    def _event(
        self,
        deadline: Deadline,
        case_number: str,
        claimant: str,
        details: bool,
        stamp: datetime,
    ) -> icalendar.Event:
        kind = deadline_kind(self._schedule.rules, deadline.rule_id, deadline.party)
        summary = f"{case_number}: {deadline.title if details else kind}"
        if deadline.confidence is not None and deadline.confidence.value == "M":
            summary += " (rule not re-checked)"
        import icalendar

        event = icalendar.Event()
        event.add("uid", uid_for(deadline))
        event.add("dtstamp", stamp)
        event.add("summary", summary)
        if deadline.due_at is not None:
            event.add("dtstart", deadline.due_at.astimezone(UTC))
            event.add("dtend", deadline.due_at.astimezone(UTC))
        else:
            event.add("dtstart", deadline.due_on)
            event.add("dtend", deadline.due_on + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        event.add("description", _description(deadline, case_number, claimant, details))
        return event


def uid_for(deadline: Deadline) -> str:
    """The deadline's stable UID: the same in every export of the same database."""
    created = deadline.created_at.astimezone(UTC).isoformat() if deadline.created_at else ""
    return f"{uuid.uuid5(UID_NAMESPACE, f'{deadline.id}|{created}')}@{UID_DOMAIN}"


def _description(deadline: Deadline, case_number: str, claimant: str, details: bool) -> str:
    lines = [f"Case {case_number}. Open ClaimDesk for the details."]
    if deadline.outer_limit_on is not None:
        lines.append(f"Outer limit: {deadline.outer_limit_on.isoformat()}.")
    if deadline.override_reason and deadline.computed_due_on is not None:
        lines.append(f"Moved by hand from the computed {deadline.computed_due_on.isoformat()}.")
    if deadline.citation:
        lines.append(f"Rule: {deadline.rule_id}, {deadline.citation}.")
    if deadline.confidence is not None:
        lines.append(
            f"Confidence {deadline.confidence.value}: {CONFIDENCES[deadline.confidence.value]}."
        )
    if details:
        lines.insert(1, f"Claimant: {claimant}.")
        lines += [deadline.derivation, deadline.override_reason, deadline.notes]
    return "\n".join(line for line in lines if line)


def _alarm(lead: int, case_number: str) -> icalendar.Alarm:
    import icalendar

    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", timedelta(days=-lead))
    when = "tomorrow" if lead == 1 else f"in {lead} days"
    alarm.add("description", f"{case_number}: deadline {when}")
    return alarm
