"""A read-only DuckDB connection on the session's small demo warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import duckdb
import pytest

END_DATE = date(2026, 11, 26)


@pytest.fixture(scope="module")
def wh(demo_warehouse_url: str) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(demo_warehouse_url.removeprefix("duckdb:///"), read_only=True)
    yield con
    con.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    """The single value a query returns."""
    return con.execute(sql).fetchone()[0]  # type: ignore[index]
