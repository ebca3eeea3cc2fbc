"""Writing column arrays into the DuckDB build database.

Generators produce numpy columns (dates as day numbers, money as integer cents,
labels as small integer codes, -1 for NULL); ``Sink.insert`` turns them into
contract types in one vectorised ``INSERT ... SELECT``. The SQL helpers below
build those conversions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Table
from sqlalchemy.engine import Dialect

from schema.warehouse import TABLES


def day(column: str, nullable: bool = False) -> str:
    """A day-number column as DATE."""
    value = f"(DATE '1970-01-01' + {column}::INTEGER)"
    return f"CASE WHEN {column} < 0 THEN NULL ELSE {value} END" if nullable else value


def money(column: str, precision: int = 14, scale: int = 2) -> str:
    """An integer column of 10^-scale units (cents) as an exact DECIMAL."""
    unit = "0." + "0" * (scale - 1) + "1"
    return f"({column}::DECIMAL(18, 0) * {unit})::DECIMAL({precision}, {scale})"


def label(column: str, labels: Sequence[str]) -> str:
    """A 0-based code column as the label it indexes."""
    quoted = ", ".join("'" + v + "'" for v in labels)
    return f"[{quoted}][{column} + 1]"


def stamp(column: str, nullable: bool = False) -> str:
    """A microseconds-since-epoch column as TIMESTAMP."""
    value = f"make_timestamp({column}::BIGINT)"
    return f"CASE WHEN {column} < 0 THEN NULL ELSE {value} END" if nullable else value


def maybe(column: str) -> str:
    """An integer column with -1 for NULL."""
    return f"NULLIF({column}, -1)"


class Sink:
    """The DuckDB database a warehouse is built in (a file, or memory)."""

    def __init__(self, connection: Any) -> None:
        self.con = connection  # a duckdb.DuckDBPyConnection

    def create_tables(self) -> None:
        """Create the contract's tables (keys and constraints included)."""
        from sqlalchemy.schema import CreateTable

        dialect = _duckdb_dialect()
        for table in TABLES:
            self.con.execute(str(CreateTable(table).compile(dialect=dialect)))

    def insert(
        self, table: str, columns: Mapping[str, np.ndarray], exprs: Mapping[str, str] | None = None
    ) -> None:
        """Insert rows given as arrays; ``exprs`` maps a contract column to SQL over the arrays."""
        if not columns or len(next(iter(columns.values()))) == 0:
            return
        exprs = exprs or {}
        names = [c.name for c in _table(table).columns]
        select = ", ".join(exprs.get(name, name) for name in names)
        self.con.register("_chunk", dict(columns))
        try:
            self.con.execute(
                f"INSERT INTO {table} ({', '.join(names)}) SELECT {select} FROM _chunk"
            )
        finally:
            self.con.unregister("_chunk")


def _table(name: str) -> Table:
    return next(t for t in TABLES if t.name == name)


def _duckdb_dialect() -> Dialect:
    import duckdb_engine

    return duckdb_engine.Dialect()
