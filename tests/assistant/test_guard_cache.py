"""The assistant's guard cache: same result as the guard, keyed by the caller's scope."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa

from assistant.ask import Assistant
from assistant.errors import GuardError
from assistant.guard import guard
from schema.caller import Caller, Role
from schema.settings import Settings
from schema.warehouse import employees

AS_OF = date(2026, 11, 26)
SQL = "SELECT employee_id, name, department_id FROM employees"


@pytest.fixture(scope="module")
def assistant(demo_warehouse_url: str) -> Iterator[Assistant]:
    built = Assistant.from_settings(Settings(warehouse_url=demo_warehouse_url), app_state=False)
    yield built
    built.warehouse.dispose()


def _sales_callers(assistant: Assistant) -> tuple[Caller, Caller]:
    with assistant.warehouse.connect() as conn:
        rows = conn.execute(
            sa.select(employees.c.employee_id, employees.c.employee_no, employees.c.department_id)
            .order_by(employees.c.employee_id)
        ).all()  # fmt: skip
    first = rows[0]
    other = next(r for r in rows if r.department_id != first.department_id)
    return tuple(  # type: ignore[return-value]
        Caller(Role.SALES, r.employee_id, r.employee_no, "x", r.department_id)
        for r in (first, other)
    )


def test_cached_result_equals_the_guard(assistant: Assistant) -> None:
    a, _ = _sales_callers(assistant)
    for caller in (Caller.operator(), a):
        expected = guard(
            SQL, caller, assistant.catalog, limit=assistant.settings.sql_row_limit, read="duckdb"
        )
        first = assistant.guarded(SQL, caller)
        again = assistant.guarded(SQL, caller)
        assert again is first
        assert (first.sql, first.scopes, first.tables, first.limit) == (
            expected.sql, expected.scopes, expected.tables, expected.limit,
        )  # fmt: skip


def test_cache_is_keyed_by_caller_scope(assistant: Assistant) -> None:
    a, b = _sales_callers(assistant)
    for_a = assistant.guarded(SQL, a)
    for_b = assistant.guarded(SQL, b)
    for_admin = assistant.guarded(SQL, Caller.operator())
    assert for_a.sql != for_b.sql  # each salesperson is scoped to their own department
    assert str(a.department_id) in for_a.sql and str(b.department_id) in for_b.sql
    assert for_admin.scopes == () and for_a.scopes
    # Same employee, another role: another entry, another scope.
    manager = dataclasses.replace(a, role=Role.MANAGER, department_ids=frozenset({a.department_id}))
    assert assistant.guarded(SQL, manager) is not for_a


def test_refusals_are_not_cached_and_still_raise(assistant: Assistant) -> None:
    before = assistant.guarded.cache_info().currsize
    for _ in range(2):
        with pytest.raises(GuardError):
            assistant.guarded("DELETE FROM employees", Caller.operator())
    assert assistant.guarded.cache_info().currsize == before


def test_each_assistant_owns_its_cache(assistant: Assistant) -> None:
    assistant.ask("上个月各部门的销售额", Caller.operator(), as_of=AS_OF)
    assert assistant.guarded.cache_info().currsize >= 1
    other = dataclasses.replace(assistant)
    assert other.guarded.cache_info().currsize == 0
    answer = other.ask("上个月各部门的销售额", Caller.operator(), as_of=AS_OF)
    again = assistant.ask("上个月各部门的销售额", Caller.operator(), as_of=AS_OF)
    assert answer.sql == again.sql and answer.rows == again.rows
