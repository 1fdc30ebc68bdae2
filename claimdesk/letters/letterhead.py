"""The office's letterhead: who letters come from when an office writes for a claimant."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from claimdesk.errors import StorageError, ValidationError

LETTERHEAD_FILE = "letterhead.json"


@dataclass(frozen=True)
class Letterhead:
    """Empty organisation: the claimant writes for themself, from their own address."""

    organisation: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    signatory: str = ""
    role: str = ""


def load_letterhead(folder: Path | None) -> Letterhead:
    """The letterhead saved in ``folder``; the claimant's own when there is none."""
    if folder is None:
        return Letterhead()
    path = folder / LETTERHEAD_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Letterhead()
    except (OSError, ValueError) as error:
        raise StorageError(
            f"The letterhead in '{path}' cannot be read ({error}). Save it again from "
            "Tools ▸ Letter templates, or delete the file to write as the claimant."
        ) from None
    names = {f.name for f in fields(Letterhead)}
    if not isinstance(raw, dict):
        raw = {}
    return Letterhead(**{k: str(v) for k, v in raw.items() if k in names})


def save_letterhead(folder: Path, letterhead: Letterhead) -> None:
    if len(letterhead.organisation) > 200 or len(letterhead.address) > 1000:
        raise ValidationError("The letterhead is too long; keep the name and address short.")
    from claimdesk.letters.templates import write_text_atomically

    write_text_atomically(
        folder / LETTERHEAD_FILE, json.dumps(asdict(letterhead), indent=2, ensure_ascii=False)
    )
