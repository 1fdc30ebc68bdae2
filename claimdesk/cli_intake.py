"""The ``intake`` command: read a denial letter and print the fields found in it.

It reads the file only: no database, no data folder, no sign-in (it is exempt from the sign-in
every other command asks for, because it touches no case). With ``--json`` it prints::

    {"fields": {"letter_date": {"value": "YYYY-MM-DD", "confidence": 0.9, "page": 1} | null,
                "insurer": ..., "claim_number": ..., "member_id": ..., "group_number": ...,
                "policy_number": ..., "patient_name": ..., "service": ..., "reason": ...,
                "reviewer": ..., "reviewer_credentials": ..., "criteria": ...,
                "appeal_deadline_days": {"value": 180, ...} | null, "appeal_window": ...,
                "plan_type": ..., "jurisdiction": ...},
     "text": "the full text read", "pages": [{"page": 1, "read_from": "ocr", "seconds": 1.2}],
     "notes": ["Only the first 12 of 200 pages were read."]}

Exit 0 when the file was read (even if no field was found), 1 with one line when it could not
be (not a PDF or picture, locked, damaged, no OCR engine).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from claimdesk.cli import json_text, shown
from claimdesk.paths import AppPaths

Handler = Callable[[argparse.Namespace, AppPaths], int]

LABELS = {
    "letter_date": "Letter dated",
    "insurer": "Insurer",
    "claim_number": "Claim number",
    "member_id": "Member ID",
    "group_number": "Group number",
    "policy_number": "Policy number",
    "patient_name": "Patient",
    "service": "Service denied",
    "reason": "Reason (verbatim)",
    "reviewer": "Reviewer",
    "reviewer_credentials": "Credentials",
    "criteria": "Criteria cited",
    "appeal_deadline_days": "Appeal within (days)",
    "appeal_window": "Appeal window stated",
    "plan_type": "Plan type",
    "jurisdiction": "Jurisdiction",
}


def register(subparsers: Any) -> dict[str, Handler]:
    """Add the ``intake`` command to ``claimdesk``'s sub-commands; return its handler."""
    intake = subparsers.add_parser(
        "intake",
        help="read a denial letter (PDF, scan or photo) and print the fields found in it",
        description="Reads the letter on this computer (its text, or OCR for scans and photos) "
        "and prints the fields found: dates, numbers, the insurer, the reason word for word. "
        "It touches no database and no data folder, so unlike the other commands it needs no "
        "sign-in (no --user, no password).",
    )
    intake.add_argument("file", type=Path, metavar="FILE")
    intake.add_argument("--json", action="store_true", help="print the fields and text as JSON")
    return {"intake": cmd_intake}


def cmd_intake(args: argparse.Namespace, paths: AppPaths) -> int:
    from claimdesk.intake import read_letter
    from claimdesk.services.documents import read_file

    data = read_file(args.file)  # a missing or unreadable file: a DocumentError, one line
    result = read_letter(data, args.file.name)
    if args.json:
        print(json_text(result.as_json()))
        return 0
    for note in result.document.notes:
        print(f"Note: {shown(note)}", file=sys.stderr)
    width = max(len(label) for label in LABELS.values())
    for name, label in LABELS.items():
        found = result.fields.get(name)
        value = "—" if found is None else shown(found.value)
        print(f"{label.ljust(width)}  {value}")
    read = ", ".join(f"page {p.number}: {p.how}" for p in result.document.pages)
    print(f"\n{result.found} of {len(LABELS)} fields found ({read}).")
    return 0
