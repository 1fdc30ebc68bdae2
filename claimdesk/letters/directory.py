"""The bundled directory of regulators, ombudsmen and external reviewers letters address.

``resources/directory/*.json`` holds one file per country (see its README): each body's name,
department, postal address, phone, fax, email, website, portal, the region codes it covers,
the letter kinds that address it, and where and when its details were read. A complaint or an
external review letter is addressed from here when the case's organisations have no such body.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from claimdesk.errors import NotFoundError
from claimdesk.paths import resources_dir


@dataclass(frozen=True)
class DirectoryEntry:
    id: str
    name: str
    department: str
    kind: str  # an OrganisationKind value: 'ombudsman', 'regulator', 'review_organisation'
    country: str
    regions: tuple[str, ...]
    letters: tuple[str, ...]
    address: str
    phone: str
    fax: str
    email: str
    website: str
    portal: str
    source: str
    checked: date
    verified: bool
    notes: str

    def covers(self, country: str, region: str | None) -> bool:
        if self.country != country:
            return False
        return not self.regions or (region or "").upper() in self.regions


def directory_dir() -> Path:
    return resources_dir() / "directory"


@cache
def _load(folder: Path) -> tuple[DirectoryEntry, ...]:
    entries: list[DirectoryEntry] = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for item in data["entries"]:
            entries.append(
                DirectoryEntry(
                    id=item["id"],
                    name=item["name"],
                    department=item.get("department", ""),
                    kind=item["kind"],
                    country=item["country"],
                    regions=tuple(r.upper() for r in item.get("regions", [])),
                    letters=tuple(item.get("letters", [])),
                    address=item.get("address", ""),
                    phone=item.get("phone", ""),
                    fax=item.get("fax", ""),
                    email=item.get("email", ""),
                    website=item.get("website", ""),
                    portal=item.get("portal", ""),
                    source=item["source"],
                    checked=date.fromisoformat(item["checked"]),
                    verified=bool(item.get("verified", False)),
                    notes=item.get("notes", ""),
                )
            )
    return tuple(entries)


def entries(folder: Path | None = None) -> tuple[DirectoryEntry, ...]:
    """Every body in the directory, in file order."""
    return _load(folder or directory_dir())


def entry(entry_id: str, folder: Path | None = None) -> DirectoryEntry:
    for item in entries(folder):
        if item.id == entry_id:
            return item
    raise NotFoundError(f"The directory has no body '{entry_id}'.")


def for_letter(
    kind: str, country: str, region: str | None, folder: Path | None = None
) -> DirectoryEntry | None:
    """The body a letter of this kind goes to for a case in this country and region.

    A body for the region is preferred to one for the whole country; None when the directory
    has no body for this letter here (the letter then goes to the plan or insurer).
    """
    matches = [e for e in entries(folder) if kind in e.letters and e.covers(country, region)]
    matches.sort(key=lambda e: not e.regions)
    if matches:
        return matches[0]
    # A complaint to one country's ombudsman is addressed to it even on another country's
    # case (the check then says the letter is for that country).
    national = [e for e in entries(folder) if kind in e.letters and not e.regions]
    return national[0] if len(national) == 1 else None


def letter_countries(kind: str, folder: Path | None = None) -> tuple[str, ...]:
    """The countries whose bodies a letter kind addresses (empty: any country)."""
    return tuple(sorted({e.country for e in entries(folder) if kind in e.letters}))
