"""Errors of the data layer. Messages are safe to show a user."""

from __future__ import annotations


class HrqError(Exception):
    """Root of every hrq error; ``str(error)`` is a message a user can act on."""

    code = "error"


class ConfigError(HrqError):
    """A setting or configuration file is invalid."""

    code = "config"


class WarehouseError(HrqError):
    """The warehouse cannot be reached or does not follow the contract."""

    code = "warehouse"
