"""A denial letter's fields found in its text by rules kept as data (resources/intake/rules.json).

Each field found says where it was read (page, line, box on the page image) and how sure the
reading is, so the person confirming it can see the words it came from. Nothing is guessed
beyond what a rule says: a field no rule finds stays empty.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from claimdesk.ocr.engine import Line

FIELDS = (
    "letter_date",
    "insurer",
    "claim_number",
    "member_id",
    "group_number",
    "policy_number",
    "patient_name",
    "service",
    "reason",
    "denial_category",
    "reviewer",
    "reviewer_credentials",
    "criteria",
    "appeal_deadline_days",
    "appeal_window",
    "plan_type",
    "jurisdiction",
)

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_TITLES = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Shri|Smt|Sri)\.?\s+", re.IGNORECASE)
_NAME = re.compile(r"^[A-Z][a-zA-Z'\-]+(?: [A-Z]\.)?(?: [A-Z][a-zA-Z'\-]+){1,3}$")
# What a scanner's specks and a page's edge add around a line: a lone symbol before or after.
_EDGE_JUNK = re.compile(
    r"^(?:[|»«>©®•·*~°¬_\\'‘’`.,:;\-]\s*)+(?=\w)|(?:\s*[|»«>©®•·*~°¬_'‘’`\\])+$"
)
# A speck read as a mark before a word in a value ("Brooks, -MD"): ids keep their inner dashes.
_SPECK_BEFORE_WORD = re.compile(r"(?<=\s)[\-‘’'_.,`]+(?=[A-Za-z])")


@dataclass(frozen=True)
class Where:
    page: int  # from 1
    line: int  # index in the page's lines (the first, when it runs over several)
    box: tuple[int, int, int, int]  # on the page image; every line's, when several
    lines: int = 1
    span: tuple[float, float] | None = None  # the part of a long line that matters (0-1)


@dataclass(frozen=True)
class Found:
    value: Any
    confidence: float  # 0-1
    where: Where | None = None


@dataclass(frozen=True)
class PageLines:
    number: int
    lines: list[Line]


@cache
def _bundled_rules() -> dict[str, Any]:
    from claimdesk.paths import resources_dir

    loaded: dict[str, Any] = json.loads(
        (resources_dir() / "intake" / "rules.json").read_text(encoding="utf-8")
    )
    return loaded


def load_rules(data_dir: Path | None = None) -> dict[str, Any]:
    """The office's rules when it keeps its own (<data folder>/intake/rules.json), else ours."""
    if data_dir is not None:
        office = data_dir / "intake" / "rules.json"
        if office.is_file():
            try:
                loaded: dict[str, Any] = json.loads(office.read_text(encoding="utf-8"))
                return loaded
            except (OSError, ValueError):
                pass  # a broken copy: the bundled rules still read letters
    return _bundled_rules()


# A token that is only a mark no letter prints on its own: a speck read as a character.
_SPECK_TOKEN = re.compile(r"(?<=\s)[°|»«·•~¬¦^]+(?=\s)")


def clean(text: str) -> str:
    return (
        _EDGE_JUNK.sub("", _SPECK_TOKEN.sub("", " ".join(text.split()))).strip().replace("  ", " ")
    )


def clean_value(text: str) -> str:
    """A label's value or a name: specks before words and a stray end mark dropped."""
    return _SPECK_BEFORE_WORD.sub("", clean(text)).rstrip(" :;,")


class _Text:
    """The letter's lines in reading order, and the body as one string for sentences."""

    def __init__(self, pages: list[PageLines]) -> None:
        self.lines: list[tuple[str, float, Where]] = []
        for page in pages:
            for index, line in enumerate(page.lines):
                text = clean(line.text)
                if text:
                    self.lines.append(
                        (text, line.confidence / 100, Where(page.number, index, line.box))
                    )
        self.all = "\n".join(text for text, _, _ in self.lines)
        # Sentences may run across lines (and OCR blocks): one string, each character's line.
        pieces: list[str] = []
        self.owner: list[int] = []
        for number, (text, _, _) in enumerate(self.lines):
            if pieces and pieces[-1].endswith("-") and text[:1].islower():
                pieces[-1] = pieces[-1][:-1]
                self.owner.pop()
            elif pieces:
                pieces.append(" ")
                self.owner.append(number)
            pieces.append(text)
            self.owner.extend([number] * len(text))
        self.flat = "".join(pieces)


