"""The deadline engine: a rule and the dates of its trigger give a due date, explained.

Pure functions: no database and no clock; where "today" matters it is passed in (``as_of``).
Counting follows DOMAIN.md: the trigger day is excluded; a claimant counts from the earliest
plausible date and sees the later lawful date as an outer limit; only a rule whose own text
says so rolls off a weekend or holiday; hours run continuously between aware instants.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from claimdesk.deadlines.calendars import BusinessCalendar, calendar_for
from claimdesk.deadlines.errors import DeadlineRuleError
from claimdesk.deadlines.periods import Period, add_period
from claimdesk.deadlines.rules import TRIGGERS, Rule
from claimdesk.deadlines.wording import day_text, instant_text

Moment = date | datetime

# Triggers whose "dated" day is when the claimant (or the plan) sent something, rather than
# the date printed on a notice the claimant received.
_SENT_TRIGGERS = frozenset(TRIGGERS) - {"denial", "final_decision"}

# A calculator trigger must be something that happened or is about to: a year 2062 or 1926
# is a typing mistake, and is refused with a message rather than counted.
PLAUSIBLE_YEARS_BACK = 20
PLAUSIBLE_DAYS_AHEAD = 366


@dataclass(frozen=True)
class TriggerDates:
    """When the triggering notice or filing was dated or sent, and when it arrived."""

    dated: date | None = None
    received: date | None = None
    # The exact instant of receipt, time-zone aware: hour-based rules need it.
    at: datetime | None = None
    # A sentence put first in the derivation (for example how a fallback start was found).
    preamble: str = ""
    # Words for a start that is neither a dated notice nor a receipt ("one month without a
    # reply on"): counting starts from ``received`` (or ``dated``) and says so in these words.
    label: str = ""


@dataclass(frozen=True)
class Pause:
    """An insurer clock stopped while it waits for information, and when it restarted."""

    stopped: date
    resumed: date | None = None


@dataclass(frozen=True)
class Computation:
    """A computed deadline and how it was reached."""

    rule: Rule
    start: date  # counting starts the day after this one
    base: date  # the period alone, before extensions and clock stops
    due: date  # act (or expect the other side to act) by this date
    due_at: datetime | None  # the exact instant, for hour-based rules
    outer_limit: date | None  # a later date that may still be lawful, when it differs
    derivation: str


@dataclass(frozen=True)
class _Start:
    day: date
    phrase: str


def compute(
    rule: Rule,
    trigger: TriggerDates,
    *,
    extension_notices: Sequence[date] = (),
    pauses: Sequence[Pause] = (),
    assume_extensions: bool = False,
    as_of: date | None = None,
) -> Computation:
    """Apply ``rule`` to ``trigger`` and the clock events recorded since."""
    cal = calendar_for(rule.calendar)
    steps = [trigger.preamble] if trigger.preamble else []
    clock = _Clock(rule, cal, extension_notices, pauses, assume_extensions, as_of)
    if rule.period.hourly and trigger.at is not None:
        return _hourly(rule, trigger.at, steps, clock)
    count, lawful, caveats = _starts(rule, trigger)
    counted = add_period(count.day, rule.period, month_end=rule.month_end, calendar=cal)
    steps.append(f"{count.phrase} + {rule.period.describe()} = {day_text(counted.end)}")
    steps += [counted.note] if counted.note else []
    if rule.period.hourly:
        steps.append(
            "the time it arrived is not recorded, so the hours run to the end of that day at "
            "the latest; record the time for the exact hour"
        )
    steps += caveats
    due = clock.run(counted.end, count.day, steps)
    if rule.roll_forward and not cal.is_business_day(due):
        rolled = cal.next_business_day(due)
        steps.append(
            f"{day_text(due)} is {cal.why_not_business_day(due)}: the rule's own text moves it "
            f"to the next business day, {day_text(rolled, weekday=True)}"
        )
        due = rolled
    outer = _outer_limit(rule, cal, due, count, lawful, clock, steps)
    if outer is not None and outer > due:
        steps.append(f"act by {day_text(due)}; outer limit {day_text(outer)}")
    elif lawful.day != count.day:
        steps.append("both give the same date")
    return Computation(
        rule=rule,
        start=count.day,
        base=counted.end,
        due=due,
        due_at=None,
        outer_limit=outer if outer is not None and outer > due else None,
        derivation=_sentence(steps, rule),
    )


def check_plausible(day: date, today: date) -> None:
    """Refuse a calculator trigger that is surely a typing mistake (far past or future)."""
    if day > today + timedelta(days=PLAUSIBLE_DAYS_AHEAD):
        raise DeadlineRuleError(
            f"The trigger date {day.isoformat()} is more than a year from today; a deadline "
            "counts from something that has happened. Check the year."
        )
    if day.year < today.year - PLAUSIBLE_YEARS_BACK:
        raise DeadlineRuleError(
            f"The trigger date {day.isoformat()} is more than {PLAUSIBLE_YEARS_BACK} years "
            "ago. Check the year."
        )


def _starts(rule: Rule, t: TriggerDates) -> tuple[_Start, _Start, list[str]]:
    """The day counting starts from, the latest lawful start day, and caveats to explain."""
    dated, received = t.dated, t.received
    if t.label and (received or dated):
        day = received or dated
        assert day is not None
        start = _Start(day, f"{t.label} {day_text(day)}")
        return start, start, []
    if received is None and t.at is not None:
        received = t.at.date()
    if dated is None and received is None:
        raise DeadlineRuleError(
            f"Rule {rule.id} needs the date of the {TRIGGERS[rule.trigger]} to count from."
        )
    sent = rule.trigger in _SENT_TRIGGERS
    on_letter = (
        _Start(dated, f"{'sent' if sent else 'letter dated'} {day_text(dated)}") if dated else None
    )
    arrived = _Start(received, f"received {day_text(received)}") if received else None
    if rule.presumed_receipt_days and on_letter is not None:
        return _presumed(rule, on_letter.day, arrived)
    if rule.counts_from == "receipt":
        if arrived is None:
            assert on_letter is not None
            what = "it was sent" if sent else "on the notice"
            later = "the lawful date may be a few days later" if not rule.claimant_acts else ""
            note = f"the date it arrived is not recorded, so this counts from the date {what}"
            return on_letter, on_letter, [f"{note}; {later}" if later else note]
        if rule.claimant_acts and on_letter is not None and on_letter.day < arrived.day:
            return (
                on_letter,
                arrived,
                [
                    "counted from the date on the letter, the earliest the clock can have started; "
                    "the date it arrived gives the outer limit"
                ],
            )
        return arrived, arrived, []
    if on_letter is None:
        assert arrived is not None
        missing = {"notice": "on the notice", "mailing": "it was mailed", "sent": "it was sent"}
        return (
            arrived,
            arrived,
            [
                f"the date {missing[rule.counts_from]} is not recorded, so this counts from "
                "the date it arrived; the real deadline may be a few days earlier"
            ],
        )
    if rule.counts_from == "mailing":
        mailed = _Start(on_letter.day, f"mailed {day_text(on_letter.day)} (the date on the notice)")
        return mailed, mailed, []
    if rule.counts_from == "sent" and not sent:
        on_letter = _Start(on_letter.day, f"sent {day_text(on_letter.day)}")
    return on_letter, on_letter, []


def _presumed(rule: Rule, dated: date, arrived: _Start | None) -> tuple[_Start, _Start, list[str]]:
    """Notice date + N days presumed receipt, unless it demonstrably arrived on another day."""
    n = rule.presumed_receipt_days
    day = dated + timedelta(days=n)
    presumed = _Start(
        day, f"notice dated {day_text(dated)} + {n} days presumed receipt = {day_text(day)}"
    )
    if arrived is None or arrived.day == day:
        return presumed, presumed, []
    if arrived.day < day:
        if not rule.claimant_acts:
            return presumed, presumed, []
        return (
            arrived,
            presumed,
            [
                "it arrived before the presumed date, so this counts from the day it arrived; the "
                "presumed date gives the outer limit"
            ],
        )
    return (
        presumed,
        arrived,
        [
            f"it arrived on {day_text(arrived.day)}, after the presumed date: that later start "
            "counts only with proof of when it arrived, so it gives the outer limit"
        ],
    )


def _hourly(rule: Rule, at: datetime, steps: list[str], clock: _Clock) -> Computation:
    if at.tzinfo is None or at.utcoffset() is None:
        raise DeadlineRuleError(
            f"Rule {rule.id} counts hours: give the time with its time zone "
            "(2026-03-07T10:00-05:00, or a zone such as America/New_York)."
        )
    hours = rule.period.amount
    end = _plus_instant(at, rule.period)
    sent = rule.trigger in _SENT_TRIGGERS and rule.counts_from != "receipt"
    word = "sent" if sent else "received"
    steps.append(
        f"{word} {instant_text(at)} + {hours} hours = {instant_text(end)}; the hours run "
        "continuously, through nights, weekends and holidays"
    )
    if at.utcoffset() != end.utcoffset():
        steps.append(
            f"the clocks change in between, so it ends at {end:%H:%M} local time, not {at:%H:%M}"
        )
    finished = clock.run(end, at.date(), steps)
    assert isinstance(finished, datetime)
    return Computation(
        rule=rule,
        start=at.date(),
        base=end.date(),
        due=finished.date(),
        due_at=finished,
        outer_limit=None,
        derivation=_sentence(steps, rule),
    )


def _outer_limit(
    rule: Rule,
    cal: BusinessCalendar,
    due: date,
    count: _Start,
    lawful: _Start,
    clock: _Clock,
    steps: list[str],
) -> date | None:
    """The latest date that may still be lawful: later start, outer period, or shifted day."""
    end = due
    if lawful.day != count.day or rule.outer_limit is not None:
        period = rule.outer_limit or rule.period
        counted = add_period(lawful.day, period, month_end=rule.month_end, calendar=cal)
        raw = clock.run(counted.end, lawful.day, [], quiet=True)
        steps.append(f"{lawful.phrase} + {period.describe()} = {day_text(raw)}")
        steps += [counted.note] if counted.note else []
        end = raw
        if rule.roll_forward and not cal.is_business_day(raw):
            end = cal.next_business_day(raw)
            steps.append(
                f"{day_text(raw)} is {cal.why_not_business_day(raw)}, so that moves to "
                f"{day_text(end, weekday=True)}"
            )
        end = max(end, due)
    if rule.period.hourly or rule.period.unit == "business_days":
        return end
    if rule.roll_forward:
        reopened = cal.next_business_day(end, skip_closures=True)
        if reopened != end:
            steps.append(
                f"{day_text(end)} is a federal closure by executive order ({cal.closure(end)}), "
                "not a statutory holiday: act by then; "
                f"{day_text(reopened, weekday=True)} is shown only as an outer limit"
            )
        return reopened
    if not cal.is_business_day(end):
        shifted = cal.next_business_day(end)
        steps.append(
            f"{day_text(end)} is {cal.why_not_business_day(end)}; this rule does not move a "
            "deadline off weekends or holidays, so act by then; the next business day, "
            f"{day_text(shifted, weekday=True)}, is shown only as an outer limit"
        )
        return shifted
    return end


class _Clock:
    """An insurer's clock: stops while it waits for information, and timely extensions."""

    def __init__(
        self,
        rule: Rule,
        cal: BusinessCalendar,
        notices: Sequence[date],
        pauses: Sequence[Pause],
        assume_extensions: bool,
        as_of: date | None,
    ) -> None:
        self.rule, self.cal, self.as_of = rule, cal, as_of
        self.notices, self.pauses, self.assume = sorted(notices), list(pauses), assume_extensions

    def run(self, base: Moment, start: date, steps: list[str], *, quiet: bool = False) -> Moment:
        """``base`` moved by the recorded clock stops and valid extensions, in date order."""
        said: list[str] = []
        current, used = base, 0
        events: list[tuple[date, Pause | None]] = [(p.stopped, p) for p in self.pauses]
        events += [(n, None) for n in self.notices]
        for on, pause in sorted(events, key=lambda e: (e[0], e[1] is None)):
            if on < start:
                said.append(f"a clock event of {day_text(on)} came before the clock started")
            elif pause is not None:
                current = self._pause(pause, current, said)
            else:
                current, used = self._extend(on, current, used, said)
        if self.assume:
            if not self.rule.extensions:
                said.append("this rule allows no extension")
            for extension in self.rule.extensions[used:]:
                current = _plus(current, extension, self.rule, self.cal)
                said.append(
                    f"if notice of an extension is given inside the period: + "
                    f"{extension.describe()} = {_show(current)}"
                )
        if current != base:
            said.append(f"base date {_show(base)}; latest lawful date {_show(current)}")
        if not quiet:
            steps.extend(said)
        return current

    def _pause(self, pause: Pause, current: Moment, said: list[str]) -> Moment:
        on = pause.stopped
        if on > _day(current):
            said.append(f"the clock stop of {day_text(on)} came after the period had ended")
            return current
        end = pause.resumed or self.as_of
        if end is None or end <= on:
            said.append(
                f"clock stopped {day_text(on)} and not resumed: the date moves later by each "
                "day it stays stopped"
            )
            return current
        days = (end - on).days
        moved = _plus(current, Period(days, "days"), self.rule, self.cal)
        how = f"resumed {day_text(end)}" if pause.resumed else f"still stopped {day_text(end)}"
        said.append(f"clock stopped {day_text(on)}, {how}: + {days} days = {_show(moved)}")
        return moved

    def _extend(self, on: date, current: Moment, used: int, said: list[str]) -> tuple[Moment, int]:
        allowed = self.rule.extensions
        if not allowed:
            said.append(
                f"an extension noticed {day_text(on)} does not change this deadline: the rule "
                "allows none"
            )
            return current, used
        if used >= len(allowed):
            said.append(
                f"the extension noticed {day_text(on)} is not valid: the rule allows "
                f"{len(allowed)} at most"
            )
            return current, used
        if on > _day(current):
            said.append(
                f"the extension noticed {day_text(on)} is not valid: notice must come inside "
                f"the period, which ended {_show(current)}"
            )
            return current, used
        moved = _plus(current, allowed[used], self.rule, self.cal)
        said.append(
            f"extension noticed {day_text(on)}, inside the period: + "
            f"{allowed[used].describe()} = {_show(moved)}"
        )
        return moved, used + 1


