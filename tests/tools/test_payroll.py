"""The payroll export: one row per roster member from the snapshot, HR and admins only."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from schema.caller import Caller, Role
from tests.tools.test_closing import _row, _snapshot
from tools.errors import OutOfScopeError, PayrollForbiddenError
from tools.payroll import PAYROLL_COLUMNS, payroll, payroll_csv
from tools.snapshot import SnapshotRow


def _closed() -> list[SnapshotRow]:
    return [_row(3, "500.00", "300.00", (1,)), _row(1, "300.00", "300.00", (2,)),
            _row(2, "150.005", "100.00", (3,), dept=2)]  # fmt: skip


@pytest.mark.parametrize("role", [Role.HR, Role.ADMIN])
def test_hr_gets_every_member_from_the_snapshot(role: Role) -> None:
    snapshot = _snapshot(_closed(), version=2)
    rows = payroll(snapshot, Caller(role=role, employee_no="E00900"))
    assert [(r.employee_no, r.month, r.bonus, r.version) for r in rows] == [
        (s.employee_no, "2026-10", s.bonus, 2)
        for s in sorted(snapshot.rows, key=lambda s: s.employee_no)
    ]
    parsed = list(csv.reader(io.StringIO(payroll_csv(rows).decode("utf-8-sig"))))
    assert tuple(parsed[0]) == PAYROLL_COLUMNS
    assert [(no, m, Decimal(b), int(v)) for no, m, b, v in parsed[1:]] == [
        (r.employee_no, r.month, r.bonus, r.version) for r in rows
    ]
    assert any(r.bonus > 0 for r in rows)


@pytest.mark.parametrize(
    "caller",
    [
        Caller(role=Role.SALES, employee_id=1, employee_no="E00001", department_id=1),
        Caller(
            role=Role.MANAGER,
            employee_id=9,
            employee_no="E00009",
            department_id=1,
            department_ids=frozenset({1, 2}),
        ),  # fmt: skip
        Caller(role=Role.EMPLOYEE, employee_id=4, employee_no="E00004"),
    ],
    ids=["sales", "manager", "employee"],
)
def test_nobody_else_gets_the_payroll(caller: Caller) -> None:
    with pytest.raises(PayrollForbiddenError, match="only HR and admins") as refused:
        payroll(_snapshot(_closed()), caller)
    assert isinstance(refused.value, OutOfScopeError)  # answered 403 over HTTP


def test_accepted_adjustments_are_paid_with_the_closed_bonus() -> None:
    from tools.adjustment import Adjustment

    snapshot = _snapshot(_closed(), version=2)
    person = sorted(snapshot.rows, key=lambda s: s.employee_no)[0]
    adjustments = [
        Adjustment(
            dispute_id=i,
            employee_no=person.employee_no,
            amount=Decimal(amount),
            reason="a refund was not this person's",
            statement_version=i + 1,
            created_at="2026-11-03T10:00:00Z",
            created_by="hr",
        )  # fmt: skip
        for i, amount in enumerate(("120.50", "-20.25"), start=1)
    ]
    rows = payroll(snapshot, Caller(role=Role.HR, employee_no="E00900"), adjustments)
    paid = {r.employee_no: r.bonus for r in rows}
    assert paid[person.employee_no] == person.bonus + Decimal("100.25")
    assert all(paid[s.employee_no] == s.bonus for s in snapshot.rows if s is not person)
