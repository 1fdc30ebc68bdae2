"""Intake for the window: a denial letter read (claimdesk.intake) as plain values the new-case
wizard fills in, each with the picture of the line it was read from; on an existing case, what
the letter says that the case does not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claimdesk.intake import IntakeResult
    from claimdesk.services.claims import ClaimService
    from claimdesk.services.documents import DocumentService
    from claimdesk.services.scans import ScanService

Progress = Callable[[int, int, str], None]

# The letter's fields as the case holds them (ClaimInput's names), with the words a person
# reads. Appeal window: the deadline rules compute the dates; the letter's own words are shown.
CASE_FIELDS = {
    "patient_name": ("claimant_name", "Claimant"),
    "insurer": ("insurer_name", "Insurer"),
    "letter_date": ("denial_letter_date", "Date on the letter"),
    "claim_number": ("insurer_claim_number", "Insurer's claim number"),
    "member_id": ("member_id", "Member ID"),
    "policy_number": ("policy_number", "Policy number"),
    "group_number": ("group_number", "Group number"),
    "service": ("disputed_service", "Service or treatment denied"),
    "reason": ("denial_reason", "Reason, word for word"),
    "denial_category": ("denial_category", "Why it was denied"),
    "reviewer": ("reviewer_name", "Insurer's reviewer"),
    "reviewer_credentials": ("reviewer_credentials", "Reviewer's credentials"),
    "criteria": ("criteria_cited", "Criteria or guideline cited"),
    "plan_type": ("plan_type", "Plan type"),
    "jurisdiction": ("jurisdiction", "Jurisdiction"),
    "appeal_window": ("", "Appeal window stated"),
    "appeal_deadline_days": ("", "Appeal within (days)"),
}


@dataclass(frozen=True)
class FieldReading:
    """One field as read: its value, how sure, and the picture of the line it came from."""

    name: str
    label: str
    value: object  # str, date or int
    text: str  # the value as a person reads it
    confidence: float
    page: int | None
    snippet: bytes | None  # PNG
    lines: int = 1  # lines of the letter the snippet shows


@dataclass(frozen=True)
class LetterReading:
    file_name: str
    data: bytes
    fields: dict[str, FieldReading]
    text: str
    notes: list[str]
    pages: int
    ocr_pages: int
    _result: object = field(repr=False, compare=False, default=None)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def value(self, name: str) -> object:
        found = self.fields.get(name)
        return None if found is None else found.value


@dataclass(frozen=True)
class Difference:
    label: str
    on_case: str
    in_letter: str
    reading: FieldReading


class IntakeService:
    def __init__(
        self,
        claims: ClaimService,
        documents: DocumentService,
        scans: ScanService,
        data_dir: Path | None = None,
    ) -> None:
        self._claims = claims
        self._documents = documents
        self._scans = scans
        self._data_dir = data_dir

    def read_file(
        self,
        path: Path,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> LetterReading:
        """Read a letter from disk (off the GUI thread); ReadingError when it cannot."""
        from claimdesk.services.documents import read_file

        return self.read(path.name, read_file(path), progress, cancelled)

    def read_document(
        self,
        document_id: int,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> LetterReading:
        document = self._documents.get(document_id)
        data = self._documents.content(document_id)
        reading = self.read(document.original_name, data, progress, cancelled)
        self.keep_text(reading)  # read anyway: search gets it for free
        return reading

    def read(
        self,
        name: str,
        data: bytes,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> LetterReading:
        from claimdesk.intake import read_letter

        result = read_letter(
            data,
            name,
            data_dir=self._data_dir,
            snippets=True,
            progress=progress,
            cancelled=cancelled,
        )
        return _reading(name, data, result)

    def keep_text(self, reading: LetterReading) -> None:
        """Keep what was read of the letter's file for search (by its SHA-256)."""
        from claimdesk.intake import IntakeResult

        result = reading._result
        if isinstance(result, IntakeResult):
            self._scans.keep(reading.sha256, result.document)

    def differences(self, claim_id: int, reading: LetterReading) -> list[Difference]:
        """Each field the letter gives that the case holds differently (or not at all)."""
        detail = self._claims.get(claim_id)
        found: list[Difference] = []
        for key, read in reading.fields.items():
            attribute = CASE_FIELDS[key][0]
            if not attribute:
                continue
            if attribute == "jurisdiction":
                held: object = "-".join(p for p in (detail.country, detail.region) if p)
            else:
                held = getattr(detail, attribute, None)
                held = getattr(held, "value", held)  # an enum: its stored value
            on_case = "" if held in (None, "") else _text(key, held)
            if _same(on_case, read.text):
                continue
            found.append(Difference(read.label, on_case, read.text, read))
        return found


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _text(name: str, value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if name in ("plan_type", "denial_category"):
        from claimdesk.models.enums import DenialCategory, PlanType

        kind = PlanType if name == "plan_type" else DenialCategory
        try:
            return kind(str(value)).label
        except ValueError:
            return str(value)
    return str(value)


def _reading(name: str, data: bytes, result: IntakeResult) -> LetterReading:
    fields: dict[str, FieldReading] = {}
    for key, (_, label) in CASE_FIELDS.items():
        found = result.fields.get(key)
        if found is None:
            continue
        fields[key] = FieldReading(
            key,
            label,
            found.value,
            _text(key, found.value),
            found.confidence,
            found.where.page if found.where else None,
            result.snippets.get(key),
            found.where.lines if found.where else 1,
        )
    return LetterReading(
        name,
        data,
        fields,
        result.text,
        list(result.document.notes),
        len(result.document.pages),
        result.document.ocr_pages,
        result,
    )
