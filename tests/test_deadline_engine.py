"""The engine against worked examples computed by hand (weekdays and holidays noted inline)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from claimdesk.deadlines import (
    DeadlineRuleError,
    Pause,
    TriggerDates,
    calendar_for,
    check_plausible,
    compute,
)
from claimdesk.deadlines.periods import add_months
from claimdesk.services.schedule import rule_book

NY = ZoneInfo("America/New_York")
D = date.fromisoformat


def received(day: str) -> TriggerDates:
    return TriggerDates(received=D(day))


def dated(day: str) -> TriggerDates:
    return TriggerDates(dated=D(day))


def at(text: str) -> TriggerDates:
    return TriggerDates(at=datetime.fromisoformat(text))


# (rule id, trigger, expected due, expected outer limit). 2 Mar 2026 is a Monday.
WORKED = [
    # +180 = Sat 29 Aug 2026; ERISA does not roll, so Mon 31 Aug is only the outer limit.
    ("US-ERISA-appeal-file", received("2026-03-02"), "2026-08-29", "2026-08-31"),
    ("US-ERISA-appeal-file-other", received("2026-03-02"), "2026-05-01", None),
    ("US-ERISA-claim-urgent", at("2026-03-02T09:00-05:00"), "2026-03-05", None),
    # Only the date the claim was sent is known: counted from it.
    ("US-ERISA-claim-pre", dated("2026-03-02"), "2026-03-17", None),
    ("US-ERISA-claim-post", received("2026-03-02"), "2026-04-01", None),
    ("US-ERISA-appeal-urgent", at("2026-03-02T12:00+00:00"), "2026-03-05", None),
    ("US-ERISA-appeal-pre", received("2026-03-02"), "2026-04-01", None),
    ("US-ERISA-appeal-pre-two-level", received("2026-03-02"), "2026-03-17", None),
    ("US-ERISA-appeal-post", received("2026-03-02"), "2026-05-01", None),
    ("US-ERISA-appeal-post-two-level", received("2026-03-02"), "2026-04-01", None),
    ("US-ERISA-dis-claim", received("2026-03-02"), "2026-04-16", None),
    ("US-ERISA-dis-appeal", received("2026-03-02"), "2026-04-16", None),
    ("US-ERISA-plan-docs", received("2026-03-02"), "2026-04-01", None),
    ("US-HIPAA-records", received("2026-03-02"), "2026-04-01", None),
    # 30 Oct + 4 months = 30 Feb 2027, which does not exist: 1 Mar 2027 (a Monday).
    ("US-ACA-ext-file", received("2026-10-30"), "2027-03-01", None),
    ("US-ACA-ext-decision", received("2026-03-02"), "2026-04-16", None),
    ("US-ACA-ext-expedited", at("2026-03-02T12:00+00:00"), "2026-03-05", None),
    # Business days from Mon 23 Nov 2026: 24, 25, (26 Thanksgiving), 27, 30 Nov, 1 Dec.
    ("US-ACA-ext-prelim", received("2026-11-23"), "2026-12-01", None),
    # 60 days from the notice, 65 as the outer limit.
    ("US-MA-reconsider-file", dated("2026-03-02"), "2026-05-01", "2026-05-06"),
    ("US-MA-reconsider-decision", received("2026-03-02"), "2026-04-01", None),
    ("US-MA-reconsider-payment", received("2026-03-02"), "2026-05-01", None),
    ("US-MA-reconsider-expedited", at("2026-03-02T12:00+00:00"), "2026-03-05", None),
    # Notice 2 Mar + 5 days presumed receipt = 7 Mar; + 60 = 6 May.
    ("US-PartD-redetermination", dated("2026-03-02"), "2026-05-06", None),
    # 7 Mar + 120 = Sun 5 Jul 2026; no roll-forward, so Mon 6 Jul is the outer limit.
    ("US-Medicare-redetermination", dated("2026-03-02"), "2026-07-05", "2026-07-06"),
    # Mailed 2 Mar + 90 = Sun 31 May.
    ("US-Medicaid-hearing", dated("2026-03-02"), "2026-05-31", "2026-06-01"),
    ("US-Medicaid-mc-appeal", dated("2026-03-02"), "2026-05-01", None),
    ("US-Medicaid-mc-hearing", dated("2026-03-02"), "2026-06-30", None),
    ("US-CA-IMR-file", dated("2026-03-02"), "2026-09-02", None),
    ("US-CA-grievance", received("2026-03-02"), "2026-04-01", None),
    ("US-CA-grievance-urgent", received("2026-03-02"), "2026-03-05", None),
    ("US-CA-IMR-decision", received("2026-03-02"), "2026-04-01", None),
    ("US-CA-IMR-decision-expedited", received("2026-03-02"), "2026-03-05", None),
    # New York clamps: 30 Oct + 4 months = Sun 28 Feb 2027 (outer: Mon 1 Mar).
    ("US-NY-ext-file", received("2026-10-30"), "2027-02-28", "2027-03-01"),
    ("US-NY-ext-file-provider", received("2026-03-02"), "2026-05-01", None),
    ("US-NY-ext-decision", received("2026-03-02"), "2026-04-01", None),
    ("US-NY-ext-decision-expedited", at("2026-03-02T12:00+00:00"), "2026-03-05", None),
    ("US-FEHB-reconsider", dated("2026-03-02"), "2026-09-02", None),
    ("UK-final-response", received("2026-03-02"), "2026-04-27", None),
    # 31 May + 6 months = 31 Nov, which does not exist: clamped to Mon 30 Nov.
    ("UK-FOS-refer", dated("2026-05-31"), "2026-11-30", None),
    ("AU-IDR-response", received("2026-03-02"), "2026-04-01", None),
    ("AU-AFCA-lodge", dated("2026-03-02"), "2028-03-02", None),
    ("CA-OLHI", received("2026-03-02"), "2026-05-31", "2026-06-01"),
    ("CA-QC-AMF", received("2026-03-02"), "2026-05-01", None),
    ("CA-QC-AMF-refer", received("2026-03-02"), "2027-03-02", None),
    ("IN-grievance", received("2026-03-02"), "2026-03-16", None),
    ("IN-ombudsman", received("2026-03-02"), "2027-03-02", None),
]


@pytest.mark.parametrize(("rule_id", "trigger", "due", "outer"), WORKED, ids=[w[0] for w in WORKED])
def test_worked_example(rule_id: str, trigger: TriggerDates, due: str, outer: str | None) -> None:
    result = compute(rule_book().get(rule_id), trigger)
    assert result.due == D(due)
    assert result.outer_limit == (D(outer) if outer else None)
    assert result.derivation.endswith(".") and "\n" not in result.derivation


def test_every_rule_has_a_worked_example() -> None:
    assert {w[0] for w in WORKED} == {r.id for r in rule_book()}


def test_the_derivation_reads_like_the_issue_asks() -> None:
    result = compute(rule_book().get("US-ERISA-appeal-file"), received("2026-03-02"))
    assert result.derivation.startswith("Received 2 Mar 2026 + 180 days = 29 Aug 2026;")
    assert "29 Aug 2026 is a Saturday; this rule does not move a deadline off weekends" in (
        result.derivation
    )
    assert "Monday 31 Aug 2026, is shown only as an outer limit" in result.derivation
    assert "at least 180 days and the plan may allow more" in result.derivation


# ---- months -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "mode", "expected"),
    [
        ("2026-10-30", 4, "next_month_first", "2027-03-01"),
        ("2026-10-30", 4, "clamp", "2027-02-28"),
        ("2027-10-30", 4, "next_month_first", "2028-03-01"),  # Feb 2028 has 29 days
        ("2027-10-30", 4, "clamp", "2028-02-29"),
        ("2026-10-31", 4, "next_month_first", "2027-03-01"),
        ("2026-05-31", 6, "clamp", "2026-11-30"),
        ("2026-05-31", 6, "next_month_first", "2026-12-01"),
        ("2026-08-31", 6, "clamp", "2027-02-28"),
        ("2028-02-29", 24, "clamp", "2030-02-28"),
        ("2026-01-15", 12, "clamp", "2027-01-15"),
    ],
)
def test_month_ends(start: str, months: int, mode: str, expected: str) -> None:
    assert add_months(D(start), months, mode).end == D(expected)


def test_four_months_from_30_october_by_each_rule() -> None:
    aca = compute(rule_book().get("US-ACA-ext-file"), received("2026-10-30"))
    assert "30 Feb 2027 does not exist, so the rule moves it to 1 Mar 2027" in aca.derivation
    ny = compute(rule_book().get("US-NY-ext-file"), received("2026-10-30"))
    assert "30 Feb 2027 does not exist, so it is the month's last day, 28 Feb 2027" in (
        ny.derivation
    )


def test_six_months_from_31_may() -> None:
    fos = compute(rule_book().get("UK-FOS-refer"), dated("2026-05-31"))
    assert fos.due == D("2026-11-30")
    assert "31 Nov 2026 does not exist" in fos.derivation
    assert fos.derivation.startswith("Sent 31 May 2026 + 6 months")


def test_two_years_from_29_february_clamps() -> None:
    afca = compute(rule_book().get("AU-AFCA-lodge"), dated("2028-02-29"))
    assert afca.due == D("2030-02-28")
    assert "6 years" in afca.derivation


# ---- the federal external review roll-forward --------------------------------------------------


def test_external_review_on_a_saturday_rolls_to_monday() -> None:
    # 3 Jun + 4 months = Sat 3 Oct 2026 -> Mon 5 Oct (Columbus Day is 12 Oct).
    result = compute(rule_book().get("US-ACA-ext-file"), received("2026-06-03"))
    assert (result.base, result.due, result.outer_limit) == (
        D("2026-10-03"),
        D("2026-10-05"),
        None,
    )
    assert "3 Oct 2026 is a Saturday: the rule's own text moves it" in result.derivation


def test_external_review_on_a_federal_holiday_rolls_to_the_next_day() -> None:
    # 11 Jul + 4 months = Wed 11 Nov 2026, Veterans Day -> Thu 12 Nov.
    result = compute(rule_book().get("US-ACA-ext-file"), received("2026-07-11"))
    assert result.due == D("2026-11-12")
    assert "a federal holiday (Veterans Day)" in result.derivation


def test_a_weekend_then_a_holiday_and_the_letter_date() -> None:
    # Dated 16 Sep: + 4 months = Sat 16 Jan 2027; Mon 18 Jan is Martin Luther King Day:
    # Tue 19 Jan. Received 19 Sep: + 4 months = Tue 19 Jan too, so no later outer limit.
    result = compute(
        rule_book().get("US-ACA-ext-file"), TriggerDates(D("2026-09-16"), D("2026-09-19"))
    )
    assert (result.start, result.due, result.outer_limit) == (
        D("2026-09-16"),
        D("2027-01-19"),
        None,
    )
    assert "both give the same date" in result.derivation


def test_an_executive_order_closure_is_only_an_outer_limit() -> None:
    # 24 Aug 2025 + 4 months = Wed 24 Dec 2025: federal offices closed by executive order,
    # not a statutory holiday. 25 Dec holiday, 26 Dec closed, weekend: outer Mon 29 Dec.
    result = compute(rule_book().get("US-ACA-ext-file"), received("2025-08-24"))
    assert (result.due, result.outer_limit) == (D("2025-12-24"), D("2025-12-29"))
    assert "closure by executive order (Christmas Eve)" in result.derivation


def test_federal_holidays_come_from_the_maintained_calendar() -> None:
    federal = calendar_for("US")
    assert federal.holiday(D("2026-06-19")) == "Juneteenth National Independence Day"
    assert federal.holiday(D("2026-07-03")) == "Independence Day (observed)"
    assert federal.holiday(D("2025-12-24")) == ""
    assert federal.closure(D("2025-12-24")) == "Christmas Eve"
    assert not federal.is_business_day(D("2026-11-26"))  # Thanksgiving


# ---- which date starts the clock ----------------------------------------------------------------


def test_a_claimant_counts_from_the_earlier_letter_date() -> None:
    result = compute(
        rule_book().get("US-ERISA-appeal-file"), TriggerDates(D("2026-02-26"), D("2026-03-02"))
    )
    # 26 Feb + 180 = Tue 25 Aug; received 2 Mar + 180 = Sat 29 Aug -> outer Mon 31 Aug.
    assert (result.due, result.outer_limit) == (D("2026-08-25"), D("2026-08-31"))
    assert "counted from the date on the letter" in result.derivation


def test_an_insurer_counts_from_receipt() -> None:
    result = compute(
        rule_book().get("US-ERISA-appeal-pre"), TriggerDates(D("2026-02-26"), D("2026-03-02"))
    )
    assert (result.due, result.outer_limit) == (D("2026-04-01"), None)


def test_presumed_receipt_five_days_after_the_notice() -> None:
    rule = rule_book().get("US-PartD-redetermination")
    plain = compute(rule, dated("2026-03-02"))
    assert plain.derivation.startswith("Notice dated 2 Mar 2026 + 5 days presumed receipt = 7 Mar")
    # It arrived early (4 Mar): count from then, + 60 = Sun 3 May; the presumed date gives 6 May.
    early = compute(rule, TriggerDates(D("2026-03-02"), D("2026-03-04")))
    assert (early.due, early.outer_limit) == (D("2026-05-03"), D("2026-05-06"))
    # It arrived late (10 Mar): 6 May stands; with proof, 10 Mar + 60 = Sat 9 May -> Mon 11 May.
    late = compute(rule, TriggerDates(D("2026-03-02"), D("2026-03-10")))
    assert (late.due, late.outer_limit) == (D("2026-05-06"), D("2026-05-11"))
    assert "counts only with proof" in late.derivation


def test_a_missing_date_is_explained() -> None:
    # Only the receipt date of an FOS final response: the real deadline may be earlier.
    fos = compute(rule_book().get("UK-FOS-refer"), received("2026-05-31"))
    assert fos.due == D("2026-11-30")
    assert "may be a few days earlier" in fos.derivation
    with pytest.raises(DeadlineRuleError, match="needs the date of the denial"):
        compute(rule_book().get("US-ERISA-appeal-file"), TriggerDates())


def test_at_most_and_at_least_say_what_they_mean() -> None:
    hearing = compute(rule_book().get("US-Medicaid-hearing"), dated("2026-03-02"))
    assert "at most 90 days and the state may set a shorter period" in hearing.derivation
    assert hearing.derivation.startswith("Mailed 2 Mar 2026 (the date on the notice) + 90 days")


# ---- hours --------------------------------------------------------------------------------------


def test_72_hours_across_the_spring_clock_change() -> None:
    # 7 Mar 2026 10:00 EST; the clocks go forward on 8 Mar: 72 hours later is 11:00 EDT.
    start = datetime(2026, 3, 7, 10, 0, tzinfo=NY)
    result = compute(rule_book().get("US-ERISA-appeal-urgent"), TriggerDates(at=start))
    assert result.due_at is not None
    assert result.due_at == datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    assert result.due_at.astimezone(NY).hour == 11
    assert result.due == D("2026-03-10")
    assert "the clocks change in between, so it ends at 11:00 local time" in result.derivation


def test_72_hours_across_the_autumn_clock_change() -> None:
    # 31 Oct 2026 10:00 EDT; the clocks go back on 1 Nov: 72 hours later is 09:00 EST.
    start = datetime(2026, 10, 31, 10, 0, tzinfo=NY)
    result = compute(rule_book().get("US-ACA-ext-expedited"), TriggerDates(at=start))
    assert result.due_at == datetime(2026, 11, 3, 14, 0, tzinfo=UTC)
    assert result.due_at is not None and result.due_at.astimezone(NY).hour == 9


def test_hours_without_a_time_run_to_the_end_of_the_day() -> None:
    result = compute(rule_book().get("US-ERISA-appeal-urgent"), received("2026-03-07"))
    assert (result.due, result.due_at) == (D("2026-03-10"), None)
    assert "record the time for the exact hour" in result.derivation


def test_hours_need_a_time_zone() -> None:
    naive = TriggerDates(at=datetime(2026, 3, 7, 10, 0))
    with pytest.raises(DeadlineRuleError, match="give the time with its time zone"):
        compute(rule_book().get("US-ERISA-appeal-urgent"), naive)


# ---- extensions and clock stops -----------------------------------------------------------------


def test_an_extension_noticed_inside_the_period_moves_the_date() -> None:
    rule = rule_book().get("US-ERISA-claim-post")
    result = compute(rule, received("2026-03-02"), extension_notices=[D("2026-03-20")])
    assert (result.base, result.due) == (D("2026-04-01"), D("2026-04-16"))
    assert "extension noticed 20 Mar 2026, inside the period: + 15 days = 16 Apr 2026" in (
        result.derivation
    )
    assert "base date 1 Apr 2026; latest lawful date 16 Apr 2026" in result.derivation


def test_an_extension_noticed_on_the_last_day_is_still_inside() -> None:
    rule = rule_book().get("US-ERISA-claim-post")
    result = compute(rule, received("2026-03-02"), extension_notices=[D("2026-04-01")])
    assert result.due == D("2026-04-16")


def test_an_extension_noticed_after_the_period_is_not_valid() -> None:
    rule = rule_book().get("US-ERISA-claim-post")
    result = compute(rule, received("2026-03-02"), extension_notices=[D("2026-04-05")])
    assert result.due == D("2026-04-01")
    assert (
        "the extension noticed 5 Apr 2026 is not valid: notice must come inside the period, "
        "which ended 1 Apr 2026"
    ) in result.derivation


def test_two_extensions_then_no_more() -> None:
    # Disability claim: 45 days (+30 +30). Each notice inside the period as extended so far.
    rule = rule_book().get("US-ERISA-dis-claim")
    notices = [D("2026-04-10"), D("2026-05-10"), D("2026-06-01")]
    result = compute(rule, received("2026-03-02"), extension_notices=notices)
    assert result.due == D("2026-06-15")  # 16 Apr + 30 = 16 May; + 30 = 15 Jun
    assert "is not valid: the rule allows 2 at most" in result.derivation


def test_a_rule_without_extensions_ignores_a_notice() -> None:
    rule = rule_book().get("US-ERISA-appeal-pre")
    result = compute(rule, received("2026-03-02"), extension_notices=[D("2026-03-10")])
    assert result.due == D("2026-04-01")
    assert "does not change this deadline: the rule allows none" in result.derivation


def test_an_hour_rule_extended_by_days() -> None:
    rule = rule_book().get("US-MA-reconsider-expedited")
    start = TriggerDates(at=datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    result = compute(rule, start, extension_notices=[D("2026-03-04")])
    assert result.due_at == datetime(2026, 3, 19, 12, 0, tzinfo=UTC)


def test_assuming_every_extension() -> None:
    rule = rule_book().get("US-ERISA-dis-claim")
    result = compute(rule, received("2026-03-02"), assume_extensions=True)
    assert (result.base, result.due) == (D("2026-04-16"), D("2026-06-15"))
    none = compute(rule_book().get("US-ERISA-appeal-pre"), received("2026-03-02"),
                   assume_extensions=True)  # fmt: skip
    assert "this rule allows no extension" in none.derivation


def test_a_clock_stop_and_resume_adds_the_days_stopped() -> None:
    # Disability appeal: 2 Mar + 45 = 16 Apr; stopped 20 Mar, resumed 30 Mar: + 10 days =
    # Sun 26 Apr, so Mon 27 Apr is shown as the outer limit.
    rule = rule_book().get("US-ERISA-dis-appeal")
    result = compute(rule, received("2026-03-02"), pauses=[Pause(D("2026-03-20"), D("2026-03-30"))])
    assert (result.base, result.due, result.outer_limit) == (
        D("2026-04-16"),
        D("2026-04-26"),
        D("2026-04-27"),
    )
    assert "clock stopped 20 Mar 2026, resumed 30 Mar 2026: + 10 days" in result.derivation


def test_a_clock_still_stopped_counts_to_today() -> None:
    rule = rule_book().get("US-ERISA-dis-appeal")
    stopped = [Pause(D("2026-03-20"))]
    unknown = compute(rule, received("2026-03-02"), pauses=stopped)
    assert unknown.due == D("2026-04-16")
    assert "not resumed: the date moves later" in unknown.derivation
    today = compute(rule, received("2026-03-02"), pauses=stopped, as_of=D("2026-04-01"))
    assert today.due == D("2026-04-28")  # stopped 12 days so far


def test_a_clock_stop_after_the_period_changes_nothing() -> None:
    rule = rule_book().get("US-ERISA-dis-appeal")
    result = compute(rule, received("2026-03-02"), pauses=[Pause(D("2026-05-01"), D("2026-05-20"))])
    assert result.due == D("2026-04-16")
    assert "came after the period had ended" in result.derivation


def test_stop_then_extension_in_date_order() -> None:
    # 45 days to 16 Apr; stopped 1-11 Mar (+10) = 26 Apr; extension noticed 25 Apr, inside:
    # + 45 = 10 Jun.
    rule = rule_book().get("US-ERISA-dis-appeal")
    result = compute(
        rule,
        received("2026-03-02"),
        pauses=[Pause(D("2026-03-05"), D("2026-03-15"))],
        extension_notices=[D("2026-04-25")],
    )
    assert result.due == D("2026-06-10")


# ---- bad input ----------------------------------------------------------------------------------


def test_far_future_and_far_past_triggers_are_refused() -> None:
    today = D("2026-11-23")
    check_plausible(today + timedelta(days=30), today)
    with pytest.raises(DeadlineRuleError, match="more than a year from today"):
        check_plausible(D("2062-03-02"), today)
    with pytest.raises(DeadlineRuleError, match="more than 20 years ago"):
        check_plausible(D("1926-03-02"), today)


def test_a_date_beyond_the_calendar_is_an_error_not_a_crash() -> None:
    with pytest.raises(DeadlineRuleError, match="beyond the dates ClaimDesk can count"):
        compute(rule_book().get("UK-FOS-refer"), dated("9999-11-30"))
