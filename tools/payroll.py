"""A closed month's payroll export: one row per roster member, from the latest snapshot.

Each row is ``employee_no, month, bonus, version``: what payroll pays (the closed bonus
with accepted disputes' adjustments) and which close it comes from. The export holds every member's bonus, so only HR and admins may have
it (:class:`PayrollForbiddenError` for anyone else, before anything is read out).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from schema.caller import Caller
from tools.adjustment import Adjustment
from tools.errors import PayrollForbiddenError
from tools.snapshot import MonthSnapshot

PAYROLL_COLUMNS = ("employee_no", "month", "bonus", "version")


@dataclass(frozen=True, slots=True)
class PayrollRow:
    """What payroll pays one roster member for a closed month."""

    employee_no: str
    month: str
    bonus: Decimal
    version: int


def payroll(
    snapshot: MonthSnapshot, caller: Caller, adjustments: Iterable[Adjustment] = ()
) -> list[PayrollRow]:
    """The payroll rows of ``snapshot`` (pass the month's latest), by employee_no: each
    closed bonus with the adjustments accepted disputes made to it (what payroll pays).

    Raises PayrollForbiddenError unless ``caller`` is HR or an admin.
    """
    if not caller.role.sees_everything:
        raise PayrollForbiddenError(
            f"only HR and admins may export the payroll; you are signed in as {caller.role.value}"
        )
    adjusted: dict[str, Decimal] = {}
    for a in adjustments:
        adjusted[a.employee_no] = adjusted.get(a.employee_no, Decimal(0)) + a.amount
    return [
        PayrollRow(
            r.employee_no,
            snapshot.label,
            r.bonus + adjusted.get(r.employee_no, Decimal(0)),
            snapshot.version,
        )  # fmt: skip
        for r in sorted(snapshot.rows, key=lambda r: r.employee_no)
    ]


def payroll_csv(rows: list[PayrollRow]) -> bytes:
    """The rows as CSV (UTF-8 with BOM for Excel): a header line, then one line per member,
    bonus as exact decimal text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(PAYROLL_COLUMNS)
    for r in rows:
        writer.writerow([r.employee_no, r.month, f"{r.bonus:.2f}", r.version])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
