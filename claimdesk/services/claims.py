"""Opening and maintaining cases, the case list, notes, organisations."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimdesk.errors import ConflictError, NotFoundError, ValidationError
from claimdesk.models import (
    CallLogEntry,
    CaseEvent,
    Claim,
    Contact,
    DocumentRequest,
    IndependentMedicalExam,
    Letter,
    Note,
    Organisation,
    User,
)
from claimdesk.models.enums import (
    ClaimStatus,
    ClaimType,
    ClinicalArea,
    DenialCategory,
    OrganisationKind,
    Outcome,
    PlanType,
    Stage,
)
from claimdesk.services import accounts
from claimdesk.services import validate as v
from claimdesk.services.audit import latest_change
from claimdesk.services.caselist import CaseFilter, CaseListService, CaseRow
from claimdesk.services.context import Entity, ServiceContext, Unit, retried, user_names
from claimdesk.services.dto import (
    ClaimDetail,
    ContactRecord,
    NoteRecord,
    OrganisationRecord,
    OrganisationUse,
    copy_into,
)
from claimdesk.storage.locks import exclusive


@dataclass(frozen=True)
class ClaimInput:
    """Everything the new-case form asks; only the first five are required.

    ``amount`` as text ("48,250.00") or a Decimal is in the currency's units; as an int it is
    already in minor units (cents), as stored.
    """

    claimant_name: str
    plan_type: PlanType | str
    claim_type: ClaimType | str
    country: str
    insurer_name: str
    region: str = ""
    claimant_birth_date: date | str | None = None
    claimant_address: str = ""
    claimant_phone: str = ""
    claimant_email: str = ""
    plan_administrator_name: str = ""
    plan_name: str = ""
    policy_number: str = ""
    group_number: str = ""
    member_id: str = ""
    insurer_claim_number: str = ""
    clinical_area: ClinicalArea | str = ClinicalArea.OTHER
    disputed_service: str = ""
    amount: str | int | None = None
    currency: str = "USD"
    urgent: bool = False
    denial_letter_date: date | str | None = None
    denial_received_date: date | str | None = None
    proof_of_receipt: str = ""
    denial_reason: str = ""
    denial_category: DenialCategory | str = DenialCategory.OTHER
    reviewer_name: str = ""
    reviewer_credentials: str = ""
    criteria_cited: str = ""
    stage: Stage | str = Stage.DENIAL_RECEIVED
    assigned_to: str = ""


@dataclass(frozen=True)
class OrganisationDetails:
    """Where an organisation's letters go: entered once, reused by every case and letter."""

    department: str = ""
    address: str = ""
    phone: str = ""
    fax: str = ""
    email: str = ""
    website: str = ""
    portal: str = ""
    notes: str = ""


ORGANISATION_FIELDS = ("name", "kind", *(f.name for f in fields(OrganisationDetails)))


# Fields of a claim that update_case may change, with how each is validated.
_UPDATABLE = {f.name for f in fields(ClaimInput)} | {"status", "outcome"}


