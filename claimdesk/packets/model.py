"""The plain values an appeal packet is built from and reports back: no database, no Qt."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

# progress(done, total, what): done and total count steps (pages, mostly); what is a short line.
Progress = Callable[[int, int, str], None]
Cancelled = Callable[[], bool]

PAPER_SIZES = {"A4": (595.28, 841.89), "Letter": (612.0, 792.0)}

INDEX_TITLE = "Index of exhibits"
CHRONOLOGY_TITLE = "Chronology of calls, requests, letters and decisions"


@dataclass(frozen=True)
class Exhibit:
    """One file to put in the packet; ``load`` reads its bytes only when they are needed."""

    title: str
    date_text: str
    file_name: str
    media_type: str
    load: Callable[[], bytes] = field(repr=False, compare=False)


@dataclass(frozen=True)
class ChronologyEntry:
    """One dated thing that happened on the case: a call, a request, a letter, a decision."""

    when: datetime | date
    kind: str
    who: str
    reference: str
    text: str


@dataclass(frozen=True)
class PacketSource:
    """Everything that goes into one packet, in order."""

    case_number: str
    claimant_name: str
    letter_pdf: bytes | None
    exhibits: list[Exhibit]
    chronology: list[ChronologyEntry]
    # The day the packet is made, which dates its chronology: the services' clock's today
    # (None, for a caller without one: the computer's).
    prepared_on: date | None = None
    # The first hex digits of the audit chain's head when the packet was made, printed on the
    # index as "record integrity: ..." so a later edit of the record can be shown ("" for none).
    record_integrity: str = ""


@dataclass(frozen=True)
class PacketOptions:
    """How to write the packet."""

    stamp_prefix: str
    include_chronology: bool = True
    omit_unreadable: bool = False
    split_bytes: int | None = None
    as_zip: bool = False
    # Paper for pages ClaimDesk draws (index, chronology, images, documents): "A4" or "Letter".
    paper: str = "A4"
    # The case's internal notes (case notes, notes on requests, letters and appeals) are the
    # office's working papers, not evidence: left out of the chronology unless asked for.
    include_internal_notes: bool = False


@dataclass(frozen=True)
class ListedExhibit:
    """One line of the packet's list of what it holds after the letter: the index (no
    letter), each exhibit, the chronology. The index page prints these lines and the appeal
    letter's enclosures are these lines, so the two cannot disagree."""

    letter: str  # "A", "B"...; "" for the index itself
    title: str
    date_text: str  # ISO date or ""
    kind: str  # "index", "document" or "chronology"

    @property
    def label(self) -> str:
        """'Exhibit A – Denial letter', or the index's own title."""
        return f"Exhibit {self.letter} – {self.title}" if self.letter else self.title


@dataclass(frozen=True)
class ExhibitProblem:
    """Why one exhibit cannot go into the packet."""

    title: str
    file_name: str
    reason: str

    def describe(self) -> str:
        return f"'{self.title}' ({self.file_name}): {self.reason}"


@dataclass(frozen=True)
class ExhibitRange:
    """Where an exhibit landed: its letter, title and first and last page stamps."""

    letter: str
    title: str
    first_stamp: str
    last_stamp: str


@dataclass(frozen=True)
class PacketResult:
    """What was written."""

    paths: list[Path]
    page_count: int
    exhibits: list[ExhibitRange]
    omitted: list[ExhibitProblem]
    # Parts of an earlier export to the same name that this one replaced with fewer files:
    # removed, or (open in another program, say) still there and worth a warning.
    removed: list[Path] = field(default_factory=list)
    stale: list[Path] = field(default_factory=list)


def exhibit_list(
    exhibits: list[Exhibit], options: PacketOptions, prepared_on: date | None = None
) -> list[ListedExhibit]:
    """The packet after its letter, as its index lists it: the index, the exhibits lettered
    A, B, C… in the packet's order, then the chronology (dated the day the packet is made)
    when the options include it."""
    listed = [ListedExhibit("", INDEX_TITLE, "", "index")]
    for number, exhibit in enumerate(exhibits):
        listed.append(
            ListedExhibit(exhibit_letter(number), exhibit.title, exhibit.date_text, "document")
        )
    if options.include_chronology:
        prepared = prepared_on or date.today()
        listed.append(
            ListedExhibit(
                exhibit_letter(len(exhibits)), CHRONOLOGY_TITLE, prepared.isoformat(), "chronology"
            )
        )
    return listed


def exhibit_letter(index: int) -> str:
    """A, B, ... Z, AA, AB, ...: the spreadsheet-column sequence, from index 0."""
    letters = ""
    number = index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def stamp_text(prefix: str, number: int) -> str:
    """The running page number printed on page ``number`` (1-based)."""
    return f"{prefix}-{number:06d}" if prefix else f"{number:06d}"
