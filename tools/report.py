"""Shared shape of tool results that are tables: JSON-safe columns and rows
(values in their JSON form, :mod:`schema.jsonvalue`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from schema.jsonvalue import json_value

SCOPE_NOTE = "仅包含你有权查看的数据 (only data you may see is included)"


def table_of(models: Sequence[object], columns: list[str]) -> list[list[Any]]:
    """Rows of ``models`` as lists of JSON-safe values, in ``columns`` order."""
    return [[json_value(getattr(m, c)) for c in columns] for m in models]
