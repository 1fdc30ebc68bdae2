"""What a letter template sees: a case turned into plain values (strings, numbers, lists, dicts).

Templates never get ORM objects or services, so a template cannot reach the database or a
file; dates arrive already written out the way the claimant's country writes them. The
field reference in docs/letter-templates.md is generated from :func:`describe_fields`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from claimdesk.errors import NotFoundError
from claimdesk.letters.directory import DirectoryEntry, for_letter
from claimdesk.models.enums import (
    AppealLevel,
    OpinionStatus,
    OrganisationKind,
    Party,
    PlanType,
    ReviewMode,
)
from claimdesk.services.dto import (
    CallRecord,
    ClaimDetail,
    OpinionRecord,
    OrganisationRecord,
    RequestRecord,
)

if TYPE_CHECKING:
    from claimdesk.deadlines.missed import MissedDeadline
    from claimdesk.deadlines.rules import Money
    from claimdesk.letters.letterhead import Letterhead
    from claimdesk.services.sources import CaseSources, ExhibitList

Value = Any  # str | int | bool | None | list[Value] | dict[str, Value]

_CURRENCY_SIGNS = {"USD": "$", "GBP": "£", "EUR": "€", "AUD": "A$", "CAD": "C$", "INR": "₹"}

# Where the claimant has a right to the documents behind a denial free of charge, and the
# rule that gives it (DOMAIN.md step 2). Plans not listed have no such rule that we know of.
_FREE_RECORDS_RIGHT = {
    PlanType.ERISA_GROUP_HEALTH: "29 CFR 2560.503-1(h)(2)(iii) and (m)(8)",
    PlanType.ERISA_DISABILITY: "29 CFR 2560.503-1(h)(2)(iii) and (m)(8)",
    PlanType.ERISA_OTHER_WELFARE: "29 CFR 2560.503-1(h)(2)(iii) and (m)(8)",
    PlanType.ACA_INDIVIDUAL: "45 CFR 147.136(b)(3)(ii)(C), applying 29 CFR 2560.503-1(h)(2)(iii)",
    PlanType.STATE_REGULATED: "45 CFR 147.136(b)(2)(ii)(C), applying 29 CFR 2560.503-1(h)(2)(iii)",
    PlanType.UK_PRIVATE: "Article 15 of the UK GDPR (subject access request, normally free)",
    PlanType.AU_PRIVATE: "Australian Privacy Principle 12 (Privacy Act 1988)",
    PlanType.CA_PRIVATE: "the Personal Information Protection and Electronic Documents Act",
    PlanType.IN_HEALTH: "the IRDAI (Protection of Policyholders' Interests) Regulations",
}
_ERISA = {PlanType.ERISA_GROUP_HEALTH, PlanType.ERISA_DISABILITY, PlanType.ERISA_OTHER_WELFARE}

_COUNTRY_NAMES = {
    "US": "United States",
    "GB": "United Kingdom",
    "AU": "Australia",
    "CA": "Canada",
    "IN": "India",
}


@dataclass(frozen=True)
class LetterOptions:
    """Which call, second opinion or requests a letter is about (None: the sensible default)."""

    call_id: int | None = None
    opinion_id: int | None = None
    request_ids: tuple[int, ...] | None = None
    today: date | None = None


# Letters that set a specialist's finished opinion against the insurer's: by default they use
# the opinion whose report arrived last. Letters that ask a specialist (or the plan) for an
# opinion use the newest one still waiting for its report.
REPORT_LETTERS = frozenset(
    {
        "internal_appeal",
        "external_review_request",
        "complaint_uk_fos",
        "complaint_au_afca",
        "complaint_ca_olhi",
        "complaint_in_ombudsman",
        "peer_to_peer_request",
    }
)
REQUEST_LETTERS = frozenset(
    {"specialist_briefing", "second_opinion_authorization", "network_gap_exception"}
)


def has_report(opinion: OpinionRecord) -> bool:
    """The specialist's report is on the case: a date it arrived, or the status says so."""
    return opinion.report_received_on is not None or (
        opinion.status is OpinionStatus.REPORT_RECEIVED
    )


