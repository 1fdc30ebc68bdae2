"""The call log: every call logged, never edited; corrections are amendments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from claimdesk.errors import ValidationError
from claimdesk.models import CallLogEntry, CallPromise, Claim, Organisation
from claimdesk.models.enums import CallDirection, PromiseStatus
from claimdesk.services import validate as v
from claimdesk.services.claims import touch
from claimdesk.services.context import ServiceContext, Unit, retried, user_names
from claimdesk.services.dto import CallRecord, PromiseRecord, copy_into


@dataclass(frozen=True)
class PromiseInput:
    description: str
    due_date: date | str | None = None


@dataclass(frozen=True)
class CallInput:
    """One call as the user typed it."""

    occurred_at: datetime | str
    person_name: str
    summary: str
    direction: CallDirection | str = CallDirection.OUTGOING
    time_zone: str = "UTC"
    organisation_id: int | None = None
    person_staff_id: str = ""
    number_dialled: str = ""
    duration_minutes: int | str | None = None
    call_reference: str = ""
    refused: bool = False
    refusal_detail: str = ""
    promises: Sequence[PromiseInput] = field(default_factory=tuple)


class CallService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @retried
    def log_call(self, claim_id: int, data: CallInput) -> CallRecord:
        with self._ctx.unit("log calls") as unit:
            unit.get(Claim, claim_id, "case")
            entry = self._new_entry(unit, claim_id, data)
            unit.record("create", "call", entry.id, claim_id)
            call_id = entry.id
        return self.get(call_id)

    @retried
    def amend_call(self, call_id: int, data: CallInput, reason: str) -> CallRecord:
        """Correct a call: a new entry supersedes it; the original stays in the record."""
        why = v.text(reason, "Reason for the correction", max_length=2000, required=True)
        with self._ctx.unit("correct calls") as unit:
            original: CallLogEntry = unit.get(CallLogEntry, call_id, "call")
            later = unit.session.scalar(
                select(CallLogEntry.id).where(CallLogEntry.amends_id == call_id)
            )
            if later is not None:
                raise ValidationError(
                    "This call has already been corrected; amend the latest correction instead."
                )
            entry = self._new_entry(unit, original.claim_id, data)
            entry.amends_id = original.id
            entry.amendment_reason = why
            unit.record("amend", "call", entry.id, original.claim_id)
            call_id = entry.id
        return self.get(call_id)

    def set_promise_status(
        self, promise_id: int, status: PromiseStatus | str, on: date | str | None = None
    ) -> PromiseRecord:
        chosen = v.choice(PromiseStatus, status, "Promise status")
        today = self._ctx.clock.today()
        resolved = None
        if chosen != PromiseStatus.OPEN:
            resolved = v.not_future(v.parse_date(on, "Date", today=today), "Date", today=today)
        with self._ctx.unit("update promises") as unit:
            promise: CallPromise = unit.get(CallPromise, promise_id, "promise")
            promise.status = chosen
            promise.resolved_on = (resolved or today) if chosen != PromiseStatus.OPEN else None
            unit.record("update", "promise", promise.id, promise.call.claim_id, ["status"])
            return copy_into(PromiseRecord, promise)

    def get(self, call_id: int) -> CallRecord:
        with self._ctx.reader() as session:
            entry = session.get(CallLogEntry, call_id)
            if entry is None:
                raise ValidationError(f"There is no call number {call_id}.")
            return _records(session, [entry])[0]

    def calls(self, claim_id: int) -> list[CallRecord]:
        """The whole log of a case in the order the calls happened, corrections included."""
        with self._ctx.reader() as session:
            entries = session.scalars(
                select(CallLogEntry)
                .where(CallLogEntry.claim_id == claim_id)
                .options(selectinload(CallLogEntry.promises))
                .order_by(CallLogEntry.occurred_at, CallLogEntry.id)
            ).all()
            return _records(session, entries)

    def _new_entry(self, unit: Unit, claim_id: int, data: CallInput) -> CallLogEntry:
        zone = data.time_zone or "UTC"
        v.time_zone(zone)
        today = self._ctx.clock.today()
        occurred = v.parse_datetime(data.occurred_at, "Time of the call", zone=zone, today=today)
        v.not_future(occurred.date(), "Time of the call", today=today)
        if data.organisation_id is not None:
            unit.get(Organisation, data.organisation_id, "organisation")
        entry = CallLogEntry(
            claim_id=claim_id,
            occurred_at=occurred,
            time_zone=zone,
            direction=v.choice(CallDirection, data.direction, "Direction"),
            organisation_id=data.organisation_id,
            person_name=v.line(data.person_name, "Who you spoke to", required=True),
            person_staff_id=v.line(data.person_staff_id, "Their ID", max_length=80),
            number_dialled=v.line(data.number_dialled, "Number dialled", max_length=60),
            duration_minutes=v.minutes(data.duration_minutes, "Duration"),
            call_reference=v.line(data.call_reference, "Call reference", max_length=80),
            summary=v.text(data.summary, "What was said", max_length=50_000, required=True),
            refused=bool(data.refused),
            refusal_detail=v.text(data.refusal_detail, "What was refused", max_length=20_000),
            created_by_id=unit.user_id,
        )
        if entry.refusal_detail and not entry.refused:
            entry.refused = True
        for promise in data.promises:
            entry.promises.append(
                CallPromise(
                    description=v.text(
                        promise.description, "What was promised", max_length=5000, required=True
                    ),
                    due_date=v.parse_date(promise.due_date, "Promised by", today=today),
                )
            )
        unit.session.add(entry)
        unit.session.flush()
        touch(unit, claim_id)
        return entry


def _records(session: Session, entries: Sequence[CallLogEntry]) -> list[CallRecord]:
    ids = [e.id for e in entries]
    amended_by: dict[int | None, int] = {
        original: correction
        for original, correction in session.execute(
            select(CallLogEntry.amends_id, CallLogEntry.id).where(CallLogEntry.amends_id.in_(ids))
        )
    }
    org_ids = {e.organisation_id for e in entries if e.organisation_id}
    orgs: dict[int, str] = {
        org_id: name
        for org_id, name in session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))
        )
    }
    names = user_names(session, (e.created_by_id for e in entries))
    return [
        copy_into(
            CallRecord,
            e,
            organisation_name=orgs.get(e.organisation_id or 0, ""),
            amended_by_id=amended_by.get(e.id),
            created_by=names.get(e.created_by_id or 0, ""),
            promises=tuple(copy_into(PromiseRecord, p) for p in e.promises),
        )
        for e in entries
    ]
