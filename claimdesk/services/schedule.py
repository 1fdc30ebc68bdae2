"""Computed deadlines kept in step with each case, the agenda across cases, and reminders.

A case's computed deadlines follow from its plan type, jurisdiction and dated records
(claimdesk/deadlines/plan.py). ``recompute`` upserts them by (rule id, trigger reference): the
dates, derivation and citation follow the rules, while an override, a status and the
reminders already shown survive. A computed deadline whose trigger has gone is dismissed.
"""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, delete, exists, false, select
from sqlalchemy.orm import Session, aliased, selectinload

from claimdesk.deadlines import CaseFacts, Planned, RuleBook, load_rules, plan_case
from claimdesk.deadlines.plan import AppealFacts, EventFacts, RequestFacts
from claimdesk.errors import NotFoundError, PermissionDenied
from claimdesk.models import (
    Appeal,
    CallLogEntry,
    CallPromise,
    CaseEvent,
    Claim,
    Deadline,
    DeadlinePending,
    DocumentRequest,
    Reminder,
)
from claimdesk.models.enums import (
    AppealLevel,
    ClaimStatus,
    Confidence,
    DeadlineSource,
    DeadlineStatus,
    Party,
    PlanType,
    PromiseStatus,
    RequestKind,
)
from claimdesk.paths import resources_dir
from claimdesk.services.context import ServiceContext, Unit, queue_claims
from claimdesk.services.overdue import DEADLINE, PROMISE, REQUEST, overdue_items
from claimdesk.services.process import DEFAULT_LEAD_DAYS, DeadlineService

log = logging.getLogger(__name__)

# Changes to these records of a case can move its computed deadlines.
TRIGGER_ENTITIES = frozenset({"claim", "appeal", "event", "request"})


@lru_cache(maxsize=1)
def rule_book() -> RuleBook:
    """The bundled rules (resources/rules), checked against ClaimDesk's vocabularies."""
    return load_rules(
        resources_dir() / "rules",
        plan_types=[p.value for p in PlanType],
        appeal_levels=[a.value for a in AppealLevel],
    )


def deadline_kind(book: RuleBook, rule_id: str, party: Party) -> str:
    """A label safe to show anywhere ("appeal filing deadline"): no names, no health details."""
    if rule_id in book:
        return book.get(rule_id).kind
    return {Party.INSURER: "insurer deadline", Party.REVIEWER: "reviewer deadline"}.get(
        party, "deadline"
    )


@dataclass(frozen=True)
class Recomputed:
    """What a recompute changed on one case."""

    claim_id: int
    changed_ids: tuple[int, ...]
    problems: tuple[str, ...]


@dataclass(frozen=True)
class AgendaItem:
    """Something due on a case: a deadline, a promise made on a call, or a request."""

    source: str  # "deadline", "promise" or "request"
    record_id: int
    claim_id: int
    case_number: str
    kind: str
    title: str
    due_on: date
    due_at: datetime | None
    overdue: bool
    party: Party
    outer_limit_on: date | None = None
    confidence: Confidence | None = None
    citation: str = ""
    rule_id: str = ""
    derivation: str = ""
    trigger_ref: str = ""
    claimant_name: str = ""
    # Where the item comes from, in words: the rule's id, "Request: plan documents",
    # "Promised on a call".
    basis: str = ""


@dataclass(frozen=True)
class ReminderItem:
    """A deadline whose reminder date has come, with the reminders it stands for."""

    deadline_id: int
    claim_id: int
    case_number: str
    kind: str
    title: str
    due_on: date
    due_at: datetime | None
    days_left: int
    party: Party
    confidence: Confidence | None
    reminder_ids: tuple[int, ...]


