"""The contract tables on ClickHouse: create them, and fill them from Arrow tables.

``contract.sql`` beside this module is the DDL (one ``CREATE TABLE`` per contract
table, in ``schema.warehouse.TABLES`` order). :func:`client_of` is the
clickhouse-connect client behind a SQLAlchemy connection of a ClickHouse engine, so
a loader (the demo data, ``hrq warehouse copy``) uses the client's Arrow insert
rather than SQLAlchemy rows.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import Connection

from schema.warehouse import TABLES

#: The name of the table a CREATE TABLE statement makes.
_CREATE = re.compile(r"CREATE TABLE (\w+)", re.IGNORECASE)


@cache
def contract_ddl() -> dict[str, str]:
    """Table name -> its ``CREATE TABLE`` statement, in the loader's order (parents first)."""
    text = resources.files("schema.clickhouse").joinpath("contract.sql").read_text("utf-8")
    body = "\n".join(line.split("--", 1)[0] for line in text.splitlines())
    statements = {}
    for statement in (s.strip() for s in body.split(";")):
        if match := _CREATE.match(statement):
            statements[match.group(1)] = statement
    return {t.name: statements[t.name] for t in TABLES}


def client_of(conn: Connection) -> Any:
    """The clickhouse-connect client behind ``conn`` (a connection of a ClickHouse engine)."""
    return conn.connection.driver_connection.client  # type: ignore[union-attr]


def create_contract(conn: Connection, *, replace: Collection[str] = ()) -> None:
    """Create the contract tables, dropping first those named in ``replace``."""
    client = client_of(conn)
    for name, ddl in contract_ddl().items():
        if name in replace:
            client.command(f"DROP TABLE IF EXISTS {name}")
        client.command(ddl)


def insert_arrow(conn: Connection, table: str, data: Any) -> None:
    """Append a pyarrow table whose columns are ``table``'s (names and order)."""
    if data.num_rows:
        client_of(conn).insert_arrow(table, data)


def copy_from_duckdb(duckdb_connection: Any, conn: Connection) -> dict[str, int]:
    """Copy every contract table from a DuckDB connection into ClickHouse tables that
    :func:`create_contract` made; returns the rows copied per table."""
    copied = {}
    for table in TABLES:
        columns = ", ".join(c.name for c in table.columns)
        data = duckdb_connection.sql(f"SELECT {columns} FROM {table.name}").to_arrow_table()
        insert_arrow(conn, table.name, data)
        copied[table.name] = int(data.num_rows)
    return copied
