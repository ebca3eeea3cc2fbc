"""Performance results cut to the caller's scope, after computing over the whole roster."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from schema.caller import Caller, Role
from tests.tools.builders import WarehouseBuilder
from tests.tools.test_performance import JULY, run
from tools.errors import OutOfScopeError
from tools.report import SCOPE_NOTE


@pytest.fixture
def url(tmp_path: Path) -> str:
    b = WarehouseBuilder().department(10, "测试大区", kind="region")
    b.department(1, "测试销售一部", parent_id=10).department(2, "测试销售二部", kind="sales")
    for emp, dept, sales in [
        (1, 1, "100"),
        (2, 1, "300"),
        (3, 1, "200"),
        (4, 2, "1000"),
        (5, 2, "10"),
    ]:
        b.employee(emp, f"人{emp}", dept).target(emp, JULY, 150).order(emp, date(2026, 7, 2), sales)
    return b.duckdb(tmp_path)


def test_hr_sees_everything(url: str) -> None:
    report = run(url, caller=Caller(role=Role.HR, employee_id=99))
    assert len(report.rows) == 5 and not report.scoped and report.scope_note is None


def test_sales_sees_own_department_leaderboard_columns_only(url: str) -> None:
    me = Caller(role=Role.SALES, employee_id=3, department_id=1)
    report = run(url, caller=me)
    assert report.scoped and report.scope_note == SCOPE_NOTE
    assert {r.department_id for r in report.rows} == {1}
    rows = {r.name: r for r in report.rows}
    mine = rows["人3"]
    assert (mine.min_target, mine.met_minimum, mine.bonus) == (
        Decimal("150"),
        True,
        Decimal("0.00"),
    )
    colleague = rows["人2"]
    assert (colleague.rank, colleague.sales, colleague.gap_to_median) == (
        1,
        Decimal("300"),
        Decimal("100"),
    )
    assert (
        colleague.min_target is None
        and colleague.bonus is None
        and colleague.bonus_eligible is None
    )
    assert colleague.met_minimum is None and colleague.attainment is None
    assert colleague.employee_no is None
    # The median is still over the whole roster, not over what the caller sees.
    (summary,) = report.summaries
    assert summary.median == Decimal("200") and summary.roster_size == 3
    assert summary.total_bonus is None and summary.met_minimum_count is None


def test_sales_may_not_see_another_department(url: str) -> None:
    me = Caller(role=Role.SALES, employee_id=3, department_id=1)
    with pytest.raises(OutOfScopeError):
        run(url, caller=me, department="测试销售二部")


def test_manager_sees_their_subtree_in_full(url: str) -> None:
    boss = Caller(
        role=Role.MANAGER, employee_id=1, department_id=10, department_ids=frozenset({10, 1})
    )
    report = run(url, caller=boss)
    assert [r.name for r in report.rows] == ["人2", "人3", "人1"]
    assert all(r.bonus is not None and r.min_target is not None for r in report.rows)
    assert [s.department for s in report.summaries] == ["测试销售一部"]
    assert report.summaries[0].total_bonus == Decimal("5.00")


def test_employee_sees_only_themselves(url: str) -> None:
    me = Caller(role=Role.EMPLOYEE, employee_id=5, department_id=2)
    report = run(url, caller=me)
    assert [r.name for r in report.rows] == ["人5"] and report.summaries == []
    assert report.rows[0].median == Decimal("505")