class ScheduleService:
    def __init__(
        self,
        ctx: ServiceContext,
        *,
        lead_days: tuple[int, ...] = DEFAULT_LEAD_DAYS,
        rules: RuleBook | None = None,
    ) -> None:
        self._ctx = ctx
        self.lead_days = lead_days
        self._rules = rules

    @property
    def rules(self) -> RuleBook:
        return self._rules if self._rules is not None else rule_book()

    @property
    def stale_claims(self) -> frozenset[int]:
        """Cases whose automatic recompute failed; the next agenda or recompute retries them."""
        with self._ctx.reader() as session:
            return frozenset(session.scalars(select(DeadlinePending.claim_id)))

    # ---- keeping computed deadlines in step ----------------------------------------------------

    def follow_changes(self, unit: Unit) -> None:
        """Before-commit hook: a unit that changed a case's dated records recomputes its
        deadlines in the same transaction, so the two are saved (or not) together.

        It writes quietly (no audit row, no notice of its own), as part of the change that
        caused it. If the recompute fails (a rule that cannot be applied), the change is
        still saved: the case is queued durably in ``deadline_pending`` and retried by the
        next agenda or recompute, even after a restart.
        """
        claim_ids = sorted(
            {
                c.claim_id
                for c in unit.changes
                if c.claim_id is not None and c.entity in TRIGGER_ENTITIES
            }
        )
        for claim_id in claim_ids:
            try:
                with unit.session.begin_nested():
                    self._sync(unit.session, claim_id, unit.clock.today())
            except Exception:
                # The case number only: never the case's contents.
                log.exception("recomputing the deadlines of case %s failed", claim_id)
                queue_claims(unit.session, DeadlinePending, [claim_id])
            else:
                unit.session.execute(
                    delete(DeadlinePending).where(DeadlinePending.claim_id == claim_id)
                )

    def recompute(self, claim_id: int, today: date | None = None) -> Recomputed:
        """Bring one case's computed deadlines up to date (audited and announced)."""
        with self._ctx.unit("recompute deadlines") as unit:
            unit.get(Claim, claim_id, "case")
            changed, problems = self._sync(unit.session, claim_id, today or unit.clock.today())
            for action, row, fields in changed:
                unit.record(action, "deadline", row.id, claim_id, fields)
            unit.session.execute(
                delete(DeadlinePending).where(DeadlinePending.claim_id == claim_id)
            )
        return Recomputed(claim_id, tuple(row.id for _, row, _ in changed), problems)

    def recompute_all(self, today: date | None = None) -> list[Recomputed]:
        """Recompute every case not closed (after an update of the rules, at start-up...)."""
        with self._ctx.reader() as session:
            ids = session.scalars(
                select(Claim.id).where(Claim.status != ClaimStatus.CLOSED).order_by(Claim.id)
            ).all()
        results = [self.recompute(claim_id, today) for claim_id in ids]
        return [r for r in results if r.changed_ids or r.problems]

    def _retry(self, claim_id: int, today: date) -> None:
        """Recompute a queued case; one still failing stays queued, the agenda goes on."""
        try:
            self.recompute(claim_id, today)
        except NotFoundError:
            with self._ctx.system_reader() as session:
                if session.get(Claim, claim_id) is not None:
                    return  # not this account's case to see: it stays queued for another
            with self._ctx.write() as session:  # the case is gone: nothing left to recompute
                session.execute(delete(DeadlinePending).where(DeadlinePending.claim_id == claim_id))
        except PermissionDenied:
            return  # a role that cannot change cases: it stays queued for one that can
        except Exception:
            log.exception("recomputing the deadlines of case %s failed again", claim_id)

    def _sync(
        self, session: Session, claim_id: int, today: date
    ) -> tuple[list[tuple[str, Deadline, list[str]]], tuple[str, ...]]:
        claim = session.get(Claim, claim_id)
        if claim is None:
            return [], ()
        plan = plan_case(_facts(session, claim), self.rules, as_of=today)
        rows = session.scalars(
            select(Deadline)
            .where(Deadline.claim_id == claim_id, Deadline.source == DeadlineSource.COMPUTED)
            .options(selectinload(Deadline.reminders))
            .order_by(Deadline.id)
        ).all()
        existing: dict[tuple[str, str], Deadline] = {}
        spare: list[Deadline] = []
        for row in rows:
            key = (row.rule_id, row.trigger_ref)
            if key in existing:
                spare.append(row)
            else:
                existing[key] = row
        changed: list[tuple[str, Deadline, list[str]]] = []
        for planned in plan.deadlines:
            found = existing.pop((planned.rule.id, planned.trigger_ref), None)
            if found is None:
                row = Deadline(claim_id=claim_id, source=DeadlineSource.COMPUTED)
                _apply(row, planned)
                if row.status == DeadlineStatus.OPEN:
                    DeadlineService.sync_reminders(row, self._reminder_days(row))
                session.add(row)
                session.flush()
                changed.append(("create", row, []))
                continue
            fields = _apply(found, planned)
            if found.status == DeadlineStatus.OPEN:
                days = self._reminder_days(found)
                fields += DeadlineService.sync_reminders(found, days)
            if fields:
                changed.append(("recompute", found, fields))
        for row in [*existing.values(), *spare]:
            if row.status == DeadlineStatus.OPEN:
                # No completed_on: that marks a dismissal by the engine, which a trigger that
                # comes back may undo (a person's dismissal always has a date).
                row.status, row.completed_on = DeadlineStatus.DISMISSED, None
                changed.append(("dismiss", row, ["status"]))
        return changed, plan.problems

    def _reminder_days(self, row: Deadline) -> list[date]:
        """The lead times before the due date (one already past means: remind now)."""
        return sorted({row.due_on - timedelta(days=lead) for lead in self.lead_days if lead > 0})

    # ---- what is due ---------------------------------------------------------------------------

    def agenda(
        self,
        today: date | None = None,
        days: int = 14,
        now: datetime | None = None,
        *,
        mine: bool = False,
    ) -> list[AgendaItem]:
        """What is overdue or due within ``days`` on every case not closed, soonest first
        (``mine``: only on the cases assigned to the signed-in account)."""
        today = today or self._ctx.clock.today()
        now = now or self._ctx.clock.now()
        for claim_id in sorted(self.stale_claims):
            self._retry(claim_id, today)
        until = today + timedelta(days=days)
        with self._ctx.reader() as session:
            # What is overdue is decided in one place, which the case list's filter shares.
            late = {
                (row.source, row.record_id)
                for row in session.connection().execute(overdue_items(today, now))
            }
            deadlines = list(self._deadline_items(session, until, late))
            covered = {(d.claim_id, d.trigger_ref, d.due_on) for d in deadlines}
            items = [
                *deadlines,
                *_promise_items(session, until, late),
                *_request_items(session, until, late, covered),
            ]
            if mine:
                assigned = set(
                    session.scalars(
                        select(Claim.id).where(
                            Claim.assigned_user_id == self._ctx.principal.user_id
                        )
                    )
                )
                items = [i for i in items if i.claim_id in assigned]
        return sorted(items, key=lambda i: (i.due_on, i.due_at or now, i.case_number, i.title))

    def _deadline_items(
        self, session: Session, until: date, late: set[tuple[str, int]]
    ) -> Iterable[AgendaItem]:
        # Plain columns, joined to the open cases: an IN list of every open case's id and a
        # Deadline object per row took two seconds at 50,000 cases.
        rows = session.connection().execute(agenda_deadlines_query(until))
        for row in rows:
            yield AgendaItem(
                source="deadline",
                record_id=row.id,
                claim_id=row.claim_id,
                case_number=row.case_number,
                kind=deadline_kind(self.rules, row.rule_id, row.party),
                title=row.title,
                due_on=row.due_on,
                due_at=row.due_at,
                overdue=(DEADLINE, row.id) in late,
                party=row.party,
                outer_limit_on=row.outer_limit_on,
                confidence=row.confidence,
                citation=row.citation,
                rule_id=row.rule_id,
                derivation=row.derivation,
                trigger_ref=row.trigger_ref,
                claimant_name=row.claimant_name,
                basis=row.rule_id or "Deadline set by hand",
            )

    # ---- reminders -----------------------------------------------------------------------------

    def reminders_due(
        self, today: date | None = None, *, unseen_only: bool = False
    ) -> list[ReminderItem]:
        """Open deadlines with a reminder on or before ``today`` not yet dismissed."""
        today = today or self._ctx.clock.today()
        query = reminders_query(today, unseen_only)
        grouped: dict[int, tuple[Deadline, str, list[int]]] = {}
        with self._ctx.reader() as session:
            for reminder, deadline, number in session.execute(query):
                grouped.setdefault(deadline.id, (deadline, number, []))[2].append(reminder.id)
            return [
                ReminderItem(
                    deadline_id=d.id,
                    claim_id=d.claim_id,
                    case_number=number,
                    kind=deadline_kind(self.rules, d.rule_id, d.party),
                    title=d.title,
                    due_on=d.due_on,
                    due_at=d.due_at,
                    days_left=(d.due_on - today).days,
                    party=d.party,
                    confidence=d.confidence,
                    reminder_ids=tuple(ids),
                )
                for d, number, ids in grouped.values()
            ]

    def mark_reminders_shown(self, reminder_ids: Iterable[int]) -> int:
        """Record that these reminders were shown (a tray notice shows each only once)."""
        return self._update_reminders(reminder_ids, "shown")

    def dismiss_reminders(self, reminder_ids: Iterable[int]) -> int:
        """The user has seen enough of these reminders; later lead times still come."""
        return self._update_reminders(reminder_ids, "dismiss")

    def _update_reminders(self, reminder_ids: Iterable[int], action: str) -> int:
        wanted = sorted(set(reminder_ids))
        if not wanted:
            return 0
        from claimdesk.services.accounts import Right

        # That a reminder was shown is the notices' own bookkeeping, kept for anyone signed in
        # (a volunteer's window too); dismissing one changes what the office is reminded of.
        right = Right.READ if action == "shown" else Right.WORK_CASES
        with self._ctx.unit("dismiss reminders", right) as unit:
            rows = unit.session.scalars(
                select(Reminder)
                .where(Reminder.id.in_(wanted))
                .options(selectinload(Reminder.deadline))
            ).all()
            for row in rows:
                if action == "shown":
                    row.shown_at = row.shown_at or unit.clock.now()
                else:
                    row.dismissed = True
            for deadline_id, claim_id in sorted(
                {(r.deadline_id, r.deadline.claim_id) for r in rows}
            ):
                unit.record(action, "reminder", deadline_id, claim_id)
            return len(rows)