def default_opinion(opinions: list[OpinionRecord], kind: str | None) -> OpinionRecord | None:
    """The second opinion a letter of this kind is about when the user has not chosen one.

    Declined opinions never count. For a letter that relies on a conclusion: the newest
    report first (by the date it arrived), else the newest opinion. For a briefing or an
    authorisation request: the newest opinion still without a report, else the newest.
    """
    live = [o for o in opinions if o.status is not OpinionStatus.DECLINED]
    if not live:
        return None
    reported = sorted(
        (o for o in live if has_report(o)),
        key=lambda o: (o.report_received_on or date.min, o.id),
    )
    waiting = [o for o in live if not has_report(o)]
    if kind in REQUEST_LETTERS:
        return waiting[-1] if waiting else live[-1]
    return reported[-1] if reported else live[-1]


def format_date(day: date | datetime | None, country: str) -> str | None:
    """'September 4, 2026' in the US, '4 September 2026' elsewhere; None when unknown."""
    if day is None:
        return None
    if country == "US":
        return f"{day:%B} {day.day}, {day.year}"
    return f"{day.day} {day:%B %Y}"


def format_money(amount_minor: int | None, currency: str) -> str | None:
    if amount_minor is None:
        return None
    sign = _CURRENCY_SIGNS.get(currency, currency + " ")
    return f"{sign}{amount_minor / 100:,.2f}"


def build_context(
    services: CaseSources,
    exhibits: ExhibitList,
    claim_id: int,
    letterhead: Letterhead,
    options: LetterOptions | None = None,
    kind: str | None = None,
) -> dict[str, Value]:
    """Every fact a letter about this case may use, as plain values.

    ``kind`` (the letter being written) decides the default second opinion and who the
    letter is addressed to (``recipient``).
    """
    with services.snapshot():
        return _context(services, exhibits, claim_id, letterhead, options or LetterOptions(), kind)


def _context(
    services: CaseSources,
    exhibits: ExhibitList,
    claim_id: int,
    letterhead: Letterhead,
    options: LetterOptions,
    kind: str | None,
) -> dict[str, Value]:
    today = options.today or services.clock.today()
    claim = services.claims.get(claim_id)
    country = claim.country
    organisations = {o.id: o for o in services.claims.organisations()}

    def day(value: date | datetime | None) -> str | None:
        return format_date(value, country)

    insurer = organisations.get(claim.insurer_id) if claim.insurer_id else None
    administrator = (
        organisations.get(claim.plan_administrator_id) if claim.plan_administrator_id else None
    )
    calls = [c for c in services.calls.calls(claim_id) if not c.superseded]
    requests = [r for r in services.requests.requests(claim_id) if not r.withdrawn]
    opinions = [
        o for o in services.opinions.opinions(claim_id) if o.status is not OpinionStatus.DECLINED
    ]
    if options.opinion_id is None:
        opinion = default_opinion(opinions, kind)
    else:
        opinion = _chosen(opinions, options.opinion_id, "second opinion")
    call = _chosen(calls, options.call_id, "call")
    overdue = [r for r in requests if r.status(today) == "overdue"]
    if options.request_ids is not None:
        chosen_requests = [r for r in requests if r.id in options.request_ids]
    else:
        chosen_requests = overdue
    imes = services.imes.imes(claim_id)
    appeals = services.appeals.appeals(claim_id)
    deadlines = [d for d in services.deadlines.deadlines(claim_id) if d.status.value == "open"]
    # The claimant's time limits come from rules (a filing window); a hand-entered task is
    # not a limit a letter should cite.
    claimant_deadlines = sorted(
        (d for d in deadlines if d.party is Party.CLAIMANT and d.rule_id),
        key=lambda d: d.due_on,
    )
    enclosures = _enclosures(services, exhibits, claim_id, country)
    plan_recipient = administrator if claim.plan_type in _ERISA and administrator else insurer
    opinion_values = _opinion(services, opinion, day) if opinion else None
    appeal_values = [
        {
            "level": a.level.label,
            "internal": a.level in (AppealLevel.INTERNAL_1, AppealLevel.INTERNAL_2),
            "reviewing_body": a.reviewing_body or None,
            "filed_on": day(a.filed_on),
            "days_since_filed": (today - a.filed_on).days if a.filed_on else None,
            "reference": a.reference or None,
            "decided_on": day(a.decided_on),
            "outcome": a.outcome.label,
            "decision_summary": a.decision_summary or None,
        }
        for a in appeals
    ]
    missed = [_missed(m, day, country) for m in services.missed(claim_id, today)]
    recipient = _recipient(
        kind,
        claim,
        plan_recipient,
        list(organisations.values()),
        appeal_values,
        opinion_values,
        call.organisation_name if call else None,
    )

    return {
        "today": day(today),
        "sender": _sender(letterhead, claim),
        "claimant": {
            "name": claim.claimant_name,
            "first_name": claim.claimant_name.split()[0] if claim.claimant_name else None,
            "address": claim.claimant_address or None,
            "phone": claim.claimant_phone or None,
            "email": claim.claimant_email or None,
            "birth_date": day(claim.claimant_birth_date),
        },
        "insurer": _organisation(insurer),
        "administrator": _organisation(administrator),
        "recipient": recipient,
        "plan": _plan(claim),
        "claim": _claim(claim, day),
        "rights": _rights(claim),
        "calls": [_call(c, day) for c in calls],
        "call": _call(call, day) if call else None,
        "requests": [_request(r, today, day) for r in requests],
        "chosen_requests": [_request(r, today, day) for r in chosen_requests],
        "overdue_requests": [_request(r, today, day) for r in overdue],
        "opinion": opinion_values,
        "ime": _ime(imes[-1], day) if imes else None,
        "appeals": appeal_values,
        "next_deadline": (
            {
                "title": claimant_deadlines[0].title,
                "due_on": day(claimant_deadlines[0].due_on),
                "citation": claimant_deadlines[0].citation or None,
                "rule_id": claimant_deadlines[0].rule_id,
            }
            if claimant_deadlines
            else None
        ),
        "deadlines": [
            {
                "title": d.title,
                "due_on": day(d.due_on),
                "citation": d.citation or None,
                "rule_id": d.rule_id or None,
                "party": d.party.label,
            }
            for d in sorted(deadlines, key=lambda d: d.due_on)
        ],
        "enclosures": enclosures,
        "missed_deadlines": missed,
        # What the missed deadlines open, each rule once (two missed decisions, one ERISA rule).
        "missed_rules": list({o["sentence"]: o for m in missed for o in _opens(m)}.values()),
    }


