"""The ``letter`` command: list the templates, or write one case's letter as DOCX or PDF."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from claimdesk.cli import _claim_id, _services, record_number, shown, write_atomically
from claimdesk.errors import LetterCheckError, ValidationError
from claimdesk.paths import AppPaths

Handler = Callable[[argparse.Namespace, AppPaths], int]


def _inline(text: str) -> str:
    return ", ".join(line.strip() for line in text.splitlines() if line.strip())


def register(subparsers: Any) -> dict[str, Handler]:
    letter = subparsers.add_parser(
        "letter",
        help="write a case's letter from a template (DOCX or PDF); --list shows the templates",
        description=(
            "Write a letter for a case from one of the templates, as a Word document or a PDF. "
            "The letter is also kept on the case (as a document, with a letter record) unless "
            "--no-record is given. A language check refuses letters that use words which sink "
            "a request, or that have an empty field, unless --force is given."
        ),
    )
    letter.add_argument("claim", nargs="?", help="case number (or id)")
    letter.add_argument("kind", nargs="?", help="kind of letter, as 'letter --list' shows")
    letter.add_argument("--list", action="store_true", help="list the letter templates")
    letter.add_argument(
        "--directory",
        action="store_true",
        help="list the bundled directory of ombudsmen and regulators the letters address",
    )
    letter.add_argument(
        "--add-organisation",
        metavar="ENTRY",
        help="keep a directory entry (as --directory shows) as one of the office's organisations",
    )
    letter.add_argument("--out", type=Path, help="the file to write: .docx or .pdf")
    letter.add_argument(
        "--check",
        action="store_true",
        help="only run the language check and print the letter's text",
    )
    letter.add_argument(
        "--force",
        action="store_true",
        help="write the letter even if the language check found something",
    )
    letter.add_argument(
        "--no-record", action="store_true", help="write the file only; do not keep it on the case"
    )
    letter.add_argument("--call", type=int, help="the call a confirmation letter is about")
    letter.add_argument("--opinion", type=int, help="the second opinion the letter is about")
    return {"letter": cmd_letter}


def cmd_letter(args: argparse.Namespace, paths: AppPaths) -> int:
    from claimdesk.services.letter_context import LetterOptions

    services = _services(args, paths)
    writer = services.lettering
    if args.list:
        for info in writer.templates():
            origin = " (office's own)" if info.origin == "office" else ""
            print(f"{shown(info.kind):<30} {shown(info.title)}{origin}")
        return 0
    if args.directory:
        from claimdesk.letters.directory import entries

        for entry in entries():
            place = entry.country + (f"-{'/'.join(entry.regions)}" if entry.regions else "")
            checked = "checked" if entry.verified else "NOT VERIFIED"
            print(f"{entry.id:<18} {place:<10} {shown(entry.name)}")
            print(f"{'':<18} {shown(_inline(entry.address))}")
            print(f"{'':<18} {checked} {entry.checked:%d %b %Y}: {shown(entry.source)}")
        return 0
    if args.add_organisation:
        org = writer.add_directory_organisation(args.add_organisation)
        print(f"'{shown(org.name)}' is one of the organisations (number {org.id}).")
        return 0
    if not args.claim or not args.kind:
        raise ValidationError(
            "Name the case and the kind of letter, e.g. 'claimdesk letter CD-2026-0001 "
            "records_request --out letter.pdf'; 'claimdesk letter --list' lists the kinds."
        )
    claim_id = _claim_id(services, args.claim)
    options = LetterOptions(
        call_id=record_number(args.call, "--call"),
        opinion_id=record_number(args.opinion, "--opinion"),
    )
    if args.check:
        preview = writer.preview(claim_id, args.kind, options)
        from claimdesk.letters.markup import plain_text

        print(shown(plain_text(list(preview.blocks)), multiline=True))
        for finding in preview.findings:
            print(f"check: {shown(finding.message)}", file=sys.stderr)
        return 1 if preview.findings else 0
    if args.out is None:
        raise ValidationError("Say where to write the letter: --out FILE.docx or FILE.pdf.")
    fmt = args.out.suffix.lower().lstrip(".")
    if fmt not in ("docx", "pdf"):
        raise ValidationError(
            f"'{shown(args.out.name)}' must end in .docx or .pdf; that decides the letter's format."
        )
    try:
        generated = writer.generate(
            claim_id, args.kind, fmt, options, force=args.force, record=False
        )
    except LetterCheckError as error:
        for finding in error.findings:
            print(f"check: {shown(finding)}", file=sys.stderr)
        raise
    write_atomically(args.out, generated.data)
    for finding in generated.findings:
        print(f"check (forced): {shown(finding.message)}", file=sys.stderr)
    if not args.no_record:
        generated = writer.keep(claim_id, generated)
        print(f"Wrote {shown(args.out)} and kept it on the case as '{shown(generated.title)}'.")
    else:
        print(f"Wrote {shown(args.out)}.")
    return 0
