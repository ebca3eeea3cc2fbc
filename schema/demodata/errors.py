"""Errors of the demo-data generator. Messages are safe to show a user."""

from __future__ import annotations

from schema.errors import HrqError


class DemoDataError(HrqError):
    """The demo warehouse cannot be built: bad option, unwritable target, unreachable database."""

    code = "demo_data"
