"""Run a guarded statement on the read-only warehouse, bounded in time, memory and output.

- DuckDB: in a worker process (:mod:`assistant.sqlworkers`) with DuckDB's
  ``memory_limit`` and ``threads``, killed when the timeout passes or its
  memory grows past the limit: DuckDB's own interrupt does not stop every
  function. The worker stays warm between statements; only one that overran is
  replaced.
- ClickHouse (a server, or chDB in this process): the statement carries
  ``readonly=1``, ``max_execution_time``, ``max_memory_usage`` and
  ``max_result_rows`` as its own query settings (:mod:`assistant.run_clickhouse`).
- PostgreSQL: a ``READ ONLY`` transaction with ``SET LOCAL statement_timeout``
  and ``work_mem``, rows fetched through a server-side cursor (the client holds a
  few at a time), always rolled back; a cancelled statement (SQLSTATE 57014) is a
  timeout.

Either way at most ``guarded.limit`` rows are fetched, and no more than the rows
whose JSON fits in ``max_result_bytes``; the result says which limit cut it.
A timeout is raised as ``GuardError(reason="timeout")``, a statement that needed
too much memory as ``GuardError(reason="memory_limit")``. Deployments should also
connect as a database role with SELECT only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Engine, event

from assistant.errors import GuardError, QueryError
from assistant.guard import GuardedSql
from assistant.run_clickhouse import run_clickhouse
from assistant.run_postgres import run_postgres
from assistant.sqlworker import Config, Failed, Request, Rows
from assistant.sqlworkers import RSS_HEADROOM_MB, SqlWorkers, memory_error
from schema.db import SQLGLOT_DIALECTS as WAREHOUSE_DIALECTS
from schema.jsonvalue import JsonRows, json_rows
from schema.settings import Settings

#: SQLAlchemy backend name -> sqlglot dialect name, for the warehouses guarded SQL runs on.
SQLGLOT_DIALECTS = {
    backend: dialect
    for backend, dialect in {**WAREHOUSE_DIALECTS, "duckdb": "duckdb"}.items()
    if dialect in ("duckdb", "postgres", "clickhouse")
}


@dataclass(frozen=True)
class SqlLimits:
    """What one guarded statement may take."""

    timeout_s: float = 10.0
    #: The guard's row cap (``sql_row_limit``): a result cut there is said to be cut.
    row_cap: int = 1000
    memory_limit_mb: int = 1024
    threads: int = 2
    work_mem_mb: int = 64
    max_result_bytes: int = 10_000_000

    @classmethod
    def from_settings(cls, settings: Settings) -> SqlLimits:
        return cls(
            timeout_s=settings.sql_timeout_s,
            row_cap=settings.sql_row_limit,
            memory_limit_mb=settings.sql_memory_limit_mb,
            threads=settings.sql_threads,
            work_mem_mb=settings.sql_work_mem_mb,
            max_result_bytes=settings.sql_max_result_bytes,
        )


@dataclass(frozen=True)
class QueryResult:
    """Rows of a guarded statement, with driver-typed values (Decimal, date, int, str, ...)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    #: Which limit cut the rows ("rows": the row limit was reached, there may be more;
    #: "bytes": the next row would have taken the result past the byte limit), or None.
    truncated_by: Literal["rows", "bytes"] | None
    elapsed_ms: float
    max_result_bytes: int = 10_000_000
    row_cap: int = 1000

    @property
    def truncated(self) -> bool:
        return self.truncated_by is not None

    def truncation_note(self) -> str | None:
        """The plain sentence that says the rows were cut, or None (also when the statement's
        own, smaller LIMIT ended them: a top 10 is not cut)."""
        if self.truncated_by == "rows" and len(self.rows) >= self.row_cap:
            return f"only the first {len(self.rows)} rows are shown (the row limit)"
        if self.truncated_by == "bytes":
            size = f"{self.max_result_bytes / 1_000_000:g} MB"
            if not self.rows:
                return f"the result was cut: its first row alone is larger than {size}"
            return f"the result was cut at {size}: only the first {len(self.rows)} rows are shown"
        return None

    def json_rows(self) -> JsonRows:
        """The rows in their JSON form (:mod:`schema.jsonvalue`), with the truncation note
        first and then the notes the values needed."""
        converted = json_rows(self.rows)
        note = self.truncation_note()
        return JsonRows(converted.rows, ([note] if note else []) + converted.notes)


