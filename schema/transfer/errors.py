"""Errors of a warehouse copy. Messages are safe to show a user."""

from __future__ import annotations

from schema.errors import HrqError


class CopyError(HrqError):
    """A warehouse copy cannot start, failed, or did not copy every row exactly."""

    code = "copy"


class CopyInterrupted(CopyError):
    """The copy was interrupted (Ctrl-C); the message says what the destination holds."""

    code = "interrupted"
