"""The two ends of a warehouse copy: how each engine is opened, read in batches and written.

An :class:`Endpoint` knows one engine's fast path: DuckDB is written a batch at a
time through an in-memory view of the batch (one ``INSERT ... SELECT``),
PostgreSQL through ``COPY ... FROM STDIN``, ClickHouse (a server or chDB) as one
Arrow table per batch through clickhouse-connect, any other SQLAlchemy database
with batched ``INSERT`` s. Reading streams rows in batches of ``batch_rows`` (a
PostgreSQL server-side cursor, DuckDB's own streaming result, ClickHouse's block
stream), so no table is ever held whole in memory. A table whose key refers to the same
table (departments' parent, employees' manager) is read parents first, one tree
level per batch, so the destination's foreign keys hold at every insert.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy import Connection, Engine, Table
from sqlalchemy.engine import URL

from schema.transfer.checksum import CLICKHOUSE, DUCKDB, POSTGRES, RowSql
from schema.transfer.errors import CopyError
from schema.warehouse import TABLES, metadata

Row = Sequence[Any]
Writer = Callable[[Sequence[Row]], None]


@dataclass(frozen=True)
class EngineKind:
    """What a copy endpoint's engine needs: its checksum spelling and writer kind."""

    row_sql: RowSql
    writer: str  # 'duckdb' | 'copy' | 'clickhouse' | 'insert'
    #: Whether a copy into it runs in one transaction (ClickHouse has none).
    transactional: bool = True


_CLICKHOUSE = EngineKind(CLICKHOUSE, "clickhouse", transactional=False)

#: SQLAlchemy backend name -> how hrq copies to and from it.
KNOWN: dict[str, EngineKind] = {
    "duckdb": EngineKind(DUCKDB, "duckdb"),
    "postgresql": EngineKind(POSTGRES, "copy"),
    "chdb": _CLICKHOUSE,
    "clickhouse": _CLICKHOUSE,
    "clickhouses": _CLICKHOUSE,
}


@dataclass
class Endpoint:
    """One end of a copy: an engine on a warehouse, with the label shown to the user."""

    url: URL
    engine: Engine
    kind: EngineKind

    @property
    def label(self) -> str:
        """The URL with any password hidden."""
        return self.url.render_as_string(hide_password=True)

    @property
    def local_file(self) -> Path | None:
        """The file of a DuckDB warehouse (``None`` for a server)."""
        if self.url.get_backend_name() == "duckdb" and self.url.database not in (None, ""):
            return Path(str(self.url.database))
        return None

    def create_tables(self, conn: Connection, present: set[str]) -> None:
        """Drop the contract tables in ``present`` and create every contract table."""
        tables = [t for t in TABLES if t.name in present]
        if self.kind.writer == "clickhouse":
            from schema.clickhouse.contract import create_contract

            create_contract(conn, replace={t.name for t in tables})
            return
        metadata.drop_all(conn, tables=tables)
        metadata.create_all(conn, tables=list(TABLES))

    def drop_tables(self, conn: Connection) -> None:
        """Drop every contract table (undoing a copy on an engine without transactions)."""
        for table in reversed(TABLES):
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table.name}"))

    def read(self, conn: Connection, table: Table, batch_rows: int) -> Iterator[list[Row]]:
        """The table's rows in batches; a self-referencing table one tree level at a time."""
        columns = ", ".join(c.name for c in table.columns)
        parent = _self_reference(table)
        if parent is None:
            query = f"SELECT {columns} FROM {table.name}"
            yield from _batches(self._rows(conn, query, batch_rows), batch_rows)
            return
        key, up = parent
        select = ", ".join(f"t.{c.name}" for c in table.columns)
        query = (
            f"WITH RECURSIVE tree(node, depth) AS ("
            f"SELECT {key}, 0 FROM {table.name} WHERE {up} IS NULL "
            f"UNION ALL SELECT c.{key}, tree.depth + 1 FROM {table.name} AS c "
            f"JOIN tree ON c.{up} = tree.node) "
            f"SELECT {select}, tree.depth FROM {table.name} AS t JOIN tree ON t.{key} = tree.node "
            f"ORDER BY tree.depth, t.{key}"
        )
        rows = self._rows(conn, query, batch_rows)
        for batch in _batches(rows, batch_rows, split_on_last=True):
            yield [row[:-1] for row in batch]

    def _rows(self, conn: Connection, query: str, batch_rows: int) -> Iterator[Row]:
        if self.kind.writer == "clickhouse":
            return _clickhouse_rows(conn, query)
        return _cursor_rows(conn, query, batch_rows)

    def writer(self, conn: Connection, table: Table) -> Writer:
        """A function that appends one batch of rows to ``table`` inside ``conn``'s transaction."""
        if self.kind.writer == "duckdb":
            return _duckdb_writer(conn, table)
        if self.kind.writer == "copy":
            return _copy_writer(conn, table)
        if self.kind.writer == "clickhouse":
            return _clickhouse_writer(conn, table)
        return _insert_writer(conn, table)


