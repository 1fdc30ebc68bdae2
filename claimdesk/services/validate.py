"""Turning what a person typed into values the database accepts, with messages they can act on."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from claimdesk import jurisdictions
from claimdesk.errors import ValidationError
from claimdesk.models.enums import LabelledEnum

# Dates outside this window are typing mistakes (2062 for 2026, 0226 for 2026).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_YEARS_AHEAD = 10

E = TypeVar("E", bound=LabelledEnum)

# C0 and C1 control characters (an ESC or CSI can drive a terminal) and lone surrogates (not
# text at all: they cannot even be stored as UTF-8). Tab, newline and carriage return stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Bidirectional embeddings, overrides and isolates: in a name or a one-line field they only
# serve to make text display as something else ("exe.fdp" shown as "pdf.exe").
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def text(value: str | None, label: str, *, max_length: int, required: bool = False) -> str:
    """Trimmed text without control characters; required text must not be blank."""
    cleaned = _CONTROL.sub("", value or "").strip()
    if required and not cleaned:
        raise ValidationError(f"{label} is required.", field=label)
    if len(cleaned) > max_length:
        raise ValidationError(
            f"{label} is too long ({len(cleaned)} characters; at most {max_length}).", field=label
        )
    return cleaned


def line(value: str | None, label: str, *, max_length: int = 200, required: bool = False) -> str:
    """A single line of text: newlines and tabs become spaces."""
    flat = " ".join(_BIDI.sub("", value or "").split())
    return text(flat, label, max_length=max_length, required=required)


def parse_date(
    value: str | date | None, label: str, *, required: bool = False, today: date | None = None
) -> date | None:
    """A date from a date or an ISO text (YYYY-MM-DD), within a plausible range.

    ``today`` comes from the caller's clock (ServiceContext.clock); the wall clock is only a
    fallback for callers that have none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(f"{label} is required (YYYY-MM-DD).", field=label)
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        typed = value.strip()
        try:
            value = date.fromisoformat(typed)
        except ValueError:
            raise ValidationError(
                f"{label}: '{typed[:40]}' is not a date. Write it as YYYY-MM-DD, "
                "for example 2026-03-02.",
                field=label,
            ) from None
    # The end of that year, as the message says (and a 29 February has no same day ten
    # years on, which replace(year=...) turned into a crash).
    latest = date((today or date.today()).year + LATEST_YEARS_AHEAD, 12, 31)
    if not EARLIEST_DATE <= value <= latest:
        raise ValidationError(
            f"{label}: {value.isoformat()} is outside the dates ClaimDesk accepts "
            f"({EARLIEST_DATE.year} to {latest.year}); check the year.",
            field=label,
        )
    return value


def required_date(value: str | date | None, label: str, *, today: date | None = None) -> date:
    parsed = parse_date(value, label, required=True, today=today)
    assert parsed is not None
    return parsed


def not_future(value: date | None, label: str, *, today: date | None = None) -> date | None:
    """Events that already happened (a letter received, a call made) cannot be in the future."""
    limit = (today or date.today()) + timedelta(days=1)  # one day's slack for time zones
    if value is not None and value > limit:
        raise ValidationError(
            f"{label} ({value.isoformat()}) is in the future; check the date.", field=label
        )
    return value


def parse_datetime(
    value: str | datetime | None, label: str, *, zone: str = "UTC", today: date | None = None
) -> datetime:
    """An aware datetime; a naive one is read in ``zone`` (the user's time zone)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(f"{label} is required (YYYY-MM-DD HH:MM).", field=label)
    if isinstance(value, str):
        typed = value.strip()
        try:
            value = datetime.fromisoformat(typed)
        except ValueError:
            raise ValidationError(
                f"{label}: '{typed[:40]}' is not a date and time. Write it as "
                "YYYY-MM-DD HH:MM, for example 2026-03-02 14:30.",
                field=label,
            ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=time_zone(zone))
    utc_instant(value, label, today=today)
    return value


def utc_instant(value: datetime, label: str, *, today: date | None = None) -> datetime:
    """An aware datetime in UTC, within the dates ClaimDesk accepts.

    9999-12-31T23:00-05:00 is a valid time whose UTC value is past year 9999 (OverflowError).
    """
    try:
        moment = value.astimezone(UTC)
    except OverflowError:
        moment = None
    if moment is None:
        raise ValidationError(
            f"{label}: {value.isoformat()[:40]} is outside the dates ClaimDesk accepts; "
            "check the year.",
            field=label,
        )
    parse_date(moment.date(), label, today=today)
    return moment


def time_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a path
        raise ValidationError(
            f"'{name[:40]}' is not a time zone ClaimDesk knows; use a name such as "
            "America/New_York or Europe/London.",
            field="time zone",
        ) from None


def choice(enum_cls: type[E], value: E | str | None, label: str) -> E:
    """A member of ``enum_cls`` from a member, its value or its label."""
    if isinstance(value, enum_cls):
        return value
    if isinstance(value, str):
        try:
            return enum_cls.parse(value)  # type: ignore[return-value]
        except ValueError:
            pass
    options = ", ".join(m.value for m in enum_cls)
    raise ValidationError(f"{label}: '{value}' is not one of: {options}.", field=label)


def optional_choice(enum_cls: type[E], value: E | str | None, label: str) -> E | None:
    if value is None or value == "":
        return None
    return choice(enum_cls, value, label)


def money(value: str | int | Decimal | None, label: str) -> int | None:
    """An amount in minor units (cents) from '1,234.56', a Decimal or minor units already."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationError(f"{label} must be an amount such as 1250.00.", field=label)
    if isinstance(value, int):
        minor = value
    else:
        raw = value if isinstance(value, Decimal) else value.strip().replace(",", "")
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            raise ValidationError(
                f"{label}: '{str(value)[:40]}' is not an amount; write it as 1250.00.",
                field=label,
            ) from None
        if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
            raise ValidationError(
                f"{label}: {value} has more than two decimal places.", field=label
            )
        minor = int(amount * 100)
    if not 0 <= minor <= 10**13:
        raise ValidationError(f"{label} must be between 0 and 100,000,000,000.", field=label)
    return minor


