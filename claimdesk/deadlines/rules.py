"""Deadline rules as data: resources/rules/*.json loaded, checked and frozen.

Adding or correcting a rule is editing those files; docs/deadline-rules.md describes them.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from claimdesk.deadlines.errors import DeadlineRuleError
from claimdesk.deadlines.periods import MONTH_END_MODES, UNITS, Period

PARTIES = ("claimant", "insurer", "reviewer", "other")
CONFIDENCES = {"V": "verified in the rule's text", "S": "from a reliable secondary source",
               "M": "believed, not re-checked"}  # fmt: skip

# What starts a clock, as the plan in claimdesk/deadlines/plan.py finds it on a case.
TRIGGERS = {
    "denial": "denial",
    "claim_submitted": "claim",
    "internal_appeal": "appeal",
    "external_review_filed": "external review request",
    "external_review": "external review request",
    "final_decision": "final decision",
    "complaint": "complaint",
    "plan_documents_request": "request for plan documents",
    "records_request": "request for records",
}
# Which date of the trigger the rule counts from (DOMAIN.md: "Which date starts a clock").
COUNTS_FROM = ("receipt", "notice", "mailing", "sent")
LIMITS = ("exact", "at_least", "at_most")
CONDITIONS = ("urgent", "standard", "one_level", "two_levels")
MET_BY = ("decided", "received", "forwarded", "final_decision", "denial")

_REQUIRED = ("id", "title", "kind", "jurisdiction", "trigger", "period", "party", "citation",
             "confidence")  # fmt: skip
_OPTIONAL = ("plan_types", "counts_from", "presumed_receipt_days", "limit", "outer_limit",
             "extensions", "month_end", "roll_forward", "calendar", "when", "auto", "met_by",
             "fallback", "superseded_by", "notes", "if_missed")  # fmt: skip
# What a missed deadline of the other side opens for the claimant (DOMAIN.md, "When the insurer
# misses its own deadline"): a file's "if_missed" list; a rule names them in its own "if_missed".
_CONSEQUENCE_KEYS = ("id", "where", "gives", "citation", "confidence", "next_step")
_CONSEQUENCE_OPTIONAL = ("penalty_per_day", "notes")
# What a consequence leads to: the letters use it to say what the claimant will do next.
NEXT_STEPS = ("court", "external_review", "ombudsman", "penalty")


@dataclass(frozen=True)
class Fallback:
    """Where a rule starts when its trigger never came: another trigger plus a wait."""

    trigger: str
    after: Period


@dataclass(frozen=True)
class Consequence:
    """What the claimant may do once the other side has let its deadline pass, and on whose
    authority: the wording is the rule's, shown as what the rule says, never as advice."""

    id: str
    where: str  # "US ERISA (all plans)", as DOMAIN.md's table names it
    gives: str  # a clause: "under (l)(1) the claimant may treat ... as exhausted"
    citation: str
    confidence: str
    next_step: str  # "court", "external_review", "ombudsman" or "penalty" (a daily penalty)
    penalty_per_day: Money | None = None  # a statutory maximum a court may award per day late
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Money:
    """An amount in whole units of a currency (a statutory figure, not a case's money)."""

    amount: int
    currency: str


@dataclass(frozen=True)
class IfMissed:
    """A rule's own words for what was missed, and what that opens."""

    what: str  # "decision on the appeal": "Northwind's decision on the appeal was due ..."
    gives: tuple[Consequence, ...]


@dataclass(frozen=True)
class Rule:
    """One deadline rule: who must act, by when, counted how, and on whose authority."""

    id: str
    title: str
    kind: str  # a calendar-safe label: "appeal filing deadline" (no health details)
    country: str
    region: str  # "" = the whole country
    plan_types: frozenset[str]  # empty = every plan type in the jurisdiction
    trigger: str
    counts_from: str
    presumed_receipt_days: int
    period: Period
    limit: str
    outer_limit: Period | None
    extensions: tuple[Period, ...]
    month_end: str
    roll_forward: bool
    calendar: str
    party: str
    citation: str
    confidence: str
    when: tuple[str, ...]
    auto: bool
    met_by: tuple[str, ...]
    fallback: Fallback | None
    superseded_by: tuple[str, ...]
    notes: tuple[str, ...]
    source: str
    if_missed: IfMissed | None = None

    @property
    def jurisdiction(self) -> str:
        return f"{self.country}-{self.region}" if self.region else self.country

    @property
    def claimant_acts(self) -> bool:
        return self.party == "claimant"

    def applies_to(self, plan_type: str, country: str, region: str) -> bool:
        """Whether the rule covers a case with this plan type and jurisdiction."""
        return (
            self.country == country
            and (not self.region or self.region == region)
            and (not self.plan_types or plan_type in self.plan_types)
        )


