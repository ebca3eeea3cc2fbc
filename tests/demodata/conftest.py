"""A read-only DuckDB connection on the session's small demo warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import duckdb
import pytest

from schema.db import warehouse_engine

END_DATE = date(2026, 11, 26)


@pytest.fixture(scope="module")
def wh(demo_warehouse_url: str) -> Iterator[duckdb.DuckDBPyConnection]:
    # Through the product's read-only engine: DuckDB refuses, in one process, a second
    # connection to the same file with another configuration, and other tests share it.
    engine = warehouse_engine(demo_warehouse_url, read_only=True)
    raw = engine.raw_connection()
    yield raw.driver_connection  # type: ignore[misc]
    raw.close()
    engine.dispose()


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    """The single value a query returns."""
    return con.execute(sql).fetchone()[0]  # type: ignore[index]