def agenda_deadlines_query(until: date) -> Select[Any]:
    """The open deadlines due by ``until`` on cases not closed, as plain columns.

    Read on the deadlines' (status, due_on) index: the open ones in the window, not every
    deadline ever kept (tests/test_query_plans.py holds it to that).
    """
    # Plain columns, joined to the open cases: an IN list of every open case's id and a
    # Deadline object per row took two seconds at 50,000 cases.
    d, c = Deadline.__table__.c, Claim.__table__.c
    return (
        select(
            *(d.id, d.claim_id, c.case_number, c.claimant_name, d.rule_id, d.title, d.party),
            *(d.due_on, d.due_at, d.outer_limit_on, d.confidence, d.citation, d.derivation),
            d.trigger_ref,
        )
        .join_from(Deadline.__table__, Claim.__table__, d.claim_id == c.id)
        .where(d.status == DeadlineStatus.OPEN, d.due_on <= until, c.status != ClaimStatus.CLOSED)
    )


def reminders_query(today: date, unseen_only: bool) -> Select[Reminder, Deadline, str]:
    """(Reminder, Deadline, case number) of reminders come by ``today``, not dismissed, of
    open deadlines on cases not closed; ``unseen_only``: not yet shown either.

    The hourly check (unseen only) reads the reminders' unseen index, the others the open
    deadlines' index: neither walks every reminder or deadline (tests/test_query_plans.py).
    """
    query = (
        select(Reminder, Deadline, Claim.case_number)
        .join(Deadline, Reminder.deadline_id == Deadline.id)
        .join(Claim, Deadline.claim_id == Claim.id)
        .where(
            Reminder.remind_on <= today,
            Reminder.dismissed == false(),
            Deadline.status == DeadlineStatus.OPEN,
            Claim.status != ClaimStatus.CLOSED,
        )
        .order_by(Deadline.due_on, Deadline.id, Reminder.id)
    )
    if unseen_only:
        query = query.where(Reminder.shown_at.is_(None))
    return query