def _opens(missed: dict[str, Value]) -> list[dict[str, Value]]:
    opens = missed["opens"]
    assert isinstance(opens, list)
    return [o for o in opens if isinstance(o, dict)]


def _statutory(money: Money) -> str:
    from claimdesk.deadlines.missed import money_text

    return money_text(money)


# Who hears a complaint the insurer let wait, by country (DOMAIN.md, "When the insurer misses
# its own deadline").
_OMBUDSMAN = {
    "GB": "the Financial Ombudsman Service",
    "AU": "the Australian Financial Complaints Authority (AFCA)",
    "IN": "the Insurance Ombudsman",
    "CA": "the OmbudService for Life and Health Insurance (OLHI)",
}


def _missed(
    missed: MissedDeadline, day: Callable[[date | None], str | None], country: str
) -> dict[str, Value]:
    """An insurer deadline gone by, with what the rule data says it opens."""
    penalty = missed.penalty
    return {
        "who": missed.who,
        "what": missed.what,
        "title": missed.title,
        "rule_id": missed.rule_id or None,
        "due_on": day(missed.due_on),
        "days_late": missed.days_late,
        "citation": missed.citation or None,
        "confidence": missed.confidence or None,
        "opens": [
            {
                "sentence": f"{c.gives[:1].upper()}{c.gives[1:]} ({c.citation}).",
                "citation": c.citation,
                "confidence": c.confidence,
                "next_step": c.next_step,
            }
            for c in missed.consequences
        ],
        "court": "court" in missed.next_steps,
        "external_review": "external_review" in missed.next_steps,
        "ombudsman": "ombudsman" in missed.next_steps,
        "ombudsman_name": _OMBUDSMAN.get(country) if "ombudsman" in missed.next_steps else None,
        "penalty": (
            {
                "per_day": _statutory(penalty.per_day),
                "days_late": penalty.days_late,
                "maximum": _statutory(penalty.maximum),
                "citation": penalty.citation,
            }
            if penalty is not None
            else None
        ),
    }