class ClaimService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # ---- writing ----------------------------------------------------------------------------

    @retried
    def open_case(
        self,
        data: ClaimInput,
        insurer: OrganisationDetails | None = None,
        denial_letter: tuple[str, bytes] | None = None,
    ) -> ClaimDetail:
        """Create a case from the new-case form.

        ``insurer``: where the insurer's appeals go, as the wizard asked; what is filled in is
        kept on the insurer's organisation (new or existing) in the same transaction.
        ``denial_letter``: (file name, bytes) of the letter the case was started from, attached
        as its denial letter in the same transaction (a case is never left without it).
        """
        from claimdesk.models.enums import DocumentKind
        from claimdesk.services.documents import build_document, store_document

        today = self._ctx.clock.today()
        values = _validated(data, today)
        if self._ctx.assigned_only and not values["assigned_to"]:
            # A caseworker limited to their own cases opens cases for themselves.
            values["assigned_to"] = self._ctx.principal.name
        contact = _organisation_values(insurer) if insurer is not None else {}
        with self._ctx.unit("open cases") as unit:
            number = next_case_number(unit.session, today)
            claim = Claim(case_number=number, **_columns(unit, values))
            unit.session.add(claim)
            unit.session.flush()
            unit.record("create", "claim", claim.id, claim.id, values)
            if denial_letter is not None:
                name, content = denial_letter
                letter = build_document(
                    claim.id,
                    name,
                    content,
                    kind=DocumentKind.DENIAL_LETTER,
                    title="Denial letter",
                    document_date=values["denial_letter_date"],
                )
                store_document(unit, letter)
            given = {k: value for k, value in contact.items() if value}
            if given and claim.insurer is not None:
                changed = [k for k, value in given.items() if getattr(claim.insurer, k) != value]
                for key in changed:
                    setattr(claim.insurer, key, given[key])
                if changed:
                    unit.record("update", "organisation", claim.insurer.id, None, changed)
            claim_id = claim.id
        return self.get(claim_id)

    @retried
    def update_case(
        self, claim_id: int, expected_version: int | None = None, **changes: Any
    ) -> ClaimDetail:
        """Change some fields of a case (names as in ClaimInput, plus status and outcome).

        ``expected_version``: the case's ``version`` when the form being saved was read. If
        someone saved the case since, nothing is written and ConflictError says who and when
        (the form keeps what was typed). Without it the change is made to the case as it is
        now, read and written in one transaction. A save that changes something raises the
        version by one.
        """
        unknown = set(changes) - _UPDATABLE
        if unknown:
            raise ValidationError(f"A case has no field named {', '.join(sorted(unknown))}.")
        with self._ctx.unit("change case details") as unit:
            # The row is locked first (FOR UPDATE on a server; SQLite's write transaction holds
            # the whole file), so the values merged below are the latest, and no other save
            # can land between this check and the commit.
            current_version = unit.session.scalar(
                select(Claim.version)
                .where(Claim.id == claim_id)
                .with_for_update()
                .execution_options(skip_policy=True)
            )
            claim = unit.get(Claim, claim_id, "case")
            if expected_version is not None and current_version != expected_version:
                raise self._conflict(unit, claim, current_version)
            current = _as_input(unit.session, claim)
            status = changes.pop("status", claim.status)
            outcome = changes.pop("outcome", claim.outcome)
            merged = ClaimInput(**{**current, **changes})
            values = _validated(merged, self._ctx.clock.today())
            columns = _columns(unit, values)
            columns["status"] = v.choice(ClaimStatus, status, "Status")
            columns["outcome"] = v.choice(Outcome, outcome, "Outcome")
            changed = [k for k, value in columns.items() if getattr(claim, k) != value]
            for key in changed:
                setattr(claim, key, columns[key])
            if changed:
                claim.updated_at = unit.clock.now()
                claim.version = (current_version or 0) + 1
                unit.record("update", "claim", claim.id, claim.id, changed)
        return self.get(claim_id)

    def _conflict(self, unit: Unit, claim: Claim, version: int | None) -> ConflictError:
        """The refusal of a save made over someone else's: who saved the case last, and when
        (local time), from the audit trail."""
        latest = latest_change(unit.session, Entity.CLAIM, claim.id)
        what = f"The case {claim.case_number}"
        if latest is None:
            by, at, said = None, None, f"{what} was changed by someone else"
        else:
            by, at = latest
            local = self._ctx.clock.local(at)
            when = f"{local:%a} {local.day} {local:%b %Y} at {local:%H:%M}"
            said = f"{what} was changed by {by} on {when}"
        return ConflictError(
            f"{said}, after you opened it, so your changes were not saved (nothing of theirs "
            "was written over). What you typed is still in the form: reload the case to see "
            "their changes, then save yours again.",
            changed_by=by,
            changed_at=at,
            version=version,
        )

    @retried
    def add_note(self, claim_id: int, body: str) -> NoteRecord:
        text = v.text(body, "Note", max_length=20_000, required=True)
        with self._ctx.unit("add notes") as unit:
            unit.get(Claim, claim_id, "case")
            note = Note(claim_id=claim_id, body=text, created_by_id=unit.user_id)
            unit.session.add(note)
            unit.session.flush()
            touch(unit, claim_id)
            unit.record("create", "note", note.id, claim_id)
            return NoteRecord(note.id, claim_id, note.body, note.created_at, self._ctx.user_name)

    @retried
    def add_organisation(
        self,
        name: str,
        kind: OrganisationKind | str,
        *,
        department: str = "",
        address: str = "",
        phone: str = "",
        fax: str = "",
        email: str = "",
        website: str = "",
        portal: str = "",
        notes: str = "",
    ) -> OrganisationRecord:
        details = OrganisationDetails(
            department, address, phone, fax, email, website, portal, notes
        )
        org = Organisation(
            name=v.line(name, "Organisation name", required=True),
            kind=v.choice(OrganisationKind, kind, "Kind of organisation"),
            **_organisation_values(details),
        )
        with self._ctx.unit("add organisations") as unit:
            unit.session.add(org)
            unit.session.flush()
            unit.record("create", "organisation", org.id, None)
            return copy_into(OrganisationRecord, org)

    @retried
    def update_organisation(self, organisation_id: int, **changes: Any) -> OrganisationRecord:
        """Change an organisation's name, kind or address (names as in OrganisationRecord)."""
        unknown = set(changes) - set(ORGANISATION_FIELDS)
        if unknown:
            raise ValidationError(
                f"An organisation has no field named {', '.join(sorted(unknown))}."
            )
        with self._ctx.unit("change organisations") as unit:
            org = unit.get(Organisation, organisation_id, "organisation")
            current = {name: getattr(org, name) for name in ORGANISATION_FIELDS}
            merged = {**current, **changes}
            values = {
                "name": v.line(merged["name"], "Organisation name", required=True),
                "kind": v.choice(OrganisationKind, merged["kind"], "Kind of organisation"),
                **_organisation_values(
                    OrganisationDetails(**{k: merged[k] or "" for k in ORGANISATION_FIELDS[2:]})
                ),
            }
            changed = [k for k, value in values.items() if getattr(org, k) != value]
            for key in changed:
                setattr(org, key, values[key])
            if changed:
                unit.record("update", "organisation", org.id, None, changed)
            return copy_into(OrganisationRecord, org)

    @retried
    def delete_organisation(self, organisation_id: int) -> None:
        """Remove an organisation no case refers to; one in use is refused, naming the cases."""
        with self._ctx.unit("remove organisations") as unit:
            org = unit.get(Organisation, organisation_id, "organisation")
            uses = _uses(unit.session, organisation_id)
            if uses:
                shown = ", ".join(f"{u.case_number} ({', '.join(u.roles)})" for u in uses[:8])
                more = f" and {len(uses) - 8} more" if len(uses) > 8 else ""
                raise ValidationError(
                    f"{org.name} cannot be deleted: {len(uses)} "
                    f"{'case uses' if len(uses) == 1 else 'cases use'} it: {shown}{more}. "
                    "Change those cases to another organisation first, or keep it."
                )
            unit.session.delete(org)
            unit.record("delete", "organisation", organisation_id, None)

    def cases_using_organisation(self, organisation_id: int) -> list[OrganisationUse]:
        """The cases that name the organisation (as insurer, administrator, in a call...)."""
        with self._ctx.reader() as session:
            return _uses(session, organisation_id)

    def organisation(self, organisation_id: int) -> OrganisationRecord:
        with self._ctx.reader() as session:
            org = session.get(Organisation, organisation_id)
            if org is None:
                raise NotFoundError(
                    f"There is no organisation number {organisation_id}; it may have been removed."
                )
            return copy_into(OrganisationRecord, org)

    @retried
    def add_contact(
        self,
        organisation_id: int,
        name: str,
        *,
        role: str = "",
        staff_id: str = "",
        phone: str = "",
        fax: str = "",
        email: str = "",
        notes: str = "",
    ) -> ContactRecord:
        """A named person at an organisation (a claims handler, a medical director...)."""
        with self._ctx.unit("add contacts") as unit:
            unit.get(Organisation, organisation_id, "organisation")
            contact = Contact(
                organisation_id=organisation_id,
                name=v.line(name, "Name", required=True),
                role=v.line(role, "Role"),
                staff_id=v.line(staff_id, "Staff ID", max_length=80),
                phone=v.line(phone, "Phone", max_length=60),
                fax=v.line(fax, "Fax", max_length=60),
                email=v.line(email, "Email"),
                notes=v.text(notes, "Notes", max_length=20_000),
            )
            unit.session.add(contact)
            unit.session.flush()
            unit.record("create", "contact", contact.id, None)
            return copy_into(ContactRecord, contact)

    def contacts(self, organisation_id: int) -> list[ContactRecord]:
        with self._ctx.reader() as session:
            rows = session.scalars(
                select(Contact)
                .where(Contact.organisation_id == organisation_id)
                .order_by(Contact.name)
            )
            return [copy_into(ContactRecord, c) for c in rows]

    # ---- reading ----------------------------------------------------------------------------

    def get(self, claim_id: int) -> ClaimDetail:
        with self._ctx.reader() as session:
            claim = session.get(Claim, claim_id)
            if claim is None:
                raise NotFoundError(
                    f"There is no case number {claim_id}; it may have been removed."
                )
            return _detail(session, claim)

    def find_by_case_number(self, case_number: str) -> ClaimDetail | None:
        with self._ctx.reader() as session:
            claim = session.scalar(select(Claim).where(Claim.case_number == case_number.strip()))
            return None if claim is None else _detail(session, claim)

    def list_claims(
        self, *, search: str = "", status: ClaimStatus | None = None, stage: Stage | None = None
    ) -> list[CaseRow]:
        """The cases, most recently active first (the GUI pages through CaseListService)."""
        caselist = CaseListService(self._ctx)
        return caselist.rows(
            caselist.case_ids(CaseFilter(search=search, stage=stage, status=status))
        )

    def notes(self, claim_id: int) -> list[NoteRecord]:
        with self._ctx.reader() as session:
            notes = session.scalars(
                select(Note).where(Note.claim_id == claim_id).order_by(Note.created_at, Note.id)
            ).all()
            names = user_names(session, (n.created_by_id for n in notes))
            return [
                NoteRecord(
                    n.id, n.claim_id, n.body, n.created_at, names.get(n.created_by_id or 0, "")
                )
                for n in notes
            ]

    def organisations(self, kind: OrganisationKind | None = None) -> list[OrganisationRecord]:
        query = select(Organisation).order_by(Organisation.name)
        if kind is not None:
            query = query.where(Organisation.kind == kind)
        with self._ctx.reader() as session:
            return [copy_into(OrganisationRecord, o) for o in session.scalars(query)]


