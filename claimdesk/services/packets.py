"""Builds a claim's appeal packet from what the case holds: exhibits, chronology, letter."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from claimdesk.models.enums import ContactMethod, RequestKind
from claimdesk.packets.model import (
    ChronologyEntry,
    Exhibit,
    ListedExhibit,
    PacketOptions,
    PacketResult,
    PacketSource,
    exhibit_list,
)
from claimdesk.partials import remember_export_folder
from claimdesk.services.dto import CallRecord, ClaimDetail, LetterRecord, RequestRecord

if TYPE_CHECKING:
    from claimdesk.services.sources import CaseSources, TemplateTitles

# Letters that are the appeal itself: the one that goes on top of the packet. Any kind that
# says "appeal" is one (a letter recorded by hand as "appeal", the demo's), and so are the
# request for external review and the complaints to an ombudsman or regulator.
APPEAL_LETTER_KINDS = ("internal_appeal", "external_review_request")
LETTER_PAPER_COUNTRIES = ("US", "CA")
PDF = "application/pdf"

# How a letter or request went, as the chronology says it: "sent by fax".
_HOW = {
    ContactMethod.LETTER: "by post",
    ContactMethod.CERTIFIED_MAIL: "by certified mail",
    ContactMethod.FAX: "by fax",
    ContactMethod.PORTAL: "through the online portal",
    ContactMethod.EMAIL: "by email",
    ContactMethod.PHONE: "by phone",
    ContactMethod.IN_PERSON: "in person",
}


def is_appeal_letter(kind: str) -> bool:
    kind = kind.lower()
    return "appeal" in kind or kind in APPEAL_LETTER_KINDS or kind.startswith("complaint_")


def how_sent(method: ContactMethod | None) -> str:
    """' by fax', ' through the online portal'; '' when not recorded."""
    return f" {_HOW.get(method, 'by ' + method.label.lower())}" if method else ""


def letter_title(kind: str, titles: dict[str, str]) -> str:
    """A letter's title for an outside reader: its template's title ("Internal appeal with
    the second opinion"), else its kind in words ("Appeal letter"); never a file name."""
    if kind in titles:
        return titles[kind]
    words = " ".join(kind.replace("_", " ").replace(".jinja", "").split()).capitalize()
    if not words:
        return "Letter"
    return words if "letter" in words.lower() else f"{words} letter"


@dataclass(frozen=True)
class AppealLetter:
    """The appeal letter kept on the case that the packet would start with."""

    record: LetterRecord
    title: str
    media_type: str  # of the kept file; "" when the letter was recorded without one

    @property
    def has_pdf(self) -> bool:
        return self.media_type == PDF

    @property
    def label(self) -> str:
        """'Appeal letter sent 03 Nov 2026', or when it has not been sent, when it was written."""
        letter = self.record
        if letter.sent_on is not None:
            return f"{self.title} sent {letter.sent_on:%d %b %Y}"
        return f"{self.title} written {letter.generated_at.astimezone():%d %b %Y} (not marked sent)"

    @property
    def problem(self) -> str:
        """Why this letter cannot go on top of the packet, and what to do; '' when it can."""
        if self.has_pdf:
            return ""
        if not self.media_type:
            return (
                f"The letter “{self.label}” was recorded without its file, so "
                "the packet cannot include it. Write it as a PDF on the Letters tab (Write a "
                "letter…, PDF), or use a PDF of it as the letter."
            )
        kind = "a Word file (DOCX)" if "word" in self.media_type else "a file that is not a PDF"
        return (
            f"The letter “{self.label}” is kept only as {kind}, and the "
            "packet needs a PDF. Write it again as a PDF on the Letters tab (Write a letter…, "
            "PDF), or save the Word file as a PDF and use that file as the letter; until then "
            "the packet starts with the index."
        )


class PacketService:
    def __init__(
        self,
        sources: CaseSources,
        template_titles: TemplateTitles,
        export_folders: Path | None = None,
        guard: Callable[[str], None] | None = None,
        record_integrity: Callable[[], str] | None = None,
    ) -> None:
        """``export_folders``: where to note the folders packets go to, so the partials of an
        export killed outright are removed at the next start (claimdesk/partials.py).
        ``guard`` refuses an export the signed-in account's role may not make."""
        self._guard = guard
        self._s = sources
        self._template_titles = template_titles
        self._export_folders = export_folders
        # The audit chain's head, shortened (AuditService.short_head), for the exhibit index.
        self._record_integrity = record_integrity

    def source(
        self,
        claim_id: int,
        letter_pdf: bytes | None,
        options: PacketOptions | None = None,
        *,
        chronology: bool = True,
    ) -> PacketSource:
        """The packet's contents: the documents placed in the packet, in their order, and the
        chronology (its internal notes as ``options`` say; none when not ``chronology``).
        Its records are read in one snapshot, so the index and the chronology agree."""
        with self._s.snapshot():
            claim = self._s.claims.get(claim_id)
            placed = [d for d in self._s.documents.documents(claim_id) if d.packet_position]
            entries = self.chronology(claim, options) if chronology else []
        placed.sort(key=lambda d: d.packet_position or 0)
        exhibits = [
            Exhibit(
                title=d.title,
                date_text=d.document_date.isoformat() if d.document_date else "",
                file_name=d.original_name,
                media_type=d.media_type,
                load=_loader(self._s, d.id),
            )
            for d in placed
        ]
        return PacketSource(
            claim.case_number,
            claim.claimant_name,
            letter_pdf,
            exhibits,
            entries,
            prepared_on=self._s.clock.today(),
            record_integrity=self._record_integrity() if self._record_integrity else "",
        )

    def options(self, claim_id: int, **choices: object) -> PacketOptions:
        """Options for this claim: its case number on every page, its country's paper."""
        claim = self._s.claims.get(claim_id)
        paper = "Letter" if claim.country in LETTER_PAPER_COUNTRIES else "A4"
        return PacketOptions(stamp_prefix=claim.case_number, paper=paper, **choices)  # type: ignore[arg-type]

    def exhibit_list(
        self, claim_id: int, options: PacketOptions | None = None
    ) -> list[ListedExhibit]:
        """What the packet holds after its letter, lettered as its index letters it: the list
        an appeal letter encloses."""
        options = options or self.options(claim_id)
        source = self.source(claim_id, None, chronology=False)
        return exhibit_list(source.exhibits, options, source.prepared_on)

    def appeal_letter(self, claim_id: int) -> AppealLetter | None:
        """The appeal letter kept on the case: the newest one sent, else the newest written."""
        appeals = [
            (index, letter)
            for index, letter in enumerate(self._s.letters.letters(claim_id))
            if is_appeal_letter(letter.kind)
        ]
        if not appeals:
            return None
        # Sent ones first, the latest sent; then by the order they were written.
        _, letter = max(
            appeals,
            key=lambda pair: (pair[1].sent_on is not None, pair[1].sent_on or date.min, pair[0]),
        )
        media_type = ""
        if letter.document_id is not None:
            media_type = self._s.documents.get(letter.document_id).media_type
        return AppealLetter(letter, letter_title(letter.kind, self._titles()), media_type)

    def latest_appeal_letter_record(self, claim_id: int) -> LetterRecord | None:
        """The appeal letter kept on the case (see appeal_letter), if it is kept as a PDF."""
        found = self.appeal_letter(claim_id)
        return found.record if found is not None and found.has_pdf else None

    def latest_appeal_letter(self, claim_id: int) -> tuple[str, bytes] | None:
        """The appeal letter kept on the case as a PDF: (its kind, its bytes)."""
        letter = self.latest_appeal_letter_record(claim_id)
        if letter is None or letter.document_id is None:
            return None
        return letter.kind, self._s.documents.content(letter.document_id)

    def enclosures_disagree(
        self, claim_id: int, letter_pdf: bytes, options: PacketOptions | None = None
    ) -> str:
        """'' when the letter lists the packet's exhibits exactly as the packet will (or lists
        none: a letter written elsewhere); else what differs, for a warning before export."""
        from claimdesk.pdf import PDF_ERRORS, PdfUnreadable, open_pdf  # heavy: when used

        try:
            reader = open_pdf(letter_pdf).reader
            text = " ".join(page.extract_text() or "" for page in reader.pages)
        except (PdfUnreadable, *PDF_ERRORS):
            return ""  # the export itself names an unreadable letter
        said = re.findall(r"Exhibit ([A-Z]{1,3}) – ", text)
        if not said:
            return ""
        listed = [e for e in self.exhibit_list(claim_id, options) if e.letter]
        squeezed = re.sub(r"\s+", "", text)
        missing = [e for e in listed if re.sub(r"\s+", "", e.label) not in squeezed]
        if said == [e.letter for e in listed] and not missing:
            return ""
        packet = ", ".join(e.label for e in listed) or "no exhibits"
        return (
            f"The letter's list of enclosures (Exhibits {', '.join(said)}) does not match the "
            f"packet, which holds: {packet}. Write the letter again on the Letters tab so that "
            "it lists the packet as it is now (or put the exhibits back as they were)."
        )

    def _titles(self) -> dict[str, str]:
        return self._template_titles()

    def export(
        self,
        claim_id: int,
        out: Path,
        letter_pdf: bytes | None,
        options: PacketOptions,
        progress: Callable[[int, int, str], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> PacketResult:
        """Write the claim's packet to ``out``; see export_packet for what it raises."""
        from claimdesk.packets.export import export_packet  # heavy: imported when used

        if self._guard is not None:
            self._guard("export packets")
        if self._export_folders is not None:
            remember_export_folder(self._export_folders, out.parent)
        source = self.source(claim_id, letter_pdf, options)
        return export_packet(source, out, options, progress, cancelled)

    def chronology(
        self, claim: ClaimDetail, options: PacketOptions | None = None
    ) -> list[ChronologyEntry]:
        """What happened on the case, for a reader outside the office: calls, requests, the
        letters sent (not drafts), filings and decisions, with whom and their references.

        The office's own notes come in only when ``options.include_internal_notes``; a
        template's file name or an office's template set never appear. Order is the
        packet's job.
        """
        s = self._s
        notes = options is not None and options.include_internal_notes
        insurer = claim.insurer_name
        entries: list[ChronologyEntry] = []
        if claim.denial_letter_date:
            entries.append(
                ChronologyEntry(
                    claim.denial_letter_date,
                    "Denial",
                    _join(insurer, _reviewer(claim)),
                    claim.insurer_claim_number,
                    "Date on the denial letter." + _quoted(claim.denial_reason),
                )
            )
        if claim.denial_received_date:
            entries.append(
                ChronologyEntry(
                    claim.denial_received_date,
                    "Denial received",
                    claim.claimant_name,
                    claim.insurer_claim_number,
                    "Denial letter received"
                    + (f" ({_bare(claim.proof_of_receipt)})." if claim.proof_of_receipt else "."),
                )
            )
        entries += [_call_entry(c) for c in s.calls.calls(claim.id) if not c.superseded]
        for request in s.requests.requests(claim.id):
            what = _requested(request)
            due = f" Due {request.due_on.isoformat()}." if request.due_on else ""
            entries.append(
                ChronologyEntry(
                    request.sent_on,
                    "Request sent",
                    request.recipient_name,
                    request.reference,
                    f"{what}. Sent{how_sent(request.method)}.{due}" + _note(request.notes, notes),
                )
            )
            for follow_up in request.follow_ups:
                new_due = (
                    f" New due date {follow_up.new_due_on.isoformat()}."
                    if follow_up.new_due_on
                    else ""
                )
                entries.append(
                    ChronologyEntry(
                        follow_up.sent_on,
                        "Follow-up",
                        request.recipient_name,
                        request.reference,
                        f"Second request for: {_requested(request, brief=True)}, sent"
                        f"{how_sent(follow_up.method)}.{new_due}" + _note(follow_up.notes, notes),
                    )
                )
            if request.received_on:
                entries.append(
                    ChronologyEntry(
                        request.received_on,
                        "Received",
                        request.recipient_name,
                        request.reference,
                        f"Received: {_requested(request, brief=True)}.",
                    )
                )
        titles = self._titles()
        for letter in s.letters.letters(claim.id):
            if letter.sent_on is None:
                continue  # a draft, or written and never sent: nothing happened outside
            title = letter_title(letter.kind, titles)
            entries.append(
                ChronologyEntry(
                    letter.sent_on,
                    "Letter sent",
                    letter.recipient,
                    claim.insurer_claim_number,
                    f"{title} sent{how_sent(letter.sent_method)}." + _note(letter.notes, notes),
                )
            )
        for appeal in s.appeals.appeals(claim.id):
            body = appeal.reviewing_body
            if appeal.filed_on:
                expedited = " (expedited)" if appeal.expedited else ""
                entries.append(
                    ChronologyEntry(
                        appeal.filed_on,
                        "Appeal filed",
                        body,
                        appeal.reference,
                        f"{appeal.level.label}{expedited} filed{how_sent(appeal.filed_method)}."
                        + _note(appeal.notes, notes),
                    )
                )
            if appeal.decided_on:
                entries.append(
                    ChronologyEntry(
                        appeal.decided_on,
                        "Decision",
                        body,
                        appeal.reference,
                        f"{appeal.level.label}: {appeal.outcome.label}."
                        + _quoted(appeal.decision_summary),
                    )
                )
        if notes:
            entries += [
                ChronologyEntry(
                    note.created_at.astimezone(),
                    "Internal note",
                    note.created_by,
                    "",
                    " ".join(note.body.split()),
                )
                for note in s.claims.notes(claim.id)
            ]
        return entries


def _requested(request: RequestRecord, *, brief: bool = False) -> str:
    """What was asked for: its kind and description ("Other" says nothing to a reader, so a
    request of kind Other is its description)."""
    description = _bare(request.description)
    if request.kind is RequestKind.OTHER and description:
        return description if not brief else _first_words(description)
    if brief or not description:
        return request.kind.label
    return f"{request.kind.label}: {description}"


def _first_words(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: text.rfind(" ", 0, limit)] + "…"


def _loader(services: CaseSources, document_id: int) -> Callable[[], bytes]:
    """Reads the bytes only when the packet needs them (a DocumentError names a damaged copy)."""
    return lambda: services.documents.content(document_id)


def _call_entry(call: CallRecord) -> ChronologyEntry:
    who = call.person_name or "(name not given)"
    if call.person_staff_id:
        who += f" (ID {call.person_staff_id})"
    who = _join(who, call.organisation_name)
    parts = [f"{call.direction.label} call." if call.direction else "Call.", call.summary.strip()]
    for promise in call.promises:
        due = f" by {promise.due_date.isoformat()}" if promise.due_date else ""
        parts.append(
            f"Promised: {_bare(promise.description)}{due} ({promise.status.label.lower()})."
        )
    if call.refused:
        parts.append(
            "Refused" + (f": {_bare(call.refusal_detail)}." if call.refusal_detail else ".")
        )
    if call.amends_id is not None:
        parts.append(f"(Corrected entry: {call.amendment_reason})")
    return ChronologyEntry(
        _local(call.occurred_at, call.time_zone),
        "Call",
        who,
        call.call_reference,
        " ".join(p for p in parts if p),
    )


def _local(moment: datetime, zone: str) -> datetime | date:
    """The call's time where it was made (the log keeps the zone the caller was in)."""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return moment
    return moment.astimezone(tz) if moment.tzinfo else moment.replace(tzinfo=tz)


def _reviewer(claim: ClaimDetail) -> str:
    if not claim.reviewer_name:
        return ""
    credentials = f", {claim.reviewer_credentials}" if claim.reviewer_credentials else ""
    return f"reviewer {claim.reviewer_name}{credentials}"


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def _quoted(text: str) -> str:
    text = " ".join(text.split())
    return f" “{text}”" if text else ""


def _note(text: str, include: bool) -> str:
    """An internal note's words, when the user asked for them."""
    text = " ".join(text.split())
    return f" Note: {text}" if include and text else ""


def _bare(text: str) -> str:
    """Text without its closing full stop, to be placed inside a sentence of our own."""
    return " ".join(text.split()).rstrip(".")
