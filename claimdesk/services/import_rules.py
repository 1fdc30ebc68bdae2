"""The services' field rules, per table column, for records that arrive in a case file.

An imported record must pass what the service that writes it would ask of a person typing it
(docs/case-format.md): the same functions of ``validate`` and ``fields``, the same labels and
limits. The specialist, second-opinion, IME and review-level rules are the services' own tables;
the others repeat the limits their service passes inline (claims.py, calls.py, requests.py,
documents.py, process.py), and tests/test_import_rules.py checks each against its service.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Date, Enum, Integer, String, Text
from sqlalchemy.sql.schema import Column

from claimdesk.errors import ValidationError
from claimdesk.models import (
    Appeal,
    CallLogEntry,
    CallPromise,
    CaseEvent,
    Claim,
    Contact,
    Deadline,
    Document,
    DocumentRequest,
    IndependentMedicalExam,
    Letter,
    Note,
    Organisation,
    Reminder,
    RequestFollowUp,
    SecondOpinion,
    Specialist,
)
from claimdesk.models.base import UTCDateTime
from claimdesk.services import fields as f
from claimdesk.services import validate as v
from claimdesk.services.documents import safe_file_name
from claimdesk.services.medical import IME_FIELDS, OPINION_FIELDS, SPECIALIST_FIELDS
from claimdesk.services.process import APPEAL_FIELDS, _check_appeal_dates

Converter = Callable[[Any], Any]

# A note, a call's detail, any free text a service takes without naming a limit of its own.
DEFAULT_TEXT = 20_000
# A document's place in the appeal packet; a real packet has a few hundred exhibits at most.
MAX_PACKET_POSITION = 10_000


def _required_line(label: str, max_length: int = 200) -> Converter:
    return f.line(label, max_length, required=True)


def _required_text(label: str, max_length: int) -> Converter:
    return lambda value: v.text(value, label, max_length=max_length, required=True)


def _zone(value: Any) -> str:
    name = v.line(value, "Time zone", max_length=64) or "UTC"
    v.time_zone(name)
    return name


def _past_instant(label: str) -> Converter:
    """A moment that already happened (a call): the services' not-future rule, on its day."""

    def convert(value: Any) -> Any:
        moment = v.utc_instant(value, label)
        v.not_future(moment.date(), label)
        return moment

    return convert


def _position(value: Any) -> int | None:
    if value is not None and not 1 <= value <= MAX_PACKET_POSITION:
        raise ValidationError(
            f"The place in the packet must be between 1 and {MAX_PACKET_POSITION}."
        )
    return value  # type: ignore[no-any-return]


def _sha256(value: Any) -> str:
    if (
        not isinstance(value, str)
        or len(value) != 64
        or not all(c in "0123456789abcdef" for c in value)
    ):
        raise ValidationError("A SHA-256 is 64 lower-case hexadecimal digits.")
    return value


def _ignored(value: Any) -> Any:
    """Recomputed from the file's bytes on import (documents' size, pages and media type)."""
    return value


CLAIM_RULES: dict[str, Converter] = {  # claims._validated
    "case_number": f.line("Case number", 40),
    "claimant_name": _required_line("Claimant's name"),
    "country": f.country(),
    "region": f.region(),
    "claimant_birth_date": f.day("Date of birth", past=True),
    "claimant_address": f.text("Address", 2000),
    "claimant_phone": lambda value: v.phone(value, "Phone"),
    "claimant_email": lambda value: v.email(value, "Email"),
    "plan_name": f.line("Plan name"),
    "policy_number": f.line("Policy number", 80),
    "group_number": f.line("Group number", 80),
    "member_id": f.line("Member ID", 80),
    "insurer_claim_number": f.line("Insurer's claim number", 80),
    "disputed_service": f.text("Disputed service", 5000),
    "amount_minor": f.money("Amount"),
    "currency": f.currency(),
    "denial_letter_date": f.day("Date on the denial letter", past=True),
    "denial_received_date": f.day("Date the denial was received", past=True),
    "proof_of_receipt": f.text("Proof of receipt", 2000),
    "denial_reason": f.text("Denial reason", 50_000),
    "reviewer_name": f.line("Reviewer's name"),
    "reviewer_credentials": f.line("Reviewer's credentials"),
    "criteria_cited": f.text("Criteria cited", 20_000),
}

ORGANISATION_RULES: dict[str, Converter] = {  # ClaimService.add_organisation
    "name": _required_line("Organisation name"),
    "department": f.line("Department"),
    "address": f.text("Address", 2000),
    "phone": lambda value: v.phone(value, "Phone"),
    "fax": lambda value: v.phone(value, "Fax"),
    "email": lambda value: v.email(value, "Email"),
    "website": f.line("Website"),
    "portal": f.line("Portal", 300),
    "notes": f.text("Notes", 20_000),
}

CONTACT_RULES: dict[str, Converter] = {  # ClaimService.add_contact
    "name": _required_line("Name"),
    "role": f.line("Role"),
    "staff_id": f.line("Staff ID", 80),
    "phone": f.line("Phone", 60),
    "fax": f.line("Fax", 60),
    "email": f.line("Email"),
    "notes": f.text("Notes", 20_000),
}

