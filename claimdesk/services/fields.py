"""Declarative field validation for the many-field records (specialists, appeals, IMEs...)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from claimdesk.errors import ValidationError
from claimdesk.models.enums import LabelledEnum
from claimdesk.services import validate as v

Converter = Callable[[Any], Any]


def line(label: str, max_length: int = 200, required: bool = False) -> Converter:
    return lambda value: v.line(value, label, max_length=max_length, required=required)


def text(label: str, max_length: int = 20_000) -> Converter:
    return lambda value: v.text(value, label, max_length=max_length)


def day(label: str, past: bool = False) -> Converter:
    """A date; with ``past``, one that has already happened."""
    return _Day(label, past)


@dataclass(frozen=True)
class _Day:
    """A date converter checked against the caller's today (convert_all passes the context
    clock's), not the wall clock."""

    label: str
    past: bool

    def __call__(self, value: Any, today: date | None = None) -> date | None:
        parsed = v.parse_date(value, self.label, today=today)
        return v.not_future(parsed, self.label, today=today) if self.past else parsed


def instant(label: str) -> Converter:
    return lambda value: None if value in (None, "") else v.parse_datetime(value, label)


def flag(label: str) -> Converter:
    def convert(value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError(f"{label} must be yes or no.", field=label)
        return value

    return convert


def money(label: str) -> Converter:
    return lambda value: v.money(value, label)


def currency(label: str = "Currency") -> Converter:
    return lambda value: v.currency(value, label)


def country(label: str = "Country") -> Converter:
    return lambda value: v.country(value, label) if value else ""


def region(label: str = "State or province") -> Converter:
    return lambda value: v.region(value, label)


def whole_minutes(label: str) -> Converter:
    return lambda value: v.minutes(value, label)


def one_of(enum_cls: type[LabelledEnum], label: str, optional: bool = False) -> Converter:
    if optional:
        return lambda value: v.optional_choice(enum_cls, value, label)
    return lambda value: v.choice(enum_cls, value, label)


def convert_all(
    specs: Mapping[str, Converter],
    values: Mapping[str, Any],
    what: str,
    *,
    today: date | None = None,
) -> dict[str, Any]:
    """Validate every given value by its spec; unknown names are a programming error."""
    unknown = set(values) - set(specs)
    if unknown:
        raise ValidationError(f"A {what} has no field named {', '.join(sorted(unknown))}.")
    converted: dict[str, Any] = {}
    for name, value in values.items():
        spec = specs[name]
        converted[name] = spec(value, today) if isinstance(spec, _Day) else spec(value)
    return converted


def apply(obj: Any, converted: Mapping[str, Any]) -> list[str]:
    """Set the converted values on ``obj``; return the names that really changed."""
    changed = [name for name, value in converted.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, converted[name])
    return changed