def _plus(moment: Moment, period: Period, rule: Rule, cal: BusinessCalendar) -> Moment:
    """A date moved by a period, or an instant moved by continuous hours or days."""
    if isinstance(moment, datetime):
        return _plus_instant(moment, period)
    return add_period(moment, period, month_end=rule.month_end, calendar=cal).end


def _plus_instant(moment: datetime, period: Period) -> datetime:
    """Continuous time: counted in UTC, so a change of the clocks neither adds nor loses."""
    hours = period.amount * (1 if period.unit == "hours" else 24)
    try:
        return (moment.astimezone(UTC) + timedelta(hours=hours)).astimezone(moment.tzinfo)
    except OverflowError:
        raise DeadlineRuleError(
            f"{instant_text(moment)} + {period.describe()} is beyond the dates ClaimDesk can "
            "count; check the year."
        ) from None


def _day(moment: Moment) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def _show(moment: Moment) -> str:
    return instant_text(moment) if isinstance(moment, datetime) else day_text(moment)


def _sentence(steps: list[str], rule: Rule) -> str:
    """The steps as one readable paragraph, then what the rule's minimum or maximum means."""
    period = rule.period.describe()
    if rule.limit == "at_least":
        steps = [*steps, f"the rule gives at least {period} and the plan may allow more (check "
                 "the plan documents); counting the minimum is safe"]  # fmt: skip
    elif rule.limit == "at_most":
        steps = [*steps, f"the rule allows at most {period} and the state may set a shorter "
                 "period (check the notice)"]  # fmt: skip
    text = "; ".join(s for s in steps if s)
    paragraph = text[:1].upper() + text[1:] + "."
    return " ".join([paragraph, *rule.notes])