CALL_RULES: dict[str, Converter] = {  # CallService._new_entry and amend_call
    "occurred_at": _past_instant("Time of the call"),
    "time_zone": _zone,
    "person_name": _required_line("Who you spoke to"),
    "person_staff_id": f.line("Their ID", 80),
    "number_dialled": f.line("Number dialled", 60),
    "duration_minutes": f.whole_minutes("Duration"),
    "call_reference": f.line("Call reference", 80),
    "summary": _required_text("What was said", 50_000),
    "refusal_detail": f.text("What was refused", 20_000),
    "amendment_reason": f.text("Reason for the correction", 2000),
}

PROMISE_RULES: dict[str, Converter] = {  # CallService._new_entry and set_promise_status
    "description": _required_text("What was promised", 5000),
    "due_date": f.day("Promised by"),
    "resolved_on": f.day("Date", past=True),
}

DOCUMENT_RULES: dict[str, Converter] = {  # documents.build_document
    "title": f.line("Title", 300),
    "original_name": safe_file_name,
    "description": f.text("Description", 20_000),
    "document_date": f.day("Date of the document"),
    "packet_position": _position,
    "sha256": _sha256,
    "media_type": _ignored,
    "size_bytes": _ignored,
    "pages": _ignored,
}

REQUEST_RULES: dict[str, Converter] = {  # RequestService.request_document and mark_received
    "description": f.text("Description", 5000),
    "recipient_name": f.line("Sent to"),
    "sent_on": f.day("Date sent", past=True),
    "reference": f.line("Reference", 80),
    "due_on": f.day("Due date"),
    "received_on": f.day("Date received", past=True),
    "notes": f.text("Notes", 20_000),
}

FOLLOW_UP_RULES: dict[str, Converter] = {  # RequestService.follow_up
    "sent_on": f.day("Date sent", past=True),
    "new_due_on": f.day("New due date"),
    "notes": f.text("Notes", 20_000),
}

EVENT_RULES: dict[str, Converter] = {  # AppealService.add_event
    "occurred_on": f.day("Date of the event", past=True),
    "detail": f.text("Detail", 20_000),
}

DEADLINE_RULES: dict[str, Converter] = {  # DeadlineService.add_manual and override
    "title": _required_line("What is due", 300),
    "notes": f.text("Notes", 20_000),
    "override_reason": f.text("Reason for the change", 2000),
}

LETTER_RULES: dict[str, Converter] = {  # LetterService.record and mark_sent
    "kind": _required_line("Kind of letter", 80),
    "template_name": _required_line("Template"),
    "template_version": f.line("Template version", 40),
    "recipient": f.line("Recipient"),
    "sent_on": f.day("Date sent", past=True),
    "notes": f.text("Notes", 20_000),
}

RULES: dict[type[Any], Mapping[str, Converter]] = {
    Claim: CLAIM_RULES,
    Organisation: ORGANISATION_RULES,
    Contact: CONTACT_RULES,
    Specialist: SPECIALIST_FIELDS,
    CallLogEntry: CALL_RULES,
    CallPromise: PROMISE_RULES,
    Document: DOCUMENT_RULES,
    DocumentRequest: REQUEST_RULES,
    RequestFollowUp: FOLLOW_UP_RULES,
    SecondOpinion: OPINION_FIELDS,
    IndependentMedicalExam: IME_FIELDS,
    Appeal: APPEAL_FIELDS,
    CaseEvent: EVENT_RULES,
    Deadline: DEADLINE_RULES,
    Reminder: {},
    Letter: LETTER_RULES,
    Note: {"body": _required_text("Note", 20_000)},  # ClaimService.add_note
}


def rule_for(model: type[Any], column: Column[Any]) -> Converter | None:
    """The service's rule for this column; for one no form asks, the rule of its type."""
    own = RULES.get(model, {}).get(column.key)
    if own is not None:
        return own
    label = column.key.replace("_", " ").capitalize()
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return lambda value: v.utc_instant(value, label)
    if isinstance(kind, Date):
        return f.day(label)
    if isinstance(kind, Text):
        return f.text(label, DEFAULT_TEXT)
    if isinstance(kind, Enum):
        return None  # decoding to a member is the whole check, as for a flag
    if isinstance(kind, String):
        return f.line(label, kind.length or 200)
    if isinstance(kind, Integer):  # a number needs its own range (tests check there is one)
        raise LookupError(f"no rule for the number {model.__name__}.{column.key}")
    return None


def cross_checks(row: Any) -> None:
    """The rules between two fields of one record that its service enforces."""
    if isinstance(row, Claim):
        # A region must be one of the country's own (no "US-ZZ"), as open_case asks.
        row.region = v.region_of(row.country or "", row.region)
        v.ordered(
            row.denial_letter_date,
            row.denial_received_date,
            "The denial cannot have been received before the date on the letter; check both dates.",
        )
    elif isinstance(row, DocumentRequest):
        v.ordered(
            row.sent_on,
            row.due_on,
            "The due date cannot be before the date the request was sent.",
        )
        v.ordered(
            row.sent_on,
            row.received_on,
            "It cannot have arrived before the request was sent; check the dates.",
        )
    elif isinstance(row, RequestFollowUp):
        v.ordered(
            row.sent_on,
            row.new_due_on,
            "The new due date cannot be before the follow-up was sent.",
        )
    elif isinstance(row, Appeal):
        _check_appeal_dates(row)
