"""Run a guarded statement on the read-only warehouse, with a statement timeout.

- PostgreSQL: a ``READ ONLY`` transaction with ``SET LOCAL statement_timeout``,
  always rolled back; a cancelled statement (SQLSTATE 57014) is a timeout.
- DuckDB: the engine is opened read-only; the process's watchdog thread
  (:mod:`assistant.watchdog`) calls the connection's ``interrupt()`` when the
  timeout passes.

Either way a timeout is raised as ``GuardError(reason="timeout")`` after the
statement has been cancelled, and at most ``guarded.limit`` rows are fetched.
Deployments should also connect as a database role with SELECT only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from assistant.errors import GuardError, QueryError
from assistant.guard import GuardedSql
from assistant.watchdog import WATCHDOG

#: SQLAlchemy backend name -> sqlglot dialect name.
SQLGLOT_DIALECTS = {"postgresql": "postgres", "duckdb": "duckdb"}


@dataclass(frozen=True)
class QueryResult:
    """Rows of a guarded statement, with driver-typed values (Decimal, date, int, str)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    #: True when the row limit was reached (there may be more rows).
    truncated: bool
    elapsed_ms: float


def execute(guarded: GuardedSql, engine: Engine, *, timeout_s: float) -> QueryResult:
    """Run ``guarded`` on ``engine`` (a read-only warehouse engine) within ``timeout_s`` seconds."""
    backend = engine.dialect.name
    runner = _RUNNERS.get(backend)
    if runner is None:
        raise QueryError(
            f"guarded SQL cannot run on a {backend} warehouse", reason="unsupported_backend"
        )
    dialect = SQLGLOT_DIALECTS[backend]
    sql = guarded.sql if guarded.dialect == dialect else guarded.sql_for(dialect)
    started = time.perf_counter()
    columns, rows = runner(engine, sql, guarded.limit, timeout_s)
    return QueryResult(
        columns=tuple(columns),
        rows=tuple(tuple(row) for row in rows),
        truncated=len(rows) >= guarded.limit,
        elapsed_ms=(time.perf_counter() - started) * 1000,
    )


def _timeout_error(timeout_s: float) -> GuardError:
    return GuardError(
        f"the query ran longer than {timeout_s:g} s and was cancelled; narrow it "
        "(fewer rows, a shorter period, no cross joins)",
        reason="timeout",
    )


def _run_duckdb(
    engine: Engine, sql: str, limit: int, timeout_s: float
) -> tuple[list[str], list[Any]]:
    """Execute on DuckDB; the watchdog interrupts the connection on timeout."""
    import duckdb

    raw = engine.raw_connection()
    connection: Any = raw.driver_connection
    try:
        with WATCHDOG.deadline(timeout_s, connection.interrupt) as deadline:
            try:
                result = connection.execute(sql)
                rows = list(result.fetchmany(limit))
            except duckdb.InterruptException as exc:
                raise _timeout_error(timeout_s) from exc
            except duckdb.Error as exc:
                if deadline.expired:
                    raise _timeout_error(timeout_s) from exc
                raise QueryError(
                    f"the warehouse could not run the query: {_first_line(exc)}",
                    reason="query_failed",
                ) from exc
        columns = [description[0] for description in result.description or []]
        return columns, rows
    finally:
        raw.close()


def _run_postgres(
    engine: Engine, sql: str, limit: int, timeout_s: float
) -> tuple[list[str], list[Any]]:
    """Execute on PostgreSQL in a READ ONLY transaction with a local statement timeout."""
    import psycopg

    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SET TRANSACTION READ ONLY")
        cursor.execute(f"SET LOCAL statement_timeout = {max(1, int(timeout_s * 1000))}")
        try:
            cursor.execute(sql)
            rows = list(cursor.fetchmany(limit))
        except psycopg.errors.QueryCanceled as exc:
            raise _timeout_error(timeout_s) from exc
        except psycopg.Error as exc:
            raise QueryError(
                f"the warehouse could not run the query: {_first_line(exc)}", reason="query_failed"
            ) from exc
        columns = [description[0] for description in cursor.description or []]
        return columns, rows
    finally:
        try:
            raw.rollback()
        finally:
            raw.close()


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


_RUNNERS: dict[str, Callable[[Engine, str, int, float], tuple[list[str], list[Any]]]] = {
    "duckdb": _run_duckdb,
    "postgresql": _run_postgres,
}
