"""Target suggestions from marketing spend: OLS, interval, shares, ramp, refusals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from schema.caller import Caller, Role
from schema.db import warehouse_engine
from tests.tools.builders import WarehouseBuilder
from tools.errors import InsufficientHistoryError
from tools.period import add_months
from tools.stats import ols, t_quantile
from tools.targets import TargetSuggestion, suggest_targets

AUG = date(2026, 8, 1)
SPENDS = [10_000, 20_000, 15_000, 30_000, 25_000, 12_000, 28_000, 18_000]
NOISE = [50, -40, 30, -60, 20, 10, -30, 20]


@pytest.mark.parametrize(
    ("dof", "expected"), [(1, 3.077684), (5, 1.475884), (10, 1.372184), (30, 1.310415)]
)
def test_t_quantile_matches_tables(dof: int, expected: float) -> None:
    assert t_quantile(0.9, dof) == pytest.approx(expected, abs=1e-6)


def test_ols_recovers_a_line() -> None:
    fit = ols([[1.0], [2.0], [3.0], [4.0]], [3.0, 5.0, 7.0, 9.0])
    assert fit.coefficients == pytest.approx([1.0, 2.0]) and fit.r_squared == pytest.approx(1.0)


def build(tmp_path: Path, months: int = len(SPENDS)) -> str:
    b = (
        WarehouseBuilder()
        .department(1, "测试销售一部", "Test Sales 1")
        .department(2, "测试市场部", kind="marketing")
    )
    b.employee(1, "老甲", 1, level="senior", hire_date=date(2024, 1, 1))
    b.employee(2, "老乙", 1, level="junior", hire_date=date(2024, 1, 1))
    b.employee(3, "新丙", 1, level="junior", hire_date=date(2026, 7, 15))
    b.employee(
        4, "走丁", 1, level="junior", hire_date=date(2024, 1, 1), termination_date=date(2026, 6, 30)
    )
    b.employee(5, "经理", 1, level="lead", title="Sales Manager")
    for i, (spend, noise) in enumerate(zip(SPENDS[-months:], NOISE[-months:], strict=True)):
        month = add_months(AUG, -months + i)
        sales = 1000 + 2 * spend + noise  # the department's sales follow the spend
        b.spend(1, month, spend, leads=spend // 100)
        b.order(1, month.replace(day=10), str(Decimal(sales) * 3 / 4))
        b.order(2, month.replace(day=10), str(Decimal(sales) / 4))
        b.target(1, month, 30000).target(2, month, 800).target(4, month, 900)
    return b.duckdb(tmp_path)


def run(url: str, spend: str = "20000", **kw: object) -> TargetSuggestion:
    with warehouse_engine(url).connect() as conn:
        kw.setdefault("caller", Caller.operator())
        return suggest_targets(conn, "一部", "2026-08", spend, **kw)  # type: ignore[arg-type]


def test_suggestion(tmp_path: Path) -> None:
    s = run(build(tmp_path))
    assert s.months_used == 8
    assert s.coefficients["spend"] == pytest.approx(2.0, abs=0.01)
    assert s.r_squared > 0.999
    assert s.interval_low < s.predicted_sales < s.interval_high
    assert abs(s.predicted_sales - Decimal(41000)) < 60
    assert s.conservative_point == s.interval_low
    rows = {r.name: r for r in s.rows}
    assert set(rows) == {"老甲", "老乙", "新丙"}  # not the leaver, not the manager
    assert rows["老甲"].share == Decimal("0.7500") and rows["老乙"].share == Decimal("0.2500")
    established = rows["老甲"].suggested_min_target + rows["老乙"].suggested_min_target  # type: ignore[operator]
    assert abs(established - s.conservative_point) <= Decimal("0.01")
    # Hired in July: August is employment month 2 -> 60 % of the junior median (800, 900 -> 850).
    assert rows["新丙"].suggested_min_target == Decimal("510.00")
    assert rows["新丙"].basis == "ramp month 2: 60 % of junior typical 850.00"
    assert any("80 % interval" in line for line in s.trace)


def test_leads_model_reports_a_leads_coefficient(tmp_path: Path) -> None:
    s = run(build(tmp_path), planned_leads=200)
    assert set(s.coefficients) == {"intercept", "spend", "leads"}


def test_higher_spend_raises_targets(tmp_path: Path) -> None:
    url = build(tmp_path)
    low, high = run(url, "10000"), run(url, "30000")
    assert high.rows[0].suggested_min_target > low.rows[0].suggested_min_target  # type: ignore[operator]


def test_refuses_with_short_history(tmp_path: Path) -> None:
    with pytest.raises(InsufficientHistoryError, match="5 month\\(s\\) .* at least 6 needed"):
        run(build(tmp_path, months=5))


def test_sales_caller_sees_only_their_own_suggestion(tmp_path: Path) -> None:
    s = run(build(tmp_path), caller=Caller(role=Role.SALES, employee_id=2, department_id=1))
    rows = {r.name: r for r in s.rows}
    assert rows["老乙"].suggested_min_target is not None
    assert rows["老甲"].suggested_min_target is None and rows["老甲"].share is None
