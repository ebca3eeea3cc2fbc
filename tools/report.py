"""Shared shape of tool results that are tables: JSON-safe columns and rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

SCOPE_NOTE = "仅包含你有权查看的数据 (only data you may see is included)"


def json_safe(value: Any) -> Any:
    """Decimal -> float, date -> ISO text; everything else unchanged."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def table_of(models: Sequence[object], columns: list[str]) -> list[list[Any]]:
    """Rows of ``models`` as lists of JSON-safe values, in ``columns`` order."""
    return [[json_safe(getattr(m, c)) for c in columns] for m in models]
