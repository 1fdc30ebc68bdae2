"""The check run before a letter is generated (DOMAIN.md, steps 5 and 7).

A request described as "experimental", "investigational" or "non-emergent" is refused on
sight, so those words are flagged wherever the letter uses them in its own voice; inside a
quotation of the insurer they are the insurer's words and are left alone. Empty fields are
flagged too: a letter must not go out with a hole where the policy number should be.

The facts a letter states must be in the record (:func:`check_facts`): an appeal that sets a
specialist's conclusion against the insurer's needs the specialist's report; a letter needs
an addressee with a postal address; a complaint to a country's ombudsman is for cases in
that country. Every finding is written for the person sending the letter: what is missing
and where to add it, never the name of a template field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from claimdesk.letters.markup import Block

# Each word with the reason a reader is given.
RISKY_WORDS = {
    "experimental": "insurers refuse what is called experimental; describe the treatment as "
    "the standard of care a guideline recommends",
    "investigational": "insurers refuse what is called investigational; cite the guideline "
    "that recommends the treatment",
    "non-emergent": "a request called non-emergent is given the lowest priority; describe "
    "the diagnostic necessity instead",
    "nonemergent": "a request called non-emergent is given the lowest priority; describe the "
    "diagnostic necessity instead",
    "non-urgent": "a request called non-urgent is given the lowest priority; describe the "
    "diagnostic necessity instead",
}
_WORDS = re.compile(
    r"\b(" + "|".join(re.escape(w) for w in sorted(RISKY_WORDS, key=len, reverse=True)) + r")\b",
    re.I,
)


@dataclass(frozen=True)
class Finding:
    kind: str  # 'wording', 'empty', 'fact' (the record does not support the letter), 'recipient'
    subject: str  # the word, or the field that is empty
    message: str
    # A blocking finding cannot be overridden: the letter would state something the record
    # does not support. Fix the record (or choose another opinion) instead.
    blocking: bool = False


def check_letter(
    blocks: list[Block],
    blanks: tuple[str, ...],
    insurer_texts: tuple[str, ...] = (),
    context: dict[str, Any] | None = None,
) -> list[Finding]:
    """Findings for risky words in the letter's own voice and for empty fields.

    ``insurer_texts`` are the insurer's own words (the denial reason, the criteria cited):
    where the letter repeats them, the word is theirs, not the claimant's framing. With the
    letter's ``context`` an empty field is explained by what is missing on the case.
    """
    findings: list[Finding] = []
    seen: set[str] = set()
    theirs = [" ".join(text.split()).lower() for text in insurer_texts if text]
    for block in blocks:
        if block.kind == "quote":
            continue
        text = " ".join(block.text.split())
        for match in _WORDS.finditer(text):
            word = match.group(1).lower()
            if _repeats_insurer(text.lower(), match.start(), match.end(), theirs):
                continue
            if word in seen:
                continue
            seen.add(word)
            findings.append(
                Finding(
                    "wording", word, f"the letter says '{match.group(1)}': " + RISKY_WORDS[word]
                )
            )
    said: set[str] = set()
    for name in blanks:
        message = explain_blank(name, context or {})
        if message not in said:
            said.add(message)
            findings.append(Finding("empty", name, message))
    return findings


def _repeats_insurer(text: str, start: int, end: int, theirs: list[str], reach: int = 12) -> bool:
    """True when the word at text[start:end] sits in a passage copied from the insurer's text."""
    word = text[start:end]
    for source in theirs:
        position = source.find(word)
        while position != -1:
            before = min(reach, start, position)
            after = min(reach, len(text) - end, len(source) - position - len(word))
            if (
                before + after >= min(reach, len(source) - len(word))
                and text[start - before : end + after]
                == source[position - before : position + len(word) + after]
            ):
                return True
            position = source.find(word, position + 1)
    return False


# --- The facts a letter rests on -----------------------------------------------------------

# Letters that set the specialist's conclusion against the insurer's: without the report
# there is nothing to set against it, so they are refused until it is recorded.
NEEDS_REPORT = {
    "internal_appeal": "This appeal sets the specialist's conclusion against the insurer's",
    "external_review_request": "This request sets the specialist's conclusion against the denial",
}
# Letters about a chosen specialist (any status).
NEEDS_SPECIALIST = {
    "specialist_briefing": "This letter briefs the specialist you have chosen",
    "second_opinion_authorization": "This letter asks the plan to authorise a specialist",
    "network_gap_exception": "This letter asks for a named out-of-network specialist",
}
# Complaints to one country's ombudsman, and external review (a US process).
LETTER_COUNTRY = {
    "complaint_uk_fos": "GB",
    "complaint_au_afca": "AU",
    "complaint_ca_olhi": "CA",
    "complaint_in_ombudsman": "IN",
    "external_review_request": "US",
}
_COUNTRY_COMPLAINT = {
    "GB": "the complaint to the Financial Ombudsman Service",
    "AU": "the complaint to AFCA",
    "CA": "the complaint to OLHI",
    "IN": "the complaint to the Insurance Ombudsman",
    "US": "the request for external review",
}
_COUNTRY_NAMES = {
    "US": "the United States",
    "GB": "the United Kingdom",
    "AU": "Australia",
    "CA": "Canada",
    "IN": "India",
}
# Where a missing address is added, by who the letter goes to.
_WHERE_ADDRESS = {
    "specialist": "add it to the specialist on the Specialists tab",
    "directory": "add the body in Tools ▸ Organisations with its address",
}
_WHERE_ORGANISATION = (
    "add the address on the case's Overview (Address…) or in Tools ▸ Organisations"
)


