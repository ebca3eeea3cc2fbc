"""The scale bench's generator (``bench/scale.py``) on a tiny group: the shape it promises.

The bench itself is not part of the suite; this builds 1,000 employees and 20,000
orders in DuckDB and checks the warehouse follows the contract and the bench's own
description, and that the performance engine reports on it.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import duckdb
import pytest
import sqlalchemy as sa

from schema.caller import Caller
from tools.performance import monthly_performance

SCALE = Path(__file__).resolve().parents[2] / "bench" / "scale.py"
EMPLOYEES, ORDERS, MONTHS = 1_000, 20_000, 6


def _scale() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_scale", SCALE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    path = tmp_path_factory.mktemp("scale") / "scale.duckdb"
    result = _scale().build(
        path, employees=EMPLOYEES, orders=ORDERS, months=MONTHS, end=date(2026, 11, 30)
    )
    return path, result


def one(path: Path, sql: str) -> tuple[object, ...]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        row = con.execute(sql).fetchone()
        assert row is not None
        return row
    finally:
        con.close()


def test_counts_follow_the_size(built: tuple[Path, object]) -> None:
    path, result = built
    assert one(path, "SELECT COUNT(*) FROM employees") == (EMPLOYEES,)
    assert one(path, "SELECT COUNT(*) FROM sales_orders") == (ORDERS,)
    assert one(path, "SELECT COUNT(*) FROM departments WHERE kind = 'sales'") == (EMPLOYEES // 100,)
    assert one(path, "SELECT COUNT(*) FROM sales_targets") == (EMPLOYEES * MONTHS,)
    assert result.orders == ORDERS and result.departments == EMPLOYEES // 100  # type: ignore[attr-defined]


def test_values_are_spread_and_inside_the_period(built: tuple[Path, object]) -> None:
    path, _ = built
    first, last, people, customers = one(
        path,
        "SELECT MIN(order_date), MAX(order_date), COUNT(DISTINCT employee_id), "
        "COUNT(DISTINCT customer_id) FROM sales_orders",
    )
    assert first >= date(2026, 6, 1) and last <= date(2026, 11, 30)  # type: ignore[operator]
    assert people > EMPLOYEES * 0.95 and customers > EMPLOYEES  # type: ignore[operator]
    (paid,) = one(
        path, "SELECT AVG(CASE WHEN status = 'paid' THEN 1.0 ELSE 0 END) FROM sales_orders"
    )
    assert 0.85 < paid < 0.95  # type: ignore[operator]
    names, spelled = one(
        path, "SELECT COUNT(DISTINCT name), COUNT(DISTINCT name_en) FROM employees"
    )
    assert names > EMPLOYEES * 0.95 and spelled > EMPLOYEES * 0.9  # type: ignore[operator]


def test_every_manager_is_a_lead_of_the_same_department(built: tuple[Path, object]) -> None:
    path, _ = built
    assert one(
        path,
        "SELECT COUNT(*) FROM employees e JOIN employees m ON m.employee_id = e.manager_id "
        "WHERE m.department_id <> e.department_id OR m.level <> 'lead'",
    ) == (0,)
    assert one(path, "SELECT COUNT(*) FROM employees WHERE manager_id IS NULL") == (
        EMPLOYEES // 100,
    )


def test_the_performance_report_covers_every_department(built: tuple[Path, object]) -> None:
    path, _ = built
    engine = sa.create_engine(f"duckdb:///{path}", connect_args={"read_only": True})
    try:
        with engine.connect() as conn:
            report = monthly_performance(conn, "2026-10", caller=Caller.operator())
    finally:
        engine.dispose()
    assert len(report.rows) == EMPLOYEES
    assert len(report.summaries) == EMPLOYEES // 100
