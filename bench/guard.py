"""Benchmark: time to validate and rewrite typical planner and LLM statements with the SQL guard.

Run: ``.venv/bin/python bench/guard.py [--rounds N]``. Prints the median and
p99 per statement and overall (target: median under 2 ms). No database needed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.guard import Catalog, guard  # noqa: E402
from schema.caller import Caller, Role  # noqa: E402

STATEMENTS = {
    "simple filter": "SELECT name, title FROM employees WHERE status = 'active' ORDER BY name",
    "count by department": (
        "SELECT d.name, count(*) AS headcount FROM employees e JOIN departments d "
        "ON d.department_id = e.department_id WHERE e.status = 'active' GROUP BY d.name"
    ),
    "monthly sales": (
        "SELECT e.name, sum(o.amount) AS sales FROM sales_orders o JOIN employees e "
        "ON e.employee_id = o.employee_id WHERE o.status = 'paid' AND o.order_date >= DATE '2026-03-01' "
        "AND o.order_date < DATE '2026-04-01' GROUP BY e.name ORDER BY sales DESC LIMIT 10"
    ),
    "attainment CTE": (
        "WITH s AS (SELECT employee_id, sum(amount) AS sales FROM sales_orders WHERE status = 'paid' "
        "AND date_trunc('month', order_date) = DATE '2026-03-01' GROUP BY employee_id) "
        "SELECT e.name, t.min_target, coalesce(s.sales, 0) AS sales, coalesce(s.sales, 0) / t.min_target AS attainment "
        "FROM sales_targets t JOIN employees e ON e.employee_id = t.employee_id "
        "LEFT JOIN s ON s.employee_id = t.employee_id WHERE t.month = DATE '2026-03-01'"
    ),
    "window ranking": (
        "WITH s AS (SELECT e.department_id, o.employee_id, sum(o.amount) AS sales FROM sales_orders o "
        "JOIN employees e ON e.employee_id = o.employee_id WHERE o.status = 'paid' GROUP BY 1, 2) "
        "SELECT department_id, employee_id, sales, rank() OVER (PARTITION BY department_id ORDER BY sales DESC) AS r, "
        "sales - median(sales) OVER (PARTITION BY department_id) AS gap FROM s ORDER BY department_id, r"
    ),
    "attrition": (
        "SELECT count(*) FILTER (WHERE termination_date >= DATE '2026-01-01') * 1.0 / "
        "nullif(count(*) FILTER (WHERE hire_date <= DATE '2026-01-01'), 0) AS attrition FROM employees"
    ),
    "marketing vs sales": (
        "SELECT m.department_id, m.month, sum(m.amount) AS spend, sum(m.leads) AS leads FROM marketing_spend m "
        "GROUP BY m.department_id, m.month ORDER BY m.month"
    ),
}
CALLERS = {
    "admin": Caller.operator(),
    "manager": Caller(
        role=Role.MANAGER, employee_id=3, department_id=4, department_ids=frozenset({4, 6})
    ),
    "sales": Caller(role=Role.SALES, employee_id=4, department_id=4, department_ids=frozenset({4})),
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    catalog = Catalog.from_contract("duckdb")
    guard("SELECT 1", CALLERS["admin"], catalog)  # warm up sqlglot and the catalog's schema
    overall: list[float] = []
    print(f"{'statement':<22}{'caller':<9}{'median ms':>10}{'p99 ms':>9}")
    for label, sql in STATEMENTS.items():
        for who, caller in CALLERS.items():
            if who == "sales" and "marketing" in label:
                continue  # refused for sales (department-owned table); not a rewrite
            times = []
            for _ in range(args.rounds):
                started = time.perf_counter()
                guard(sql, caller, catalog)
                times.append((time.perf_counter() - started) * 1000)
            overall.extend(times)
            print(
                f"{label:<22}{who:<9}{statistics.median(times):>10.2f}{percentile(times, 0.99):>9.2f}"
            )
    print(
        f"\noverall: {len(overall)} runs, median {statistics.median(overall):.2f} ms, "
        f"p99 {percentile(overall, 0.99):.2f} ms (target median < 2 ms)"
    )


if __name__ == "__main__":
    main()
