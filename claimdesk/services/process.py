"""Appeals and review levels, clock events, deadlines, letters sent, and the audit trail."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from claimdesk.errors import ValidationError
from claimdesk.models import (
    Appeal,
    CaseEvent,
    Claim,
    Deadline,
    Document,
    Letter,
    Reminder,
)
from claimdesk.models.enums import (
    AppealLevel,
    Confidence,
    ContactMethod,
    DeadlineSource,
    DeadlineStatus,
    EventKind,
    Outcome,
    Party,
)
from claimdesk.services import fields as f
from claimdesk.services import validate as v
from claimdesk.services.claims import touch
from claimdesk.services.context import ServiceContext, retried
from claimdesk.services.dto import (
    AppealRecord,
    DeadlineRecord,
    EventRecord,
    LetterRecord,
    copy_into,
)

APPEAL_FIELDS = {
    "level": f.one_of(AppealLevel, "Review level"),
    "reviewing_body": f.line("Reviewing body"),
    "expedited": f.flag("Expedited"),
    "filed_on": f.day("Filed on", past=True),
    "filed_method": f.one_of(ContactMethod, "How it was filed", optional=True),
    "received_on": f.day("Received by the reviewer on", past=True),
    "proof_of_receipt": f.text("Proof of receipt", 2000),
    "reference": f.line("Reference", 80),
    "decided_on": f.day("Decided on", past=True),
    "decision_received_on": f.day("Decision received on", past=True),
    "outcome": f.one_of(Outcome, "Outcome"),
    "decision_summary": f.text("Decision", 50_000),
    "notes": f.text("Notes"),
}

# Reminder lead times before a deadline (days); the settings can change them later.
DEFAULT_LEAD_DAYS = (14, 7, 3, 1)


class AppealService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @retried
    def record(self, claim_id: int, level: AppealLevel | str, **values: Any) -> AppealRecord:
        """Record a review level (an appeal filed, a peer-to-peer asked for, an IMR...)."""
        converted = f.convert_all(
            APPEAL_FIELDS, {"level": level, **values}, "review level", today=self._ctx.clock.today()
        )
        with self._ctx.unit("record appeals") as unit:
            unit.get(Claim, claim_id, "case")
            appeal = Appeal(claim_id=claim_id, **converted)
            _check_appeal_dates(appeal)
            unit.session.add(appeal)
            unit.session.flush()
            touch(unit, claim_id)
            unit.record("create", "appeal", appeal.id, claim_id, converted)
            return copy_into(AppealRecord, appeal)

    @retried
    def update(self, appeal_id: int, **values: Any) -> AppealRecord:
        converted = f.convert_all(
            APPEAL_FIELDS, values, "review level", today=self._ctx.clock.today()
        )
        with self._ctx.unit("change appeals") as unit:
            appeal: Appeal = unit.get(Appeal, appeal_id, "review level")
            changed = f.apply(appeal, converted)
            _check_appeal_dates(appeal)
            if changed:
                touch(unit, appeal.claim_id)
                unit.record("update", "appeal", appeal.id, appeal.claim_id, changed)
            return copy_into(AppealRecord, appeal)

    def record_decision(
        self,
        appeal_id: int,
        *,
        decided_on: date | str,
        outcome: Outcome | str,
        summary: str = "",
        received_on: date | str | None = None,
    ) -> AppealRecord:
        if v.choice(Outcome, outcome, "Outcome") == Outcome.PENDING:
            raise ValidationError("Choose the outcome of the decision (it cannot be 'pending').")
        return self.update(
            appeal_id,
            decided_on=decided_on,
            outcome=outcome,
            decision_summary=summary,
            decision_received_on=received_on,
        )

    def appeals(self, claim_id: int) -> list[AppealRecord]:
        with self._ctx.reader() as session:
            rows = session.scalars(
                select(Appeal)
                .where(Appeal.claim_id == claim_id)
                .order_by(Appeal.filed_on, Appeal.id)
            )
            return [copy_into(AppealRecord, a) for a in rows]

    @retried
    def add_event(
        self,
        claim_id: int,
        kind: EventKind | str,
        occurred_on: date | str,
        *,
        detail: str = "",
        appeal_id: int | None = None,
    ) -> EventRecord:
        """A dated event that starts, stops or extends a clock (an extension notice...)."""
        chosen = v.choice(EventKind, kind, "Event")
        today = self._ctx.clock.today()
        day = v.not_future(
            v.required_date(occurred_on, "Date of the event", today=today),
            "Date of the event",
            today=today,
        )
        with self._ctx.unit("record case events") as unit:
            unit.get(Claim, claim_id, "case")
            if appeal_id is not None:
                appeal: Appeal = unit.get(Appeal, appeal_id, "review level")
                if appeal.claim_id != claim_id:
                    raise ValidationError("That review level belongs to another case.")
            event = CaseEvent(
                claim_id=claim_id,
                kind=chosen,
                occurred_on=day,
                appeal_id=appeal_id,
                detail=v.text(detail, "Detail", max_length=20_000),
            )
            unit.session.add(event)
            unit.session.flush()
            touch(unit, claim_id)
            unit.record("create", "event", event.id, claim_id)
            return copy_into(EventRecord, event)

    def events(self, claim_id: int) -> list[EventRecord]:
        with self._ctx.reader() as session:
            rows = session.scalars(
                select(CaseEvent)
                .where(CaseEvent.claim_id == claim_id)
                .order_by(CaseEvent.occurred_on, CaseEvent.id)
            )
            return [copy_into(EventRecord, e) for e in rows]


def _check_appeal_dates(appeal: Appeal) -> None:
    v.ordered(
        appeal.filed_on, appeal.received_on, "It cannot have been received before it was filed."
    )
    v.ordered(
        appeal.filed_on, appeal.decided_on, "It cannot have been decided before it was filed."
    )


class DeadlineService:
    """Deadlines on a case: entered by hand here; computed ones come from the rule engine."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @retried
    def add_manual(
        self,
        claim_id: int,
        title: str,
        due_on: date | str,
        *,
        party: Party | str = Party.CLAIMANT,
        notes: str = "",
        lead_days: tuple[int, ...] = DEFAULT_LEAD_DAYS,
    ) -> DeadlineRecord:
        due = v.required_date(due_on, "Due date", today=self._ctx.clock.today())
        with self._ctx.unit("add deadlines") as unit:
            unit.get(Claim, claim_id, "case")
            deadline = Deadline(
                claim_id=claim_id,
                title=v.line(title, "What is due", max_length=300, required=True),
                source=DeadlineSource.MANUAL,
                party=v.choice(Party, party, "Who must act"),
                due_on=due,
                notes=v.text(notes, "Notes", max_length=20_000),
            )
            deadline.reminders = [Reminder(remind_on=due - timedelta(days=d)) for d in lead_days]
            unit.session.add(deadline)
            unit.session.flush()
            touch(unit, claim_id)
            unit.record("create", "deadline", deadline.id, claim_id)
            return copy_into(DeadlineRecord, deadline)

    @retried
    def add_computed(
        self,
        claim_id: int,
        *,
        title: str,
        rule_id: str,
        due_on: date,
        party: Party,
        citation: str,
        confidence: Confidence,
        derivation: str,
        trigger_ref: str = "",
        outer_limit_on: date | None = None,
    ) -> DeadlineRecord:
        """Store a deadline the rule engine computed (it keeps its citation and derivation)."""
        with self._ctx.unit("add deadlines") as unit:
            unit.get(Claim, claim_id, "case")
            deadline = Deadline(
                claim_id=claim_id,
                title=title,
                source=DeadlineSource.COMPUTED,
                rule_id=rule_id,
                trigger_ref=trigger_ref,
                party=party,
                computed_due_on=due_on,
                due_on=due_on,
                outer_limit_on=outer_limit_on,
                derivation=derivation,
                citation=citation,
                confidence=confidence,
            )
            unit.session.add(deadline)
            unit.session.flush()
            unit.record("create", "deadline", deadline.id, claim_id)
            return copy_into(DeadlineRecord, deadline)

    @retried
    def override(
        self,
        deadline_id: int,
        due_on: date | str,
        reason: str,
        *,
        lead_days: tuple[int, ...] = DEFAULT_LEAD_DAYS,
    ) -> DeadlineRecord:
        """Move a deadline by hand; the computed date stays visible beside it.

        Recomputing never moves an overridden date back; the reminders follow the new date.
        """
        due = v.required_date(due_on, "New due date", today=self._ctx.clock.today())
        why = v.text(reason, "Reason for the change", max_length=2000, required=True)
        with self._ctx.unit("change deadlines") as unit:
            deadline: Deadline = unit.get(Deadline, deadline_id, "deadline")
            if deadline.computed_due_on is None:
                deadline.computed_due_on = deadline.due_on
            deadline.due_on = due
            deadline.due_at = None  # a date typed by hand has no hour
            deadline.override_reason = why
            deadline.overridden_by_id = unit.user_id
            self.sync_reminders(deadline, [due - timedelta(days=d) for d in lead_days if d > 0])
            touch(unit, deadline.claim_id)
            unit.record("override", "deadline", deadline.id, deadline.claim_id, ["due_on"])
            return copy_into(DeadlineRecord, deadline)

    @retried
    def clear_override(
        self, deadline_id: int, *, lead_days: tuple[int, ...] = DEFAULT_LEAD_DAYS
    ) -> DeadlineRecord:
        """Go back to the computed date (the next recompute restores an hour-based time)."""
        with self._ctx.unit("change deadlines") as unit:
            deadline: Deadline = unit.get(Deadline, deadline_id, "deadline")
            if not deadline.override_reason or deadline.computed_due_on is None:
                raise ValidationError("This deadline has not been moved by hand.")
            deadline.due_on = deadline.computed_due_on
            deadline.override_reason = ""
            deadline.overridden_by_id = None
            due = deadline.due_on
            self.sync_reminders(deadline, [due - timedelta(days=d) for d in lead_days if d > 0])
            touch(unit, deadline.claim_id)
            unit.record("override", "deadline", deadline.id, deadline.claim_id, ["due_on"])
            return copy_into(DeadlineRecord, deadline)

    @staticmethod
    def sync_reminders(deadline: Deadline, days: list[date]) -> list[str]:
        """Make the reminders fall on ``days``; those already on a kept day keep their state."""
        wanted = set(days)
        kept = [r for r in deadline.reminders if r.remind_on in wanted]
        have = {r.remind_on for r in kept}
        added = [Reminder(remind_on=day) for day in sorted(wanted - have)]
        if len(kept) == len(deadline.reminders) and not added:
            return []
        deadline.reminders = kept + added
        return ["reminders"]

    @retried
    def set_status(
        self, deadline_id: int, status: DeadlineStatus | str, on: date | str | None = None
    ) -> DeadlineRecord:
        chosen = v.choice(DeadlineStatus, status, "Status")
        with self._ctx.unit("change deadlines") as unit:
            deadline: Deadline = unit.get(Deadline, deadline_id, "deadline")
            deadline.status = chosen
            if chosen == DeadlineStatus.OPEN:
                deadline.completed_on = None
            else:
                today = unit.clock.today()
                deadline.completed_on = (
                    v.not_future(v.parse_date(on, "Date", today=today), "Date", today=today)
                    or today
                )
            touch(unit, deadline.claim_id)
            unit.record("update", "deadline", deadline.id, deadline.claim_id, ["status"])
            return copy_into(DeadlineRecord, deadline)

    def deadlines(self, claim_id: int) -> list[DeadlineRecord]:
        with self._ctx.reader() as session:
            rows = session.scalars(
                select(Deadline)
                .where(Deadline.claim_id == claim_id)
                .order_by(Deadline.due_on, Deadline.id)
            )
            return [copy_into(DeadlineRecord, d) for d in rows]

    def open_until(self, until: date) -> list[DeadlineRecord]:
        """Every open deadline due on or before ``until``, across all open cases."""
        with self._ctx.reader() as session:
            rows = session.scalars(
                select(Deadline)
                .where(Deadline.status == DeadlineStatus.OPEN, Deadline.due_on <= until)
                .order_by(Deadline.due_on, Deadline.id)
            )
            return [copy_into(DeadlineRecord, d) for d in rows]


