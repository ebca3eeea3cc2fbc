"""A closed month's snapshot: the roster, every member's inputs and results, the policy.

``hrq close`` freezes a month (``tools.closing`` computes it, ``assistant.closes``
stores it). Questions about a closed month are then answered from its latest
snapshot: the performance engine takes the snapshot's roster (minimum targets and
sales as closed) and policy instead of the warehouse's, and its report says so
(:class:`ClosedMonth`). A :class:`SnapshotSource` is what the engine asks for a
month's snapshot; with ``live`` set it still reports the close but computes from the
warehouse.

The snapshot's hash is the SHA-256 of its canonical JSON (:func:`snapshot_hash`):
the header (month, version, when, by whom, policy, diff) and every row with money
as exact decimal text. The audit log chains it, so an edited row is found.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from pydantic import BaseModel, Field

from tools.policy import BonusPolicy, RatePolicy


@dataclass(frozen=True, slots=True)
class SnapshotRow:
    """One roster member as closed: who, the inputs, every result, the orders counted."""

    employee_id: int
    employee_no: str
    name: str
    name_en: str | None
    department_id: int
    department: str
    department_en: str | None
    sales: Decimal
    min_target: Decimal
    median: Decimal
    gap: Decimal
    met_minimum: bool
    above_median: bool
    eligible: bool
    bonus: Decimal
    rank: int
    order_ids: tuple[int, ...] = ()

    def canonical(self) -> dict[str, Any]:
        """The row as hashed and stored: money as decimal text, order ids as a sorted list."""
        return {
            "employee_id": self.employee_id,
            "employee_no": self.employee_no,
            "name": self.name,
            "name_en": self.name_en,
            "department_id": self.department_id,
            "department": self.department,
            "department_en": self.department_en,
            "sales": str(self.sales),
            "min_target": str(self.min_target),
            "median": str(self.median),
            "gap": str(self.gap),
            "met_minimum": bool(self.met_minimum),
            "above_median": bool(self.above_median),
            "eligible": bool(self.eligible),
            "bonus": str(self.bonus),
            "rank": self.rank,
            "order_ids": json.dumps(sorted(self.order_ids)),
        }

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> SnapshotRow:
        """A row read back from the app database (the shape of :meth:`canonical`)."""
        return cls(
            employee_id=int(stored["employee_id"]),
            employee_no=stored["employee_no"],
            name=stored["name"],
            name_en=stored["name_en"],
            department_id=int(stored["department_id"]),
            department=stored["department"],
            department_en=stored["department_en"],
            sales=Decimal(stored["sales"]),
            min_target=Decimal(stored["min_target"]),
            median=Decimal(stored["median"]),
            gap=Decimal(stored["gap"]),
            met_minimum=bool(stored["met_minimum"]),
            above_median=bool(stored["above_median"]),
            eligible=bool(stored["eligible"]),
            bonus=Decimal(stored["bonus"]),
            rank=int(stored["rank"]),
            order_ids=tuple(json.loads(stored["order_ids"])),
        )

    def public(self) -> dict[str, Any]:
        """The row of ``hrq close --json``: JSON-safe, money as numbers."""
        return {
            "employee_no": self.employee_no,
            "name": self.name,
            "department": self.department,
            "sales": float(self.sales),
            "min_target": float(self.min_target),
            "median": float(self.median),
            "gap": float(self.gap),
            "met_minimum": self.met_minimum,
            "above_median": self.above_median,
            "eligible": self.eligible,
            "bonus": float(self.bonus),
        }


@dataclass(frozen=True)
class MonthSnapshot:
    """One version of a closed month."""

    month: date
    version: int
    hash: str
    closed_at: str
    closed_by: str | None
    closed_on: date
    policy: BonusPolicy
    rows: tuple[SnapshotRow, ...]
    diff: dict[str, Any] | None = None
    audit_seq: int | None = None
    #: rows by department id, built once
    _by_department: dict[int, list[SnapshotRow]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for row in self.rows:
            self._by_department.setdefault(row.department_id, []).append(row)

    @property
    def label(self) -> str:
        return self.month.strftime("%Y-%m")

    def department_rows(self, department_id: int) -> list[SnapshotRow]:
        """The closed roster of one department, in rank order."""
        return list(self._by_department.get(department_id, []))

    def row_of(self, employee_no: str) -> SnapshotRow | None:
        """The closed row of one person, or None when they were not on the roster."""
        return next((r for r in self.rows if r.employee_no == employee_no), None)

    def differs(
        self,
        live: set[tuple[int, int, Decimal, Decimal]],
        policy: BonusPolicy,
        department_ids: Collection[int] | None = None,
    ) -> bool:
        """Whether the live roster of these departments ((employee, department, minimum
        target, sales) of each member) or the rates in force differ from the closed ones."""
        rows = [r for r in self.rows if department_ids is None or r.department_id in department_ids]
        if live != {(r.employee_id, r.department_id, r.min_target, r.sales) for r in rows}:
            return True
        departments = {(r.department_id, r.department, r.department_en) for r in rows}
        return not all(
            same_rates(policy.for_department(*d), self.policy.for_department(*d))
            for d in departments
        )

    def header(self) -> dict[str, Any]:
        """The hashed header (everything but the rows and the hash)."""
        return snapshot_header(
            self.label, self.version, self.closed_at, self.closed_by, self.closed_on,
            policy_json(self.policy), self.diff,
        )  # fmt: skip

    def computed_hash(self) -> str:
        """The hash these contents should have (equal to ``hash`` unless edited)."""
        return snapshot_hash(self.header(), self.rows)


class ClosedMonth(BaseModel):
    """What an answer says about a closed month: which snapshot, and whether live data moved."""

    month: str = Field(examples=["2026-10"])
    version: int
    hash: str
    changed_since_close: bool = Field(
        description="Live warehouse data (or the bonus policy in force) differ from the snapshot."
    )
    source: str = Field(
        default="snapshot", description="snapshot (the closed figures) or live (asked for live)."
    )


class SnapshotSource(Protocol):
    """Where the performance engine finds closed months: the latest snapshot of a month."""

    @property
    def live(self) -> bool:
        """True: report the close but compute from the warehouse."""
        ...

    def latest(self, month: date) -> MonthSnapshot | None:
        """The latest snapshot of ``month`` (its first day), or None when it is not closed."""
        ...


def closed_line(closed: ClosedMonth) -> str:
    """The trace line of a closed month's answer."""
    moved = (
        "live data have changed since the close"
        if closed.changed_since_close
        else "live data match the close"
    )
    if closed.source == "live":
        return (
            f"live figures as asked; {closed.month} was closed (version {closed.version}, "
            f"hash {closed.hash[:12]}): {moved}"
        )
    return (
        f"answered from the close of {closed.month}, version {closed.version} "
        f"(hash {closed.hash[:12]}): {moved}"
    )


def policy_json(policy: BonusPolicy) -> str:
    """The policy as stored and hashed (canonical JSON; rates as decimal text)."""
    return json.dumps(policy.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


def policy_of(stored: str) -> BonusPolicy:
    """The policy back from its stored JSON."""
    return BonusPolicy.model_validate_json(stored)


def same_rates(a: RatePolicy, b: RatePolicy) -> bool:
    """Whether two department policies pay the same (rate and cap; not where they came from)."""
    return a.rate == b.rate and a.cap == b.cap


def snapshot_header(
    month: str,
    version: int,
    closed_at: str,
    closed_by: str | None,
    closed_on: date,
    policy: str,
    diff: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "month": month,
        "version": version,
        "closed_at": closed_at,
        "closed_by": closed_by,
        "closed_on": closed_on.isoformat(),
        "policy": policy,
        "diff": diff,
    }


def snapshot_hash(header: dict[str, Any], rows: Sequence[SnapshotRow]) -> str:
    """SHA-256 of the snapshot's canonical JSON: the header and the rows by employee id."""
    content = {
        **header,
        "rows": [r.canonical() for r in sorted(rows, key=lambda r: r.employee_id)],
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