def extract(pages: list[PageLines], rules: dict[str, Any]) -> dict[str, Found | None]:
    """Every field of FIELDS: what the rules found, or None."""
    text = _Text(pages)
    found: dict[str, Found | None] = dict.fromkeys(FIELDS)
    labelled = _labelled(text, rules)
    country, region, country_where = _jurisdiction(text, rules)
    for name in ("claim_number", "member_id", "group_number", "policy_number"):
        hit = labelled.get(name)
        if hit is not None:
            match = re.match(rules["identifier"], hit.value.upper())
            if match and any(ch.isdigit() for ch in match.group()):
                value = hit.value[: match.end()].rstrip(".-/")
                found[name] = Found(value, hit.confidence, hit.where)
    for name in ("service", "criteria"):
        hit = labelled.get(name)
        if hit is not None and len(hit.value) > 2:
            found[name] = Found(hit.value.rstrip(". "), hit.confidence, hit.where)
    found["patient_name"] = _patient(text, labelled.get("patient_name"))
    found["letter_date"] = _letter_date(text, labelled.get("letter_date"), country, rules)
    found["insurer"] = _insurer(text, rules)
    found["reason"] = _reason(text, rules)
    found["denial_category"] = _category(found["reason"], rules)
    reviewer, credentials = _reviewer(text, rules)
    found["reviewer"], found["reviewer_credentials"] = reviewer, credentials
    found["appeal_deadline_days"], found["appeal_window"] = _appeal(text, rules)
    if country:
        jurisdiction = f"{country}-{region}" if region else country
        found["jurisdiction"] = Found(jurisdiction, 0.7, country_where)
        found["plan_type"] = _plan_type(text, country, rules, country_where)
    return found


def _key(label: str) -> str:
    return re.sub(r"[^a-z0-9#]", "", label.casefold())


def _label_pattern(rules: dict[str, Any]) -> tuple[re.Pattern[str], dict[str, str]]:
    owner: dict[str, str] = {}
    labels: list[str] = []
    for name, given in rules["labels"].items():
        for label in given:
            if _key(label) not in owner:
                owner[_key(label)] = name
                labels.append(label)
    # Between a label's words a scan may add a speck ("Claim .Number").
    alternatives = "|".join(
        re.escape(label).replace(r"\ ", r"\s*[.,'‘’`\-]?\s*").replace(r"\.", r"\.?")
        for label in sorted(labels, key=len, reverse=True)
    )
    # A label starts the line or follows a gap; its colon (or #, or a dash) ends it.
    pattern = re.compile(
        rf"(?:^|(?<=\s))(?P<label>{alternatives})\s*(?::|#|-|\s(?=[A-Z0-9]))[\s.,'‘’`]*",
        re.IGNORECASE,
    )
    return pattern, owner


def _labelled(text: _Text, rules: dict[str, Any]) -> dict[str, Found]:
    pattern, owner = _label_pattern(rules)
    hits: dict[str, Found] = {}
    for line, confidence, where in text.lines:
        matches = [m for m in pattern.finditer(line) if m.start() == 0 or _after_value(line, m)]
        if not matches or matches[0].start() != 0:
            continue
        for index, match in enumerate(matches):
            end = matches[index + 1].start() if index + 1 < len(matches) else len(line)
            value = clean_value(line[match.end() : end])
            name = owner[_key(match.group("label"))]
            if value and name not in hits:
                hits[name] = Found(value, round(0.95 * confidence, 2), where)
    return hits


def _after_value(line: str, match: re.Match[str]) -> bool:
    """A label inside a line (two fields on one line) only with its colon or #: "Group Policy"
    inside a sentence is words, not a label."""
    return match.group().rstrip()[-1:] in (":", "#") and match.group("label")[:1].isupper()


