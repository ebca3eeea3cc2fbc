"""Working days and the month-in-progress forecast."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from schema.caller import Caller, Role
from schema.db import warehouse_engine
from tests.tools.builders import WarehouseBuilder
from tools.calendar import working_days
from tools.errors import NoRosterError
from tools.forecast import Forecast, forecast

OCT = date(2026, 10, 1)


def test_working_days_follow_the_chinese_calendar() -> None:
    # National Day 2026: Oct 1-7 off (a Thursday to a Wednesday); Saturday Oct 10 is a
    # make-up working day, which Mon-Fri counting would miss.
    assert working_days(date(2026, 10, 1), date(2026, 10, 7)).days == 0
    assert working_days(date(2026, 10, 8), date(2026, 10, 11)).days == 3
    july = working_days(date(2026, 7, 1), date(2026, 7, 31))
    assert july.days == 23 and not july.fallback  # no holidays in July 2026
    assert working_days(date(2026, 7, 2), date(2026, 7, 1)).days == 0


def test_working_days_fall_back_to_monday_to_friday() -> None:
    result = working_days(date(2099, 6, 1), date(2099, 6, 7))  # Mon..Sun
    assert result.days == 5 and result.fallback


@pytest.fixture
def url(tmp_path: Path) -> str:
    b = WarehouseBuilder().department(1, "测试销售一部").department(2, "测试销售二部")
    month = date(2026, 7, 1)
    for emp, dept, mtd, target in [(1, 1, "1000", 2000), (2, 1, "300", 1000), (3, 1, "0", 100),
                                   (4, 2, "50", 10)]:  # fmt: skip
        b.employee(emp, f"人{emp}", dept).target(emp, month, target)
        b.order(emp, date(2026, 7, 6), mtd)
        b.order(emp, date(2026, 7, 20), "99999")  # after as-of: must not count
    return b.duckdb(tmp_path)


def run(url: str, as_of: date = date(2026, 7, 10), **kw: object) -> Forecast:
    with warehouse_engine(url).connect() as conn:
        kw.setdefault("caller", Caller.operator())
        return forecast(conn, as_of, **kw)  # type: ignore[arg-type]


def test_projection_and_flags(url: str) -> None:
    result = run(url)
    # July 2026: 23 working days; July 1-10 has 8 (1,2,3,6,7,8,9,10).
    assert (result.elapsed_working_days, result.total_working_days) == (8, 23)
    got = [(r.name, r.projected, r.at_risk, r.projected_above_median) for r in result.rows]
    assert got == [
        ("人1", Decimal("2875.00"), False, True),  # 1000 x 23 / 8
        ("人2", Decimal("862.50"), True, False),  # below its 1,000 minimum; is the median
        ("人3", Decimal("0.00"), True, False),
        ("人4", Decimal("143.75"), False, False),  # alone in its department: equals the median
    ]
    assert result.rows[0].projected_median == Decimal("862.50")
    assert "working days elapsed 8 of 23 in 2026-07" in result.trace


def test_forecast_scope_and_department(url: str) -> None:
    me = Caller(role=Role.SALES, employee_id=2, department_id=1)
    result = run(url, caller=me)
    assert {r.name for r in result.rows} == {"人1", "人2", "人3"}
    other = next(r for r in result.rows if r.name == "人1")
    assert other.min_target is None and other.at_risk is None
    assert [r.name for r in run(url, department="二部").rows] == ["人4"]


def test_forecast_without_roster(url: str) -> None:
    with pytest.raises(NoRosterError, match="2026-08"):
        run(url, as_of=date(2026, 8, 3))
