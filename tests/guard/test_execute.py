"""Execution on DuckDB: timeouts cancel the statement, the row cap holds, errors are typed."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Engine

from assistant.errors import GuardError, QueryError
from assistant.execute import Executor
from assistant.guard import Catalog, guard
from schema.caller import Caller

BOMB = (
    "SELECT count(DISTINCT a.name || b.name || c.name || d.name || e.name || f.name || g.name) "
    "FROM customers a, customers b, customers c, customers d, customers e, customers f, customers g"
)


def test_timeout_interrupts_and_connection_stays_usable(
    duck_executor: Executor, duck_catalog: Catalog, callers: dict[str, Caller]
) -> None:
    guarded = guard(BOMB, callers["admin"], duck_catalog)
    started = time.perf_counter()
    with pytest.raises(GuardError) as info:
        duck_executor.execute(guarded, timeout_s=0.3)
    assert info.value.reason == "timeout"
    assert time.perf_counter() - started < 5
    ok = guard("SELECT count(*) FROM employees", callers["sales"], duck_catalog)
    assert duck_executor.execute(ok, timeout_s=5).rows == ((1,),)


def test_row_cap_and_truncated_flag(
    duck_executor: Executor, duck_catalog: Catalog, callers: dict[str, Caller]
) -> None:
    guarded = guard("SELECT * FROM sales_orders", callers["admin"], duck_catalog, limit=4)
    result = duck_executor.execute(guarded, timeout_s=5)
    assert len(result.rows) == 4 and result.truncated
    assert result.columns[:2] == ("order_id", "employee_id")


def test_database_error_is_query_error(
    duck_executor: Executor, duck_catalog: Catalog, callers: dict[str, Caller]
) -> None:
    guarded = guard("SELECT CAST(name AS INTEGER) FROM employees", callers["admin"], duck_catalog)
    with pytest.raises(QueryError) as info:
        duck_executor.execute(guarded, timeout_s=5)
    assert info.value.reason == "query_failed"


def test_warehouse_is_read_only_even_past_the_guard(duck_engine: Engine) -> None:
    raw = duck_engine.raw_connection()
    try:
        with pytest.raises(Exception, match="read-only"):
            raw.driver_connection.execute("CREATE TABLE x (a INT)")  # type: ignore[union-attr]
    finally:
        raw.close()
