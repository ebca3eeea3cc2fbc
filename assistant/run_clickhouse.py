"""Run one guarded statement on ClickHouse (a server, or chDB): read-only, bounded per query.

Every statement carries ClickHouse's own limits as query settings, the ``readonly=1``
last (so the others are set before it forbids changing settings):

- ``max_execution_time``: the statement's timeout (code 159 is a timeout);
- ``max_memory_usage``: ``sql_memory_limit_mb`` (code 241 is the memory limit);
- ``max_threads``: ``sql_threads``;
- ``max_result_rows`` with ``result_overflow_mode='break'``: the guard's row limit, so
  the engine stops producing rows there;
- ``readonly=1``: nothing but reading, and no setting can be changed by the statement.

The rows are then cut at the row and byte limits (:func:`assistant.sqlworker.fetch_within`).
A connection whose statement failed is dropped, not returned to the pool: chDB keeps a
failed statement's settings on its session. Deployments should also connect as a
ClickHouse user whose profile is read-only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine

from assistant.errors import QueryError
from assistant.sqlworker import Rows, fetch_within
from assistant.sqlworkers import memory_error, timeout_error

#: ClickHouse error codes: the statement ran past max_execution_time, or max_memory_usage.
TIMEOUT_CODES = frozenset({159, 160})
MEMORY_CODES = frozenset({241})
_CODE = re.compile(r"Code: (\d+)")


def query_settings(
    limit: int, timeout_s: float, *, memory_limit_mb: int, threads: int
) -> dict[str, Any]:
    """The settings of one guarded statement, ``readonly`` last."""
    return {
        "max_execution_time": max(timeout_s, 0.001),
        "timeout_overflow_mode": "throw",
        "max_memory_usage": int(memory_limit_mb) * 2**20,
        "max_threads": int(threads),
        "max_result_rows": int(limit) + 1,
        "result_overflow_mode": "break",
        "readonly": 1,
    }


def run_clickhouse(
    engine: Engine,
    sql: str,
    limit: int,
    timeout_s: float,
    *,
    max_bytes: int,
    memory_limit_mb: int,
    threads: int,
) -> Rows:
    """``sql``'s rows, at most ``limit`` of them and ``max_bytes`` of their JSON."""
    from clickhouse_connect.driver.exceptions import ClickHouseError

    raw = engine.raw_connection()
    client: Any = raw.driver_connection.client  # type: ignore[union-attr]
    settings = query_settings(limit, timeout_s, memory_limit_mb=memory_limit_mb, threads=threads)
    try:
        result = client.query(sql, settings=settings)
    except ClickHouseError as exc:
        raw.invalidate()
        raise _error(exc, timeout_s, memory_limit_mb) from exc
    except BaseException:
        raw.invalidate()
        raise
    raw.close()
    rows: Iterator[tuple[Any, ...]] = iter(result.result_rows)

    def fetchmany(size: int) -> list[tuple[Any, ...]]:
        return [tuple(row) for _, row in zip(range(size), rows, strict=False)]

    fetched = fetch_within(fetchmany, limit, max_bytes)
    return Rows(tuple(result.column_names), fetched.rows, fetched.truncated_by, fetched.json_bytes)


def _error(exc: Exception, timeout_s: float, memory_limit_mb: int) -> Exception:
    message = _first_line(exc)
    code = _CODE.search(str(exc))
    number = int(code.group(1)) if code else None
    if number in TIMEOUT_CODES:
        return timeout_error(timeout_s)
    if number in MEMORY_CODES:
        return memory_error(memory_limit_mb, message)
    return QueryError(f"the warehouse could not run the query: {message}", reason="query_failed")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
