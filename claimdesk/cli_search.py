"""The ``search`` command: full text over every case, results grouped by case."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from claimdesk.cli import _services, shown
from claimdesk.paths import AppPaths

Handler = Callable[[argparse.Namespace, AppPaths], int]


def register(subparsers: Any) -> dict[str, Handler]:
    """Add the ``search`` command to ``claimdesk``'s sub-commands; return its handler."""
    search = subparsers.add_parser(
        "search",
        help="find words in every case: calls, notes, names, references, documents' text",
        description="Every word must appear (the start of a word is enough); put words in "
        'quotes to find them together, as in "peer to peer". Accents do not matter.',
    )
    search.add_argument("words", nargs="+", metavar="WORD")
    search.add_argument("--limit", type=int, default=300, metavar="N", help="at most N hits")
    search.add_argument(
        "--reindex",
        action="store_true",
        help="index every case again first (documents already read are not read again)",
    )
    search.add_argument(
        "--read-scans",
        action="store_true",
        help="first read the text of scanned documents not read yet (OCR; seconds a page)",
    )
    return {"search": cmd_search}


def cmd_search(args: argparse.Namespace, paths: AppPaths) -> int:
    services = _services(args, paths)
    if args.read_scans:
        unread = services.scans.unread()
        if unread:
            print(f"Reading {len(unread)} documents not read yet…", file=sys.stderr)
            services.scans.read_unread()
    if args.reindex:
        print(f"Indexed {services.search.rebuild()} cases.", file=sys.stderr)
    elif services.search.pending() > 50:
        print("Indexing the cases changed since the last search…", file=sys.stderr)
    result = services.search.search(" ".join(args.words), limit=args.limit)
    if result.empty:
        print(f"Nothing found for '{shown(result.query)}'.")
        return 1
    bold, plain = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("", "")
    for case in result.cases:
        print(f"{shown(case.case_number)}  {shown(case.claimant_name)}")
        for hit in case.hits:
            print(f"  {shown(hit.where)}")
            print(f"      {_highlighted(hit.snippet, bold, plain)}")
    hits = f"{result.total_hits} hit{'s' if result.total_hits != 1 else ''}"
    more = " (more matched: add words to narrow the search)" if result.truncated else ""
    print(f"{hits} in {len(result.cases)} case{'s' if len(result.cases) != 1 else ''}{more}.")
    return 0


def _highlighted(snippet: str, bold: str, plain: str) -> str:
    """The snippet escaped, its matches between our own bold and plain (the only escapes)."""
    from claimdesk.services.dto import HIT_END, HIT_START

    parts = []
    for index, piece in enumerate(snippet.split(HIT_START)):
        match, found, rest = piece.partition(HIT_END)
        if index and found:
            parts.append(f"{bold}{shown(match)}{plain}{shown(rest)}")
        else:
            parts.append(shown(piece))
    return "".join(parts)