class RuleBook:
    """Every rule, by id, in the order the files list them."""

    def __init__(self, rules: Collection[Rule]) -> None:
        self._rules = {rule.id: rule for rule in rules}

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._rules

    def get(self, rule_id: str) -> Rule:
        """The rule with this id; an unknown id gets the nearest names as suggestions."""
        wanted = rule_id.strip()
        if wanted in self._rules:
            return self._rules[wanted]
        by_lower = {key.lower(): key for key in self._rules}
        if wanted.lower() in by_lower:
            return self._rules[by_lower[wanted.lower()]]
        near = difflib.get_close_matches(wanted, list(self._rules), n=3, cutoff=0.6)
        hint = f" Did you mean {' or '.join(near)}?" if near else ""
        raise DeadlineRuleError(
            f"There is no deadline rule '{wanted[:80]}'.{hint} 'claimdesk rules' lists them all."
        )


def load_rules(
    folder: Path,
    *,
    plan_types: Collection[str] = (),
    appeal_levels: Collection[str] = (),
) -> RuleBook:
    """Every *.json in ``folder``, checked; names of plan types and levels are checked too."""
    files = sorted(folder.glob("*.json"))
    if not files:
        raise DeadlineRuleError(f"No deadline rules were found in {folder}; reinstall ClaimDesk.")
    raw: list[tuple[Path, dict[str, Any]]] = [(path, _read_json(path)) for path in files]
    consequences: dict[str, Consequence] = {}
    for path, data in raw:
        for index, item in enumerate(data.get("if_missed", [])):
            consequence = _consequence(item, path.name, index)
            if consequence.id in consequences:
                _fail(path.name, consequence.id, "this 'if_missed' id is used twice")
            consequences[consequence.id] = consequence
    rules: list[Rule] = []
    for path, data in raw:
        rules.extend(
            _rule(item, path.name, i, set(plan_types), set(appeal_levels), consequences)
            for i, item in enumerate(data["rules"])
        )
    seen: dict[str, str] = {}
    for rule in rules:
        if rule.id in seen:
            raise DeadlineRuleError(
                f"The deadline rule id '{rule.id}' is used twice ({seen[rule.id]} and "
                f"{rule.source}); give each rule its own id."
            )
        seen[rule.id] = rule.source
    for rule in rules:
        for other in rule.superseded_by:
            if other not in seen:
                _fail(rule.source, rule.id, f"'superseded_by' names an unknown rule '{other}'")
    return RuleBook(rules)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise DeadlineRuleError(f"The rule file {path} cannot be read ({error}).") from None
    except json.JSONDecodeError as error:
        raise DeadlineRuleError(
            f"The rule file {path.name} is not valid JSON (line {error.lineno}, column "
            f"{error.colno}: {error.msg}); fix it or reinstall ClaimDesk."
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise DeadlineRuleError(f'The rule file {path.name} must hold {{"rules": [...]}}.')
    extra = set(data) - {"about", "rules", "if_missed"}
    if extra:
        raise DeadlineRuleError(f"The rule file {path.name} has unknown keys: {sorted(extra)}.")
    if not isinstance(data.get("if_missed", []), list):
        raise DeadlineRuleError(f"The rule file {path.name}: 'if_missed' must be a list.")
    return data


def _consequence(item: Any, source: str, index: int) -> Consequence:
    if not isinstance(item, dict):
        raise DeadlineRuleError(f"{source}: 'if_missed' entry number {index + 1} is not an object.")
    r = _Reader(item, source, str(item.get("id") or f"if_missed number {index + 1}"))
    for key in _CONSEQUENCE_KEYS:
        if key not in item:
            r.fail(f"'{key}' is missing")
    unknown = set(item) - set(_CONSEQUENCE_KEYS) - set(_CONSEQUENCE_OPTIONAL)
    if unknown:
        r.fail(f"unknown keys {sorted(unknown)} (see docs/deadline-rules.md)")
    penalty = None
    if "penalty_per_day" in item:
        raw = item["penalty_per_day"]
        if (
            not isinstance(raw, dict)
            or set(raw) != {"amount", "currency"}
            or not isinstance(raw["amount"], int)
            or isinstance(raw["amount"], bool)
            or raw["amount"] <= 0
            or not isinstance(raw["currency"], str)
            or len(raw["currency"]) != 3
        ):
            r.fail('\'penalty_per_day\' must be {"amount": 110, "currency": "USD"}')
        penalty = Money(int(raw["amount"]), str(raw["currency"]))
    return Consequence(
        id=r.text("id"),
        where=r.text("where"),
        gives=r.text("gives"),
        citation=r.text("citation"),
        confidence=r.choice("confidence", tuple(CONFIDENCES)),
        next_step=r.choice("next_step", NEXT_STEPS),
        penalty_per_day=penalty,
        notes=tuple(r.texts("notes")),
    )


def _if_missed(r: _Reader, consequences: Mapping[str, Consequence]) -> IfMissed | None:
    if "if_missed" not in r.item:
        return None
    raw = r.item["if_missed"]
    if not isinstance(raw, dict) or set(raw) - {"what", "gives"} or "what" not in raw:
        r.fail('\'if_missed\' must be {"what": "decision on the appeal", "gives": [...]}')
    if r.item.get("party") == "claimant":
        r.fail("'if_missed' is for the other side's deadlines, not the claimant's")
    what = _Reader(raw, r.source, r.name).text("what")
    gives = _Reader(raw, r.source, r.name).texts("gives")
    unknown = [g for g in gives if g not in consequences]
    if unknown:
        r.fail(f"'if_missed' names an unknown consequence '{unknown[0]}'")
    return IfMissed(what, tuple(consequences[g] for g in gives))


def _rule(
    item: Any,
    source: str,
    index: int,
    plan_types: set[str],
    levels: set[str],
    consequences: Mapping[str, Consequence],
) -> Rule:
    if not isinstance(item, dict):
        raise DeadlineRuleError(f"{source}: rule number {index + 1} is not an object.")
    name = str(item.get("id") or f"number {index + 1}")
    r = _Reader(item, source, name)
    for key in _REQUIRED:
        if key not in item:
            r.fail(f"'{key}' is missing")
    unknown = set(item) - set(_REQUIRED) - set(_OPTIONAL)
    if unknown:
        r.fail(f"unknown keys {sorted(unknown)} (see docs/deadline-rules.md)")
    country, _, region = r.text("jurisdiction").partition("-")
    if len(country) != 2 or not country.isupper():
        r.fail("'jurisdiction' must be a country code, optionally with a region: US, US-CA, GB")
    types = frozenset(r.texts("plan_types"))
    if plan_types and not types <= plan_types:
        r.fail(f"unknown plan types {sorted(types - plan_types)}")
    period = r.period("period")
    extensions = tuple(r.period_item(p, "extensions") for p in r.items("extensions"))
    if period.hourly and any(p.unit not in ("hours", "days") for p in extensions):
        r.fail("an hour-based rule can only be extended by hours or days")
    roll = r.flag("roll_forward", False)
    if roll and period.hourly:
        r.fail("hour deadlines run continuously and cannot roll forward")
    met_by = tuple(r.texts("met_by"))
    for token in met_by:
        kind, _, level = token.partition(":")
        valid = (kind == "filed" and (not levels or level in levels)) or token in MET_BY
        if not valid:
            r.fail(f"'met_by' has an unknown entry '{token}'")
    fallback = None
    if "fallback" in item:
        raw = item["fallback"]
        if not isinstance(raw, dict) or set(raw) != {"trigger", "after"}:
            r.fail('\'fallback\' must be {"trigger": ..., "after": {"months": 1}}')
        fallback = Fallback(r.choice_of(raw["trigger"], "fallback", TRIGGERS),
                            r.period_item(raw["after"], "fallback"))  # fmt: skip
    counts_from = r.choice("counts_from", COUNTS_FROM, "receipt")
    presumed = r.number("presumed_receipt_days", 0)
    if presumed and counts_from != "notice":
        r.fail('\'presumed_receipt_days\' needs "counts_from": "notice"')
    return Rule(
        id=r.text("id"),
        title=r.text("title"),
        kind=r.text("kind"),
        country=country,
        region=region,
        plan_types=types,
        trigger=r.choice("trigger", tuple(TRIGGERS)),
        counts_from=counts_from,
        presumed_receipt_days=presumed,
        period=period,
        limit=r.choice("limit", LIMITS, "exact"),
        outer_limit=r.period("outer_limit") if "outer_limit" in item else None,
        extensions=extensions,
        month_end=r.choice("month_end", MONTH_END_MODES, "clamp"),
        roll_forward=roll,
        calendar=str(item.get("calendar") or r.text("jurisdiction")),
        party=r.choice("party", PARTIES),
        citation=r.text("citation"),
        confidence=r.choice("confidence", tuple(CONFIDENCES)),
        when=tuple(r.choice_of(c, "when", CONDITIONS) for c in r.texts("when")),
        auto=r.flag("auto", True),
        met_by=met_by,
        fallback=fallback,
        superseded_by=tuple(r.texts("superseded_by")),
        notes=tuple(r.texts("notes")),
        source=source,
        if_missed=_if_missed(r, consequences),
    )


class _Reader:
    """Typed access to one rule's JSON, failing with the file, the rule and the key."""

    def __init__(self, item: Mapping[str, Any], source: str, name: str) -> None:
        self.item, self.source, self.name = item, source, name

    def fail(self, problem: str) -> NoReturn:
        _fail(self.source, self.name, problem)

    def text(self, key: str) -> str:
        value = self.item.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(f"'{key}' must be a non-empty text")
        return str(value).strip()

    def items(self, key: str) -> list[Any]:
        value = self.item.get(key, [])
        if not isinstance(value, list):
            self.fail(f"'{key}' must be a list")
        return list(value)

    def texts(self, key: str) -> list[str]:
        values = self.items(key)
        if not all(isinstance(v, str) and v.strip() for v in values):
            self.fail(f"'{key}' must be a list of texts")
        return [v.strip() for v in values]

    def flag(self, key: str, default: bool) -> bool:
        value = self.item.get(key, default)
        if not isinstance(value, bool):
            self.fail(f"'{key}' must be true or false")
        return bool(value)

    def number(self, key: str, default: int) -> int:
        value = self.item.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 366:
            self.fail(f"'{key}' must be a whole number from 0 to 366")
        return int(value)

    def choice(self, key: str, options: tuple[str, ...], default: str | None = None) -> str:
        if key not in self.item and default is not None:
            return default
        return self.choice_of(self.item.get(key), key, options)

    def choice_of(self, value: Any, key: str, options: Collection[str]) -> str:
        if value not in options:
            self.fail(f"'{key}' is {value!r}; it must be one of {', '.join(options)}")
        return str(value)

    def period(self, key: str) -> Period:
        return self.period_item(self.item.get(key), key)

    def period_item(self, value: Any, key: str) -> Period:
        if not isinstance(value, dict) or len(value) != 1:
            self.fail(f"'{key}' must be one unit and amount, such as {{\"days\": 180}}")
        ((unit, amount),) = value.items()
        if unit not in UNITS:
            self.fail(f"'{key}' has the unit '{unit}'; use one of {', '.join(UNITS)}")
        if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= 10_000:
            self.fail(f"'{key}' needs a whole, positive amount")
        return Period(int(amount), str(unit))


def _fail(source: str, name: str, problem: str) -> NoReturn:
    raise DeadlineRuleError(
        f"Deadline rule '{name}' in {source}: {problem}. Fix the file or reinstall ClaimDesk."
    )