def _organisation_values(details: OrganisationDetails) -> dict[str, str]:
    """An organisation's address fields, checked as add_organisation and the wizard check them."""
    return {
        "department": v.line(details.department, "Department"),
        "address": v.text(details.address, "Address", max_length=2000),
        "phone": v.phone(details.phone, "Phone"),
        "fax": v.phone(details.fax, "Fax"),
        "email": v.email(details.email, "Email"),
        "website": v.line(details.website, "Website"),
        "portal": v.line(details.portal, "Portal", max_length=300),
        "notes": v.text(details.notes, "Notes", max_length=20_000),
    }


# Where a case can name an organisation, and what the case calls that use.
_ORGANISATION_REFERENCES: tuple[tuple[Any, Any, str], ...] = (
    (Claim.insurer_id, Claim.id, "insurer"),
    (Claim.plan_administrator_id, Claim.id, "plan administrator"),
    (CallLogEntry.organisation_id, CallLogEntry.claim_id, "calls"),
    (DocumentRequest.recipient_id, DocumentRequest.claim_id, "requests"),
    (IndependentMedicalExam.examiner_organisation_id, IndependentMedicalExam.claim_id, "IME"),
)


def _uses(session: Session, organisation_id: int) -> list[OrganisationUse]:
    roles: dict[int, list[str]] = {}
    for column, claim_column, role in _ORGANISATION_REFERENCES:
        for claim_id in session.scalars(
            select(claim_column).where(column == organisation_id).distinct()
        ):
            roles.setdefault(claim_id, []).append(role)
    if not roles:
        return []
    rows = session.execute(
        select(Claim.id, Claim.case_number, Claim.claimant_name)
        .where(Claim.id.in_(roles))
        .order_by(Claim.case_number)
    )
    return [
        OrganisationUse(claim_id, number, name, tuple(roles[claim_id]))
        for claim_id, number, name in rows
    ]