def _patient(text: _Text, labelled: Found | None) -> Found | None:
    if labelled is not None:
        name = _TITLES.sub("", labelled.value)
        if _NAME.match(name):
            return Found(name, labelled.confidence, labelled.where)
    for line, confidence, where in text.lines:
        match = re.match(r"^Dear\s+(.+?)[,:]?$", line)
        if match:
            name = _TITLES.sub("", match.group(1).strip())
            if _NAME.match(name) and " " in name:
                return Found(name, round(0.7 * confidence, 2), where)
    return None


def parse_date(text: str, country: str, rules: dict[str, Any]) -> date | None:
    """The first date in ``text``, numeric ones read in the country's order."""
    order_of = {c: v.get("numeric_dates", "dmy") for c, v in rules["countries"].items()}
    for spec in rules["date_formats"]:
        for match in re.finditer(spec["pattern"], text):
            parts = match.groupdict()
            try:
                year = int(parts["y"])
                if "mon" in parts and parts["mon"] is not None:
                    month = _MONTHS.get(parts["mon"].lower().rstrip("."))
                    if month is None:
                        continue
                    day = int(parts["d"])
                elif spec["order"] == "country":
                    a, b = int(parts["a"]), int(parts["b"])
                    order = order_of.get(country, "mdy")
                    if a > 12 >= b:
                        order = "dmy"
                    elif b > 12 >= a:
                        order = "mdy"
                    month, day = (a, b) if order == "mdy" else (b, a)
                else:
                    month, day = int(parts["m"]), int(parts["d"])
                return date(year, month, day)
            except (ValueError, KeyError):
                continue
    return None


def _letter_date(
    text: _Text, labelled: Found | None, country: str, rules: dict[str, Any]
) -> Found | None:
    if labelled is not None:
        day = parse_date(labelled.value, country, rules)
        if day is not None:
            return Found(day, labelled.confidence, labelled.where)
    # Else a line that is only a date, near the top of the first page.
    for line, confidence, where in text.lines[:25]:
        day = parse_date(line, country, rules)
        if day is not None and len(line) <= 30:
            return Found(day, round(0.8 * confidence, 2), where)
    return None


def _insurer(text: _Text, rules: dict[str, Any]) -> Found | None:
    words = re.compile(r"\b(?:" + "|".join(rules["insurer_words"]) + r")\b")
    pattern, _ = _label_pattern(rules)
    for line, confidence, where in text.lines[:8]:
        if where.page != 1 or pattern.match(line) or re.search(r"\d", line):
            continue
        if words.search(line) and len(line) <= 70:
            return Found(
                line.rstrip(" .,") if not line.endswith("Ltd.") else line, 0.8 * confidence, where
            )
    # The signature block: the last line after "Sincerely" that names an insurer.
    for line, confidence, where in reversed(text.lines[-6:]):
        if words.search(line) and not re.search(r"\d", line) and len(line) <= 70:
            return Found(line.rstrip(" ,"), round(0.6 * confidence, 2), where)
    return None


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")


def _sentences(text: _Text) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for match in _SENTENCE_END.finditer(text.flat):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text.flat)))
    return spans


def _reason(text: _Text, rules: dict[str, Any]) -> Found | None:
    pattern, _ = _label_pattern(rules)
    labelled_lines = {n for n, (line, _, _) in enumerate(text.lines) if pattern.match(line)}
    spans = _sentences(text)
    for phrase in rules["reason_phrases"]:
        needle = phrase.casefold()
        for start, end in spans:
            sentence = text.flat[start:end]
            owner = text.owner[start] if start < len(text.owner) else 0
            if needle in sentence.casefold() and owner not in labelled_lines:
                if sentence.casefold().startswith(("if ", "you may", "you can", "you have")):
                    continue
                last = text.owner[min(end, len(text.owner)) - 1]
                return Found(
                    sentence.strip(),
                    round(0.9 * _lowest(text, owner, last), 2),
                    _across(text, owner, last),
                )
    return None


def _lowest(text: _Text, first: int, last: int) -> float:
    return min(confidence for _, confidence, _ in text.lines[first : last + 1])


def _across(text: _Text, first: int, last: int) -> Where:
    """Where a sentence running over lines ``first``..``last`` (of one page) stands."""
    where = text.lines[first][2]
    same_page = [w for _, _, w in text.lines[first : last + 1] if w.page == where.page]
    box = (
        min(w.box[0] for w in same_page),
        min(w.box[1] for w in same_page),
        max(w.box[2] for w in same_page),
        max(w.box[3] for w in same_page),
    )
    return Where(where.page, where.line, box, len(same_page))