def currency(value: str | None, label: str = "Currency") -> str:
    code = (value or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValidationError(
            f"{label}: '{value}' is not a currency code; use three letters such as USD, GBP, INR.",
            field=label,
        )
    return code


def country(value: str | None, label: str = "Country") -> str:
    code = (value or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise ValidationError(
            f"{label}: '{value}' is not a country code; use two letters such as US, GB, AU, "
            "CA, IN.",
            field=label,
        )
    return code


def region(value: str | None, label: str = "State or province") -> str:
    code = (value or "").strip().upper()
    if code and not re.fullmatch(r"[A-Z0-9]{1,3}", code):
        raise ValidationError(
            f"{label}: '{value}' is not a state or province code; use its short code such as "
            "CA, NY, ON, QC.",
            field=label,
        )
    return code


def region_of(country_code: str, value: str | None, label: str = "State or province") -> str:
    """A region that really is one of ``country_code``'s (US-CA, CA-QC, IN-MH), or blank.

    For the countries whose regions ClaimDesk lists (claimdesk.jurisdictions) a code that is
    not one of them ("ZZ") is refused; an old code (IN-OR) becomes today's (IN-OD).
    """
    code = region(value, label)
    if not code:
        return ""
    known = jurisdictions.canonical(country_code, code)
    if known is None:
        word = jurisdictions.REGION_WORD.get(country_code.upper(), "region")
        name = jurisdictions.country_phrase(country_code)
        raise ValidationError(
            f"{label}: '{code}' is not a {word} of {name}; use its code, such as "
            f"{jurisdictions.examples(country_code)}, or leave it blank.",
            field=label,
        )
    return known


# An address as people write one: something@somewhere.tld, no spaces, one @.
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)*\.[A-Za-z]{2,}")


def email(value: str | None, label: str = "Email") -> str:
    """An email address, or blank."""
    address = line(value, label)
    if address and (not _EMAIL.fullmatch(address) or ".." in address):
        raise ValidationError(
            f"{label}: '{address[:60]}' is not an email address; write it as "
            "name@example.org, or leave it blank.",
            field=label,
        )
    return address


# Digits with the usual separators, a leading + and an extension ("ext. 12", "x12").
_PHONE = re.compile(r"\+?[0-9()\-./ ]+(\s*(ext\.?|x|#)\s*[0-9]+)?", re.IGNORECASE)


def phone(value: str | None, label: str = "Phone") -> str:
    """A telephone or fax number, or blank: 5 to 20 digits, separators and an extension."""
    number = line(value, label, max_length=60)
    if not number:
        return ""
    digits = sum(ch.isdigit() for ch in number)
    if not _PHONE.fullmatch(number) or not 5 <= digits <= 20:
        raise ValidationError(
            f"{label}: '{number[:60]}' is not a telephone number; use digits with spaces, "
            "dashes or brackets, such as +1 (312) 555-0144 or 020 7946 0958 ext. 12.",
            field=label,
        )
    return number


def minutes(value: int | str | None, label: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{label} must be a whole number of minutes.", field=label) from None
    if not 0 <= number <= 24 * 60:
        raise ValidationError(f"{label} must be between 0 and 1440 minutes.", field=label)
    return number


def ordered(earlier: date | None, later: date | None, message: str) -> None:
    if earlier is not None and later is not None and later < earlier:
        raise ValidationError(message)
