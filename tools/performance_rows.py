"""A month's roster rows, kept column-wise and built into :class:`PerformanceRow` on access.

The engine computes every figure of every member as integer columns
(``tools.rostermath``); turning thousands of them into Python objects costs more than
the whole computation, and most answers need a department or a few people. So a
report holds :class:`PerformanceRows`: a read-only sequence that builds the rows asked
for, with :meth:`PerformanceRows.where` to pick departments or people first. Reading
all of it gives exactly the rows of the Decimal reference.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import overload

import numpy as np
import numpy.typing as npt

from tools.rostermath import Ints, MemberValues

#: Text columns (Python str or None).
Texts = npt.NDArray[np.object_]


@dataclass(slots=True)
class PerformanceRow:
    """One roster member's month. Fields a caller may not see are None.

    A slotted dataclass, not a pydantic model: thousands are built per month and the
    values come from typed columns and the Decimal math, so validation would only cost.
    """

    employee_id: int | None
    employee_no: str | None
    name: str
    name_en: str | None
    department_id: int
    department: str
    sales: Decimal
    min_target: Decimal | None
    attainment: Decimal | None
    median: Decimal
    gap_to_median: Decimal
    met_minimum: bool | None
    above_median: bool
    bonus_eligible: bool | None
    bonus: Decimal | None
    rank: int

    @property
    def short_of_minimum(self) -> Decimal | None:
        """How much more sales reach the minimum target (0 once met; None if hidden)."""
        if self.min_target is None:
            return None
        return max(self.min_target - self.sales, Decimal(0))


@dataclass(frozen=True, slots=True)
class MemberIdentity:
    """Who each roster member is, in report order."""

    employee_id: Ints
    employee_no: Texts
    name: Texts
    name_en: Texts
    department_id: Ints
    department: Texts


class PerformanceRows(Sequence[PerformanceRow]):
    """The rows of a report in report order (department id, sales highest first, employee id),
    built from the columns when read.

    Indexing builds one row, iterating builds them all (about 2 µs a member); a slice
    or :meth:`where` selects without building anything.
    """

    __slots__ = ("_identity", "_values", "_at")

    def __init__(
        self, identity: MemberIdentity, values: MemberValues, at: Ints | None = None
    ) -> None:
        self._identity = identity
        self._values = values
        self._at = np.arange(len(identity.employee_id), dtype=np.int64) if at is None else at

    def __len__(self) -> int:
        return len(self._at)

    @overload
    def __getitem__(self, index: int) -> PerformanceRow: ...
    @overload
    def __getitem__(self, index: slice) -> PerformanceRows: ...
    def __getitem__(self, index: int | slice) -> PerformanceRow | PerformanceRows:
        if isinstance(index, slice):
            return self._select(self._at[index])
        return self._build(self._at[[index]])[0]

    def __iter__(self) -> Iterator[PerformanceRow]:
        return iter(self._build(self._at))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self))

    def where(
        self, *, department_ids: Collection[int] = (), employee_ids: Collection[int] = ()
    ) -> PerformanceRows:
        """The rows of these departments and of these employees, in report order, unbuilt."""
        who, at = self._identity, self._at
        keep = np.isin(who.department_id[at], list(department_ids))
        keep |= np.isin(who.employee_id[at], list(employee_ids))
        return self._select(at[keep])

    def table(self, columns: Sequence[str]) -> list[list[object]]:
        """The rows as JSON-safe lists in ``columns`` order, straight from the columns.

        Equal to ``tools.report.table_of`` over the built rows: money as float (cents / 100
        is the float nearest the Decimal, as ``float(Decimal)`` is), flags as bool.
        """
        built = [self._column(name) for name in columns]
        return [list(row) for row in zip(*built, strict=True)] if built else []

    def _column(self, name: str) -> list[object]:
        who, values, at = self._identity, self._values, self._at
        math = values.outcome.math
        if name in ("employee_id", "employee_no", "name", "name_en", "department_id", "department"):
            return getattr(who, name)[at].tolist()
        if name == "rank":
            return math.rank[at].tolist()
        flags = {
            "met_minimum": math.met,
            "above_median": math.above,
            "bonus_eligible": math.eligible,
        }
        if name in flags:
            return flags[name][at].tolist()
        if name == "sales":
            return (values.sales_cents[at] / 100).tolist()
        if name == "min_target":
            return (values.target_cents[at] / 100).tolist()
        if name == "median":
            return (math.twice_median[math.group[at]] / 200).tolist()
        if name == "gap_to_median":
            return (math.twice_gap[at] / 200).tolist()
        if name == "bonus":
            return (values.outcome.bonus[at] / 100).tolist()
        if name == "attainment":
            ratio: list[object] = (math.attainment[at] / 10_000).tolist()
            for i in np.flatnonzero(math.negative_zero[at]).tolist():
                ratio[i] = -0.0
            for i in np.flatnonzero(~math.has_attainment[at]).tolist():
                ratio[i] = None
            return ratio
        raise KeyError(f"no column {name!r} in a performance row")

    def _select(self, at: Ints) -> PerformanceRows:
        return PerformanceRows(self._identity, self._values, at)

    def _build(self, at: Ints) -> list[PerformanceRow]:
        who, values, math = self._identity, self._values, self._values.outcome.math
        return list(
            map(
                PerformanceRow,
                who.employee_id[at].tolist(),
                who.employee_no[at].tolist(),
                who.name[at].tolist(),
                who.name_en[at].tolist(),
                who.department_id[at].tolist(),
                who.department[at].tolist(),
                values.sales(at),
                values.min_target(at),
                values.attainment(at),
                values.median(at),
                values.gap_to_median(at),
                math.met[at].tolist(),
                math.above[at].tolist(),
                math.eligible[at].tolist(),
                values.bonus(at),
                math.rank[at].tolist(),
            )
        )


def select_rows(
    rows: Sequence[PerformanceRow],
    *,
    department_ids: Collection[int] = (),
    employee_ids: Collection[int] = (),
) -> Sequence[PerformanceRow]:
    """The rows of these departments and of these employees, without building the others."""
    if isinstance(rows, PerformanceRows):
        return rows.where(department_ids=department_ids, employee_ids=employee_ids)
    return [r for r in rows if r.department_id in department_ids or r.employee_id in employee_ids]