def _enclosures(
    services: CaseSources, exhibits: ExhibitList, claim_id: int, country: str
) -> list[dict[str, Value]]:
    """The appeal packet after its letter, exactly as its index lists it (the index, then
    Exhibit A, B… and the chronology): what a letter that encloses the packet lists."""
    # The packet's documents in its order, as PacketService.source places them.
    placed = sorted(
        (d for d in services.documents.documents(claim_id) if d.packet_position is not None),
        key=lambda d: d.packet_position or 0,
    )
    kinds = iter(d.kind.label for d in placed)
    listed = []
    for entry in exhibits(claim_id):
        day = date.fromisoformat(entry.date_text) if entry.date_text else None
        kind = {"index": "Index of exhibits", "chronology": "Chronology"}.get(entry.kind)
        if entry.kind == "document":
            kind = next(kinds, "Document")
        listed.append(
            {
                "exhibit": entry.letter or None,
                "title": entry.title,
                "date": format_date(day, country),
                "kind": kind,
                "label": entry.label,
                "document": entry.kind == "document",
            }
        )
    return listed


def encloses_packet(template_source: str) -> bool:
    """Whether a template's description says the letter encloses the appeal packet
    (``encloses_packet = true``): its layout then lists the packet's exhibits."""
    from claimdesk.letters.templates import read_header

    return read_header(template_source).get("encloses_packet", "").lower() == "true"


def _chosen(records: list[Any], wanted: int | None, what: str) -> Any:
    """The record asked for, else the latest one; None when there are none."""
    if wanted is None:
        return records[-1] if records else None
    for record in records:
        if record.id == wanted:
            return record
    raise NotFoundError(f"That {what} is not part of this case.")


def _sender(letterhead: Letterhead, claim: ClaimDetail) -> dict[str, Value]:
    """An office writes on the claimant's behalf; a claimant alone writes as themself."""
    if letterhead.organisation:
        return {
            "name": letterhead.signatory or None,
            "role": letterhead.role or None,
            "organisation": letterhead.organisation,
            "address": letterhead.address or None,
            "phone": letterhead.phone or None,
            "email": letterhead.email or None,
            "on_behalf": True,
        }
    return {
        "name": claim.claimant_name,
        "role": None,
        "organisation": None,
        "address": claim.claimant_address or None,
        "phone": claim.claimant_phone or None,
        "email": claim.claimant_email or None,
        "on_behalf": False,
    }


def _organisation(org: OrganisationRecord | None) -> dict[str, Value] | None:
    return None if org is None else _contact(org)


def _contact(source: OrganisationRecord | DirectoryEntry) -> dict[str, Value]:
    """Who a letter goes to and how to reach them, from an organisation or a directory entry."""
    return {
        "name": source.name,
        "department": source.department or None,
        "address": source.address or None,
        "phone": source.phone or None,
        "fax": source.fax or None,
        "email": source.email or None,
        "portal": source.portal or None,
    }


# The letters addressed to someone other than the plan or insurer, and to whom.
_SPECIALIST_LETTERS = frozenset({"specialist_briefing"})
_BODY_KINDS = (
    OrganisationKind.OMBUDSMAN,
    OrganisationKind.REGULATOR,
    OrganisationKind.REVIEW_ORGANISATION,
)


def _addressee(
    values: dict[str, Value] | None, who: str, source: str, **extra: Value
) -> dict[str, Value] | None:
    """An organisation's values as a letter's recipient: who it is, where it came from and
    the line saying how the letter is sent (fax first, else email; by post otherwise)."""
    if values is None:
        return None
    delivery = None
    if values.get("fax"):
        delivery = f"Sent by fax to {values['fax']}"
    elif values.get("email"):
        delivery = f"Sent by email to {values['email']}"
    return {
        **values,
        "role": who,
        "source": source,
        "delivery": delivery,
        "directory_id": None,
        "directory_source": None,
        "directory_verified": None,
        **extra,
    }


def _from_directory(entry: DirectoryEntry, role: str) -> dict[str, Value] | None:
    return _addressee(
        _contact(entry),
        role,
        "directory",
        directory_id=entry.id,
        directory_source=entry.source,
        directory_verified=entry.verified,
    )