def _apply(row: Deadline, planned: Planned) -> list[str]:
    """Copy a planned deadline onto its row; the names of the fields that changed."""
    rule, result = planned.rule, planned.computation
    overridden = bool(row.override_reason)
    values: dict[str, object] = {
        "title": rule.title,
        "rule_id": rule.id,
        "trigger_ref": planned.trigger_ref,
        "party": Party(rule.party),
        "computed_due_on": result.due,
        "outer_limit_on": result.outer_limit,
        "derivation": result.derivation,
        "citation": rule.citation,
        "confidence": Confidence(rule.confidence),
    }
    if not overridden:
        values["due_on"] = result.due
        values["due_at"] = result.due_at
    status = row.status or DeadlineStatus.OPEN  # a new row has no status until inserted
    if status == DeadlineStatus.DISMISSED and row.id is not None and row.completed_on is None:
        status = DeadlineStatus.OPEN  # the engine dismissed it, and its trigger is back
    if status == DeadlineStatus.OPEN and planned.met_on is not None:
        # Met by something recorded; after the latest lawful date it was missed (evidence).
        status = DeadlineStatus.MISSED if planned.missed else DeadlineStatus.MET
        values["completed_on"] = planned.met_on
    values["status"] = status
    changed = [key for key, value in values.items() if getattr(row, key) != value]
    for key in changed:
        setattr(row, key, values[key])
    return changed


