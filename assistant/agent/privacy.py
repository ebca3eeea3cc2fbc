"""What the model may see of a result, and the pseudonyms of the opt-in mode.

By default (``HRQ_LLM_SEES_ROWS`` unset) a result reaches the model only as
its column names, its row count and the aggregates the model asked for
(``"sum:amount"``, ``"avg:amount"``, ``"min:..."``, ``"max:..."``,
``"count:..."``, ``"count_distinct:..."``), computed by hrq over the real rows.
Warehouse rows never leave hrq, which is what PIPL-conscious deployments need.

With ``HRQ_LLM_SEES_ROWS=true`` the model also sees up to :data:`MAX_ROWS_SHOWN`
rows, with every person pseudonymised: names, English names, employee numbers
and contact columns become ``E1``, ``E2`` ... (the same person, the same
pseudonym, within one question); :meth:`Pseudonyms.restore` puts the real
names back into what the model wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

#: Rows the model sees at most in the opt-in mode.
MAX_ROWS_SHOWN = 50
#: Columns whose values identify a person (masked whatever their value).
PERSON_COLUMNS = frozenset({
    "name", "name_en", "employee_no", "email", "phone", "wecom_userid", "姓名", "工号", "employee",
})  # fmt: skip
AGGREGATES = ("sum", "avg", "min", "max", "count", "count_distinct")
_PSEUDONYM = re.compile(r"(?<![A-Za-z0-9])E(\d{1,4})(?![0-9])")


@dataclass
class Pseudonyms:
    """A per-question mapping person <-> ``E<n>``; ``people`` are the names to recognise."""

    people: frozenset[str] = frozenset()
    forward: dict[str, str] = field(default_factory=dict)
    backward: dict[str, str] = field(default_factory=dict)

    def mask(self, value: str) -> str:
        """The pseudonym of ``value`` (a new one the first time it is seen)."""
        if value not in self.forward:
            alias = f"E{len(self.forward) + 1}"
            self.forward[value] = alias
            self.backward[alias] = value
        return self.forward[value]

    def mask_row(self, columns: Sequence[str], row: Sequence[Any]) -> list[Any]:
        """A row with every person column, and every known person's name, pseudonymised."""
        return [
            self.mask(str(v)) if v is not None and (c in PERSON_COLUMNS or v in self.people) else v
            for c, v in zip(columns, row, strict=False)
        ]

    def restore(self, text: str) -> str:
        """``text`` with every pseudonym this run handed out replaced by the real value."""
        return _PSEUDONYM.sub(lambda m: self.backward.get(m.group(0), m.group(0)), text)


def aggregate(columns: Sequence[str], rows: Sequence[Sequence[Any]], spec: str) -> Any:
    """One ``fn:column`` aggregate over ``rows``; a string starting 'error:' when it cannot be."""
    fn, _, column = spec.partition(":")
    fn, column = fn.strip().lower(), column.strip()
    if fn not in AGGREGATES:
        return f"error: unknown aggregate {fn!r}; use one of {', '.join(AGGREGATES)}"
    if column not in columns:
        return f"error: no column {column!r} in the result; columns are {', '.join(columns)}"
    values = [row[columns.index(column)] for row in rows]
    present = [v for v in values if v is not None]
    if fn == "count":
        return len(present)
    if fn == "count_distinct":
        return len({str(v) for v in present})
    numbers = [_number(v) for v in present]
    if any(n is None for n in numbers):
        return f"error: column {column!r} is not numeric"
    nums = [n for n in numbers if n is not None]
    if not nums:
        return None
    result = {"sum": sum(nums), "avg": sum(nums) / len(nums), "min": min(nums), "max": max(nums)}[
        fn
    ]
    return float(round(result, 4))


def view_for_model(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    aggregates: Iterable[str],
    *,
    sees_rows: bool,
    pseudonyms: Pseudonyms,
    truncated: bool = False,
) -> dict[str, Any]:
    """What the model is told about a result (see the module docstring)."""
    view: dict[str, Any] = {
        "columns": list(columns),
        "row_count": len(rows),
        "truncated": truncated,
    }
    asked = list(aggregates)
    if asked:
        view["aggregates"] = {spec: aggregate(columns, rows, spec) for spec in asked}
    if sees_rows:
        view["rows"] = [
            [_plain(v) for v in pseudonyms.mask_row(columns, row)] for row in rows[:MAX_ROWS_SHOWN]
        ]
    else:
        view["note"] = "rows are not shown to the model; hrq composes the answer from them"
    return view


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float | Decimal):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)
