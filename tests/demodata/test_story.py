"""The premise is visible in the demo data: spend drives sales, people differ, bonuses follow the rules."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

import duckdb
import numpy as np

from tests.demodata.conftest import scalar

DEPT_MONTHS = """
    WITH sales AS (
        SELECT e.department_id, date_trunc('month', o.order_date)::DATE AS month,
               sum(o.amount) AS sales
        FROM sales_orders o JOIN employees e USING (employee_id)
        WHERE o.status = 'paid' GROUP BY ALL),
    spend AS (
        SELECT department_id, month, sum(amount) AS spend, sum(leads) AS leads
        FROM marketing_spend GROUP BY ALL)
    SELECT department_id, sales, spend, leads FROM sales JOIN spend USING (department_id, month)
    WHERE month < DATE '2026-11-01'  -- complete months only
    ORDER BY department_id, month
"""

ROSTER = """
    SELECT t.employee_id, t.month, e.department_id, t.min_target,
           coalesce(sum(o.amount) FILTER (WHERE o.status = 'paid'), 0) AS sales
    FROM sales_targets t JOIN employees e USING (employee_id)
    LEFT JOIN sales_orders o ON o.employee_id = t.employee_id
         AND date_trunc('month', o.order_date) = t.month
    GROUP BY ALL
"""


def ols(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Slope and R^2 of y = a + b x."""
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (intercept + slope * x)
    return float(slope), float(1 - residual.var() / y.var())


def test_sales_rise_with_marketing_spend(wh: duckdb.DuckDBPyConnection) -> None:
    rows = wh.execute(DEPT_MONTHS).fetchall()
    dept = np.array([r[0] for r in rows])
    sales, spend, leads = (np.array([float(r[k]) for r in rows]) for k in (1, 2, 3))
    slope, r2 = ols(spend, sales)
    assert slope > 0 and r2 > 0.3, (slope, r2)
    assert ols(leads, sales)[0] > 0
    for d in np.unique(dept):
        slope, r2 = ols(spend[dept == d], sales[dept == d])
        assert slope > 0 and r2 > 0.3, (int(d), slope, r2)


def test_refunds_and_cancellations_exist_in_moderation(wh: duckdb.DuckDBPyConnection) -> None:
    share = dict(
        wh.execute(
            "SELECT status, count(*) / sum(count(*)) OVER () FROM sales_orders GROUP BY status"
        ).fetchall()
    )
    assert set(share) == {"paid", "refunded", "cancelled"}
    assert 0.05 <= share["refunded"] + share["cancelled"] <= 0.15


def test_some_meet_and_some_miss_their_minimum_target(wh: duckdb.DuckDBPyConnection) -> None:
    rows = wh.execute(ROSTER + " HAVING t.month < DATE '2026-11-01'").fetchall()
    met = [r[4] >= r[3] for r in rows]
    assert 0.3 <= sum(met) / len(met) <= 0.8
    by_month: dict[tuple[int, date], list[bool]] = defaultdict(list)
    for r, ok in zip(rows, met, strict=True):
        by_month[(r[2], r[1])].append(ok)
    mixed = sum(1 for oks in by_month.values() if any(oks) and not all(oks))
    assert mixed / len(by_month) > 0.7


def test_skill_spreads_sales_around_the_median(wh: duckdb.DuckDBPyConnection) -> None:
    rows = wh.execute(ROSTER).fetchall()
    groups: dict[tuple[int, date], list[Decimal]] = defaultdict(list)
    for r in rows:
        groups[(r[2], r[1])].append(r[4])
    for key, values in groups.items():
        if len(values) >= 4:
            above = [v for v in values if v > median(values)]
            assert 0 < len(above) < len(values), key
    # The best and worst sellers over the whole period differ by a wide margin.
    totals = [
        r[0]
        for r in wh.execute(
            "SELECT sum(amount) / count(DISTINCT date_trunc('month', order_date)) "
            "FROM sales_orders WHERE status = 'paid' GROUP BY employee_id"
        ).fetchall()
    ]
    assert max(totals) > 3 * min(totals)


def test_payroll_bonus_follows_the_dual_target_rule(wh: duckdb.DuckDBPyConnection) -> None:
    rows = wh.execute(ROSTER + " HAVING t.month < DATE '2026-11-01'").fetchall()
    groups: dict[tuple[int, date], list[Decimal]] = defaultdict(list)
    for r in rows:
        groups[(r[2], r[1])].append(r[4])
    paid = {
        (r[0], r[1]): r[2]
        for r in wh.execute("SELECT employee_id, month, bonus FROM payroll").fetchall()
    }
    eligible = 0
    for employee, month, dept, target, sales in rows:
        mid = median(groups[(dept, month)])
        expected = Decimal("0.00")
        if sales >= target and sales > mid:
            eligible += 1
            expected = (Decimal("0.05") * (sales - mid)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert paid[(employee, month)] == expected, (employee, month)
    assert eligible > 50
    others = scalar(
        wh,
        "SELECT count(*) FROM payroll p ANTI JOIN sales_targets t USING (employee_id, month) WHERE bonus <> 0",
    )
    assert others == 0


def test_reviews_are_quarterly_and_ratings_follow_scores(wh: duckdb.DuckDBPyConnection) -> None:
    periods = [
        r[0]
        for r in wh.execute("SELECT DISTINCT period FROM performance_reviews ORDER BY 1").fetchall()
    ]
    assert periods[0] == "2024-Q4" and periods[-1] == "2026-Q3" and len(periods) == 8
    bands = wh.execute(
        "SELECT rating, min(score), max(score) FROM performance_reviews GROUP BY rating ORDER BY rating"
    ).fetchall()
    assert [b[0] for b in bands] == ["A", "B", "C", "D", "S"]
    order = {b[0]: b for b in bands}
    for better, worse in zip("SABC", "ABCD", strict=True):
        assert order[better][1] > order[worse][2]


def test_customers_come_from_every_channel_and_belong_to_sales_reps(
    wh: duckdb.DuckDBPyConnection,
) -> None:
    channels = {
        r[0] for r in wh.execute("SELECT DISTINCT source_channel FROM customers").fetchall()
    }
    assert channels == {"online_ads", "offline_event", "partner", "referral", "organic"}
    wrong_owner = scalar(
        wh,
        """SELECT count(*) FROM customers c JOIN employees e ON e.employee_id = c.owner_employee_id
           JOIN departments d USING (department_id) WHERE d.kind <> 'sales'""",
    )
    assert wrong_owner == 0