def _category(reason: Found | None, rules: dict[str, Any]) -> Found | None:
    """The kind of denial the reason's words name (the person confirms it)."""
    if reason is None:
        return None
    words = str(reason.value).casefold()
    for category, phrases in rules["reason_categories"].items():
        if any(phrase.casefold() in words for phrase in phrases):
            return Found(category, round(0.8 * reason.confidence, 2), reason.where)
    return None


def _reviewer(text: _Text, rules: dict[str, Any]) -> tuple[Found | None, Found | None]:
    known = {c.casefold(): c for c in rules["credentials"]}
    for raw_line, confidence, where in text.lines:
        line = clean_value(raw_line)
        for raw in rules["reviewer_patterns"]:
            match = re.search(raw, line, re.IGNORECASE)
            if match is None or not match.group("name")[:1].isupper():
                continue
            name = match.group("name")
            credentials = []
            for token in (t.strip() for t in (match.group("rest") or "").split(",")):
                if token.casefold().rstrip(".") in known:
                    credentials.append(known[token.casefold().rstrip(".")])
                elif token:
                    break
            reviewer = Found(name, round(0.9 * confidence, 2), where)
            creds = (
                Found(", ".join(credentials), reviewer.confidence, where) if credentials else None
            )
            return reviewer, creds
    return None, None


def _appeal(text: _Text, rules: dict[str, Any]) -> tuple[Found | None, Found | None]:
    words = [w.casefold() for w in rules["appeal_words"]]
    numbers = rules["number_words"]
    window = re.compile(rules["appeal_window"], re.IGNORECASE)
    days: Found | None = None
    stated: Found | None = None
    for start, end in _sentences(text):
        sentence = text.flat[start:end]
        if not any(w in sentence.casefold() for w in words):
            continue
        _, confidence, where = text.lines[text.owner[min(start, len(text.owner) - 1)]]
        for match in window.finditer(sentence):
            amount = match.group("n").lower()
            count = int(amount) if amount.isdigit() else int(numbers.get(amount, 0))
            unit = match.group("unit").lower().rstrip("s")
            if stated is None:
                stated = Found(f"{match.group('n')} {match.group('unit')}", 0.8 * confidence, where)
            if days is None and unit in ("day", "week") and count:
                days = Found(
                    count * (7 if unit == "week" else 1), round(0.8 * confidence, 2), where
                )
        if days is not None:
            break
    return days, stated


def _jurisdiction(text: _Text, rules: dict[str, Any]) -> tuple[str, str, Where | None]:
    scores: dict[str, int] = {}
    for country, spec in rules["countries"].items():
        scores[country] = sum(1 for signal in spec["signals"] if re.search(signal, text.all))
    best = max(scores, key=lambda c: scores[c])
    if scores[best] == 0:
        return "", "", None
    spec = rules["countries"][best]
    for line, _, where in text.lines:
        if spec.get("region"):
            match = re.search(spec["region"], line)
            if match:
                return best, match.group("region"), where
        for name, code in spec.get("region_names", {}).items():
            if re.search(rf"\b{re.escape(name)}\b", line):
                return best, code, where
    return best, "", None


def _plan_type(
    text: _Text, country: str, rules: dict[str, Any], country_where: Where | None
) -> Found | None:
    for rule in rules["plan_types"]:
        if "country" in rule:
            if rule["country"] == country:
                return Found(rule["plan_type"], 0.6, country_where)
            continue
        if country != "US":
            continue
        hits = [bool(re.search(s, text.all, re.IGNORECASE)) for s in rule["signals"]]
        if all(hits) if rule.get("all") else any(hits):
            # Shown beside it: the line with the rule's first signal the letter holds.
            signal = re.compile(rule["signals"][hits.index(True)], re.IGNORECASE)
            for line, _, where in text.lines:
                match = signal.search(line)
                if match:
                    span = (match.start() / len(line), match.end() / len(line))
                    return Found(rule["plan_type"], 0.7, replace(where, span=span))
            return Found(rule["plan_type"], 0.7)
    return None