def _recipient(
    kind: str | None,
    claim: ClaimDetail,
    plan_recipient: OrganisationRecord | None,
    organisations: list[OrganisationRecord],
    appeals: list[dict[str, Value]],
    opinion: dict[str, Value] | None,
    call_organisation: str | None = None,
) -> dict[str, Value] | None:
    """Who this letter is addressed to, with their department, address and delivery line.

    A specialist's briefing goes to the specialist. A complaint or an external review goes to
    the reviewer already named on the case's external appeal, else to the body the bundled
    directory lists for the case's country and region, using the office's own organisation
    of that name when there is one (its corrections win). Everything else goes to the plan
    administrator (ERISA) or the insurer.
    """
    insurer_role = (
        "plan administrator"
        if (plan_recipient is not None and plan_recipient.id == claim.plan_administrator_id)
        else "insurer"
    )
    if kind in _SPECIALIST_LETTERS:
        if opinion is None:
            return None
        s = opinion["specialist"]
        name = s["name"] + (f", {s['credentials']}" if s.get("credentials") else "")
        return _addressee(
            {
                "name": name,
                "department": s.get("institution"),
                "address": s.get("address"),
                "phone": s.get("phone"),
                "fax": s.get("fax"),
                "email": s.get("email"),
                "portal": None,
            },
            "specialist",
            "specialist",
        )
    if kind == "call_confirmation" and call_organisation:
        for org in organisations:
            if org.name.casefold() == call_organisation.casefold():
                return _addressee(_organisation(org), org.kind.label.lower(), "case")
        return _addressee(
            {
                "name": call_organisation,
                "department": None,
                "address": None,
                "phone": None,
                "fax": None,
                "email": None,
                "portal": None,
            },
            "organisation called",
            "case",
        )
    bodies = [o for o in organisations if o.kind in _BODY_KINDS]
    if kind == "external_review_request":
        externals = [a for a in appeals if a["level"] == AppealLevel.EXTERNAL_REVIEW.label]
        named = externals[-1]["reviewing_body"] if externals else None
        if named:
            # The appeal names the reviewer, sometimes with a note ("Bluestem Review, Inc.
            # (IRO assigned by the State)"): the organisation whose name it starts with.
            for org in sorted(bodies, key=lambda o: -len(o.name)):
                if str(named).casefold().startswith(org.name.casefold()):
                    return _addressee(_organisation(org), "external reviewer", "case")
            return _addressee(
                {
                    "name": named,
                    "department": None,
                    "address": None,
                    "phone": None,
                    "fax": None,
                    "email": None,
                    "portal": None,
                },
                "external reviewer",
                "case",
            )
    if kind is not None:
        entry = for_letter(kind, claim.country, claim.region or None)
        if entry is not None:
            for org in bodies:
                if org.name.casefold() == entry.name.casefold() and org.address:
                    return _addressee(_organisation(org), entry.kind, "case", directory_id=entry.id)
            return _from_directory(entry, entry.kind)
    return _addressee(_organisation(plan_recipient), insurer_role, "case")


def _plan(claim: ClaimDetail) -> dict[str, Value]:
    return {
        "name": claim.plan_name or None,
        "type": claim.plan_type.value,
        "type_label": claim.plan_type.label,
        "erisa": claim.plan_type in _ERISA,
        "policy_number": claim.policy_number or None,
        "group_number": claim.group_number or None,
        "member_id": claim.member_id or None,
        "country": claim.country,
        "country_name": _COUNTRY_NAMES.get(claim.country, claim.country),
        "region": claim.region or None,
    }


def _claim(claim: ClaimDetail, day: Any) -> dict[str, Value]:
    return {
        "case_number": claim.case_number,
        "insurer_claim_number": claim.insurer_claim_number or None,
        "type": claim.claim_type.value,
        "type_label": claim.claim_type.label,
        "clinical_area": claim.clinical_area.value,
        "clinical_area_label": claim.clinical_area.label,
        "disputed_service": claim.disputed_service or None,
        "amount": format_money(claim.amount_minor, claim.currency),
        "urgent": claim.urgent,
        "denial_letter_date": day(claim.denial_letter_date),
        "denial_received_date": day(claim.denial_received_date),
        "denial_reason": claim.denial_reason or None,
        "denial_category": claim.denial_category.value,
        "denial_category_label": claim.denial_category.label,
        "clinical_dispute": claim.denial_category.clinical,
        "reviewer_name": claim.reviewer_name or None,
        "reviewer_credentials": claim.reviewer_credentials or None,
        "criteria_cited": claim.criteria_cited or None,
        "stage": claim.stage.label,
    }


