"""Errors of the assistant package. Messages are safe to show a user (or a model).

Every error carries a machine-readable ``reason`` so a surface can render a
refusal (``{"kind": "error", "reason": ..., "message": ...}``) and a model can
be told why its SQL was refused and retry.
"""

from __future__ import annotations

from schema.errors import HrqError


class AssistantError(HrqError):
    """Root of the assistant package's errors."""

    code = "assistant"

    def __init__(self, message: str, *, reason: str = "error") -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


class GuardError(AssistantError):
    """A SQL statement was refused by the guard (or cancelled by its timeout).

    ``reason`` is one of the codes listed in :mod:`assistant.guard` (for example
    ``not_read_only``, ``unknown_column``, ``denied_payroll``, ``timeout``);
    ``str(error)`` names what was refused and why.
    """

    code = "guard"


class QueryError(AssistantError):
    """A guarded statement was accepted but the warehouse failed to run it."""

    code = "query"


class CallerError(AssistantError):
    """The asker cannot be resolved (unknown employee number, invalid role)."""

    code = "caller"
