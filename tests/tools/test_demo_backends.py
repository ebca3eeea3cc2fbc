"""The same demo data gives the same tool results on DuckDB and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from schema.caller import Caller
from schema.db import warehouse_engine
from tests.conftest import DEMO_END_DATE, DEMO_SEED
from tools.departments import load_departments
from tools.forecast import forecast
from tools.performance import monthly_performance
from tools.targets import suggest_targets

pytestmark = pytest.mark.postgres


def results(url: str) -> list[object]:
    operator = Caller.operator()
    with warehouse_engine(url).connect() as conn:
        sales = [d.name for d in load_departments(conn) if d.kind == "sales"]
        out: list[object] = [
            monthly_performance(conn, month, caller=operator) for month in ("2025-06", "2026-10")
        ]
        out.append(monthly_performance(conn, "2026-11", caller=operator, as_of=date(2026, 11, 20)))
        out.append(forecast(conn, date(2026, 11, 20), caller=operator))
        out.append(suggest_targets(conn, sales[0], "2026-12", "50000", caller=operator))
    return out


def test_duckdb_and_postgres_agree(demo_warehouse_url: str, postgres_url: str) -> None:
    from schema.demodata import generate

    generate(
        postgres_url, seed=DEMO_SEED, end_date=date.fromisoformat(DEMO_END_DATE), scale="small"
    )
    duck, pg = results(demo_warehouse_url), results(postgres_url)
    assert len(duck[0].rows) > 10  # type: ignore[attr-defined]
    for a, b in zip(duck[:4], pg[:4], strict=True):
        assert a == b
    # OLS in floating point: the same to many digits, not bit for bit.
    ta, tb = duck[4], pg[4]
    assert ta.rows == tb.rows and ta.conservative_point == tb.conservative_point  # type: ignore[attr-defined]
    assert ta.coefficients == pytest.approx(tb.coefficients)  # type: ignore[attr-defined]
