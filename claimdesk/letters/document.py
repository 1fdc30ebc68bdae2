"""A letter ready to be written out: its blocks plus what goes around them on the page."""

from __future__ import annotations

import re
from dataclasses import dataclass

from claimdesk.letters.markup import Block

_CLOSING = re.compile(
    r"^(sincerely|yours (faithfully|sincerely|truly)|kind regards|regards|respectfully"
    r"( yours)?|with thanks|thank you)[,.]?$",
    re.I,
)


@dataclass(frozen=True)
class LetterDocument:
    title: str
    blocks: tuple[Block, ...]
    # The letterhead: whoever the letter is from (an office, or the claimant).
    sender_name: str
    sender_lines: tuple[str, ...]
    # 'Claimant name · claim number', printed small on every page after the first.
    running_head: str
    # US letters go on Letter paper, everyone else's on A4.
    letter_paper: bool = False


def is_closing(block: Block) -> bool:
    """'Sincerely,' and its kin: a signature needs room below them."""
    return block.kind == "paragraph" and bool(_CLOSING.match(block.text.strip()))


def sign_off(blocks: tuple[Block, ...]) -> slice | None:
    """The blocks that must share a page: the last paragraph, the closing and the signature.

    A second page holding only "Yours faithfully" and a name looks like a mistake and
    detaches the signature from what it signs, so the paragraph before it travels with it.
    """
    closing = next((i for i in range(len(blocks) - 1, -1, -1) if is_closing(blocks[i])), None)
    if closing is None:
        return None
    start = closing - 1 if closing > 0 else closing
    end = closing + 2 if closing + 1 < len(blocks) else closing + 1
    return slice(start, end)
