"""The language check run before a letter is generated (DOMAIN.md, step 5).

A request described as "experimental", "investigational" or "non-emergent" is refused on
sight, so those words are flagged wherever the letter uses them in its own voice; inside a
quotation of the insurer they are the insurer's words and are left alone. Empty fields are
flagged too: a letter must not go out with a hole where the policy number should be.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claimdesk.letters.markup import Block

# Each word with the reason a reader is given.
RISKY_WORDS = {
    "experimental": "insurers refuse what is called experimental; describe the treatment as "
    "the standard of care a guideline recommends",
    "investigational": "insurers refuse what is called investigational; cite the guideline "
    "that recommends the treatment",
    "non-emergent": "a request called non-emergent is given the lowest priority; describe "
    "the diagnostic necessity instead",
    "nonemergent": "a request called non-emergent is given the lowest priority; describe the "
    "diagnostic necessity instead",
    "non-urgent": "a request called non-urgent is given the lowest priority; describe the "
    "diagnostic necessity instead",
}
_WORDS = re.compile(
    r"\b(" + "|".join(re.escape(w) for w in sorted(RISKY_WORDS, key=len, reverse=True)) + r")\b",
    re.I,
)


@dataclass(frozen=True)
class Finding:
    kind: str  # 'wording' or 'empty'
    subject: str  # the word, or the field that is empty
    message: str


def check_letter(
    blocks: list[Block], blanks: tuple[str, ...], insurer_texts: tuple[str, ...] = ()
) -> list[Finding]:
    """Findings for risky words in the letter's own voice and for empty fields.

    ``insurer_texts`` are the insurer's own words (the denial reason, the criteria cited):
    where the letter repeats them, the word is theirs, not the claimant's framing.
    """
    findings: list[Finding] = []
    seen: set[str] = set()
    theirs = [" ".join(text.split()).lower() for text in insurer_texts if text]
    for block in blocks:
        if block.kind == "quote":
            continue
        text = " ".join(block.text.split())
        for match in _WORDS.finditer(text):
            word = match.group(1).lower()
            if _repeats_insurer(text.lower(), match.start(), match.end(), theirs):
                continue
            if word in seen:
                continue
            seen.add(word)
            findings.append(Finding("wording", word, f"the letter says '{match.group(1)}': "
                                    + RISKY_WORDS[word]))
    for name in blanks:
        findings.append(Finding("empty", name, f"'{name}' is empty on this case"))
    return findings


def _repeats_insurer(text: str, start: int, end: int, theirs: list[str], reach: int = 12) -> bool:
    """True when the word at text[start:end] sits in a passage copied from the insurer's text."""
    word = text[start:end]
    for source in theirs:
        position = source.find(word)
        while position != -1:
            before = min(reach, start, position)
            after = min(reach, len(text) - end, len(source) - position - len(word))
            if (before + after >= min(reach, len(source) - len(word))
                    and text[start - before:end + after]
                    == source[position - before:position + len(word) + after]):
                return True
            position = source.find(word, position + 1)
    return False
