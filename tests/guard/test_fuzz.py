"""Property-based fuzz: random and mutated SQL never crashes the guard and never leaks rows.

For any input the guard returns a ``GuardedSql`` or raises ``GuardError`` (and
never for an internal error); whatever it accepts, run on the org warehouse,
holds no value from outside the caller's scope.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.errors import GuardError, QueryError
from assistant.execute import Executor
from assistant.guard import Catalog, guard
from schema.caller import Caller
from tests.guard import corpus, org
from tests.guard.org import CALLERS

CATALOG = Catalog.from_contract("duckdb")
TABLES = sorted(CATALOG.tables)
FUNCTIONS = [
    "count",
    "sum",
    "max",
    "min",
    "avg",
    "lower",
    "coalesce",
    "length",
    "read_text",
    "pg_read_file",
    "current_setting",
    "abs",
]
NOISE = [
    ";",
    "--",
    "/*",
    "*/",
    "'",
    '"',
    "(",
    ")",
    ",",
    " UNION SELECT * FROM payroll ",
    " payroll ",
    " employees ",
    " WITH ",
    " AS ",
    " FROM ",
    " WHERE 1=1 ",
    " LIMIT ALL ",
    " information_schema.tables ",
    " read_csv('x') ",
    " INTO t ",
    " FOR UPDATE ",
    "\n",
    "$1",
]
SEEDS = [case.sql for case in corpus.accepted()] + [case.sql for case in corpus.rejected()]
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def select_sql(draw: st.DrawFn, depth: int = 0) -> str:
    """A random SELECT over the contract, sometimes with joins, subqueries, CTEs and unions."""
    table = draw(st.sampled_from(TABLES))
    alias = draw(st.sampled_from(["t", "x", table, "p"]))
    columns = sorted(CATALOG.tables[table])
    picked = draw(st.lists(st.sampled_from(columns), min_size=1, max_size=3))
    exprs = []
    for column in picked:
        kind = draw(st.integers(0, 3))
        if kind == 0:
            exprs.append(f"{alias}.{column}")
        elif kind == 1:
            exprs.append(f"{draw(st.sampled_from(FUNCTIONS))}({alias}.{column})")
        elif kind == 2:
            exprs.append(f"CAST({alias}.{column} AS VARCHAR) || 'x'")
        else:
            exprs.append("*")
    sql = f"SELECT {', '.join(exprs)} FROM {table} AS {alias}"
    if draw(st.booleans()):
        other = draw(st.sampled_from(TABLES))
        key = draw(st.sampled_from(["employee_id", "department_id", "customer_id"]))
        sql += f" JOIN {other} AS j ON j.{key} = {alias}.{key}"
    if depth < 2 and draw(st.booleans()):
        inner = draw(select_sql(depth + 1))
        sql += draw(
            st.sampled_from(
                [f" WHERE EXISTS ({inner})", f" UNION ALL {inner}", f" WHERE 1 IN ({inner})"]
            )
        )
    if depth == 0 and draw(st.booleans()):
        cte_name = draw(st.sampled_from(["s", "payroll", "q", "employees"]))
        sql = f"WITH {cte_name} AS ({draw(select_sql(depth + 1))}) {sql}"
    if draw(st.booleans()):
        sql += draw(
            st.sampled_from([" LIMIT 3", " LIMIT ALL", " LIMIT 100000", " LIMIT (SELECT 5)"])
        )
    return sql


@st.composite
def mutated_sql(draw: st.DrawFn) -> str:
    """A corpus statement with random insertions, deletions and duplications."""
    sql = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(sql)))
        action = draw(st.integers(0, 2))
        if action == 0:
            sql = sql[:position] + draw(st.sampled_from(NOISE)) + sql[position:]
        elif action == 1:
            end = draw(st.integers(position, min(len(sql), position + 12)))
            sql = sql[:position] + sql[end:]
        else:
            sql = sql[:position] + sql[position : position + 10] + sql[position:]
    return sql


def check(sql: str, caller: Caller, executor: Executor) -> None:
    """The property: a guarded result or a refusal, and no out-of-scope value in any result."""
    try:
        guarded = guard(sql, caller, CATALOG, limit=50)
    except GuardError as exc:
        assert exc.reason != "internal_error", f"{sql!r}: {exc!r} from {exc.__cause__!r}"
        return
    try:
        result = executor.execute(guarded, timeout_s=2.0)
    except (QueryError, GuardError):
        return
    assert len(result.rows) <= 50
    truth = org.truth(
        caller.role.value, caller.employee_id, caller.department_ids, caller.department_id
    )
    assert org.leaks(result.rows, org.forbidden(truth)) == [], f"{sql!r} -> {guarded.sql}"


@pytest.mark.slow
@FUZZ
@given(sql=select_sql(), who=st.sampled_from(sorted(CALLERS)))
def test_generated_sql_never_escapes(
    sql: str, who: str, callers: dict[str, Caller], duck_executor: Executor
) -> None:
    check(sql, callers[who], duck_executor)


@pytest.mark.slow
@FUZZ
@given(sql=mutated_sql(), who=st.sampled_from(sorted(CALLERS)))
def test_mutated_sql_never_escapes(
    sql: str, who: str, callers: dict[str, Caller], duck_executor: Executor
) -> None:
    check(sql, callers[who], duck_executor)


@FUZZ
@given(sql=st.text(max_size=200))
def test_arbitrary_text_never_crashes(sql: str, callers: dict[str, Caller]) -> None:
    try:
        guard(sql, callers["manager"], CATALOG)
    except GuardError as exc:
        assert exc.reason != "internal_error", f"{sql!r}: {exc.__cause__!r}"
