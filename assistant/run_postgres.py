"""Run one guarded statement on PostgreSQL: read-only, bounded in time, memory and output.

A ``READ ONLY`` transaction with ``SET LOCAL statement_timeout`` and ``work_mem``;
the rows come through a server-side cursor, a few at a time
(:func:`assistant.sqlworker.fetch_within`), so the client never holds more than
the byte limit allows; every later ``FETCH`` gets what is left of the timeout.
The transaction is always rolled back. A cancelled statement (SQLSTATE 57014) is a
timeout. Dates and timestamps of ``infinity`` read as the largest value Python
holds (``-infinity`` the smallest), as DuckDB's driver reads them, instead of
failing the whole statement.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Engine

from assistant.errors import QueryError
from assistant.sqlworker import Rows, fetch_within
from assistant.sqlworkers import memory_error, timeout_error

#: The server-side cursor of a guarded statement.
CURSOR_NAME = "hrq_guarded"


@cache
def infinity_loaders() -> dict[str, type]:
    """psycopg loaders of date, timestamp and timestamptz that read ``infinity`` as the
    largest value and ``-infinity`` as the smallest (psycopg is imported on first use)."""
    from psycopg.types.datetime import DateLoader, TimestampLoader, TimestamptzLoader

    def loader(base: type, largest: object, smallest: object) -> type:
        base_load = base.load  # type: ignore[attr-defined]

        def load(self: Any, data: Any) -> object:
            text = bytes(data)
            if text == b"infinity":
                return largest
            if text == b"-infinity":
                return smallest
            return base_load(self, data)

        return type(f"Infinity{base.__name__}", (base,), {"load": load})

    return {
        "date": loader(DateLoader, date.max, date.min),
        "timestamp": loader(TimestampLoader, datetime.max, datetime.min),
        "timestamptz": loader(
            TimestamptzLoader, datetime.max.replace(tzinfo=UTC), datetime.min.replace(tzinfo=UTC)
        ),
    }


def run_postgres(
    engine: Engine,
    sql: str,
    limit: int,
    timeout_s: float,
    *,
    work_mem_mb: int,
    max_bytes: int,
    memory_limit_mb: int,
) -> Rows:
    """``sql``'s rows, at most ``limit`` of them and ``max_bytes`` of their JSON."""
    import psycopg

    raw = engine.raw_connection()
    connection: Any = raw.driver_connection
    deadline = time.monotonic() + timeout_s
    try:
        with connection.cursor() as setup:
            setup.execute("SET TRANSACTION READ ONLY")
            setup.execute(f"SET LOCAL statement_timeout = {_ms(timeout_s)}")
            setup.execute(f"SET LOCAL work_mem = '{int(work_mem_mb)}MB'")
        with connection.cursor(name=CURSOR_NAME) as cursor:
            for name, loader in infinity_loaders().items():
                cursor.adapters.register_loader(name, loader)
            fetched = 0

            def fetchmany(size: int) -> list[tuple[Any, ...]]:
                nonlocal fetched
                if fetched:  # every later FETCH gets what is left of the statement's time
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise timeout_error(timeout_s)
                    with connection.cursor() as setup:
                        setup.execute(f"SET LOCAL statement_timeout = {_ms(left)}")
                fetched += 1
                return list(cursor.fetchmany(size))

            try:
                cursor.execute(sql)
                rows = fetch_within(fetchmany, limit, max_bytes)
                columns = tuple(d[0] for d in cursor.description or [])
            except psycopg.errors.QueryCanceled as exc:
                raise timeout_error(timeout_s) from exc
            except psycopg.errors.OutOfMemory as exc:
                raise memory_error(memory_limit_mb, _first_line(exc)) from exc
            except psycopg.Error as exc:
                raise QueryError(
                    f"the warehouse could not run the query: {_first_line(exc)}",
                    reason="query_failed",
                ) from exc
        return Rows(columns, rows.rows, rows.truncated_by, rows.json_bytes)
    finally:
        try:
            raw.rollback()
        finally:
            raw.close()


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
