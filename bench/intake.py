"""How well intake reads the test letters: fields right / total, characters right, s per page.

    PYTHONPATH=. .venv/bin/python bench/intake.py [--kind scan200|scan300|photo|pdf|all] [-v]

The letters and their true fields come from tests/intake_letters.py (seeded, so every run reads
the same pages). Fields right counts all 15 fields of each letter (one the letter does not give
is right when left empty); "of those given" counts only the fields the letter holds.
Characters right = 1 - (edit distance between the text read and the letter's
own text) / length of the letter's text, whitespace collapsed. Seconds are wall-clock on this
machine; the load average is printed with them, as the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claimdesk.intake import read_letter
from tests.intake_letters import (
    LETTERS,
    Letter,
    letter_pdf,
    letter_text,
    photo_jpeg,
    scan_pdf,
)

KINDS = {
    "pdf": lambda letter: (letter_pdf(letter), "letter.pdf"),
    "scan200": lambda letter: (scan_pdf(letter, 200), "scan.pdf"),
    "scan300": lambda letter: (scan_pdf(letter, 300), "scan.pdf"),
    "photo": lambda letter: (photo_jpeg(letter), "photo.jpg"),
}


def distance(a: str, b: str) -> int:
    """Levenshtein distance, one row at a time."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def true_text(letter: Letter) -> str:
    return " ".join(" ".join(text for style, text in letter_text(letter) if text).split())


def same(field: str, got: object, want: object) -> bool:
    if isinstance(got, date):
        got = got.isoformat()
    if isinstance(got, str) and isinstance(want, str):
        return " ".join(got.split()).casefold() == " ".join(want.split()).casefold()
    return got == want


def run(kind: str, verbose: bool) -> tuple[int, int, int, int, int, int, float, int]:
    right = total = given_right = given = chars_wrong = chars = 0
    seconds = 0.0
    pages = 0
    for letter in LETTERS:
        data, name = KINDS[kind](letter)
        started = time.perf_counter()
        result = read_letter(data, name)
        seconds += time.perf_counter() - started
        pages += max(1, len(result.document.pages))
        want_text = true_text(letter)
        got_text = " ".join(result.text.split())
        chars_wrong += distance(got_text, want_text)
        chars += len(want_text)
        for field, want in letter.truth().items():
            found = result.fields.get(field)
            got = None if found is None else found.value
            ok = same(field, got, want)
            right += ok
            total += 1
            if want is not None:  # a field the letter holds (the others: right if left empty)
                given += 1
                given_right += ok
            if verbose and not ok:
                print(f"  {letter.key}: {field}: got {got!r}, want {want!r}")
    return right, total, given_right, given, chars_wrong, chars, seconds, pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", default="scan200", choices=[*KINDS, "all"])
    parser.add_argument("-v", "--verbose", action="store_true", help="print every wrong field")
    args = parser.parse_args()
    kinds = list(KINDS) if args.kind == "all" else [args.kind]
    print(f"{len(LETTERS)} letters; load average before: {os.getloadavg()[0]:.2f} (2 cores)")
    print(
        f"{'kind':8} {'fields right':>14} {'of those given':>16} {'chars right':>12} {'s/page':>7}"
    )
    for kind in kinds:
        right, total, given_right, given, wrong, chars, seconds, pages = run(kind, args.verbose)
        print(
            f"{kind:8} {right:>5}/{total:<4} {100 * right / total:4.1f}% "
            f"{given_right:>5}/{given:<4} {100 * given_right / given:4.1f}% "
            f"{100 * (1 - wrong / chars):10.2f}% {seconds / pages:7.2f}"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