def touch(unit: Unit, claim_id: int) -> None:
    """Mark a case as just worked on (the case list's 'last activity')."""
    claim = unit.session.get(Claim, claim_id)
    if claim is not None:
        claim.updated_at = unit.clock.now()


def last_activity(session: Session, claim_id: int, now: datetime) -> datetime:
    """When a case written in one go (imported, or a sample loaded) last saw activity: its
    latest call, case event or sent letter, as the case list's "Last activity" shows for a
    case worked day by day; ``now`` when it has none, and never later than ``now``."""
    moments = [
        session.scalar(
            select(func.max(CallLogEntry.occurred_at)).where(CallLogEntry.claim_id == claim_id)
        ),
        session.scalar(
            select(func.max(CaseEvent.occurred_at)).where(CaseEvent.claim_id == claim_id)
        ),
    ]
    sent = session.scalar(select(func.max(Letter.sent_on)).where(Letter.claim_id == claim_id))
    if sent is not None:
        moments.append(datetime.combine(sent, time(12), UTC))
    seen = [moment for moment in moments if moment is not None and moment <= now]
    return max(seen, default=now)


def organisation_lock(name: str, kind: OrganisationKind) -> str:
    """The lock (storage/locks.py) held while an organisation of this name is found or made."""
    return f"organisation:{kind.value}:{name.lower()}"


