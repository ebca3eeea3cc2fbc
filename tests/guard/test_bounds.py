"""Guarded SQL cannot exhaust the machine: statements that DuckDB's interrupt does not stop end
within their limits, the worker that ran them is replaced, and results stop at a byte limit.

Before the worker process, these statements ran 30-100 s and grew to 4-20 GB as a
salesperson, while a 10 s timeout was printed; ``SELECT repeat('x', 1000000) FROM
range(1000)`` printed 1 GB of JSON. Wall-time bounds here are generous (a loaded
2-core machine); ``bench/sql_bounds.py`` measures the real figures.
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from api.cli import app
from assistant.errors import GuardError, QueryError
from assistant.execute import Executor, SqlLimits
from assistant.guard import Catalog, guard
from assistant.sqlworker import Config, Request
from assistant.sqlworkers import SqlWorkers
from schema.caller import Caller
from schema.settings import get_settings

DUCK = Catalog.from_contract("duckdb")
PG = Catalog.from_contract("postgres")
#: Generous for a loaded 2-core machine; the statements ran 30-100 s before.
WALL_S = 30.0
#: The resident memory no worker may reach.
MAX_RSS_MB = 2048

MEMORY_BOMBS = [
    "SELECT unnest(generate_series(1, 1000000000))",
    "SELECT count(*) FROM unnest(range(1000000000))",
    "SELECT list(range(100000000))",
]
SLOW_BOMB = "SELECT length(lpad('x', 2000000000, 'y'))"
WIDE_ROWS = "SELECT repeat('x', 1000000) FROM range(1000)"


def workers_of_this_process() -> dict[int, float]:
    """pid -> peak resident memory (MB) of each live SQL worker this process started."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields["PPid"]) == os.getpid() and b"assistant.sqlworker" in cmdline:
            found[int(entry)] = int(fields.get("VmHWM", "0 kB").split()[0]) / 1024
    return found


def ended_children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


@pytest.fixture(scope="module")
def executor(duck_engine: Engine) -> Iterator[Executor]:
    """The default limits (10 s, 1 GB, 2 threads, 10 MB) on the org warehouse."""
    ex = Executor(duck_engine, SqlLimits())
    yield ex
    ex.close()


@pytest.mark.slow
@pytest.mark.parametrize("sql", MEMORY_BOMBS)
def test_memory_bombs_end_fast_within_memory(
    sql: str, executor: Executor, callers: dict[str, Caller]
) -> None:
    guarded = guard(sql, callers["sales"], DUCK)
    started = time.monotonic()
    with pytest.raises(GuardError) as info:
        executor.execute(guarded)
    assert time.monotonic() - started < WALL_S
    assert info.value.reason == "memory_limit"
    assert "1024 MB" in str(info.value)
    assert all(peak < MAX_RSS_MB for peak in workers_of_this_process().values())
    assert ended_children_peak_mb() < MAX_RSS_MB
    ok = guard("SELECT count(*) FROM employees", callers["sales"], DUCK)
    assert executor.execute(ok).rows == ((1,),)


@pytest.mark.slow
def test_a_statement_interrupt_cannot_stop_is_killed_at_its_timeout_and_replaced(
    executor: Executor, callers: dict[str, Caller]
) -> None:
    warm = guard("SELECT 1", callers["sales"], DUCK)
    executor.execute(warm)
    before = set(workers_of_this_process())
    started = time.monotonic()
    with pytest.raises(GuardError) as info:
        executor.execute(guard(SLOW_BOMB, callers["sales"], DUCK), timeout_s=2.0)
    assert time.monotonic() - started < WALL_S
    assert info.value.reason == "timeout" and "2 s" in str(info.value)
    assert ended_children_peak_mb() < MAX_RSS_MB
    assert executor.execute(warm).rows == ((1,),)
    after = set(workers_of_this_process())
    assert len(before - after) == 1 and len(after - before) == 1  # killed, and replaced
    executor.execute(warm)
    assert set(workers_of_this_process()) == after  # and the new one stays warm


def test_a_worker_above_its_resident_limit_is_killed(duck_url: str) -> None:
    """The backstop for memory DuckDB does not count: the pool watches the worker's RSS."""
    database = duck_url.removeprefix("duckdb:///")
    pool = SqlWorkers(Config(database, memory_limit_mb=2048, threads=1, rss_limit_mb=150))
    try:
        with pytest.raises(GuardError) as info:
            pool.run(Request("SELECT repeat('x', 1000000) FROM range(400)", 1000, 10**9, 20.0))
        assert info.value.reason == "memory_limit"
        assert pool.run(Request("SELECT 42", 10, 1000, 5.0)).rows == ((42,),)
    finally:
        pool.close()


def test_a_warehouse_the_worker_cannot_open_is_a_query_error(tmp_path: Path) -> None:
    pool = SqlWorkers(Config(str(tmp_path / "missing.duckdb"), 256, 1, 768))
    try:
        with pytest.raises(QueryError) as info:
            pool.run(Request("SELECT 1", 10, 1000, 5.0))
    finally:
        pool.close()
    assert info.value.reason == "query_failed"
    assert str(info.value).startswith("the warehouse could not be opened: ")


