"""An insurer's deadline gone by with nothing recorded: what it opens, in the rule data's words.

Pure: the service (services/alerts.py) finds the late deadlines; this turns one into the
sentences Today, the Overview, the dashboard and the letters show, each with its citation and
confidence (DOMAIN.md, "When the insurer misses its own deadline"). They say what the rule
says; they never decide for the claimant, and a penalty is a statutory maximum, not advice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from claimdesk.deadlines.rules import Consequence, Money, RuleBook
from claimdesk.deadlines.wording import day_text

NOT_LEGAL_ADVICE = (
    "This is what the rule says, not legal advice: whether to rely on it is the claimant's "
    "decision, best taken with a lawyer or advocate."
)
_SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€", "AUD": "A$", "CAD": "C$", "INR": "₹"}


@dataclass(frozen=True)
class Penalty:
    """A per-day statutory maximum, counted over the days late so far."""

    per_day: Money
    days_late: int
    citation: str
    confidence: str

    @property
    def maximum(self) -> Money:
        return Money(self.per_day.amount * self.days_late, self.per_day.currency)

    def text(self) -> str:
        return f"{self.days_late} day{'s' if self.days_late != 1 else ''} late: {self.award()}"

    def award(self) -> str:
        """What a court may award so far, and that this is not advice."""
        return (
            f"a court may award up to {money_text(self.per_day)} a day, at most "
            f"{money_text(self.maximum)} so far ({self.citation}; confidence "
            f"{self.confidence}). Not legal advice."
        )


@dataclass(frozen=True)
class MissedDeadline:
    """One deadline of the insurer's that has passed with nothing recorded."""

    deadline_id: int
    claim_id: int
    case_number: str
    who: str  # the insurer (or the plan administrator, for plan documents)
    what: str  # "decision on the appeal"
    title: str  # the deadline's own title
    rule_id: str
    due_on: date
    days_late: int
    citation: str
    confidence: str
    consequences: tuple[Consequence, ...]
    penalty: Penalty | None
    claimant_name: str = ""

    @property
    def headline(self) -> str:
        """ "Northwind's decision on the appeal was due 16 Oct 2026 (29 CFR ...)"."""
        cited = f" ({self.citation})" if self.citation else ""
        return f"{possessive(self.who)} {self.what} was due {day_text(self.due_on)}{cited}"

    def sentences(self) -> list[str]:
        """The headline joined to each thing it opens, each with its citation and confidence."""
        if not self.consequences:
            return [
                f"{self.headline}, {self.days_late} day{'s' if self.days_late != 1 else ''} "
                "ago. Note the delay as evidence and chase it in writing."
            ]
        first, *more = self.consequences
        return [
            f"{self.headline}; {_cited(first)}",
            *(f"Also, {_cited(c)}" for c in more),
        ]

    def opens(self) -> str:
        """What the missed deadline opens, each with its citation, without the headline."""
        if not self.consequences:
            return "Note the delay as evidence and chase it in writing."
        first, *more = self.consequences
        parts = [_capital(_cited(first)), *(f"Also, {_cited(c)}" for c in more)]
        if self.penalty is not None:
            parts.append(self.penalty.text())
        return " ".join(parts)

    def text(self) -> str:
        """Everything about it in one paragraph (the penalty and the caveat included)."""
        parts = self.sentences()
        if self.penalty is not None:
            parts.append(self.penalty.text())
        return " ".join(parts)

    @property
    def next_steps(self) -> tuple[str, ...]:
        """'court', 'external_review', 'ombudsman': which escalation the rule opens."""
        return tuple(dict.fromkeys(c.next_step for c in self.consequences))


def describe(
    book: RuleBook,
    *,
    deadline_id: int,
    claim_id: int,
    case_number: str,
    who: str,
    rule_id: str,
    title: str,
    due_on: date,
    today: date,
    citation: str,
    confidence: str,
    claimant_name: str = "",
) -> MissedDeadline:
    """The missed deadline in the words its rule gives (a deadline set by hand: its title)."""
    rule = book.get(rule_id) if rule_id in book else None
    if_missed = rule.if_missed if rule is not None else None
    days_late = max((today - due_on).days, 0)
    penalty = None
    consequences = if_missed.gives if if_missed is not None else ()
    for consequence in consequences:
        if consequence.penalty_per_day is not None:
            penalty = Penalty(
                consequence.penalty_per_day, days_late, consequence.citation, consequence.confidence
            )
    return MissedDeadline(
        deadline_id=deadline_id,
        claim_id=claim_id,
        case_number=case_number,
        who=who,
        what=if_missed.what if if_missed is not None else f"deadline '{title}'",
        title=title,
        rule_id=rule_id,
        due_on=due_on,
        days_late=days_late,
        citation=citation,
        confidence=confidence,
        consequences=consequences,
        penalty=penalty,
        claimant_name=claimant_name,
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _cited(consequence: Consequence) -> str:
    return f"{consequence.gives} ({consequence.citation}; confidence {consequence.confidence})."


def possessive(name: str) -> str:
    """ "Northwind's", "Acme Benefits'"."""
    name = name.strip() or "The insurer"
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def money_text(money: Money) -> str:
    symbol = _SYMBOLS.get(money.currency)
    return f"{symbol}{money.amount:,}" if symbol else f"{money.amount:,} {money.currency}"