def find_or_create_organisation(
    session: Session, name: str, kind: OrganisationKind
) -> Organisation | None:
    if not name:
        return None
    # Two workstations naming the same new insurer at once make one organisation, not two.
    exclusive(session, organisation_lock(name, kind))
    org = session.scalar(
        select(Organisation)
        .where(func.lower(Organisation.name) == name.lower(), Organisation.kind == kind)
        .order_by(Organisation.id)
        .limit(1)
    )
    if org is None:
        org = Organisation(name=name, kind=kind)
        session.add(org)
        session.flush()
    return org


def assigned_account(session: Session, name: str) -> User | None:
    """The account a case is assigned to ("Assigned to" picks one), None for nobody."""
    return accounts.assignee(session, name) if name else None


def _validated(data: ClaimInput, today: date) -> dict[str, Any]:
    """Check every field of the form; return the values in their database form."""
    values: dict[str, Any] = {
        "claimant_name": v.line(data.claimant_name, "Claimant's name", required=True),
        "plan_type": v.choice(PlanType, data.plan_type, "Plan type"),
        "claim_type": v.choice(ClaimType, data.claim_type, "Claim type"),
        "country": v.country(data.country),
        "region": v.region_of(v.country(data.country), data.region),
        "insurer_name": v.line(data.insurer_name, "Insurer", required=True),
        "plan_administrator_name": v.line(data.plan_administrator_name, "Plan administrator"),
        "claimant_birth_date": v.not_future(
            v.parse_date(data.claimant_birth_date, "Date of birth", today=today),
            "Date of birth",
            today=today,
        ),
        "claimant_address": v.text(data.claimant_address, "Address", max_length=2000),
        "claimant_phone": v.phone(data.claimant_phone, "Phone"),
        "claimant_email": v.email(data.claimant_email, "Email"),
        "plan_name": v.line(data.plan_name, "Plan name"),
        "policy_number": v.line(data.policy_number, "Policy number", max_length=80),
        "group_number": v.line(data.group_number, "Group number", max_length=80),
        "member_id": v.line(data.member_id, "Member ID", max_length=80),
        "insurer_claim_number": v.line(
            data.insurer_claim_number, "Insurer's claim number", max_length=80
        ),
        "clinical_area": v.choice(ClinicalArea, data.clinical_area, "Clinical area"),
        "disputed_service": v.text(data.disputed_service, "Disputed service", max_length=5000),
        "amount_minor": v.money(data.amount, "Amount"),
        "currency": v.currency(data.currency),
        "urgent": bool(data.urgent),
        "denial_letter_date": v.not_future(
            v.parse_date(data.denial_letter_date, "Date on the denial letter", today=today),
            "Date on the denial letter",
            today=today,
        ),
        "denial_received_date": v.not_future(
            v.parse_date(data.denial_received_date, "Date the denial was received", today=today),
            "Date the denial was received",
            today=today,
        ),
        "proof_of_receipt": v.text(data.proof_of_receipt, "Proof of receipt", max_length=2000),
        "denial_reason": v.text(data.denial_reason, "Denial reason", max_length=50_000),
        "denial_category": v.choice(DenialCategory, data.denial_category, "Denial category"),
        "reviewer_name": v.line(data.reviewer_name, "Reviewer's name"),
        "reviewer_credentials": v.line(data.reviewer_credentials, "Reviewer's credentials"),
        "criteria_cited": v.text(data.criteria_cited, "Criteria cited", max_length=20_000),
        "stage": v.choice(Stage, data.stage, "Stage"),
        "assigned_to": v.line(data.assigned_to, "Assigned to", max_length=120),
    }
    v.ordered(
        values["denial_letter_date"],
        values["denial_received_date"],
        "The denial cannot have been received before the date on the letter; check both dates.",
    )
    return values


