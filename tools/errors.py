"""Errors of the domain tools. Every message is safe to show the person who asked."""

from __future__ import annotations

from collections.abc import Sequence

from schema.errors import HrqError


class ToolError(HrqError):
    """A domain tool cannot answer; the message says why and what to try instead."""

    code = "tool"


class NoRosterError(ToolError):
    """No sales roster (no ``sales_targets`` rows) for the month asked about."""

    code = "no_roster"


class PolicyError(ToolError):
    """The bonus policy file is missing or invalid; the message names the line or key."""

    code = "policy"


class InsufficientHistoryError(ToolError):
    """Too few past months to fit a model or make a projection."""

    code = "insufficient_history"


class DepartmentError(ToolError):
    """A department name did not resolve to exactly one department."""

    code = "department"

    def __init__(self, message: str, candidates: Sequence[str] = ()) -> None:
        self.candidates = list(candidates)
        if self.candidates:
            message = f"{message}; candidates: {', '.join(self.candidates)}"
        super().__init__(message)


class UnknownDepartmentError(DepartmentError):
    """No department matches the text given."""

    code = "unknown_department"


class AmbiguousDepartmentError(DepartmentError):
    """More than one department matches the text given."""

    code = "ambiguous_department"


class InvalidArgumentError(ToolError):
    """An argument is malformed (a month that is not YYYY-MM, a negative spend...)."""

    code = "invalid_argument"


class OutOfScopeError(ToolError):
    """Everything the tool found lies outside what the caller may see."""

    code = "out_of_scope"


class MonthInProgressError(ToolError):
    """A month that has not ended yet cannot be closed."""

    code = "month_in_progress"


class NotClosedError(ToolError):
    """The month asked about has not been closed (or not in the version asked for)."""

    code = "not_closed"


class CloseForbiddenError(OutOfScopeError):
    """Only HR and admins may close a month."""

    code = "close_forbidden"


class DisputeForbiddenError(OutOfScopeError):
    """Only HR and admins resolve disputes; only the person disputes their own bonus."""

    code = "dispute_forbidden"


class DisputeNotFoundError(ToolError):
    """No dispute with that id that the caller may see."""

    code = "dispute_not_found"


class DisputeResolvedError(ToolError):
    """The dispute was already resolved (accepted or rejected)."""

    code = "dispute_resolved"


class PayrollForbiddenError(OutOfScopeError):
    """Only HR and admins may export a month's payroll."""

    code = "payroll_forbidden"
