"""Plain, frozen values the services hand out: never live ORM objects."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from claimdesk.models.enums import (
    AppealLevel,
    CallDirection,
    ClaimStatus,
    ClaimType,
    ClinicalArea,
    Confidence,
    ContactMethod,
    DeadlineSource,
    DeadlineStatus,
    DenialCategory,
    DocumentKind,
    EventKind,
    OpinionStatus,
    OrganisationKind,
    Outcome,
    Party,
    PlanType,
    PromiseStatus,
    RequestKind,
    ReviewMode,
    Stage,
)

T = TypeVar("T")


def copy_into(cls: type[T], source: Any, **extra: Any) -> T:
    """Build ``cls`` from the same-named attributes of ``source`` plus ``extra``."""
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    values = {n: extra[n] if n in extra else getattr(source, n) for n in names}
    return cls(**values)


@dataclass(frozen=True)
class OrganisationRecord:
    id: int
    name: str
    kind: OrganisationKind
    department: str
    address: str
    phone: str
    fax: str
    email: str
    website: str
    portal: str
    notes: str


@dataclass(frozen=True)
class OrganisationUse:
    """A case that refers to an organisation, and how (insurer, a call, a request...)."""

    claim_id: int
    case_number: str
    claimant_name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class ContactRecord:
    id: int
    organisation_id: int
    name: str
    role: str
    staff_id: str
    phone: str
    fax: str
    email: str
    notes: str


@dataclass(frozen=True)
class ClaimDetail:
    id: int
    case_number: str
    claimant_name: str
    claimant_birth_date: date | None
    claimant_address: str
    claimant_phone: str
    claimant_email: str
    insurer_id: int | None
    insurer_name: str
    plan_administrator_id: int | None
    plan_administrator_name: str
    plan_name: str
    plan_type: PlanType
    policy_number: str
    group_number: str
    member_id: str
    insurer_claim_number: str
    country: str
    region: str
    claim_type: ClaimType
    clinical_area: ClinicalArea
    disputed_service: str
    amount_minor: int | None
    currency: str
    urgent: bool
    denial_letter_date: date | None
    denial_received_date: date | None
    proof_of_receipt: str
    denial_reason: str
    denial_category: DenialCategory
    reviewer_name: str
    reviewer_credentials: str
    criteria_cited: str
    stage: Stage
    status: ClaimStatus
    outcome: Outcome
    assigned_to: str
    created_at: datetime
    updated_at: datetime
    # What a form read the case at: its save carries it back (ClaimService.update_case).
    version: int


@dataclass(frozen=True)
class PromiseRecord:
    id: int
    call_id: int
    description: str
    due_date: date | None
    status: PromiseStatus
    resolved_on: date | None


@dataclass(frozen=True)
class CallRecord:
    id: int
    claim_id: int
    occurred_at: datetime
    time_zone: str
    direction: CallDirection
    organisation_id: int | None
    organisation_name: str
    person_name: str
    person_staff_id: str
    number_dialled: str
    duration_minutes: int | None
    call_reference: str
    summary: str
    refused: bool
    refusal_detail: str
    amends_id: int | None
    amendment_reason: str
    # The entry that corrects this one, if any: this one stays visible, marked superseded.
    amended_by_id: int | None
    created_at: datetime
    created_by: str
    promises: tuple[PromiseRecord, ...]

    @property
    def superseded(self) -> bool:
        return self.amended_by_id is not None


@dataclass(frozen=True)
class FollowUpRecord:
    id: int
    sent_on: date
    method: ContactMethod
    new_due_on: date | None
    notes: str


@dataclass(frozen=True)
class RequestRecord:
    id: int
    claim_id: int
    kind: RequestKind
    description: str
    recipient_id: int | None
    recipient_name: str
    method: ContactMethod
    sent_on: date
    reference: str
    due_on: date | None
    received_on: date | None
    document_id: int | None
    withdrawn: bool
    notes: str
    follow_ups: tuple[FollowUpRecord, ...]

    @property
    def current_due_on(self) -> date | None:
        """The due date after the latest follow-up that set a new one."""
        due = self.due_on
        for follow_up in self.follow_ups:
            if follow_up.new_due_on is not None:
                due = follow_up.new_due_on
        return due

    def status(self, today: date) -> str:
        """requested, overdue, received or withdrawn, as the badge shows it."""
        if self.withdrawn:
            return "withdrawn"
        if self.received_on is not None:
            return "received"
        due = self.current_due_on
        if due is not None and due < today:
            return "overdue"
        return "requested"


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    claim_id: int
    kind: DocumentKind
    title: str
    original_name: str
    media_type: str
    size_bytes: int
    sha256: str
    document_date: date | None
    pages: int | None
    description: str
    packet_position: int | None
    created_at: datetime


@dataclass(frozen=True)
class SpecialistRecord:
    id: int
    name: str
    credentials: str
    specialty: str
    subspecialty: str
    is_general_practitioner: bool
    board_certification: str
    certification_body: str
    certification_verified_on: date | None
    institution: str
    academic: bool
    address: str
    phone: str
    fax: str
    email: str
    country: str
    region: str
    fee_minor: int | None
    fee_currency: str
    conflict_of_interest: bool
    conflict_notes: str
    notes: str


@dataclass(frozen=True)
class OpinionRecord:
    id: int
    claim_id: int
    specialist_id: int
    specialist_name: str
    specialty: str
    status: OpinionStatus
    review_mode: ReviewMode
    briefed_on: date | None
    briefing_included_denial: bool
    briefing_included_criteria: bool
    appointment_at: datetime | None
    examined_on: date | None
    report_received_on: date | None
    report_document_id: int | None
    report_is_full: bool
    conclusion: str
    guidelines_cited: str
    cpt_code: str
    currency: str
    billed_minor: int | None
    allowed_minor: int | None
    paid_minor: int | None
    owed_minor: int | None
    notes: str


@dataclass(frozen=True)
class ImeRecord:
    id: int
    claim_id: int
    exam_date: date | None
    examiner_name: str
    examiner_specialty: str
    examiner_organisation_id: int | None
    paid_by: str
    representative_attending: bool
    representative_name: str
    duration_minutes: int | None
    report_requested_on: date | None
    report_received_on: date | None
    report_document_id: int | None
    findings: str
    notes: str


@dataclass(frozen=True)
class AppealRecord:
    id: int
    claim_id: int
    level: AppealLevel
    reviewing_body: str
    expedited: bool
    filed_on: date | None
    filed_method: ContactMethod | None
    received_on: date | None
    proof_of_receipt: str
    reference: str
    decided_on: date | None
    decision_received_on: date | None
    outcome: Outcome
    decision_summary: str
    notes: str


@dataclass(frozen=True)
class EventRecord:
    id: int
    claim_id: int
    kind: EventKind
    occurred_on: date
    occurred_at: datetime | None
    appeal_id: int | None
    detail: str


@dataclass(frozen=True)
class DeadlineRecord:
    id: int
    claim_id: int
    title: str
    source: DeadlineSource
    rule_id: str
    trigger_ref: str
    party: Party
    computed_due_on: date | None
    due_on: date
    due_at: datetime | None
    outer_limit_on: date | None
    derivation: str
    citation: str
    confidence: Confidence | None
    override_reason: str
    status: DeadlineStatus
    completed_on: date | None
    notes: str

    @property
    def overridden(self) -> bool:
        return bool(self.override_reason)


@dataclass(frozen=True)
class LetterRecord:
    id: int
    claim_id: int
    kind: str
    template_name: str
    template_version: str
    recipient: str
    generated_at: datetime
    document_id: int | None
    sent_on: date | None
    sent_method: ContactMethod | None
    notes: str


@dataclass(frozen=True)
class NoteRecord:
    id: int
    claim_id: int
    body: str
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class AuditRecord:
    id: int
    occurred_at: datetime
    user: str
    action: str
    entity: str
    entity_id: int | None
    claim_id: int | None
    detail: str


# Global search's results (services/search.py), here so the Search tab can be built before the
# models are: the service itself needs them.
KIND_LABELS = {
    "claim": "Case",
    "note": "Note",
    "call": "Call",
    "request": "Request",
    "document": "Document",
    "opinion": "Second opinion",
    "ime": "IME",
    "appeal": "Appeal",
    "letter": "Letter",
}

# Marks around the matched words in a snippet; the GUI turns them into bold.
HIT_START, HIT_END = "\x02", "\x03"


@dataclass(frozen=True)
class SearchHit:
    kind: str
    record_id: int
    title: str
    snippet: str  # plain text, matched words between HIT_START and HIT_END

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind.title())

    @property
    def where(self) -> str:
        """The title, said as what it is ("Document: Reviewer's report")."""
        if self.title.startswith(self.kind_label):
            return self.title
        return f"{self.kind_label}: {self.title}"


@dataclass(frozen=True)
class CaseHits:
    claim_id: int
    case_number: str
    claimant_name: str
    hits: list[SearchHit] = field(default_factory=list)


@dataclass(frozen=True)
class SearchResult:
    query: str
    cases: list[CaseHits]
    total_hits: int
    truncated: bool  # more matched than the limit; the user should narrow the search

    @property
    def empty(self) -> bool:
        return not self.cases