def test_rows_stop_before_the_byte_limit(executor: Executor, callers: dict[str, Caller]) -> None:
    guarded = guard("SELECT repeat('x', 100000) AS s FROM range(1000)", callers["sales"], DUCK)
    result = executor.execute(guarded)
    row_bytes = len(json.dumps(["x" * 100000])) + 1
    expected = (10_000_000 - 2) // row_bytes
    assert result.truncated_by == "bytes" and len(result.rows) == expected
    assert len(json.dumps([list(r) for r in result.rows])) <= 10_000_000
    assert result.json_rows().notes == [
        f"the result was cut at 10 MB: only the first {expected} rows are shown"
    ]


def test_a_first_row_over_the_limit_is_said(duck_engine: Engine) -> None:
    small = Executor(duck_engine, SqlLimits(max_result_bytes=1024))
    try:
        result = small.execute(guard("SELECT repeat('x', 5000)", Caller.operator(), DUCK))
    finally:
        small.close()
    assert result.rows == () and result.truncated_by == "bytes"
    assert result.json_rows().notes == [
        "the result was cut: its first row alone is larger than 0.001024 MB"
    ]


def test_the_row_cap_is_said_and_a_statements_own_limit_is_not(duck_engine: Engine) -> None:
    capped = Executor(duck_engine, SqlLimits(row_cap=4))
    try:
        cut = capped.execute(guard("SELECT * FROM sales_orders", Caller.operator(), DUCK, limit=4))
        top = capped.execute(guard("SELECT * FROM sales_orders LIMIT 3", Caller.operator(), DUCK))
    finally:
        capped.close()
    assert cut.truncated_by == "rows" and len(cut.rows) == 4
    assert cut.json_rows().notes == ["only the first 4 rows are shown (the row limit)"]
    assert len(top.rows) == 3 and top.json_rows().notes == []


# --- through hrq sql --json, as a salesperson -----------------------------------------------

runner = CliRunner()


@pytest.fixture
def env(duck_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HRQ_WAREHOUSE_URL", duck_url)
    monkeypatch.setenv("HRQ_APP_DB_URL", f"sqlite:///{tmp_path / 'app.db'}")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def hrq_sql(statement: str) -> tuple[int, str, Any]:
    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    result = runner.invoke(app, ["sql", statement, "--json", "--user", "E004"])
    return result.exit_code, result.stdout, json.loads(result.stdout, parse_constant=refuse)


@pytest.mark.slow
@pytest.mark.parametrize("sql", [*MEMORY_BOMBS, SLOW_BOMB])
def test_bombs_print_an_error_object(sql: str, env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HRQ_SQL_TIMEOUT_S", "2" if sql == SLOW_BOMB else "10")
    get_settings.cache_clear()
    started = time.monotonic()
    code, _, payload = hrq_sql(sql)
    assert time.monotonic() - started < WALL_S
    assert code == 1
    assert payload["kind"] == "error"
    assert payload["reason"] == ("timeout" if sql == SLOW_BOMB else "memory_limit")


@pytest.mark.slow
def test_wide_rows_print_a_cut_result_not_a_gigabyte(env: None) -> None:
    started = time.monotonic()
    code, stdout, payload = hrq_sql(WIDE_ROWS)
    assert time.monotonic() - started < WALL_S
    assert code == 0
    assert len(stdout.encode()) < 10_000_000 + 4096  # the rows plus the SQL and notes
    assert payload["truncated"] is True and payload["truncated_by"] == "bytes"
    shown = len(payload["rows"])
    assert 0 < shown < 10
    assert (
        payload["notes"][0] == f"the result was cut at 10 MB: only the first {shown} rows are shown"
    )


def test_the_byte_limit_is_a_setting(env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HRQ_SQL_MAX_RESULT_BYTES", "100000")
    get_settings.cache_clear()
    code, stdout, payload = hrq_sql("SELECT repeat('x', 1000) AS s FROM range(1000)")
    assert code == 0 and payload["truncated_by"] == "bytes"
    assert len(json.dumps(payload["rows"])) <= 100_000 < len(json.dumps(payload["rows"] * 2))


# --- PostgreSQL: statement_timeout, work_mem and a server-side cursor -----------------------


@pytest.mark.postgres
def test_postgres_rows_stop_before_the_byte_limit(
    pg_executor: Executor, callers: dict[str, Caller]
) -> None:
    guarded = guard(WIDE_ROWS, callers["sales"], DUCK)
    started = time.monotonic()
    result = pg_executor.execute(guarded)
    assert time.monotonic() - started < WALL_S
    assert result.truncated_by == "bytes" and 0 < len(result.rows) < 10
    assert len(json.dumps([list(r) for r in result.rows])) <= 10_000_000


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("SELECT count(*) FROM generate_series(1, 1000000000)", "timeout"),
        (SLOW_BOMB, "query_failed"),  # PostgreSQL refuses a 2 GB string outright
    ],
)
def test_postgres_bombs_end_within_the_timeout(
    sql: str, reason: str, pg_engine: Engine, callers: dict[str, Caller]
) -> None:
    executor = Executor(pg_engine, SqlLimits(timeout_s=1.0))
    started = time.monotonic()
    with pytest.raises(Exception) as info:
        executor.execute(guard(sql, callers["sales"], DUCK))
    assert time.monotonic() - started < WALL_S
    assert getattr(info.value, "reason", None) == reason