def _columns(unit: Unit, values: dict[str, Any]) -> dict[str, Any]:
    """Validated form values -> Claim columns (names resolved to organisations and users)."""
    columns = dict(values)
    insurer = find_or_create_organisation(
        unit.session, columns.pop("insurer_name"), OrganisationKind.INSURER
    )
    administrator = find_or_create_organisation(
        unit.session, columns.pop("plan_administrator_name"), OrganisationKind.PLAN_ADMINISTRATOR
    )
    assignee = assigned_account(unit.session, columns.pop("assigned_to"))
    columns["insurer_id"] = insurer.id if insurer else None
    columns["plan_administrator_id"] = administrator.id if administrator else None
    columns["assigned_user_id"] = assignee.id if assignee else None
    return columns


def _as_input(session: Session, claim: Claim) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for f in fields(ClaimInput):
        if f.name == "insurer_name":
            values[f.name] = claim.insurer.name if claim.insurer else ""
        elif f.name == "plan_administrator_name":
            admin = claim.plan_administrator
            values[f.name] = admin.name if admin else ""
        elif f.name == "assigned_to":
            values[f.name] = claim.assigned_user.name if claim.assigned_user else ""
        elif f.name == "amount":
            values[f.name] = claim.amount_minor
        else:
            values[f.name] = getattr(claim, f.name)
    return values


def _detail(session: Session, claim: Claim) -> ClaimDetail:
    return copy_into(
        ClaimDetail,
        claim,
        insurer_name=claim.insurer.name if claim.insurer else "",
        plan_administrator_name=claim.plan_administrator.name if claim.plan_administrator else "",
        assigned_to=claim.assigned_user.name if claim.assigned_user else "",
    )


def next_case_number(session: Session, today: date | None = None) -> str:
    """The next free number of ``today``'s year (the context clock's; the wall clock only
    for a caller that has none)."""
    year = (today or date.today()).year
    prefix = f"CD-{year}-"
    # Until this unit commits, no other workstation takes a number (storage/locks.py).
    exclusive(session, "case-number")
    # Longest first, then highest: CD-2026-10000 comes after CD-2026-9999.
    latest = session.scalar(
        select(Claim.case_number)
        .where(Claim.case_number.like(f"{prefix}%"))
        .order_by(func.length(Claim.case_number).desc(), Claim.case_number.desc())
        .limit(1)
        # Numbers are unique across the office, whatever cases this account may see.
        .execution_options(skip_policy=True)
    )
    number = int(latest.removeprefix(prefix)) + 1 if latest else 1
    return f"{prefix}{number:04d}"