def open_endpoint(url: URL, *, read_only: bool) -> Endpoint:
    """An endpoint on ``url``; the backend must be one hrq can copy."""
    from schema.db import warehouse_engine

    backend = url.get_backend_name()
    kind = KNOWN.get(backend)
    if kind is None:
        raise CopyError(
            f"cannot copy {backend} warehouses; use a URL of one of: "
            + ", ".join(f"{name}://" for name in sorted(KNOWN))
        )
    if backend == "duckdb" and url.database in (None, "", ":memory:"):
        raise CopyError("a DuckDB warehouse needs a file path, e.g. duckdb:///data/demo.duckdb")
    if backend == "chdb" and url.database in (None, "", ":memory:"):
        raise CopyError("a chDB warehouse needs a folder, e.g. chdb:///data/warehouse")
    engine = warehouse_engine(url.render_as_string(hide_password=False), read_only=read_only)
    return Endpoint(url=url, engine=engine, kind=kind)


def _self_reference(table: Table) -> tuple[str, str] | None:
    """(key column, parent column) when a column refers to the table's own key."""
    for fk in table.foreign_keys:
        if fk.column.table is table:
            return fk.column.name, fk.parent.name
    return None


def _cursor_rows(conn: Connection, query: str, batch_rows: int) -> Iterator[Row]:
    """Rows of ``query`` from a streaming cursor, fetched ``batch_rows`` at a time."""
    result = conn.execution_options(stream_results=True, max_row_buffer=batch_rows).execute(
        sa.text(query)
    )
    try:
        while rows := result.fetchmany(batch_rows):
            yield from rows
    finally:
        result.close()


def _clickhouse_rows(conn: Connection, query: str) -> Iterator[Row]:
    """Rows of ``query`` from ClickHouse's block stream (clickhouse-connect)."""
    from schema.clickhouse.contract import client_of

    with client_of(conn).query_row_block_stream(query) as stream:
        for block in stream:
            yield from block


def _batches(
    rows: Iterator[Row], batch_rows: int, *, split_on_last: bool = False
) -> Iterator[list[Row]]:
    """``rows`` in batches; with ``split_on_last`` a batch ends where the last column's
    value changes (one tree level per batch)."""
    pending: list[Row] = []
    for row in rows:
        if split_on_last and pending and pending[-1][-1] != row[-1]:
            yield pending
            pending = []
        pending.append(tuple(row))
        if len(pending) >= batch_rows:
            yield pending
            pending = []
    if pending:
        yield pending


def _duckdb_writer(conn: Connection, table: Table) -> Writer:
    """Append batches to a DuckDB table: each column as text, cast once by DuckDB."""
    raw = conn.connection.driver_connection
    names = [c.name for c in table.columns]
    casts = ", ".join(
        f"CAST(c{i} AS {c.type.compile(dialect=conn.dialect)})" for i, c in enumerate(table.columns)
    )
    statement = f"INSERT INTO {table.name} ({', '.join(names)}) SELECT {casts} FROM _hrq_batch"

    def write(rows: Sequence[Row]) -> None:
        columns = {
            f"c{i}": np.array([None if v is None else str(v) for v in column], dtype=object)
            for i, column in enumerate(zip(*rows, strict=True))
        }
        raw.register("_hrq_batch", columns)  # type: ignore[union-attr]
        try:
            raw.execute(statement)  # type: ignore[union-attr]
        finally:
            raw.unregister("_hrq_batch")  # type: ignore[union-attr]

    return write


def _copy_writer(conn: Connection, table: Table) -> Writer:
    """Append batches to a PostgreSQL table with ``COPY ... FROM STDIN``."""
    raw = conn.connection.driver_connection
    statement = f"COPY {table.name} ({', '.join(c.name for c in table.columns)}) FROM STDIN"

    def write(rows: Sequence[Row]) -> None:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)

    return write


def _clickhouse_writer(conn: Connection, table: Table) -> Writer:
    """Append batches to a ClickHouse table as Arrow tables typed like the contract."""
    import pyarrow as pa

    from schema.clickhouse.contract import insert_arrow

    schema = pa.schema([(c.name, _arrow_type(c.type)) for c in table.columns])

    def write(rows: Sequence[Row]) -> None:
        columns = [list(column) for column in zip(*rows, strict=True)]
        insert_arrow(conn, table.name, pa.Table.from_arrays(
            [pa.array(values, type=field.type) for values, field in zip(columns, schema, strict=True)],
            schema=schema,
        ))  # fmt: skip

    return write


def _arrow_type(kind: Any) -> Any:
    """The Arrow type of a contract column type."""
    import pyarrow as pa

    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Integer):
        return pa.decimal128(kind.precision or 18, kind.scale or 0)
    if isinstance(kind, sa.Integer):
        return pa.int32()
    if isinstance(kind, sa.Date):
        return pa.date32()
    if isinstance(kind, sa.types.TIMESTAMP | sa.DateTime):
        return pa.timestamp("us")
    return pa.string()


def _insert_writer(conn: Connection, table: Table) -> Writer:
    """Append batches with executemany ``INSERT`` s (engines without a bulk path)."""
    names = [c.name for c in table.columns]

    def write(rows: Sequence[Row]) -> None:
        conn.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in rows])

    return write
