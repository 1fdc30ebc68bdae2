"""The small text markup a rendered template is written in, parsed into blocks both writers share.

A blank line ends a paragraph and each line inside one is a line break, so an address is
written as it looks. ``# `` is the letter's subject, ``## `` a section heading, ``- `` a
bullet, ``1. `` a numbered item, ``> `` a quotation, ``**bold**`` and ``*italic*`` inline,
and a backslash takes the next character literally. Values from the case are escaped before
they reach this parser, so a denial reason can never turn itself into markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "subheading", "paragraph", "bullet", "number", "quote"]

_NUMBERED = re.compile(r"^\d+[.)] ")


@dataclass(frozen=True)
class Run:
    """A stretch of text in one style; a line break is a run whose text is '\\n'."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    runs: tuple[Run, ...]
    # Numbered items restart at 1 after anything that is not a numbered item.
    number: int = 0

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass
class _Builder:
    blocks: list[Block] = field(default_factory=list)
    kind: BlockKind | None = None
    lines: list[str] = field(default_factory=list)

    def flush(self) -> None:
        if self.kind is not None and self.lines:
            self.blocks.append(Block(self.kind, parse_inline("\n".join(self.lines))))
        self.kind, self.lines = None, []

    def start(self, kind: BlockKind, line: str) -> None:
        self.flush()
        self.kind, self.lines = kind, [line]


def escape(text: str) -> str:
    """Text that renders exactly as written (for values inserted into a template)."""
    out = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = line.replace("\\", "\\\\").replace("*", "\\*")
        stripped = line.lstrip()
        if stripped[:1] in ("#", "-", ">") or _NUMBERED.match(stripped):
            indent = len(line) - len(stripped)
            line = line[:indent] + "\\" + stripped
        out.append(line)
    return "\n".join(out)


def parse(text: str) -> list[Block]:
    """Blocks from the markup a template rendered."""
    builder = _Builder()
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        stripped = line.lstrip()
        if not stripped:
            builder.flush()
            continue
        if stripped.startswith("## "):
            builder.start("subheading", stripped[3:].strip())
            builder.flush()
        elif stripped.startswith("# "):
            builder.start("heading", stripped[2:].strip())
            builder.flush()
        elif stripped.startswith("- "):
            builder.start("bullet", stripped[2:].strip())
        elif _NUMBERED.match(stripped):
            builder.start("number", stripped.split(" ", 1)[1].strip())
        elif stripped.startswith("> ") or stripped == ">":
            quoted = stripped[2:] if stripped.startswith("> ") else ""
            if builder.kind == "quote":
                builder.lines.append(quoted)
            else:
                builder.start("quote", quoted)
        elif builder.kind is None:
            builder.start("paragraph", stripped)
        else:
            # A line under a list item or quotation continues it.
            builder.lines.append(stripped)
    builder.flush()
    return _renumber(builder.blocks)


def _renumber(blocks: list[Block]) -> list[Block]:
    """Numbered lists count from 1 again after any block that is not one of their items."""
    out: list[Block] = []
    count = 0
    for block in blocks:
        if block.kind == "number":
            count += 1
            out.append(Block("number", block.runs, count))
        else:
            count = 0
            out.append(block)
    return out


def parse_inline(text: str) -> tuple[Run, ...]:
    """Runs from one block's text: **bold**, *italic*, backslash escapes and line breaks."""
    runs: list[Run] = []
    buffer: list[str] = []
    bold = italic = False

    def emit() -> None:
        if buffer:
            runs.append(Run("".join(buffer), bold, italic))
            buffer.clear()

    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            buffer.append(text[i + 1])
            i += 2
            continue
        if text.startswith("**", i):
            emit()
            bold = not bold
            i += 2
            continue
        if char == "*":
            emit()
            italic = not italic
            i += 1
            continue
        if char == "\n":
            emit()
            runs.append(Run("\n", bold, italic))
            i += 1
            continue
        buffer.append(char)
        i += 1
    emit()
    return tuple(runs)


def plain_text(blocks: list[Block]) -> str:
    """What a reader sees, one block a paragraph (for previews, checks and tests)."""
    lines = []
    for block in blocks:
        marks = {"bullet": "• ", "number": f"{block.number}. ", "quote": "    "}
        prefix = marks.get(block.kind, "")
        lines.append(prefix + block.text)
    return "\n\n".join(lines)