def check_facts(kind: str, context: dict[str, Any]) -> list[Finding]:
    """What the letter would state or need that the case's record does not hold.

    Run before the letter is written. A 'fact' finding blocks the letter; a 'recipient'
    finding (no postal address) is shown before it is written and can be overridden by
    someone who will address the envelope by hand.
    """
    findings: list[Finding] = []
    plan = context.get("plan") or {}
    country = plan.get("country")
    wanted = LETTER_COUNTRY.get(kind)
    if wanted and country and country != wanted:
        findings.append(
            Finding(
                "fact",
                "country",
                f"This letter is for cases in {_COUNTRY_NAMES.get(wanted, wanted)}; this case is "
                f"in {_COUNTRY_NAMES.get(country, country)}. "
                + (
                    f"Write {_COUNTRY_COMPLAINT[country]} instead."
                    if country in _COUNTRY_COMPLAINT
                    else "Choose the letter for the case's country."
                ),
                blocking=True,
            )
        )
        return findings
    opinion = context.get("opinion")
    if kind in NEEDS_REPORT:
        if opinion is None:
            findings.append(
                Finding(
                    "fact",
                    "opinion",
                    f"{NEEDS_REPORT[kind]}, and no second opinion is recorded on this case: "
                    "add the specialist and their report on the Specialists tab first.",
                    blocking=True,
                )
            )
        elif not opinion.get("has_report"):
            name = opinion["specialist"]["name"]
            findings.append(
                Finding(
                    "fact",
                    "opinion.report",
                    f"{name} has not sent a report yet ({str(opinion.get('status', '')).lower()}): "
                    "choose the opinion whose report arrived, or record the report first "
                    "(Specialists tab).",
                    blocking=True,
                )
            )
        elif not opinion.get("conclusion"):
            name = opinion["specialist"]["name"]
            findings.append(
                Finding(
                    "fact",
                    "opinion.conclusion",
                    f"{name}'s report is recorded but not its conclusion: copy the conclusion "
                    "from the report into the second opinion (Specialists tab).",
                    blocking=True,
                )
            )
    if kind in NEEDS_SPECIALIST and opinion is None:
        findings.append(
            Finding(
                "fact",
                "opinion",
                f"{NEEDS_SPECIALIST[kind]}, and no specialist is chosen on this case: add one on "
                "the Specialists tab first.",
                blocking=True,
            )
        )
    if kind == "insurer_deadline_notice" and not context.get("missed_deadlines"):
        findings.append(
            Finding(
                "fact",
                "missed_deadlines",
                "This letter tells the insurer that its deadline has passed, and no insurer "
                "deadline on this case has passed with nothing recorded. The Deadlines tab shows "
                "the insurer's deadlines; record the appeal, complaint or request they count "
                "from, or mark what was received.",
                blocking=True,
            )
        )
    if kind == "ime_report_request" and context.get("ime") is None:
        findings.append(
            Finding(
                "fact",
                "ime",
                "No examination by the insurer's doctor (IME) is recorded on this case: record it "
                "on the IME and appeals tab first.",
                blocking=True,
            )
        )
    if kind == "call_confirmation" and context.get("call") is None:
        findings.append(
            Finding(
                "fact",
                "call",
                "No call is logged on this case: log the call first (Call log tab).",
                blocking=True,
            )
        )
    if not any(f.blocking for f in findings):
        findings.extend(_recipient_findings(context))
    return findings


def _recipient_findings(context: dict[str, Any]) -> list[Finding]:
    recipient = context.get("recipient")
    if recipient is None:
        return [
            Finding(
                "recipient",
                "recipient",
                "This letter has no addressee: the case has no insurer or plan administrator. "
                "Add the insurer on the case's Overview, with its address.",
            )
        ]
    if recipient.get("address"):
        return []
    where = _WHERE_ADDRESS.get(str(recipient.get("source")), _WHERE_ORGANISATION)
    return [
        Finding(
            "recipient",
            "recipient.address",
            f"The letter goes to {recipient['name']}, but no postal address is recorded for "
            f"{'them' if recipient.get('source') == 'specialist' else 'it'}: {where}.",
        )
    ]


