"""The deadline commands: ``rules`` (and the ``rules calc`` calculator), ``due`` and ``ics``."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from claimdesk.cli import _services, json_text, shown, write_atomically
from claimdesk.paths import AppPaths

# The deadline engine (and the holiday calendars it loads) is imported by the commands that
# use it, not by the parser: `claimdesk` with no command starts the window, which paints
# before it needs either (docs/architecture.md, "Start-up").
if TYPE_CHECKING:
    from claimdesk.deadlines import Computation, Rule

Handler = Callable[[argparse.Namespace, AppPaths], int]

# `claimdesk due` exits with this when something is overdue (1 stays "an error occurred"), so
# cron or Task Scheduler can mail the office.
EXIT_OVERDUE = 3

_PARTIES = {"claimant": "claimant", "insurer": "insurer/plan", "reviewer": "reviewer",
            "other": "other"}  # fmt: skip


def register(subparsers: Any) -> dict[str, Handler]:
    """Add the deadline commands to ``claimdesk``'s sub-commands; return their handlers."""
    rules = subparsers.add_parser(
        "rules", help="list the deadline rules; 'rules calc' computes one"
    )
    rules.add_argument("--json", action="store_true", help="print JSON instead of a table")
    sub = rules.add_subparsers(dest="rules_command", metavar="SUBCOMMAND")
    calc = sub.add_parser(
        "calc",
        help="compute a deadline from a rule and its trigger date",
        description="The due date, outer limit, derivation, citation and confidence of one rule "
        "applied to one trigger (the date the rule counts from: the date a denial was "
        "received, the date on a notice...).",
    )
    calc.add_argument("rule_id", metavar="RULE_ID", help="a rule id from 'claimdesk rules'")
    calc.add_argument(
        "--trigger",
        required=True,
        metavar="DATE_OR_DATETIME",
        help="2026-03-02, or 2026-03-07T10:00 with --tz (or an offset, 2026-03-07T10:00-05:00)",
    )
    calc.add_argument("--tz", metavar="ZONE", help="time zone of a time given without an offset")
    calc.add_argument(
        "--letter-date",
        metavar="DATE",
        help="for a rule counted from receipt: the date on the letter, if earlier",
    )
    calc.add_argument(
        "--received",
        metavar="DATE",
        help="for a rule counted from a notice's date: the day it actually arrived",
    )
    calc.add_argument(
        "--extension",
        action="store_true",
        help="assume timely notice of every extension the rule allows",
    )
    calc.add_argument("--json", action="store_true", help="print JSON")

    due = subparsers.add_parser(
        "due",
        help="what is overdue or due soon on every open case",
        description="Deadlines, promises made on calls and document requests that are overdue "
        f"or due within N days. Exits with {EXIT_OVERDUE} when something is overdue, so an "
        "office can run it from cron or Task Scheduler.",
    )
    due.add_argument("--days", type=int, default=14, metavar="N", help="look N days ahead (14)")
    due.add_argument("--json", action="store_true", help="print JSON instead of a table")

    ics = subparsers.add_parser(
        "ics",
        help="write every open deadline to an iCalendar (.ics) file",
        description="Each open deadline becomes an event with reminders 14, 7, 3 and 1 days "
        "before. Events name only the case number and the kind of deadline unless --details "
        "is given: calendars are often kept in the cloud.",
    )
    ics.add_argument("--out", required=True, type=Path, metavar="FILE.ics")
    ics.add_argument(
        "--details",
        action="store_true",
        help="also write the claimant's name, each deadline's title, derivation and notes",
    )
    return {"rules": cmd_rules, "due": cmd_due, "ics": cmd_ics}


# ---- rules --------------------------------------------------------------------------------------


def cmd_rules(args: argparse.Namespace, paths: AppPaths) -> int:
    from claimdesk.services.schedule import rule_book

    book = rule_book()
    if getattr(args, "rules_command", None) == "calc":
        return _calc(args, book.get(args.rule_id))
    if args.json:
        print(json_text([_rule_json(r) for r in book]))
        return 0
    rows = [
        (
            r.id,
            _period_text(r),
            _PARTIES[r.party],
            r.confidence,
            r.jurisdiction,
            r.citation,
        )
        for r in book
    ]
    _table(("RULE", "PERIOD", "WHO", "CONF", "WHERE", "CITATION"), rows)
    print(
        f"\n{len(book)} rules. Confidence: V verified in the rule's text, S from a reliable "
        "secondary source, M believed, not re-checked.\n"
        "'claimdesk rules calc RULE --trigger DATE' computes one."
    )
    return 0