class LetterService:
    """The record of letters generated for a case (the letters feature renders them)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @retried
    def record(
        self,
        claim_id: int,
        *,
        kind: str,
        template_name: str,
        template_version: str = "",
        recipient: str = "",
        document_id: int | None = None,
        notes: str = "",
    ) -> LetterRecord:
        with self._ctx.unit("record letters") as unit:
            unit.get(Claim, claim_id, "case")
            if document_id is not None:
                document: Document = unit.get(Document, document_id, "document")
                if document.claim_id != claim_id:
                    raise ValidationError("That document belongs to another case.")
            letter = Letter(
                claim_id=claim_id,
                kind=v.line(kind, "Kind of letter", max_length=80, required=True),
                template_name=v.line(template_name, "Template", required=True),
                template_version=v.line(template_version, "Template version", max_length=40),
                recipient=v.line(recipient, "Recipient"),
                generated_by_id=unit.user_id,
                document_id=document_id,
                notes=v.text(notes, "Notes", max_length=20_000),
            )
            unit.session.add(letter)
            unit.session.flush()
            touch(unit, claim_id)
            unit.record("create", "letter", letter.id, claim_id)
            return copy_into(LetterRecord, letter)

    @retried
    def mark_sent(
        self, letter_id: int, sent_on: date | str, method: ContactMethod | str
    ) -> LetterRecord:
        today = self._ctx.clock.today()
        day = v.not_future(
            v.required_date(sent_on, "Date sent", today=today), "Date sent", today=today
        )
        with self._ctx.unit("mark letters sent") as unit:
            letter: Letter = unit.get(Letter, letter_id, "letter")
            letter.sent_on = day
            letter.sent_method = v.choice(ContactMethod, method, "How it was sent")
            touch(unit, letter.claim_id)
            unit.record("send", "letter", letter.id, letter.claim_id)
            return copy_into(LetterRecord, letter)

    def letters(self, claim_id: int) -> list[LetterRecord]:
        with self._ctx.reader() as session:
            # The id breaks a tie: two letters can share an instant (a coarse or pinned clock),
            # and the packet takes the last as the newest.
            rows = session.scalars(
                select(Letter)
                .where(Letter.claim_id == claim_id)
                .order_by(Letter.generated_at, Letter.id)
            )
            return [copy_into(LetterRecord, letter) for letter in rows]