def _rights(claim: ClaimDetail) -> dict[str, Value]:
    citation = _FREE_RECORDS_RIGHT.get(claim.plan_type)
    return {
        "records_free_of_charge": citation is not None,
        "records_citation": citation,
        "erisa": claim.plan_type in _ERISA,
    }


def _call(call: CallRecord, day: Any) -> dict[str, Value]:
    return {
        "date": day(call.occurred_at),
        "time": f"{call.occurred_at:%H:%M}",
        "direction": call.direction.label,
        "organisation": call.organisation_name or None,
        "person_name": call.person_name or None,
        "staff_id": call.person_staff_id or None,
        "number_dialled": call.number_dialled or None,
        "reference": call.call_reference or None,
        "summary": call.summary or None,
        "refused": call.refused,
        "refusal_detail": call.refusal_detail or None,
        "promises": [
            {"description": p.description, "due_date": day(p.due_date), "status": p.status.label}
            for p in call.promises
        ],
    }


def _request(request: RequestRecord, today: date, day: Any) -> dict[str, Value]:
    return {
        "kind": request.kind.value,
        "kind_label": request.kind.label,
        "description": request.description or None,
        "recipient": request.recipient_name or None,
        "sent_on": day(request.sent_on),
        "method": request.method.label.lower(),
        "reference": request.reference or None,
        "due_on": day(request.current_due_on),
        "received_on": day(request.received_on),
        "status": request.status(today),
        "follow_ups": len(request.follow_ups),
        "days_overdue": (
            (today - request.current_due_on).days
            if request.current_due_on and request.status(today) == "overdue"
            else 0
        ),
    }


def _opinion(services: CaseSources, opinion: OpinionRecord, day: Any) -> dict[str, Value]:
    specialist = services.specialists.get(opinion.specialist_id)
    return {
        "specialist": {
            "name": specialist.name,
            "credentials": specialist.credentials or None,
            "specialty": specialist.specialty,
            "subspecialty": specialist.subspecialty or None,
            "board_certification": specialist.board_certification or None,
            "certification_body": specialist.certification_body or None,
            "institution": specialist.institution or None,
            "academic": specialist.academic,
            "address": specialist.address or None,
            "phone": specialist.phone or None,
            "fax": specialist.fax or None,
            "email": specialist.email or None,
        },
        "status": opinion.status.label,
        "has_report": has_report(opinion),
        # Only an examination that took place: booked is not examined, records-only never is.
        "examined": opinion.review_mode is ReviewMode.EXAMINATION
        and (
            opinion.examined_on is not None
            or has_report(opinion)
            or opinion.status is OpinionStatus.EXAMINED
        ),
        "records_only": opinion.review_mode is ReviewMode.RECORDS_ONLY,
        "examined_on": day(opinion.examined_on),
        "briefed_on": day(opinion.briefed_on),
        "report_received_on": day(opinion.report_received_on),
        "report_is_full": opinion.report_is_full,
        "conclusion": opinion.conclusion or None,
        "guidelines_cited": opinion.guidelines_cited or None,
        "cpt_code": opinion.cpt_code or None,
    }


def _ime(ime: Any, day: Any) -> dict[str, Value]:
    return {
        "exam_date": day(ime.exam_date),
        "examiner_name": ime.examiner_name or None,
        "examiner_specialty": ime.examiner_specialty or None,
        "paid_by": ime.paid_by or None,
        "representative_attending": ime.representative_attending,
        "representative_name": ime.representative_name or None,
        "report_requested_on": day(ime.report_requested_on),
        "report_received_on": day(ime.report_received_on),
    }


def describe_fields(context: dict[str, Value], prefix: str = "") -> list[str]:
    """Every field path in a context ('claim.denial_reason', 'calls[].summary'), for editors."""
    paths: list[str] = []
    for key, value in context.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            paths.extend(describe_fields(value, path + "."))
        elif isinstance(value, list):
            paths.append(f"{path}[]")
            if value and isinstance(value[0], dict):
                paths.extend(describe_fields(value[0], path + "[]."))
        else:
            paths.append(path)
    return paths