def _calc(args: argparse.Namespace, rule: Rule) -> int:
    from claimdesk.deadlines import DeadlineRuleError, TriggerDates, check_plausible, compute

    day, moment = _trigger(args.trigger, args.tz)
    check_plausible(day, date.today())
    other = None
    if args.letter_date or args.received:
        option = "--letter-date" if args.letter_date else "--received"
        wanted = "--letter-date" if rule.counts_from == "receipt" else "--received"
        if option != wanted:
            raise DeadlineRuleError(
                f"{option} does not apply to {rule.id}, which counts from the "
                f"{'day the notice arrived' if wanted == '--letter-date' else 'date on the notice'}"
                f"; use {wanted}."
            )
        other = _date(args.letter_date or args.received, option)
        check_plausible(other, date.today())
        if args.letter_date and other > day:
            raise DeadlineRuleError(
                "--letter-date is after --trigger (the day it arrived); a letter cannot arrive "
                "before its date. Check both dates."
            )
    if rule.counts_from == "receipt":
        trigger = TriggerDates(dated=other, received=day, at=moment)
    else:
        trigger = TriggerDates(dated=day, received=other, at=moment)
    result = compute(rule, trigger, assume_extensions=args.extension)
    if args.json:
        print(json_text(_result_json(result, args.trigger)))
        return 0
    _print_result(result)
    return 0


