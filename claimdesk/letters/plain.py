"""A letter template as paragraphs a person can edit without template syntax.

A template's lines are cut into segments that, joined, give back the file byte for byte:
  * text: a paragraph of words and fields, shown with each ``{{ field }}`` as «Its label»;
  * optional text: the same inside ``{% if %}`` lines, shown with the condition in words;
  * fixed: a paragraph with loops or logic in it, left to the advanced (template code) editor;
  * structure: what a reader does not need to see (block and if lines, comments, blank lines).
An edited paragraph is turned back into template text: each «label» becomes its field again
(with the filters it had in that paragraph), and a «label» that is no field is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from jinja2 import Environment, TemplateSyntaxError
from jinja2 import nodes as jn

from claimdesk.errors import ValidationError

SegmentKind = Literal["text", "fixed", "structure"]
OPEN, CLOSE = "«", "»"

# What each field a letter uses is called on screen. Keys are the context's field paths
# (claimdesk/services/letter_context.py); the voice words are set by the layout _letter.jinja.
FIELD_LABELS: dict[str, str] = {
    "today": "Today's date",
    "claimant.name": "Claimant's name",
    "claimant.first_name": "Claimant's first name",
    "claimant.address": "Claimant's address",
    "claimant.phone": "Claimant's phone",
    "claimant.email": "Claimant's email",
    "claimant.birth_date": "Claimant's date of birth",
    "claim.case_number": "Case number",
    "claim.insurer_claim_number": "Insurer's claim number",
    "claim.type_label": "Kind of claim",
    "claim.clinical_area_label": "Clinical area",
    "claim.disputed_service": "Disputed service",
    "claim.amount": "Amount claimed",
    "claim.denial_letter_date": "Date of the denial letter",
    "claim.denial_received_date": "Date the denial was received",
    "claim.denial_reason": "Reason given for the denial",
    "claim.denial_category_label": "Kind of denial",
    "claim.reviewer_name": "Insurer's reviewer",
    "claim.reviewer_credentials": "Reviewer's credentials",
    "claim.criteria_cited": "Criteria the insurer cited",
    "claim.stage": "Stage of the case",
    "plan.name": "Plan's name",
    "plan.type_label": "Kind of plan",
    "plan.policy_number": "Policy number",
    "plan.group_number": "Group number",
    "plan.member_id": "Member ID",
    "plan.country_name": "Plan's country",
    "plan.region": "Plan's state or region",
    "insurer.name": "Insurer's name",
    "insurer.address": "Insurer's address",
    "insurer.phone": "Insurer's phone",
    "insurer.fax": "Insurer's fax",
    "insurer.email": "Insurer's email",
    "administrator.name": "Plan administrator's name",
    "administrator.address": "Plan administrator's address",
    "recipient.name": "Addressee's name",
    "recipient.address": "Addressee's address",
    "recipient.fax": "Addressee's fax",
    "recipient.email": "Addressee's email",
    "sender.name": "Sender's name",
    "sender.role": "Sender's role",
    "sender.organisation": "Sender's organisation",
    "sender.address": "Sender's address",
    "sender.phone": "Sender's phone",
    "sender.email": "Sender's email",
    "opinion.status": "Second opinion's status",
    "opinion.examined_on": "Date the specialist examined the claimant",
    "opinion.briefed_on": "Date the specialist was briefed",
    "opinion.report_received_on": "Date of the specialist's report",
    "opinion.conclusion": "Specialist's conclusion",
    "opinion.guidelines_cited": "Guidelines the specialist cited",
    "opinion.cpt_code": "Procedure code (CPT)",
    "opinion.specialist.name": "Specialist's name",
    "opinion.specialist.credentials": "Specialist's credentials",
    "opinion.specialist.specialty": "Specialist's specialty",
    "opinion.specialist.subspecialty": "Specialist's subspecialty",
    "opinion.specialist.board_certification": "Specialist's board certification",
    "opinion.specialist.certification_body": "Specialist's certifying body",
    "opinion.specialist.institution": "Specialist's institution",
    "opinion.specialist.address": "Specialist's address",
    "opinion.specialist.phone": "Specialist's phone",
    "opinion.specialist.fax": "Specialist's fax",
    "opinion.specialist.email": "Specialist's email",
    "ime.exam_date": "Date of the insurer's examination",
    "ime.examiner_name": "Insurer's examiner",
    "ime.examiner_specialty": "Insurer's examiner's specialty",
    "ime.report_received_on": "Date the examination report arrived",
    "call.date": "Date of the call",
    "call.time": "Time of the call",
    "call.organisation": "Organisation called",
    "call.person_name": "Person spoken to",
    "call.reference": "Call reference",
    "call.summary": "What was said on the call",
    "next_deadline.title": "Next time limit",
    "next_deadline.due_on": "Date of the next time limit",
    "next_deadline.citation": "Rule behind the next time limit",
    "rights.records_citation": "Rule giving the right to the records",
    # The letter's voice: an office writes "we ... our client", a claimant "I ... me".
    "we": "we (or I)",
    "We": "We (or I)",
    "our": "our (or my)",
    "us": "us (or me)",
    "client_s": "our client's (or my)",
    "Client_s": "Our client's (or My)",
    "client_obj": "our client (or me)",
    "client_subj": "our client (or I)",
    "authorisation": "authorisation (authorization in the US)",
}

# The start of a label for a field of a record the table above does not list.
_OWNERS = {
    "claimant": "Claimant's",
    "claim": "Claim's",
    "plan": "Plan's",
    "insurer": "Insurer's",
    "administrator": "Plan administrator's",
    "recipient": "Addressee's",
    "sender": "Sender's",
    "opinion": "Second opinion's",
    "opinion.specialist": "Specialist's",
    "ime": "Insurer's examination's",
    "call": "Call's",
    "next_deadline": "Next time limit's",
}

# Conditions in words: (when true, when false).
_CONDITIONS: dict[str, tuple[str, str]] = {
    "sender.on_behalf": (
        "an office writes on the claimant's behalf",
        "the claimant writes the letter themselves",
    ),
    "opinion.examined": (
        "the specialist examined the claimant",
        "the specialist did not examine the claimant",
    ),
    "opinion": ("a second opinion is chosen for the letter", "no second opinion is chosen"),
    "opinion.report_is_full": (
        "the specialist's report is a full report",
        "the specialist's report is not a full report",
    ),
    "plan.erisa": ("the plan is governed by ERISA", "the plan is not governed by ERISA"),
    "rights.erisa": ("the plan is governed by ERISA", "the plan is not governed by ERISA"),
    "claim.urgent": ("the claim is urgent", "the claim is not urgent"),
    "claim.clinical_dispute": (
        "the denial turns on a clinical judgment",
        "the denial does not turn on a clinical judgment",
    ),
    "rights.records_free_of_charge": (
        "the claimant has a right to free copies of the records",
        "the claimant has no right to free copies of the records",
    ),
    "call.refused": ("the insurer refused something on the call", "nothing was refused"),
    "insurer": ("the insurer is known", "the insurer is not known"),
    "recipient": ("the addressee is known", "the addressee is not known"),
    "enclosures": ("there are enclosures", "there are no enclosures"),
    "next_deadline": ("a time limit is coming up", "no time limit is coming up"),
    "ime": (
        "the insurer's medical examination is recorded",
        "no insurer's medical examination is recorded",
    ),
    "call": ("a call is chosen for the letter", "no call is chosen"),
}
_VALUES = {
    ("plan.country", "US"): "the plan is in the United States",
    ("claim.type", "disability"): "the claim is for disability benefits",
    ("claim.type", "health"): "the claim is for health care",
    ("claim.type", "long_term_care"): "the claim is for long-term care",
}

_LINES = re.compile(r"[^\n]*\n|[^\n]+")
_TAG = re.compile(r"\{%[-+]?\s*(\w+)(.*?)[-+]?%\}", re.S)
_OUTPUT = re.compile(r"\{\{[-+]?(.*?)[-+]?\}\}", re.S)
_SIMPLE_FIELD = re.compile(r"\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*((?:\|\s*[A-Za-z_]\w*\s*)*)")
_LABEL = re.compile(OPEN + r"([^" + OPEN + CLOSE + r"\n]*)" + CLOSE)
_SET_ALIAS = re.compile(r"\{%-?\s*set\s+([A-Za-z_]\w*)\s*=\s*([A-Za-z_]\w*(?:\.\w+)*)\s*-?%\}")
# Tags that open a part closed by an end tag, and those hidden from a reader.
_PAIRED = {"if", "for", "block", "macro", "call", "filter", "raw", "with", "autoescape", "trans"}
_HIDDEN = {"extends", "set", "import", "from"}
_PARSER = Environment()


class PlainTextError(ValidationError):
    """An edited paragraph that cannot be turned back into the template."""


@dataclass(frozen=True)
class Segment:
    """A piece of the template: ``source`` exactly as in the file, ``text`` as a person sees it."""

    kind: SegmentKind
    source: str
    text: str = ""
    # "Only when …" for a paragraph inside an {% if %}; empty for one always printed.
    condition: str = ""
    block: str = ""
    # A paragraph inside a one-line block (the subject) stays on one line.
    inline: bool = False
    # The fields as they were written in this paragraph: (label, the {{ … }} text).
    fields: tuple[tuple[str, str], ...] = ()

    @property
    def editable(self) -> bool:
        return self.kind == "text"

    @property
    def visible(self) -> bool:
        return self.kind != "structure"


@dataclass(frozen=True)
class PlainTemplate:
    """A template cut into segments; ``source()`` joins them back."""

    segments: tuple[Segment, ...]
    # label -> the field's expression, for every field the user may insert.
    fields: dict[str, str]
    # Short names the template sets for a record ({% set s = opinion.specialist %}).
    aliases: dict[str, str]

    def source(self) -> str:
        return "".join(segment.source for segment in self.segments)

    def paragraphs(self) -> list[tuple[int, Segment]]:
        """The segments a person sees, with their index."""
        return [(i, s) for i, s in enumerate(self.segments) if s.visible]

    def edit(self, index: int, text: str) -> PlainTemplate:
        """The template with paragraph ``index`` reworded (PlainTextError if it cannot be)."""
        segment = self.segments[index]
        if not segment.editable:
            raise PlainTextError(
                "This paragraph has template logic in it: change it in Advanced (template code)."
            )
        if text == segment.text:
            return self
        source = to_source(text, segment, self.fields)
        shown = _shown(source, _LabelMaker(self.aliases))
        if shown is None:  # cannot happen: to_source writes only words and known fields
            raise PlainTextError("This wording cannot be kept as a plain paragraph.")
        changed = replace(segment, source=source, text=shown[0], fields=shown[1])
        segments = list(self.segments)
        segments[index] = changed
        return replace(self, segments=tuple(segments))


def field_labels() -> dict[str, str]:
    """Label -> field expression, in the order the Insert field list shows them."""
    return {label: path for path, label in FIELD_LABELS.items()}


def parse_template(source: str) -> PlainTemplate:
    """Cut a template into segments (joined, they give ``source`` back unchanged)."""
    aliases = {
        name: target for name, target in _SET_ALIAS.findall(source) if name not in FIELD_LABELS
    }
    labels = _LabelMaker(aliases)
    units = _units(source)
    segments = _Parser(units, labels).parse(0, len(units), "", ())
    fields = field_labels()
    for segment in segments:
        for label, token in segment.fields:
            simple = _SIMPLE_FIELD.fullmatch(token[2:-2].strip("-+"))
            if label not in fields and simple:
                fields[label] = labels.path(simple.group(1))
    return PlainTemplate(tuple(segments), fields, aliases)


def to_source(text: str, segment: Segment, fields: dict[str, str]) -> str:
    """An edited paragraph as template text; refused with a plain message when it cannot be."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    for opener in ("{{", "{%", "{#"):
        if opener in text:
            raise PlainTextError(
                f"“{opener}” belongs to template code. Write the words only and put fields in "
                "with Insert field, or change the code in Advanced (template code)."
            )
    stray = re.sub(_LABEL, "", text)
    if OPEN in stray or CLOSE in stray:
        raise PlainTextError(
            "A field must be written «like this», with both marks: one « or » has no partner. "
            "Insert fields from the Insert field list."
        )
    if segment.inline:
        text = " ".join(line.strip() for line in text.splitlines() if line.strip())
    used: dict[str, int] = {}
    pieces: list[str] = []
    position = 0
    for match in _LABEL.finditer(text):
        label = match.group(1).strip()
        pieces.append(text[position : match.start()])
        position = match.end()
        written = [token for name, token in segment.fields if name == label]
        if written:
            count = used.get(label, 0)
            used[label] = count + 1
            pieces.append(written[min(count, len(written) - 1)])
        elif label in fields:
            pieces.append("{{ " + fields[label] + " }}")
        else:
            raise PlainTextError(
                f"«{label}» is not a field ClaimDesk knows. Choose the field from the Insert "
                "field list, or write the words without « »."
            )
    pieces.append(text[position:])
    result = "".join(pieces)
    if not result.strip():
        return ""
    return result + ("\n" if segment.source.endswith("\n") else "")


# Cutting the source


@dataclass(frozen=True)
class _Unit:
    """One line (or several, when a tag or comment runs over lines) of the template."""

    text: str
    kind: Literal["blank", "comment", "tag", "content"]
    tag: str = ""
    argument: str = ""


def _depth_change(text: str) -> int:
    change = 0
    for match in _TAG.finditer(text):
        name = match.group(1)
        if name in _PAIRED:
            change += 1
        elif name.startswith("end") and name[3:] in _PAIRED:
            change -= 1
    return change


def _open_count(text: str) -> int:
    return sum(text.count(a) - text.count(b) for a, b in (("{%", "%}"), ("{{", "}}"), ("{#", "#}")))


def _units(source: str) -> list[_Unit]:
    lines = _LINES.findall(source)
    raw: list[str] = []
    i = 0
    while i < len(lines):
        text = lines[i]
        i += 1
        # A tag, field or comment running over several lines stays in one unit.
        while _open_count(text) > 0 and i < len(lines):
            text += lines[i]
            i += 1
        raw.append(text)
    # A line opening an {% if %} that a later line closes keeps them together.
    merged: list[str] = []
    i = 0
    while i < len(raw):
        text = raw[i]
        i += 1
        if not _whole_tag(text) and _depth_change(text) > 0:
            while _depth_change(text) > 0 and i < len(raw):
                text += raw[i]
                i += 1
            merged.append("\0" + text)  # marked: logic across lines
        else:
            merged.append(text)
    units = []
    for text in merged:
        if text.startswith("\0"):
            units.append(_Unit(text[1:], "content", tag="logic"))
            continue
        stripped = text.strip()
        tag = _whole_tag(text)
        if not stripped:
            units.append(_Unit(text, "blank"))
        elif stripped.startswith("{#") and stripped.endswith("#}") and stripped.count("#}") == 1:
            units.append(_Unit(text, "comment"))
        elif tag is not None:
            units.append(_Unit(text, "tag", tag[0], tag[1]))
        else:
            units.append(_Unit(text, "content"))
    return units


def _whole_tag(text: str) -> tuple[str, str] | None:
    """(name, argument) when the unit is one {% tag %} and nothing else."""
    stripped = text.strip()
    match = _TAG.fullmatch(stripped)
    if match is None or stripped.count("{%") != 1:
        return None
    return match.group(1), match.group(2).strip()


class _Parser:
    def __init__(self, units: list[_Unit], labels: _LabelMaker) -> None:
        self.units = units
        self.labels = labels

    def parse(self, start: int, end: int, block: str, conditions: tuple[str, ...]) -> list[Segment]:
        segments: list[Segment] = []
        i = start
        while i < end:
            unit = self.units[i]
            if unit.kind in ("blank", "comment") or (unit.kind == "tag" and unit.tag in _HIDDEN):
                segments.append(Segment("structure", unit.text, block=block))
                i += 1
            elif unit.kind == "tag" and unit.tag == "block":
                close = self._matching(i, end)
                segments.append(Segment("structure", unit.text, block=block))
                name = unit.argument.split()[0] if unit.argument else ""
                segments += self.parse(i + 1, close, name, conditions)
                if close < end:
                    segments.append(Segment("structure", self.units[close].text, block=name))
                i = close + 1
            elif unit.kind == "tag" and unit.tag == "if":
                close = self._matching(i, end)
                segments += self._conditional(i, close, end, block, conditions)
                i = close + 1
            elif unit.kind == "tag" and unit.tag in _PAIRED:
                close = min(self._matching(i, end), end - 1)
                segments.append(self._fixed(i, close + 1, block, conditions))
                i = close + 1
            elif unit.kind == "tag":
                segments.append(self._fixed(i, i + 1, block, conditions))
                i += 1
            else:
                stop = i
                while stop < end and self.units[stop].kind == "content":
                    stop += 1
                segments += self._paragraph(i, stop, block, conditions)
                i = stop
        return segments

    def _matching(self, start: int, end: int) -> int:
        """The unit closing the paired tag at ``start`` (``end`` when none does)."""
        depth = 0
        for i in range(start, end):
            unit = self.units[i]
            if unit.kind != "tag":
                continue
            if unit.tag in _PAIRED:
                depth += 1
            elif unit.tag.startswith("end") and unit.tag[3:] in _PAIRED:
                depth -= 1
                if depth == 0:
                    return i
        return end

    def _conditional(
        self, start: int, close: int, end: int, block: str, conditions: tuple[str, ...]
    ) -> list[Segment]:
        if close >= end:
            return [self._fixed(start, end, block, conditions)]
        # The branches: (unit index of the if/elif/else line, its condition in words).
        heads: list[int] = [start]
        depth = 0
        for i in range(start + 1, close):
            unit = self.units[i]
            if unit.kind != "tag":
                continue
            if unit.tag in _PAIRED:
                depth += 1
            elif unit.tag.startswith("end") and unit.tag[3:] in _PAIRED:
                depth -= 1
            elif depth == 0 and unit.tag in ("elif", "else"):
                heads.append(i)
        words = _branch_words([self.units[h] for h in heads], self.labels)
        if words is None:
            return [self._fixed(start, close + 1, block, conditions)]
        segments: list[Segment] = []
        for number, head in enumerate(heads):
            stop = heads[number + 1] if number + 1 < len(heads) else close
            segments.append(Segment("structure", self.units[head].text, block=block))
            segments += self.parse(head + 1, stop, block, (*conditions, words[number]))
        segments.append(Segment("structure", self.units[close].text, block=block))
        return segments

    def _fixed(self, start: int, stop: int, block: str, conditions: tuple[str, ...]) -> Segment:
        source = "".join(unit.text for unit in self.units[start:stop])
        return Segment(
            "fixed", source, _readable(source, self.labels), _only_when(conditions), block
        )

    def _paragraph(
        self, start: int, stop: int, block: str, conditions: tuple[str, ...]
    ) -> list[Segment]:
        source = "".join(unit.text for unit in self.units[start:stop])
        inline = _INLINE_BLOCK.fullmatch(source)
        if inline and stop - start == 1:
            name = inline.group(2)
            opening, inner, closing = inline.group(1), inline.group(3), inline.group(4)
            if not inner:
                return [Segment("structure", source, block=name)]
            inner_segment = self._plain(inner, name, conditions, inline=True)
            return [
                Segment("structure", opening, block=name),
                inner_segment,
                Segment("structure", closing, block=name),
            ]
        if any(unit.tag == "logic" for unit in self.units[start:stop]):
            return [self._fixed(start, stop, block, conditions)]
        return [self._plain(source, block, conditions)]

    def _plain(
        self, source: str, block: str, conditions: tuple[str, ...], inline: bool = False
    ) -> Segment:
        shown = _shown(source, self.labels)
        if shown is None:
            return Segment(
                "fixed",
                source,
                _readable(source, self.labels),
                _only_when(conditions),
                block,
                inline,
            )
        text, fields = shown
        return Segment("text", source, text, _only_when(conditions), block, inline, fields)


_INLINE_BLOCK = re.compile(
    r"(\{%-?\s*block\s+(\w+)\s*-?%\})(.*?)(\{%-?\s*endblock(?:\s+\w+)?\s*-?%\}[ \t]*\n?)", re.S
)


class _LabelMaker:
    """Readable labels for field expressions."""

    def __init__(self, aliases: dict[str, str]) -> None:
        self.aliases = aliases

    def path(self, expression: str) -> str:
        head, _, rest = expression.partition(".")
        if head in self.aliases:
            return self.aliases[head] + ("." + rest if rest else "")
        return expression

    def label(self, path: str) -> str | None:
        path = self.path(path)
        if path in FIELD_LABELS:
            return FIELD_LABELS[path]
        owner, _, name = path.rpartition(".")
        if owner in _OWNERS and "." not in name:
            return f"{_OWNERS[owner]} {name.replace('_', ' ')}"
        return None


def _shown(source: str, labels: _LabelMaker) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """The paragraph with «labels» for its fields, or None when it holds more than fields."""
    if "{%" in source or "{#" in source or OPEN in source or CLOSE in source:
        return None
    fields: list[tuple[str, str]] = []
    pieces: list[str] = []
    position = 0
    for match in _OUTPUT.finditer(source):
        simple = _SIMPLE_FIELD.fullmatch(match.group(1))
        if simple is None:
            return None
        label = labels.label(simple.group(1))
        if label is None:
            return None
        pieces.append(source[position : match.start()])
        pieces.append(f"{OPEN}{label}{CLOSE}")
        fields.append((label, match.group(0)))
        position = match.end()
    pieces.append(source[position:])
    text = "".join(pieces)
    if "}}" in text or "%}" in text or "#}" in text:
        return None
    return text.removesuffix("\n"), tuple(fields)


def _readable(source: str, labels: _LabelMaker) -> str:
    """A fixed part as a reader might glance at it: fields as «labels», logic as …"""

    def field(match: re.Match[str]) -> str:
        simple = _SIMPLE_FIELD.fullmatch(match.group(1))
        label = labels.label(simple.group(1)) if simple else None
        return f"{OPEN}{label or '…'}{CLOSE}"

    def logic(match: re.Match[str]) -> str:
        # Words printed only sometimes are shown [in brackets], alternatives split by |.
        return {"if": "[", "elif": " | ", "else": " | ", "endif": "]"}.get(match.group(1), "")

    text = _OUTPUT.sub(field, source)
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
    text = _TAG.sub(logic, text)
    lines = [line.rstrip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line.strip())


# Conditions in words


def _only_when(conditions: tuple[str, ...]) -> str:
    if not conditions:
        return ""
    return "Only when " + ", and when ".join(conditions)


def _branch_words(heads: list[_Unit], labels: _LabelMaker) -> list[str] | None:
    """Words for each branch of an if/elif/else, or None if a condition has no words."""
    words: list[str] = []
    negatives: list[str] = []
    for head in heads:
        if head.tag == "else":
            if len(negatives) == 1:
                words.append(negatives[0])
            else:
                words.append("none of the cases above applies")
            continue
        node = _condition_node(head.argument)
        if node is None:
            return None
        positive = _words(node, labels, True)
        negative = _words(node, labels, False)
        if positive is None or negative is None:
            return None
        words.append(positive if head.tag == "if" else f"{positive} (and not the case above)")
        negatives.append(negative)
    return words


def _condition_node(expression: str) -> jn.Expr | None:
    try:
        template = _PARSER.parse("{% if " + expression + " %}{% endif %}")
    except TemplateSyntaxError:
        return None
    statement = template.body[0]
    if isinstance(statement, jn.If) and isinstance(statement.test, jn.Expr):
        return statement.test
    return None


def _node_path(node: jn.Node) -> str | None:
    if isinstance(node, jn.Name):
        return node.name
    if isinstance(node, jn.Getattr):
        owner = _node_path(node.node)
        return f"{owner}.{node.attr}" if owner else None
    return None


def _words(node: jn.Node, labels: _LabelMaker, truth: bool) -> str | None:
    if isinstance(node, jn.Not):
        return _words(node.node, labels, not truth)
    if isinstance(node, (jn.And, jn.Or)):
        left = _words(node.left, labels, truth)
        right = _words(node.right, labels, truth)
        if left is None or right is None:
            return None
        joined_and = isinstance(node, jn.And) == truth
        return f"{left} {'and' if joined_and else 'or'} {right}"
    path = _node_path(node)
    if path is not None:
        path = labels.path(path)
        if path in _CONDITIONS:
            return _CONDITIONS[path][0 if truth else 1]
        label = labels.label(path)
        if label is None:
            return None
        what = "the " + label[0].lower() + label[1:]
        return f"the case {'has' if truth else 'does not have'} {what}"
    if isinstance(node, jn.Compare) and len(node.ops) == 1:
        left = _node_path(node.expr)
        operand = node.ops[0]
        if left is None or not isinstance(operand.expr, jn.Const):
            return None
        if operand.op not in ("eq", "ne"):
            return None
        left = labels.path(left)
        value = operand.expr.value
        equal = (operand.op == "eq") == truth
        known = _VALUES.get((left, str(value)))
        if known is not None:
            return known if equal else known.replace(" is ", " is not ", 1)
        label = labels.label(left) or left.rsplit(".", 1)[-1].replace("_", " ")
        what = "the " + label[0].lower() + label[1:]
        return f"{what} is {'' if equal else 'not '}“{value}”"
    return None
