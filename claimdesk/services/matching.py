"""Which specialist fits a claim, and where to check their certification (DOMAIN.md step 3).

The table is data (resources/specialties.json), so an office can read and correct it without
touching code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from claimdesk.models.enums import ClinicalArea
from claimdesk.paths import resources_dir

# The UK's ISO code is GB; people often type UK.
_COUNTRY_ALIASES = {"UK": "GB"}


@dataclass(frozen=True)
class Suggestion:
    """The specialty to look for on one claim, and how to verify the specialist."""

    clinical_area: ClinicalArea
    specialties: tuple[str, ...]
    subspecialist: str
    note: str
    general: str
    country: str
    certification_body: str
    verify_at: str

    @property
    def specialty_text(self) -> str:
        return " or ".join(self.specialties) if self.specialties else "No suggestion"

    @property
    def verify_text(self) -> str:
        if self.certification_body:
            return f"{self.certification_body}: {self.verify_at}"
        return self.verify_at


@cache
def _table(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def load_table(path: Path | None = None) -> dict[str, Any]:
    """The matching table as stored (cached per file)."""
    return _table(path or resources_dir() / "specialties.json")


def suggest(
    clinical_area: ClinicalArea | str, country: str = "", *, path: Path | None = None
) -> Suggestion:
    """The specialty suggested for ``clinical_area`` and where to verify certification."""
    area = ClinicalArea(clinical_area)
    table = load_table(path)
    entry: dict[str, Any] = table["areas"].get(area.value, {})
    code = country.strip().upper()
    code = _COUNTRY_ALIASES.get(code, code)
    cert: dict[str, str] = table["certification"].get(code, {})
    return Suggestion(
        clinical_area=area,
        specialties=tuple(entry.get("specialties", ())),
        subspecialist=entry.get("subspecialist", ""),
        note=entry.get("note", ""),
        general=table.get("general", ""),
        country=code,
        certification_body=cert.get("body", ""),
        verify_at=cert.get("where", table.get("certification_elsewhere", "")),
    )
