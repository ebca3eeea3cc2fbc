"""The guard on ClickHouse (chDB): the corpus (written in DuckDB SQL, transpiled) and
hostile ClickHouse statements, refused by the guard and, where a statement slips past
it, by the engine's own ``readonly=1`` and per-query limits.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlglot
from sqlalchemy import Engine

from assistant.errors import GuardError, QueryError
from assistant.execute import Executor, SqlLimits
from assistant.guard import Catalog, guard
from assistant.run_clickhouse import run_clickhouse
from schema.caller import Caller
from schema.clickhouse.contract import copy_from_duckdb, create_contract
from schema.db import warehouse_engine
from tests.guard import corpus, org
from tests.guard.test_corpus import run_accepted

pytest.importorskip("chdb")

CH = Catalog.from_contract("clickhouse")
#: Corpus statements whose DuckDB-only syntax has no ClickHouse equivalent (as on PostgreSQL).
DUCKDB_ONLY = {
    "SELECT level, count(*) FILTER (WHERE status = 'active') FROM employees GROUP BY ALL",
    "SELECT employee_id FROM employees LIMIT 50 PERCENT",
    "SELECT employee_id FROM main.employees ORDER BY 1",
    "SELECT n FROM generate_series(1, 3) AS g(n)",  # a column list on a table function
}
#: Statements ClickHouse answers otherwise, each tested below: its names are case-sensitive
#: (EMPLOYEES is not employees), and it ends a recursion at 1000 levels, not at the timeout.
DIFFERENT = {
    "select EMPLOYEE_ID from EMPLOYEES order by 1",
    "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 100000000) "
    "SELECT max(n) FROM t",
}
ACCEPTED = [case for case in corpus.accepted() if case.sql not in DUCKDB_ONLY | DIFFERENT]
REJECTED = corpus.rejected()


@pytest.fixture(scope="module")
def ch_engine(duck_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The guard's org copied into chDB, and a read-only engine on it."""
    url = f"chdb:///{tmp_path_factory.mktemp('chdb-guard') / 'org'}"
    source = warehouse_engine(duck_url)
    loader = warehouse_engine(url, read_only=False)
    try:
        with loader.connect() as conn, source.connect() as duck:
            create_contract(conn)
            copy_from_duckdb(duck.connection.driver_connection, conn)
    finally:
        source.dispose()
        loader.dispose()
    engine = warehouse_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def ch_executor(ch_engine: Engine) -> Executor:
    return Executor(ch_engine, SqlLimits())


def _clickhouse(sql: str) -> str:
    return sqlglot.transpile(sql, read="duckdb", write="clickhouse")[0]


@pytest.mark.parametrize("case", ACCEPTED, ids=[corpus.case_id(c.sql) for c in ACCEPTED])
def test_accepted_on_clickhouse(
    case: corpus.Accepted, callers: dict[str, Caller], ch_executor: Executor
) -> None:
    transpiled = corpus.Accepted(
        sql=_clickhouse(case.sql), callers=case.callers, rows=case.rows, denied=case.denied,
        limit=case.limit, bomb=case.bomb,
    )  # fmt: skip
    run_accepted(transpiled, callers, ch_executor, CH)


@pytest.mark.parametrize("case", REJECTED, ids=[corpus.case_id(c.sql) for c in REJECTED])
def test_rejected_read_as_clickhouse(case: corpus.Rejected, callers: dict[str, Caller]) -> None:
    for name in case.callers:
        with pytest.raises(GuardError):
            guard(case.sql, callers[name], CH)


#: ClickHouse statements the guard refuses, with the reason, for every caller (admin too).
HOSTILE = [
    ("SELECT * FROM file('/etc/passwd', 'LineAsString')", "function_not_allowed"),
    ("SELECT * FROM url('http://127.0.0.1:1/x.csv', CSV)", "function_not_allowed"),
    ("SELECT * FROM remote('127.0.0.1', default.employees)", "function_not_allowed"),
    ("SELECT * FROM remoteSecure('127.0.0.1', system.users)", "function_not_allowed"),
    ("SELECT * FROM s3('https://bucket.s3.amazonaws.com/x.csv')", "function_not_allowed"),
    ("SELECT * FROM executable('id', CSV, 'x String')", "function_not_allowed"),
    ("SELECT * FROM merge('default', '.*')", "function_not_allowed"),
    ("SELECT * FROM view(SELECT * FROM payroll)", "function_not_allowed"),
    ("SELECT * FROM system.tables", "system_catalog"),
    ("SELECT name FROM system.users", "system_catalog"),
    ("SELECT * FROM `system`.`settings`", "system_catalog"),
    ("SELECT name FROM employees SETTINGS readonly = 0", "not_read_only"),
    ("SELECT name FROM employees SETTINGS max_execution_time = 0", "not_read_only"),
    ("SELECT * FROM (SELECT name FROM employees SETTINGS readonly = 0)", "not_read_only"),
    ("SELECT name FROM employees FORMAT Native", "not_read_only"),
    ("INSERT INTO employees SELECT * FROM employees", "not_read_only"),
    ("ALTER TABLE employees DELETE WHERE 1", "not_read_only"),
    ("ALTER TABLE payroll UPDATE net_pay = 0 WHERE 1", "not_read_only"),
    ("OPTIMIZE TABLE employees FINAL", "not_read_only"),
    ("TRUNCATE TABLE sales_orders", "not_read_only"),
    ("DROP TABLE payroll", "not_read_only"),
    ("SET readonly = 0", "not_read_only"),
    ("SYSTEM DROP MARK CACHE", "not_read_only"),
    ("SELECT getSetting('readonly')", "function_not_allowed"),
    ("SELECT hostName(), version()", "function_not_allowed"),
    ("SELECT dictGet('d', 'a', toUInt64(1))", "function_not_allowed"),
    ("SELECT currentUser()", "function_not_allowed"),
]