# --- Empty fields in plain words -------------------------------------------------------------

_OWNER = {
    "claim": ("the case", "on the case's Overview"),
    "claimant": ("the claimant", "on the case's Overview"),
    "plan": ("the plan", "on the case's Overview"),
    "insurer": ("the insurer", "on the case's Overview or in Tools ▸ Organisations"),
    "administrator": (
        "the plan administrator",
        "on the case's Overview or in Tools ▸ Organisations",
    ),
    "recipient": ("the addressee", "in Tools ▸ Organisations"),
    "sender": ("the letterhead", "in Tools ▸ Letter templates ▸ Letterhead"),
    "ime": ("the insurer's examination (IME)", "on the IME and appeals tab"),
    "call": ("the call", "on the Call log tab"),
    "opinion": ("the second opinion", "on the Specialists tab"),
    "next_deadline": ("the next deadline", "on the Deadlines tab"),
}
_FIELD_WORDS = {
    "claim.disputed_service": "what the claim is for (the disputed service or benefit)",
    "claim.denial_reason": "the insurer's reason for the denial, word for word",
    "claim.denial_letter_date": "the date on the denial letter",
    "claim.insurer_claim_number": "the insurer's claim number",
    "claim.reviewer_name": "the name of the insurer's reviewer",
    "claim.criteria_cited": "the criteria or policy definition the insurer cited",
    "claim.amount": "the amount in dispute",
    "claimant.name": "the claimant's name",
    "claimant.address": "the claimant's postal address",
    "claimant.birth_date": "the claimant's date of birth",
    "claimant.phone": "the claimant's phone number",
    "claimant.email": "the claimant's email address",
    "insurer": "the insurer",
    "insurer.name": "the insurer's name",
    "sender.name": "the name of the person signing (the signatory)",
    "opinion.cpt_code": "the CPT code the specialist will bill the consultation under",
    "opinion.examined_on": "the date the specialist examined the claimant",
    "opinion.conclusion": "the specialist's conclusion",
    "ime.exam_date": "the date of the insurer's examination",
    "ime.examiner_name": "the name of the insurer's examiner",
    "call.date": "the date of the call",
    "call.person_name": "the name of the person spoken to",
    "call.summary": "what was said on the call",
}
_SPECIAL = {
    "treating_physician_statement": (
        "The treating doctor's written statement of why a second opinion is needed is not on "
        'the case: attach it on the Documents tab (kind "Treating physician\'s letter") and '
        "put it in the packet."
    ),
    "complaint_to_insurer": (
        "The complaint to the insurer is not recorded: record it on the IME and appeals tab "
        "(the internal complaint, with the date it was made) first."
    ),
    "grievance_to_insurer": (
        "The grievance to the insurer is not recorded: record it on the IME and appeals tab "
        "(the grievance, with the date it was made) first."
    ),
}


def explain_blank(name: str, context: dict[str, Any]) -> str:
    """A plain sentence for a field a letter printed empty: what is missing and where to add it."""
    if name in _SPECIAL:
        return _SPECIAL[name]
    head = name.split(".", 1)[0].split("[", 1)[0]
    owner, where = _OWNER.get(head, ("the case", "on the case"))
    if head in context and context.get(head) is None and head in ("opinion", "ime", "call"):
        return {
            "opinion": "No second opinion is recorded on this case: add the specialist on "
            "the Specialists tab first.",
            "ime": "No examination by the insurer's doctor (IME) is recorded on this case: "
            "record it on the IME and appeals tab first.",
            "call": "No call is logged on this case: log the call first (Call log tab).",
        }[head]
    if head == "opinion" and isinstance(context.get("opinion"), dict):
        specialist = context["opinion"]["specialist"]["name"]
        if name.startswith("opinion.specialist."):
            field = name.rsplit(".", 1)[-1].replace("_", " ")
            return (
                f"{specialist}'s {field} is not recorded: add it to the specialist on the "
                "Specialists tab."
            )
        if name == "opinion.conclusion" and not context["opinion"].get("has_report"):
            return (
                f"{specialist} has not sent a report yet: choose the opinion whose report "
                "arrived, or record the report first (Specialists tab)."
            )
        what = _FIELD_WORDS.get(name, name.rsplit(".", 1)[-1].replace("_", " "))
        return (
            f"{what[0].upper()}{what[1:]} is not recorded for {specialist}'s opinion: add "
            "it on the Specialists tab."
        )
    if name in _FIELD_WORDS:
        what = _FIELD_WORDS[name]
    elif "." in name:
        what = f"the {name.rsplit('.', 1)[-1].replace('_', ' ')} of {owner}"
    elif name == "an empty field":
        return (
            "Something this letter prints is empty on this case: look for the gap in the "
            "preview and fill in the case."
        )
    else:
        what = name.replace("_", " ")
    return f"{what[0].upper()}{what[1:]} is not recorded: add it {where}."
