"""Engines for the warehouse and for hrq's own app database.

The question-answering path only ever gets a read-only warehouse engine:
DuckDB is opened with ``read_only=True``, every PostgreSQL transaction is
``READ ONLY`` and every guarded ClickHouse statement runs with ``readonly=1``. Only the demo-data loader opens the warehouse for writing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from schema.errors import ConfigError, WarehouseError

#: How long a SQLite app-database connection waits for another writer's lock.
SQLITE_BUSY_TIMEOUT_MS = 10_000


#: SQLAlchemy backend name -> sqlglot dialect name, where they differ.
SQLGLOT_DIALECTS = {
    "postgresql": "postgres",
    "chdb": "clickhouse",
    "clickhouse": "clickhouse",
    "clickhouses": "clickhouse",
    "clickhousedb": "clickhouse",
}


def dialect_of(url: str) -> str:
    """The sqlglot dialect name of a SQLAlchemy URL: 'duckdb', 'postgres', 'clickhouse' or
    'sqlite'."""
    backend = _parse(url).get_backend_name()
    return SQLGLOT_DIALECTS.get(backend, backend)


def is_clickhouse(url: str) -> bool:
    """Whether ``url`` names a ClickHouse warehouse (a server, or chDB on a folder)."""
    return dialect_of(url) == "clickhouse"


def warehouse_engine(url: str, *, read_only: bool = True) -> Engine:
    """An engine on the warehouse; read-only unless the caller is the data loader."""
    parsed = _parse(url)
    backend = parsed.get_backend_name()
    if backend == "duckdb":
        database = parsed.database or ":memory:"
        if read_only and database != ":memory:" and not Path(database).exists():
            raise WarehouseError(
                f"warehouse file {database} does not exist; build the demo with `hrq demo-data`"
            )
        connect_args: dict[str, Any] = {"read_only": read_only} if database != ":memory:" else {}
        return create_engine(parsed, connect_args=connect_args)
    if backend == "postgresql":
        engine = create_engine(parsed, pool_pre_ping=True)
        if read_only:
            event.listen(engine, "connect", _postgres_read_only)
        return engine
    if backend in ("chdb", "clickhouse", "clickhouses"):
        # Read-only is ClickHouse's own ``readonly=1``, set on every guarded statement by
        # :mod:`assistant.run_clickhouse`; a deployment also connects as a read-only user.
        return create_engine(parsed)
    if backend == "sqlite" and read_only:
        database = parsed.database or ""
        return create_engine(
            f"sqlite:///file:{database}?mode=ro&uri=true", connect_args={"uri": True}
        )
    return create_engine(parsed)


def app_engine(url: str) -> Engine:
    """An engine on hrq's own database, creating the SQLite file's folder if needed.

    A SQLite file is set up for several writers (server workers, the CLI) on every new
    connection (:func:`sqlite_pragmas`), and its pooled connections are not pinged
    before use: a local file has no server that could have dropped them.
    """
    parsed = _parse(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed)
        event.listen(engine, "connect", sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL journal (readers never block the writer), ``synchronous=NORMAL`` (no fsync per
    commit: a power loss may drop the last commits but never corrupts the file or the
    audit chain) and a busy timeout, so concurrent processes wait instead of failing."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _postgres_read_only(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    cursor.close()
    dbapi_connection.commit()


def _parse(url: str) -> URL:
    from schema.clickhouse import register

    register()  # the chdb:// and clickhouse:// schemes
    try:
        return make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"not a database URL: {url!r}") from exc