class Executor:
    """Runs guarded statements on one read-only warehouse engine within :class:`SqlLimits`.

    On DuckDB it owns the warm worker processes; they end with ``close()`` or when the
    engine is disposed.
    """

    def __init__(self, engine: Engine, limits: SqlLimits) -> None:
        self.engine = engine
        self.limits = limits
        self._workers: SqlWorkers | None = None
        if engine.dialect.name == "duckdb":
            database = engine.url.database or ":memory:"
            rss_limit_mb = limits.memory_limit_mb + RSS_HEADROOM_MB
            config = Config(database, limits.memory_limit_mb, limits.threads, rss_limit_mb)
            self._workers = SqlWorkers(config) if database != ":memory:" else None
            event.listen(engine, "engine_disposed", self._disposed)

    @classmethod
    def from_settings(cls, engine: Engine, settings: Settings) -> Executor:
        return cls(engine, SqlLimits.from_settings(settings))

    def start(self) -> Executor:
        """Start a DuckDB worker now, so the first statement does not wait for it."""
        if self._workers is not None:
            self._workers.start()
        return self

    def execute(self, guarded: GuardedSql, *, timeout_s: float | None = None) -> QueryResult:
        """Run ``guarded`` within the limits (``timeout_s``: this statement's, if not theirs)."""
        backend = self.engine.dialect.name
        if backend not in SQLGLOT_DIALECTS:
            raise QueryError(
                f"guarded SQL cannot run on a {backend} warehouse", reason="unsupported_backend"
            )
        dialect = SQLGLOT_DIALECTS[backend]
        sql = guarded.sql if guarded.dialect == dialect else guarded.sql_for(dialect)
        started = time.perf_counter()
        timeout = self.limits.timeout_s if timeout_s is None else timeout_s
        run = {"duckdb": self._duckdb, "postgres": self._postgres,
               "clickhouse": self._clickhouse}[dialect]  # fmt: skip
        rows = run(sql, guarded.limit, timeout)
        return QueryResult(
            columns=rows.columns,
            rows=rows.rows,
            truncated_by=rows.truncated_by,
            elapsed_ms=(time.perf_counter() - started) * 1000,
            max_result_bytes=self.limits.max_result_bytes,
            row_cap=self.limits.row_cap,
        )

    def close(self) -> None:
        """End the DuckDB workers."""
        if self._workers is not None:
            self._workers.close()

    def _disposed(self, _engine: Engine) -> None:
        self.close()

    def _duckdb(self, sql: str, limit: int, timeout_s: float) -> Rows:
        if self._workers is None:
            raise QueryError(
                "guarded SQL runs in a worker process, which cannot see an in-memory DuckDB "
                "database; point HRQ_WAREHOUSE_URL at a DuckDB file",
                reason="unsupported_backend",
            )
        request = Request(sql, limit, self.limits.max_result_bytes, timeout_s)
        reply = self._workers.run(request)
        if isinstance(reply, Failed):
            if reply.reason == "memory_limit":
                raise memory_error(self.limits.memory_limit_mb, reply.message)
            raise QueryError(
                f"the warehouse could not run the query: {reply.message}", reason="query_failed"
            )
        return reply

    def _postgres(self, sql: str, limit: int, timeout_s: float) -> Rows:
        return run_postgres(
            self.engine, sql, limit, timeout_s,
            work_mem_mb=self.limits.work_mem_mb, max_bytes=self.limits.max_result_bytes,
            memory_limit_mb=self.limits.memory_limit_mb,
        )  # fmt: skip

    def _clickhouse(self, sql: str, limit: int, timeout_s: float) -> Rows:
        return run_clickhouse(
            self.engine, sql, limit, timeout_s,
            max_bytes=self.limits.max_result_bytes,
            memory_limit_mb=self.limits.memory_limit_mb, threads=self.limits.threads,
        )  # fmt: skip


__all__ = ["Executor", "GuardError", "QueryError", "QueryResult", "SqlLimits"]
