"""The one error the deadline engine raises."""

from __future__ import annotations

from claimdesk.errors import ClaimDeskError


class DeadlineRuleError(ClaimDeskError):
    """A rule is unknown or malformed, or a date cannot be counted from; the message says why."""