@pytest.mark.parametrize(("sql", "reason"), HOSTILE, ids=[corpus.case_id(s) for s, _ in HOSTILE])
def test_hostile_clickhouse_is_refused(sql: str, reason: str, callers: dict[str, Caller]) -> None:
    with pytest.raises(GuardError) as info:
        guard(sql, callers["admin"], CH)
    assert info.value.reason == reason, str(info.value)


#: Statements run straight on the engine (past the guard): ``readonly=1`` refuses each.
WRITES = [
    "INSERT INTO departments (department_id, name, kind) VALUES (999, 'x', 'sales')",
    "ALTER TABLE payroll UPDATE net_pay = 0 WHERE 1",
    "OPTIMIZE TABLE employees FINAL",
    "TRUNCATE TABLE sales_orders",
    "CREATE TABLE t (a Int32) ENGINE = Memory",
    "SELECT count() FROM employees SETTINGS readonly = 0",
    "SELECT count() FROM employees SETTINGS max_execution_time = 0",
]


@pytest.mark.parametrize("sql", WRITES, ids=[corpus.case_id(s) for s in WRITES])
def test_the_engine_refuses_what_slips_past_the_guard(sql: str, ch_engine: Engine) -> None:
    with pytest.raises(QueryError) as info:
        run_clickhouse(ch_engine, sql, 10, 5.0, max_bytes=10**6, memory_limit_mb=256, threads=1)
    assert "readonly" in str(info.value).lower()
    rows = run_clickhouse(
        ch_engine, "SELECT count() FROM departments", 10, 5.0,
        max_bytes=10**6, memory_limit_mb=256, threads=1,
    )  # fmt: skip
    # nothing was written, and the next statement's limits could be set (readonly did not stick)
    assert rows.rows == ((len(org.build_rows()["departments"]),),)


def test_a_huge_cross_join_hits_the_time_bound(
    ch_executor: Executor, callers: dict[str, Caller]
) -> None:
    guarded = guard(
        "SELECT count(*) FROM numbers(100000000000) AS a CROSS JOIN numbers(100000000000) AS b",
        callers["admin"], CH,
    )  # fmt: skip
    with pytest.raises(GuardError) as info:
        ch_executor.execute(guarded, timeout_s=0.5)
    assert info.value.reason == "timeout"
    ok = guard("SELECT count(*) FROM employees", callers["manager"], CH)
    assert ch_executor.execute(ok, timeout_s=5).rows == ((6,),)  # readonly did not stick


def test_a_huge_result_in_memory_hits_the_memory_bound(
    ch_engine: Engine, callers: dict[str, Caller]
) -> None:
    executor = Executor(ch_engine, SqlLimits(memory_limit_mb=64))
    guarded = guard(
        "SELECT max(length(s)) FROM (SELECT groupArray(number) AS s FROM numbers(1000000000))",
        callers["admin"], CH,
    )  # fmt: skip
    with pytest.raises(GuardError) as info:
        executor.execute(guarded, timeout_s=30)
    assert info.value.reason == "memory_limit"
    ok = guard("SELECT count(*) FROM employees", callers["manager"], CH)
    assert executor.execute(ok, timeout_s=5).rows == ((6,),)


def test_names_are_case_sensitive(callers: dict[str, Caller]) -> None:
    with pytest.raises(GuardError) as info:
        guard("select EMPLOYEE_ID from EMPLOYEES order by 1", callers["admin"], CH)
    assert info.value.reason == "unknown_table"
    assert "did you mean employees" in str(info.value)


def test_a_deep_recursion_is_stopped_by_the_engine(
    ch_executor: Executor, callers: dict[str, Caller]
) -> None:
    sql = (
        "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 100000000) "
        "SELECT max(n) FROM t"
    )
    guarded = guard(sql, callers["admin"], CH)
    with pytest.raises(QueryError) as info:
        ch_executor.execute(guarded, timeout_s=5)
    assert "recursive" in str(info.value).lower()


def test_rows_are_cut_at_the_row_limit(ch_engine: Engine, callers: dict[str, Caller]) -> None:
    executor = Executor(ch_engine, SqlLimits(row_cap=5))
    guarded = guard("SELECT number FROM numbers(100000)", callers["admin"], CH, limit=5)
    result = executor.execute(guarded)
    assert len(result.rows) == 5
