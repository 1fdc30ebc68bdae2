"""A case's chronology as dated marks and spans on lanes, for the timeline picture."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from claimdesk.models.enums import DeadlineStatus
from claimdesk.services.context import ServiceContext

if TYPE_CHECKING:
    from claimdesk.services.calls import CallService
    from claimdesk.services.claims import ClaimService
    from claimdesk.services.documents import DocumentService
    from claimdesk.services.dto import (
        AppealRecord,
        CallRecord,
        ClaimDetail,
        DeadlineRecord,
        DocumentInfo,
        LetterRecord,
        RequestRecord,
    )
    from claimdesk.services.process import AppealService, DeadlineService, LetterService
    from claimdesk.services.requests import RequestService

LANES = ("Denial & decisions", "Calls", "Requests", "Letters & documents", "Deadlines")
DECISIONS, CALLS, REQUESTS, LETTERS, DEADLINES = LANES


@dataclass(frozen=True)
class TimelineMark:
    """One thing on the time axis: a point, or a span from ``start`` to ``end``."""

    lane: str
    start: date
    end: date | None
    label: str
    state: str  # "done", "open", "late", "bad", "good"


class TimelineService:
    def __init__(
        self,
        ctx: ServiceContext,
        *,
        claims: ClaimService,
        appeals: AppealService,
        calls: CallService,
        requests: RequestService,
        letters: LetterService,
        documents: DocumentService,
        deadlines: DeadlineService,
    ) -> None:
        self._ctx = ctx
        self._claims = claims
        self._appeals = appeals
        self._calls = calls
        self._requests = requests
        self._letters = letters
        self._documents = documents
        self._deadlines = deadlines

    def marks(self, claim_id: int, today: date | None = None) -> list[TimelineMark]:
        """Everything dated on the case, in date order, read in one snapshot."""
        with self._ctx.snapshot():
            return self._marks(claim_id, today or self._ctx.clock.today())

    def _marks(self, claim_id: int, today: date) -> list[TimelineMark]:
        return marks_of(
            self._claims.get(claim_id),
            appeals=self._appeals.appeals(claim_id),
            calls=self._calls.calls(claim_id),
            requests=self._requests.requests(claim_id),
            letters=self._letters.letters(claim_id),
            documents=self._documents.documents(claim_id),
            deadlines=self._deadlines.deadlines(claim_id),
            today=today,
        )


def marks_of(
    claim: ClaimDetail,
    *,
    appeals: Sequence[AppealRecord],
    calls: Sequence[CallRecord],
    requests: Sequence[RequestRecord],
    letters: Sequence[LetterRecord],
    documents: Sequence[DocumentInfo],
    deadlines: Sequence[DeadlineRecord],
    today: date,
) -> list[TimelineMark]:
    """The marks of a case from its records as already read (the window reads each list once
    and shares it between the panels that show it)."""
    marks: list[TimelineMark] = []
    if claim.denial_letter_date:
        marks.append(
            TimelineMark(DECISIONS, claim.denial_letter_date, None, "Denial letter dated", "bad")
        )
    if claim.denial_received_date:
        marks.append(
            TimelineMark(DECISIONS, claim.denial_received_date, None, "Denial received", "bad")
        )
    for appeal in appeals:
        if appeal.filed_on:
            marks.append(
                TimelineMark(
                    DECISIONS,
                    appeal.filed_on,
                    appeal.decided_on,
                    f"{appeal.level.label} filed",
                    "open",
                )
            )
        if appeal.decided_on:
            good = appeal.outcome.value in {"overturned", "partially_overturned", "settled"}
            marks.append(
                TimelineMark(
                    DECISIONS,
                    appeal.decided_on,
                    None,
                    f"{appeal.level.label}: {appeal.outcome.label}",
                    "good" if good else "bad",
                )
            )
    for call in calls:
        if call.superseded:
            continue
        who = call.person_name + (f" ({call.call_reference})" if call.call_reference else "")
        marks.append(
            TimelineMark(
                CALLS,
                call.occurred_at.date(),
                None,
                f"Call: {who}",
                "bad" if call.refused else "done",
            )
        )
    for request in requests:
        status = request.status(today)
        end = request.received_on or (None if request.withdrawn else today)
        state = {"received": "done", "overdue": "late", "withdrawn": "done"}.get(status, "open")
        marks.append(
            TimelineMark(REQUESTS, request.sent_on, end, f"{request.kind.label}: {status}", state)
        )
    for letter in letters:
        day = letter.sent_on or letter.generated_at.date()
        marks.append(TimelineMark(LETTERS, day, None, f"Letter: {letter.kind}", "done"))
    for document in documents:
        if document.document_date:
            marks.append(
                TimelineMark(
                    LETTERS,
                    document.document_date,
                    None,
                    f"{document.kind.label}: {document.title}",
                    "done",
                )
            )
    for deadline in deadlines:
        if deadline.status == DeadlineStatus.DISMISSED:
            continue
        if deadline.status == DeadlineStatus.OPEN:
            state = "late" if deadline.due_on < today else "open"
        else:
            state = "good" if deadline.status == DeadlineStatus.MET else "bad"
        marks.append(
            TimelineMark(
                DEADLINES,
                deadline.due_on,
                None,
                f"{deadline.title} ({deadline.status.label.lower()})",
                state,
            )
        )
    return sorted(marks, key=lambda m: (m.start, LANES.index(m.lane), m.label))
