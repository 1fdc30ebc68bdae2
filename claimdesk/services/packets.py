"""Builds a claim's appeal packet from what the case holds: exhibits, chronology, letter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from claimdesk.packets.model import (
    ChronologyEntry,
    Exhibit,
    PacketOptions,
    PacketResult,
    PacketSource,
)
from claimdesk.partials import remember_export_folder
from claimdesk.services.dto import CallRecord, ClaimDetail, LetterRecord

if TYPE_CHECKING:
    from claimdesk.services import Services

# Letters that are the appeal itself: the one that goes on top of the packet.
APPEAL_LETTER_KINDS = ("internal_appeal", "external_review_request")
LETTER_PAPER_COUNTRIES = ("US", "CA")


def is_appeal_letter(kind: str) -> bool:
    return kind in APPEAL_LETTER_KINDS or kind.startswith("complaint_")


class PacketService:
    def __init__(self, services: Services, export_folders: Path | None = None) -> None:
        """``export_folders``: where to note the folders packets go to, so the partials of an
        export killed outright are removed at the next start (claimdesk/partials.py)."""
        self._s = services
        self._export_folders = export_folders

    def source(self, claim_id: int, letter_pdf: bytes | None) -> PacketSource:
        """The packet's contents: the documents placed in the packet, in their order."""
        claim = self._s.claims.get(claim_id)
        placed = [d for d in self._s.documents.documents(claim_id) if d.packet_position]
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
            self.chronology(claim),
            prepared_on=self._s.clock.today(),
        )

    def options(self, claim_id: int, **choices: object) -> PacketOptions:
        """Options for this claim: its case number on every page, its country's paper."""
        claim = self._s.claims.get(claim_id)
        paper = "Letter" if claim.country in LETTER_PAPER_COUNTRIES else "A4"
        return PacketOptions(stamp_prefix=claim.case_number, paper=paper, **choices)  # type: ignore[arg-type]

    def latest_appeal_letter_record(self, claim_id: int) -> LetterRecord | None:
        """The newest appeal or complaint letter kept as a PDF."""
        for letter in reversed(self._s.letters.letters(claim_id)):
            if not is_appeal_letter(letter.kind) or letter.document_id is None:
                continue
            if self._s.documents.get(letter.document_id).media_type == "application/pdf":
                return letter
        return None

    def latest_appeal_letter(self, claim_id: int) -> tuple[str, bytes] | None:
        """The newest appeal or complaint letter kept as a PDF: (its kind, its bytes)."""
        letter = self.latest_appeal_letter_record(claim_id)
        if letter is None or letter.document_id is None:
            return None
        return letter.kind, self._s.documents.content(letter.document_id)

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

        if self._export_folders is not None:
            remember_export_folder(self._export_folders, out.parent)
        return export_packet(self.source(claim_id, letter_pdf), out, options, progress, cancelled)

    def chronology(self, claim: ClaimDetail) -> list[ChronologyEntry]:
        """Every call, request, letter and decision on the case (order is the packet's job)."""
        s = self._s
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
            what = request.kind.label + (
                f": {_bare(request.description)}" if request.description else ""
            )
            due = f" Due {request.due_on.isoformat()}." if request.due_on else ""
            entries.append(
                ChronologyEntry(
                    request.sent_on,
                    "Request sent",
                    request.recipient_name,
                    request.reference,
                    f"{what}. Sent by {request.method.label.lower()}.{due}",
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
                        f"Second request for: {request.kind.label}, by "
                        f"{follow_up.method.label.lower()}.{new_due}"
                        + (f" {follow_up.notes}" if follow_up.notes else ""),
                    )
                )
            if request.received_on:
                entries.append(
                    ChronologyEntry(
                        request.received_on,
                        "Received",
                        request.recipient_name,
                        request.reference,
                        f"Received: {request.kind.label}.",
                    )
                )
        for letter in s.letters.letters(claim.id):
            title = letter.kind.replace("_", " ").capitalize()
            entries.append(
                ChronologyEntry(
                    letter.generated_at,
                    "Letter written",
                    letter.recipient,
                    "",
                    f"{title} letter prepared ({_bare(letter.template_name)}).",
                )
            )
            if letter.sent_on:
                how = f" by {letter.sent_method.label.lower()}" if letter.sent_method else ""
                entries.append(
                    ChronologyEntry(
                        letter.sent_on, "Letter sent", letter.recipient, "", f"{title} sent{how}."
                    )
                )
        for appeal in s.appeals.appeals(claim.id):
            body = appeal.reviewing_body
            if appeal.filed_on:
                how = f" by {appeal.filed_method.label.lower()}" if appeal.filed_method else ""
                expedited = " (expedited)" if appeal.expedited else ""
                entries.append(
                    ChronologyEntry(
                        appeal.filed_on,
                        "Appeal filed",
                        body,
                        appeal.reference,
                        f"{appeal.level.label}{expedited} filed{how}.",
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
        return entries


def _loader(services: Services, document_id: int) -> Callable[[], bytes]:
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


def _bare(text: str) -> str:
    """Text without its closing full stop, to be placed inside a sentence of our own."""
    return " ".join(text.split()).rstrip(".")