def _trigger(text: str, zone: str | None) -> tuple[date, datetime | None]:
    from claimdesk.deadlines import DeadlineRuleError

    typed = text.strip()
    try:
        return date.fromisoformat(typed), None
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(typed)
    except ValueError:
        raise DeadlineRuleError(
            f"--trigger: '{typed[:40]}' is not a date or a date and time. Write 2026-03-02, "
            "or 2026-03-07T10:00 with --tz America/New_York (or an offset: "
            "2026-03-07T10:00-05:00)."
        ) from None
    if moment.tzinfo is None:
        if not zone:
            raise DeadlineRuleError(
                "--trigger has a time but no time zone: add --tz with a zone such as "
                "America/New_York, or an offset such as 2026-03-07T10:00-05:00."
            )
        try:
            moment = moment.replace(tzinfo=ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long
            raise DeadlineRuleError(
                f"--tz: '{shown(zone[:40])}' is not a time zone ClaimDesk knows; use a name "
                "such as America/New_York or Europe/London."
            ) from None
    return moment.date(), moment


def _date(text: str, option: str) -> date:
    from claimdesk.deadlines import DeadlineRuleError

    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DeadlineRuleError(
            f"{option}: '{text.strip()[:40]}' is not a date; write it as 2026-03-02."
        ) from None


def _print_result(result: Computation) -> None:
    from claimdesk.deadlines import CONFIDENCES
    from claimdesk.deadlines.wording import day_text, instant_text

    rule = result.rule
    conf = f"{rule.confidence} ({CONFIDENCES[rule.confidence]})"
    due = instant_text(result.due_at) if result.due_at else day_text(result.due, weekday=True)
    flag = f"   [{conf}]" if rule.confidence == "M" else ""
    lines = [
        (rule.id, rule.title),
        ("Who acts", _PARTIES[rule.party]),
        ("Due", f"{due}{flag}"),
        ("Outer limit", day_text(result.outer_limit, weekday=True) if result.outer_limit else "-"),
    ]
    if result.base != result.due and not rule.roll_forward:
        lines.append(("Base date", day_text(result.base, weekday=True)))
    lines += [("How", result.derivation), ("Citation", rule.citation), ("Confidence", conf)]
    width = max(len(label) for label, _ in lines[1:]) + 2
    print(f"{shown(lines[0][0])}  {shown(lines[0][1])}")
    for label, value in lines[1:]:
        print(f"{label + ':':<{width}}{shown(value)}")


def _result_json(result: Computation, trigger: str) -> dict[str, Any]:
    from claimdesk.deadlines import CONFIDENCES

    rule = result.rule
    return {
        "rule": rule.id,
        "title": rule.title,
        "trigger": trigger,
        "start": result.start.isoformat(),
        "base": result.base.isoformat(),
        "due": result.due.isoformat(),
        "due_at": result.due_at.isoformat() if result.due_at else None,
        "outer_limit": result.outer_limit.isoformat() if result.outer_limit else None,
        "derivation": result.derivation,
        "citation": rule.citation,
        "confidence": rule.confidence,
        "confidence_label": CONFIDENCES[rule.confidence],
        "party": rule.party,
    }


def _rule_json(rule: Rule) -> dict[str, Any]:
    data = asdict(rule)
    data["plan_types"] = sorted(rule.plan_types)
    data["jurisdiction"] = rule.jurisdiction
    data["period_text"] = _period_text(rule)
    return data


def _period_text(rule: Rule) -> str:
    text = rule.period.describe()
    if rule.limit == "at_least":
        text = f"at least {text}"
    elif rule.limit == "at_most":
        text = f"at most {text}"
    text += "".join(f" (+{e.describe()})" for e in rule.extensions)
    if rule.outer_limit:
        text += f" ({rule.outer_limit.describe()} outer)"
    if rule.presumed_receipt_days:
        text += f" from notice + {rule.presumed_receipt_days}"
    return text


# ---- due ----------------------------------------------------------------------------------------


def cmd_due(args: argparse.Namespace, paths: AppPaths) -> int:
    from claimdesk.deadlines.wording import day_text
    from claimdesk.errors import ValidationError

    if not 0 <= args.days <= 3660:
        raise ValidationError("--days must be a number of days from 0 to 3660.")
    services = _services(args, paths)
    services.schedule.recompute_all()
    today = date.today()
    items = services.schedule.agenda(today, args.days)
    overdue = [i for i in items if i.overdue]
    if args.json:
        print(
            json_text(
                [
                    {
                        **{k: v for k, v in asdict(i).items() if k not in ("party", "confidence")},
                        "party": i.party.value,
                        "confidence": i.confidence.value if i.confidence else None,
                        "due_on": i.due_on.isoformat(),
                        "due_at": i.due_at.isoformat() if i.due_at else None,
                        "outer_limit_on": i.outer_limit_on.isoformat()
                        if i.outer_limit_on
                        else None,
                    }
                    for i in items
                ]
            )
        )
        return EXIT_OVERDUE if overdue else 0
    if not items:
        print(f"Nothing is overdue or due within {args.days} days.")
        return 0
    rows = []
    for i in items:
        when = i.due_at.astimezone().strftime("%Y-%m-%d %H:%M") if i.due_at else str(i.due_on)
        mark = "M" if i.confidence is not None and i.confidence.value == "M" else ""
        rows.append(
            (
                when,
                "OVERDUE" if i.overdue else "",
                i.case_number,
                i.party.label,
                i.kind,
                mark,
                i.title,
            )
        )
    _table(("DUE", "", "CASE", "WHO", "KIND", "CONF", "WHAT"), rows)
    print(
        f"\n{len(overdue)} overdue, {len(items) - len(overdue)} due by "
        f"{day_text(today.fromordinal(today.toordinal() + args.days))}."
        + (" CONF M: the rule is believed, not re-checked." if any(r[5] for r in rows) else "")
    )
    return EXIT_OVERDUE if overdue else 0


# ---- ics ----------------------------------------------------------------------------------------


def cmd_ics(args: argparse.Namespace, paths: AppPaths) -> int:
    services = _services(args, paths)
    services.schedule.recompute_all()
    export = services.calendar.export_ics(include_details=args.details)
    write_atomically(args.out, export.data)
    what = (
        "with names and details"
        if args.details
        else "case numbers and kinds of deadline only; --details adds names and titles"
    )
    print(f"Wrote {export.events} open deadlines to {shown(args.out)} ({what}).")
    return 0


def _table(header: tuple[str, ...], rows: Sequence[tuple[object, ...]]) -> None:
    """Columns padded to their widest cell; every cell escaped (titles, names are typed)."""
    rows = [tuple(shown(c) for c in row) for row in rows]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        cells = [str(c).ljust(w) for c, w in zip(row[:-1], widths, strict=True)]
        print("  ".join([*cells, str(row[-1])]).rstrip())
