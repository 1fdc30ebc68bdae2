"""Requests to the insurer for the basis of its decision, tracked until they arrive."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from claimdesk.errors import NotFoundError, ValidationError
from claimdesk.models import Claim, Document, DocumentRequest, Organisation, RequestFollowUp
from claimdesk.models.enums import ContactMethod, DocumentKind, RequestKind
from claimdesk.services import validate as v
from claimdesk.services.claims import touch
from claimdesk.services.context import ServiceContext, retried
from claimdesk.services.documents import build_document, read_file, store_document
from claimdesk.services.dto import FollowUpRecord, RequestRecord, copy_into

# When nothing else is known, chase after 30 days: ERISA's plan-documents and HIPAA's records
# periods are both 30 days (DOMAIN.md, US-ERISA-plan-docs and US-HIPAA-records).
DEFAULT_RESPONSE_DAYS = 30
# What the document that answers a request is, so it files under the right kind.
DOCUMENT_KINDS = {
    RequestKind.MEDICAL_REVIEWER_REPORT: DocumentKind.REVIEWER_REPORT,
    RequestKind.CLINICAL_CRITERIA: DocumentKind.CLINICAL_CRITERIA,
    RequestKind.CLAIM_FILE: DocumentKind.CLAIM_FILE,
    RequestKind.IME_REPORT: DocumentKind.IME_REPORT,
    RequestKind.PLAN_DOCUMENTS: DocumentKind.POLICY,
    RequestKind.MEDICAL_RECORDS: DocumentKind.MEDICAL_RECORD,
    RequestKind.OTHER: DocumentKind.CORRESPONDENCE,
}


class RequestService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @retried
    def request_document(
        self,
        claim_id: int,
        kind: RequestKind | str,
        *,
        sent_on: date | str,
        method: ContactMethod | str,
        recipient_id: int | None = None,
        recipient_name: str = "",
        description: str = "",
        reference: str = "",
        due_on: date | str | None = None,
        notes: str = "",
    ) -> RequestRecord:
        """Record that something was asked for; due in 30 days unless a date is given."""
        today = self._ctx.clock.today()
        sent = v.not_future(
            v.required_date(sent_on, "Date sent", today=today), "Date sent", today=today
        )
        assert sent is not None
        due = v.parse_date(due_on, "Due date", today=today) or sent + timedelta(
            days=DEFAULT_RESPONSE_DAYS
        )
        v.ordered(sent, due, "The due date cannot be before the date the request was sent.")
        with self._ctx.unit("request documents") as unit:
            unit.get(Claim, claim_id, "case")
            if recipient_id is not None:
                unit.get(Organisation, recipient_id, "organisation")
            request = DocumentRequest(
                claim_id=claim_id,
                kind=v.choice(RequestKind, kind, "What was requested"),
                description=v.text(description, "Description", max_length=5000),
                recipient_id=recipient_id,
                recipient_name=v.line(recipient_name, "Sent to"),
                method=v.choice(ContactMethod, method, "How it was sent"),
                sent_on=sent,
                reference=v.line(reference, "Reference", max_length=80),
                due_on=due,
                notes=v.text(notes, "Notes", max_length=20_000),
            )
            unit.session.add(request)
            unit.session.flush()
            touch(unit, claim_id)
            unit.record("create", "request", request.id, claim_id)
            request_id = request.id
        return self.get(request_id)

    @retried
    def follow_up(
        self,
        request_id: int,
        *,
        sent_on: date | str,
        method: ContactMethod | str,
        new_due_on: date | str | None = None,
        notes: str = "",
    ) -> RequestRecord:
        """Record a second request for something late."""
        today = self._ctx.clock.today()
        sent = v.not_future(
            v.required_date(sent_on, "Date sent", today=today), "Date sent", today=today
        )
        new_due = v.parse_date(new_due_on, "New due date", today=today)
        v.ordered(sent, new_due, "The new due date cannot be before the follow-up was sent.")
        with self._ctx.unit("follow up requests") as unit:
            request: DocumentRequest = unit.get(DocumentRequest, request_id, "request")
            v.ordered(request.sent_on, sent, "A follow-up cannot be sent before the request.")
            request.follow_ups.append(
                RequestFollowUp(
                    sent_on=sent,
                    method=v.choice(ContactMethod, method, "How it was sent"),
                    new_due_on=new_due,
                    notes=v.text(notes, "Notes", max_length=20_000),
                )
            )
            unit.session.flush()
            touch(unit, request.claim_id)
            unit.record("follow_up", "request", request.id, request.claim_id)
        return self.get(request_id)

    @retried
    def mark_received(
        self,
        request_id: int,
        received_on: date | str,
        document_id: int | None = None,
        *,
        file: Path | None = None,
        kind: DocumentKind | str | None = None,
    ) -> RequestRecord:
        """Record that what was asked for arrived, and which document it was: one already kept
        (``document_id``) or a ``file`` kept now, in the same unit of work, so a refused receipt
        leaves no document behind. ``kind`` files it (by default, what the request asked for)."""
        if document_id is not None and file is not None:
            raise ValueError("give the document that came, or a file to keep, not both")
        today = self._ctx.clock.today()
        received = v.not_future(
            v.required_date(received_on, "Date received", today=today), "Date received", today=today
        )
        assert received is not None
        document: Document | None = None
        if file is not None:
            # Checked before reading a file that may be large; checked again when saving.
            request = self.get(request_id)
            _check_arrival(request.sent_on, received)
            document = build_document(
                request.claim_id,
                file.name,
                read_file(file),
                kind=kind or DOCUMENT_KINDS[request.kind],
                document_date=received,
            )
        with self._ctx.unit("mark requests received") as unit:
            row: DocumentRequest = unit.get(DocumentRequest, request_id, "request")
            _check_arrival(row.sent_on, received)
            if document is not None:
                document.claim_id = row.claim_id
                store_document(unit, document)
                document_id = document.id
            elif document_id is not None:
                kept: Document = unit.get(Document, document_id, "document")
                if kept.claim_id != row.claim_id:
                    raise ValidationError(
                        "That document belongs to another case; choose one of this case's "
                        "documents, or attach the file again here."
                    )
            row.received_on = received
            row.document_id = document_id
            touch(unit, row.claim_id)
            unit.record("receive", "request", row.id, row.claim_id)
        return self.get(request_id)

    @retried
    def withdraw(self, request_id: int) -> RequestRecord:
        with self._ctx.unit("withdraw requests") as unit:
            request: DocumentRequest = unit.get(DocumentRequest, request_id, "request")
            request.withdrawn = True
            unit.record("withdraw", "request", request.id, request.claim_id)
        return self.get(request_id)

    def get(self, request_id: int) -> RequestRecord:
        with self._ctx.reader() as session:
            request = session.get(DocumentRequest, request_id)
            if request is None:
                raise NotFoundError(f"There is no request number {request_id}.")
            return _record(request)

    def requests(self, claim_id: int) -> list[RequestRecord]:
        with self._ctx.reader() as session:
            rows = session.scalars(
                select(DocumentRequest)
                .where(DocumentRequest.claim_id == claim_id)
                .options(selectinload(DocumentRequest.follow_ups))
                .order_by(DocumentRequest.sent_on, DocumentRequest.id)
            )
            return [_record(r) for r in rows]


def _check_arrival(sent_on: date, received: date) -> None:
    v.ordered(
        sent_on,
        received,
        f"It cannot have arrived before the request was sent ({sent_on:%d %b %Y}); "
        "enter the date it came.",
    )


def _record(request: DocumentRequest) -> RequestRecord:
    return copy_into(
        RequestRecord,
        request,
        follow_ups=tuple(copy_into(FollowUpRecord, f) for f in request.follow_ups),
    )
