"""The ``packet`` command: one PDF (or parts, or a ZIP) to send with an appeal."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from claimdesk.cli import _claim_id, _services, shown
from claimdesk.errors import PacketExportError
from claimdesk.paths import AppPaths

Handler = Callable[[argparse.Namespace, AppPaths], int]


def register(subparsers: Any) -> dict[str, Handler]:
    """Add the ``packet`` command to ``claimdesk``'s sub-commands; return its handler."""
    packet = subparsers.add_parser(
        "packet",
        help="write the appeal packet: letter, exhibit index, exhibits, chronology",
        description="One PDF with the appeal letter, an index of exhibits, the exhibits in the "
        "order set on the case, and a chronology of every call, request, letter and decision. "
        "Every page carries a running number (case number + 6 digits) that the index refers to.",
    )
    packet.add_argument("claim", metavar="CLAIM_ID", help="case number (CD-2026-0001) or id")
    packet.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    packet.add_argument(
        "--split-mb",
        type=float,
        metavar="N",
        help="split into parts of at most N MB each (portals often accept 10 MB)",
    )
    packet.add_argument(
        "--zip", action="store_true", help="write a ZIP with each part as its own stamped PDF"
    )
    packet.add_argument(
        "--omit-unreadable",
        action="store_true",
        help="leave out exhibits that cannot be read (they are listed) instead of stopping",
    )
    packet.add_argument(
        "--no-chronology", action="store_true", help="do not add the chronology exhibit"
    )
    packet.add_argument(
        "--internal-notes",
        action="store_true",
        help="include the office's internal notes (case notes, notes on requests, letters and "
        "appeals) in the chronology; they are left out by default",
    )
    packet.add_argument(
        "--letter",
        type=Path,
        metavar="FILE.pdf",
        help="put this PDF on top as the appeal letter (default: the appeal letter kept on the "
        "case, the newest one sent first)",
    )
    return {"packet": cmd_packet}


def cmd_packet(args: argparse.Namespace, paths: AppPaths) -> int:

    if args.internal_notes and args.no_chronology:
        raise PacketExportError(
            "--internal-notes adds notes to the chronology; leave out --no-chronology to use it."
        )
    if args.split_mb is not None and args.zip:
        raise PacketExportError("Choose either --split-mb or --zip, not both.")
    if args.split_mb is not None and not 0.1 <= args.split_mb <= 10_000:
        raise PacketExportError("--split-mb must be a size in MB, such as 10.")
    services = _services(args, paths)
    claim_id = _claim_id(services, args.claim)
    packets = services.packets
    letter = _letter(args, packets, claim_id)
    options = packets.options(
        claim_id,
        include_chronology=not args.no_chronology,
        include_internal_notes=args.internal_notes,
        omit_unreadable=args.omit_unreadable,
        split_bytes=int(args.split_mb * 1_000_000) if args.split_mb else None,
        as_zip=args.zip,
    )
    if letter is not None:
        differs = packets.enclosures_disagree(claim_id, letter, options)
        if differs:
            print(f"claimdesk: warning: {shown(differs)}", file=sys.stderr)
    show = sys.stderr.isatty()
    try:
        result = packets.export(claim_id, args.out, letter, options, _progress if show else None)
    finally:
        if show:
            print(file=sys.stderr)
    for path in result.paths:
        print(f"Wrote {shown(path)} ({path.stat().st_size / 1_000_000:.1f} MB)")
    for path in result.removed:
        print(f"Removed {shown(path)} (a part of an older packet this one does not need)")
    for path in result.stale:
        print(
            f"claimdesk: could not remove {shown(path)}, a part of an older packet; delete it "
            "before sending the packet",
            file=sys.stderr,
        )
    print(f"{result.page_count} pages, {len(result.exhibits)} exhibits:")
    for item in result.exhibits:
        last = item.last_stamp[-6:] if item.last_stamp != item.first_stamp else ""
        stamps = f"{item.first_stamp} – {last}" if last else item.first_stamp
        print(f"  {item.letter:>2}  {shown(stamps):<28}  {shown(item.title)}")
    for problem in result.omitted:
        print(f"Left out (unreadable): {shown(problem.describe())}")
    if result.omitted:
        print(
            "The exhibits after one left out moved up a letter: if the appeal letter lists the "
            "enclosures, write it again so that it matches the packet."
        )
    return 0


def _letter(args: argparse.Namespace, packets: Any, claim_id: int) -> bytes | None:
    if args.letter is not None:
        try:
            return bytes(args.letter.read_bytes())
        except OSError as error:
            raise PacketExportError(
                f"The letter {shown(args.letter)} cannot be read: {error.strerror or error}."
            ) from None
    kept = packets.appeal_letter(claim_id)
    if kept is not None and not kept.has_pdf:
        print(
            f"claimdesk: warning: {shown(kept.problem)} Give the PDF with --letter FILE.pdf.",
            file=sys.stderr,
        )
        return None
    found = packets.latest_appeal_letter(claim_id)
    if found is None:
        print(
            "claimdesk: warning: no appeal letter on this case, so the packet starts with the "
            f"index. Generate it first: claimdesk letter {shown(args.claim)} internal_appeal "
            "--out letter.pdf, then add --letter letter.pdf.",
            file=sys.stderr,
        )
        return None
    return bytes(found[1])


def _progress(done: int, total: int, what: str) -> None:
    width = 28
    filled = width * done // max(total, 1)
    line = f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {shown(what[:40]):<40}"
    print(line, end="", file=sys.stderr, flush=True)