def _facts(session: Session, claim: Claim) -> CaseFacts:
    """What the rules need to know about a case, read from the database."""
    appeals = session.scalars(select(Appeal).where(Appeal.claim_id == claim.id)).all()
    events = session.scalars(select(CaseEvent).where(CaseEvent.claim_id == claim.id)).all()
    requests = session.scalars(
        select(DocumentRequest).where(DocumentRequest.claim_id == claim.id)
    ).all()
    return CaseFacts(
        plan_type=claim.plan_type.value,
        country=claim.country,
        region=claim.region,
        urgent=bool(claim.urgent),
        denial_letter_date=claim.denial_letter_date,
        denial_received_date=claim.denial_received_date,
        appeals=tuple(
            AppealFacts(
                id=a.id,
                level=a.level.value,
                expedited=bool(a.expedited),
                filed_on=a.filed_on,
                received_on=a.received_on,
                decided_on=a.decided_on,
                decision_received_on=a.decision_received_on,
                outcome=a.outcome.value,
            )
            for a in appeals
        ),
        events=tuple(
            EventFacts(e.id, e.kind.value, e.occurred_on, e.occurred_at, e.appeal_id)
            for e in events
        ),
        requests=tuple(
            RequestFacts(r.id, r.kind.value, r.sent_on, r.received_on, bool(r.withdrawn))
            for r in requests
        ),
    )


def _promise_items(
    session: Session, until: date, late: set[tuple[str, int]]
) -> Iterable[AgendaItem]:
    """Open promises with a date, except those on a call that a correction superseded."""
    correction = aliased(CallLogEntry)
    rows = session.execute(
        select(
            CallPromise,
            CallLogEntry.claim_id,
            CallLogEntry.person_name,
            Claim.case_number,
            Claim.claimant_name,
        )
        .join(CallLogEntry, CallPromise.call_id == CallLogEntry.id)
        .join(Claim, CallLogEntry.claim_id == Claim.id)
        .where(
            CallPromise.status == PromiseStatus.OPEN,
            CallPromise.due_date.is_not(None),
            CallPromise.due_date <= until,
            Claim.status != ClaimStatus.CLOSED,
            ~exists().where(correction.amends_id == CallLogEntry.id),
        )
    )
    for promise, claim_id, person, case_number, claimant in rows:
        assert promise.due_date is not None
        yield AgendaItem(
            source="promise",
            record_id=promise.id,
            claim_id=claim_id,
            case_number=case_number,
            kind="promise made on a call",
            title=promise.description,
            due_on=promise.due_date,
            due_at=None,
            overdue=(PROMISE, promise.id) in late,
            party=Party.INSURER,
            claimant_name=claimant,
            basis=f"Promised on a call by {person}" if person else "Promised on a call",
        )


def _request_items(
    session: Session,
    until: date,
    late: set[tuple[str, int]],
    covered: set[tuple[int, str, date]],
) -> Iterable[AgendaItem]:
    """Requests still awaited, by their current due date (after any follow-up).

    A request whose rule deadline (plan documents in 30 days...) falls on the same day is
    already on the agenda as that deadline, and is not listed twice.
    """
    rows = session.execute(
        select(DocumentRequest, Claim.case_number, Claim.claimant_name)
        .join(Claim, DocumentRequest.claim_id == Claim.id)
        .where(Claim.status != ClaimStatus.CLOSED)
        .options(selectinload(DocumentRequest.follow_ups))
        .order_by(DocumentRequest.id)
    ).all()
    places: dict[tuple[int, str], int] = {}
    for row, case_number, claimant in rows:
        key = (row.claim_id, row.kind.value)
        places[key] = place = places.get(key, 0) + 1
        due = _current_due(row)
        if row.received_on is not None or row.withdrawn or due is None or due > until:
            continue
        if (row.claim_id, f"request:{row.kind.value}:{place}", due) in covered:
            continue
        who = f" from {row.recipient_name}" if row.recipient_name else ""
        what = row.kind.label
        if row.kind == RequestKind.OTHER and row.description.strip():
            what = textwrap.shorten(row.description, 70, placeholder="…")
        yield AgendaItem(
            source="request",
            record_id=row.id,
            claim_id=row.claim_id,
            case_number=case_number,
            kind="document request",
            title=f"{what}{who}",
            due_on=due,
            due_at=None,
            overdue=(REQUEST, row.id) in late,
            party=Party.INSURER,
            claimant_name=claimant,
            basis=(
                "Request: other document"
                if row.kind == RequestKind.OTHER
                else f"Request: {_in_sentence(row.kind.label)}"
            ),
        )


def _in_sentence(label: str) -> str:
    """A label as it reads mid-sentence: "Plan documents" -> "plan documents", "IME" kept."""
    if label[1:2].islower():
        return label[0].lower() + label[1:]
    return label


def _current_due(request: DocumentRequest) -> date | None:
    """The due date after the latest follow-up that set a new one."""
    due = request.due_on
    for follow_up in sorted(request.follow_ups, key=lambda f: (f.sent_on, f.id)):
        due = follow_up.new_due_on or due
    return due
