"""Which rules apply to a case, and to which of its records: the deadlines a case should have.

Works on plain facts (no database): the schedule service reads a case into ``CaseFacts``,
plans it here and stores the result. Trigger references name records by kind and order on
the case ("appeal:internal_1:1"), not by database id, so an exported and re-imported case
plans to exactly the same deadlines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol, TypeVar

from claimdesk.deadlines.calendars import calendar_for
from claimdesk.deadlines.engine import Computation, Pause, TriggerDates, compute
from claimdesk.deadlines.errors import DeadlineRuleError
from claimdesk.deadlines.periods import add_period
from claimdesk.deadlines.rules import Rule, RuleBook
from claimdesk.deadlines.wording import day_text


class _Row(Protocol):
    @property
    def id(self) -> int: ...


T = TypeVar("T", bound=_Row)

INTERNAL_LEVELS = ("internal_1", "internal_2")
ADVERSE_OUTCOMES = ("upheld", "partially_overturned")
FINAL_EVENTS = ("final_internal_denial", "final_response")
REQUEST_TRIGGERS = {
    "plan_documents_request": "plan_documents",
    "records_request": "medical_records",
}


@dataclass(frozen=True)
class AppealFacts:
    id: int
    level: str
    expedited: bool = False
    filed_on: date | None = None
    received_on: date | None = None
    decided_on: date | None = None
    decision_received_on: date | None = None
    outcome: str = "pending"


@dataclass(frozen=True)
class EventFacts:
    id: int
    kind: str
    occurred_on: date
    occurred_at: datetime | None = None
    appeal_id: int | None = None


@dataclass(frozen=True)
class RequestFacts:
    id: int
    kind: str
    sent_on: date
    received_on: date | None = None
    withdrawn: bool = False


@dataclass(frozen=True)
class CaseFacts:
    """What the rules need to know about one case."""

    plan_type: str
    country: str
    region: str = ""
    urgent: bool = False
    denial_letter_date: date | None = None
    denial_received_date: date | None = None
    appeals: tuple[AppealFacts, ...] = ()
    events: tuple[EventFacts, ...] = ()
    requests: tuple[RequestFacts, ...] = ()


@dataclass(frozen=True)
class Occurrence:
    """One thing on a case that starts a clock."""

    ref: str
    dates: TriggerDates
    urgent: bool = False
    appeal: AppealFacts | None = None
    request: RequestFacts | None = None

    @property
    def first_day(self) -> date:
        known = [d for d in (self.dates.dated, self.dates.received) if d is not None]
        if self.dates.at is not None:
            known.append(self.dates.at.date())
        return min(known)


@dataclass(frozen=True)
class Planned:
    """A deadline a case should have, and when (if ever) it was met."""

    rule: Rule
    trigger_ref: str
    computation: Computation
    met_on: date | None

    @property
    def missed(self) -> bool:
        """Met only after the latest lawful date (for an insurer: evidence)."""
        last = self.computation.outer_limit or self.computation.due
        return self.met_on is not None and self.met_on > last


@dataclass(frozen=True)
class Plan:
    deadlines: tuple[Planned, ...]
    problems: tuple[str, ...] = field(default=())


def plan_case(facts: CaseFacts, book: RuleBook, *, as_of: date | None = None) -> Plan:
    """Every deadline the rules give this case, with the problems that kept any out."""
    found = _occurrences(facts)
    two_levels = any(a.level == "internal_2" for a in facts.appeals)
    planned: list[Planned] = []
    problems: list[str] = []
    for rule in book:
        if not (rule.auto and rule.applies_to(facts.plan_type, facts.country, facts.region)):
            continue
        occurrences = found.get(rule.trigger, [])
        if not occurrences and rule.fallback is not None:
            occurrences = _fallback(rule, found)
        for occurrence in occurrences:
            if not _holds(rule, occurrence, two_levels) or _superseded(
                rule, occurrence, book, facts, two_levels
            ):
                continue
            notices, pauses = _clock_events(facts, occurrence)
            try:
                computation = compute(
                    rule,
                    occurrence.dates,
                    extension_notices=notices,
                    pauses=pauses,
                    as_of=as_of,
                )
            except DeadlineRuleError as error:
                problems.append(f"{rule.id} ({occurrence.ref}): {error}")
                continue
            met_on = _met_on(rule, occurrence, facts, found)
            planned.append(Planned(rule, occurrence.ref, computation, met_on))
    return Plan(tuple(planned), tuple(problems))


def _occurrences(facts: CaseFacts) -> dict[str, list[Occurrence]]:
    found: dict[str, list[Occurrence]] = {}
    if facts.denial_letter_date or facts.denial_received_date:
        dates = TriggerDates(facts.denial_letter_date, facts.denial_received_date)
        found["denial"] = [Occurrence("denial", dates, urgent=facts.urgent)]
    found["claim_submitted"] = [
        Occurrence(
            f"event:claim_submitted:{n}",
            TriggerDates(dated=e.occurred_on, at=e.occurred_at),
            urgent=facts.urgent,
        )
        for n, e in _numbered(facts.events, "kind", "claim_submitted")
    ]
    internal: list[Occurrence] = []
    external: list[Occurrence] = []
    filed: list[Occurrence] = []
    for level in (*INTERNAL_LEVELS, "external_review"):
        for n, a in _numbered(facts.appeals, "level", level):
            ref = f"appeal:{level}:{n}"
            urgent = facts.urgent or a.expedited
            if a.filed_on or a.received_on:
                dates = TriggerDates(a.filed_on, a.received_on)
                (internal if level in INTERNAL_LEVELS else external).append(
                    Occurrence(ref, dates, urgent=urgent, appeal=a)
                )
            if level == "external_review" and a.filed_on:
                filed.append(Occurrence(ref, TriggerDates(a.filed_on), urgent=urgent, appeal=a))
    found["internal_appeal"] = internal
    found["external_review"] = external
    found["external_review_filed"] = filed
    final, complaint = _final_decision(facts), _complaint(facts)
    found["final_decision"] = [final] if final else []
    found["complaint"] = [complaint] if complaint else []
    for trigger, kind in REQUEST_TRIGGERS.items():
        found[trigger] = [
            Occurrence(f"request:{kind}:{n}", TriggerDates(dated=r.sent_on), request=r)
            for n, r in _numbered(facts.requests, "kind", kind)
            if not r.withdrawn
        ]
    return found


def _numbered(rows: Iterable[T], attribute: str, kind: str) -> list[tuple[int, T]]:
    """Rows of one kind with their place among that kind on the case, in order of creation."""
    same = sorted((r for r in rows if getattr(r, attribute) == kind), key=lambda r: r.id)
    return list(enumerate(same, start=1))


def _final_decision(facts: CaseFacts) -> Occurrence | None:
    """The latest final internal denial or final response; else the latest adverse decision."""
    appeals = {a.id: a for a in facts.appeals}
    events = [e for e in facts.events if e.kind in FINAL_EVENTS]
    if events:
        event = max(events, key=lambda e: (e.occurred_on, e.id))
        appeal = appeals.get(event.appeal_id or 0)
        dated = appeal.decided_on if appeal and appeal.decided_on else None
        if dated is not None and dated > event.occurred_on:
            dated = None
        return Occurrence("final-decision", TriggerDates(dated, event.occurred_on), appeal=appeal)
    decided = [
        a
        for a in facts.appeals
        if a.level in INTERNAL_LEVELS and a.outcome in ADVERSE_OUTCOMES and a.decided_on
    ]
    if not decided:
        return None
    appeal = max(decided, key=lambda a: (a.decided_on or date.min, a.id))
    dates = TriggerDates(appeal.decided_on, appeal.decision_received_on)
    return Occurrence("final-decision", dates, appeal=appeal)


def _complaint(facts: CaseFacts) -> Occurrence | None:
    """The latest complaint sent to the insurer; outside the US, else the latest internal one."""
    appeals = {a.id: a for a in facts.appeals}
    events = [e for e in facts.events if e.kind == "complaint_sent"]
    if events:
        event = max(events, key=lambda e: (e.occurred_on, e.id))
        appeal = appeals.get(event.appeal_id or 0)
        received = appeal.received_on if appeal else None
        if received is not None and received < event.occurred_on:
            received = None
        return Occurrence("complaint", TriggerDates(event.occurred_on, received), appeal=appeal)
    if facts.country == "US":
        return None
    filed = [a for a in facts.appeals if a.level == "internal_1" and (a.filed_on or a.received_on)]
    if not filed:
        return None
    appeal = max(filed, key=lambda a: a.id)
    return Occurrence("complaint", TriggerDates(appeal.filed_on, appeal.received_on), appeal=appeal)


def _fallback(rule: Rule, found: dict[str, list[Occurrence]]) -> list[Occurrence]:
    """When the trigger never came: another trigger plus a wait (no reply within a month)."""
    assert rule.fallback is not None
    sources = found.get(rule.fallback.trigger, [])
    if not sources:
        return []
    source = sources[-1]
    after = rule.fallback.after
    cal = calendar_for(rule.calendar)
    try:
        start = add_period(source.first_day, after, month_end=rule.month_end, calendar=cal).end
    except DeadlineRuleError:
        return []
    preamble = (
        f"no reply is recorded, so the clock starts {after.describe()} after the "
        f"{rule.fallback.trigger.replace('_', ' ')} of {day_text(source.first_day)}"
    )
    ref = "final-decision" if rule.trigger == "final_decision" else rule.trigger
    dates = TriggerDates(received=start, preamble=preamble, label="no reply by")
    return [Occurrence(ref, dates)]


def _holds(rule: Rule, occurrence: Occurrence, two_levels: bool) -> bool:
    truth = {
        "urgent": occurrence.urgent,
        "standard": not occurrence.urgent,
        "two_levels": two_levels,
        "one_level": not two_levels,
    }
    return all(truth[condition] for condition in rule.when)


def _superseded(
    rule: Rule, occurrence: Occurrence, book: RuleBook, facts: CaseFacts, two_levels: bool
) -> bool:
    """A more specific rule (a state's own process) covers the same trigger on this case."""
    for other_id in rule.superseded_by:
        other = book.get(other_id)
        if (
            other.auto
            and other.trigger == rule.trigger
            and other.applies_to(facts.plan_type, facts.country, facts.region)
            and _holds(other, occurrence, two_levels)
        ):
            return True
    return False


def _clock_events(facts: CaseFacts, occurrence: Occurrence) -> tuple[list[date], list[Pause]]:
    """Extension notices and clock stops recorded against the same appeal (or the case)."""
    if occurrence.request is not None:
        return [], []  # an event cannot name a request; see docs/deadline-rules.md
    link = occurrence.appeal.id if occurrence.appeal else None
    mine = sorted(
        (e for e in facts.events if e.appeal_id == link), key=lambda e: (e.occurred_on, e.id)
    )
    notices = [e.occurred_on for e in mine if e.kind == "extension_notice"]
    pauses: list[Pause] = []
    for event in mine:
        if event.kind == "clock_stopped":
            pauses.append(Pause(event.occurred_on))
        elif (
            event.kind == "clock_resumed"
            and pauses
            and pauses[-1].resumed is None
            and event.occurred_on >= pauses[-1].stopped
        ):
            pauses[-1] = Pause(pauses[-1].stopped, event.occurred_on)
    return notices, pauses


def _met_on(
    rule: Rule, occurrence: Occurrence, facts: CaseFacts, found: dict[str, list[Occurrence]]
) -> date | None:
    """The earliest date something recorded on the case met this deadline."""
    since = occurrence.first_day
    dates: list[date | None] = []
    for token in rule.met_by:
        kind, _, level = token.partition(":")
        if kind == "filed":
            dates += [a.filed_on for a in facts.appeals if a.level == level]
        elif token == "decided" and occurrence.appeal:
            dates.append(occurrence.appeal.decided_on)
        elif token == "forwarded" and occurrence.appeal:
            dates.append(occurrence.appeal.received_on)
        elif token == "received" and occurrence.request:
            dates.append(occurrence.request.received_on)
        elif token == "final_decision":
            dates += [o.first_day for o in found.get("final_decision", [])]
        elif token == "denial":
            dates.append(facts.denial_letter_date or facts.denial_received_date)
    eligible = [d for d in dates if d is not None and d >= since]
    return min(eligible, default=None)
