"""The deadline engine: rules as data, pure date arithmetic, no database and no Qt."""

from claimdesk.deadlines.calendars import BusinessCalendar, calendar_for
from claimdesk.deadlines.engine import Computation, Pause, TriggerDates, check_plausible, compute
from claimdesk.deadlines.errors import DeadlineRuleError
from claimdesk.deadlines.periods import Period
from claimdesk.deadlines.plan import CaseFacts, Plan, Planned, plan_case
from claimdesk.deadlines.rules import CONFIDENCES, Rule, RuleBook, load_rules

__all__ = [
    "CONFIDENCES",
    "BusinessCalendar",
    "CaseFacts",
    "Computation",
    "DeadlineRuleError",
    "Pause",
    "Period",
    "Plan",
    "Planned",
    "Rule",
    "RuleBook",
    "TriggerDates",
    "calendar_for",
    "check_plausible",
    "compute",
    "load_rules",
    "plan_case",
]
