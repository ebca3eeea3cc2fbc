"""Write the demo warehouse to its target: a DuckDB file, PostgreSQL, or another database.

Nothing half-written is ever left behind:

- DuckDB file: built in a hidden temporary file in the same folder, then
  renamed over the target (atomic on one file system).
- PostgreSQL: built in a temporary DuckDB file, then created and loaded with
  ``COPY`` inside one transaction; a failure rolls everything back.
- Other SQLAlchemy databases: like PostgreSQL, with batched ``INSERT`` s.

An existing target is refused unless ``force=True``: an existing DuckDB file,
or a database holding any row in a contract table. With ``force`` the file is
replaced and the contract tables are dropped and recreated (other tables stay).
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from schema.clickhouse.contract import copy_from_duckdb, create_contract
from schema.db import is_clickhouse, warehouse_engine
from schema.demodata.build import Progress, build
from schema.demodata.errors import DemoDataError
from schema.demodata.scales import spec_of
from schema.demodata.sink import Sink
from schema.demodata.summary import Summary, _first_line, summarize
from schema.warehouse import TABLES, metadata

COPY_CHUNK = 1 << 20


def generate(
    url: str,
    *,
    seed: int = 7,
    end_date: date,
    scale: str = "small",
    force: bool = False,
    progress: Progress | None = None,
) -> Summary:
    """Build the demo warehouse at ``url`` and return its summary."""
    spec_of(scale)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DemoDataError(f"not a database URL: {url!r}") from None
    options = {"seed": seed, "end_date": end_date, "scale": scale, "progress": progress}
    if parsed.get_backend_name() == "duckdb":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            raise DemoDataError(
                "a DuckDB warehouse needs a file path, e.g. duckdb:///data/demo.duckdb"
            )
        return generate_duckdb(Path(database), force=force, **options)  # type: ignore[arg-type]
    if is_clickhouse(url):
        return _generate_clickhouse(url, force=force, **options)  # type: ignore[arg-type]
    return _generate_database(url, force=force, **options)  # type: ignore[arg-type]


def generate_duckdb(
    path: Path,
    *,
    seed: int,
    end_date: date,
    scale: str,
    force: bool = False,
    progress: Progress | None = None,
) -> Summary:
    """Build a DuckDB file at ``path`` via a temporary file and an atomic rename."""
    import duckdb

    path = path.expanduser()
    if path.is_dir():
        raise DemoDataError(f"cannot write {path}: it is a directory")
    if path.exists() and not force:
        raise DemoDataError(f"{path} already exists; pass --force to replace it")
    blocker = next((p for p in path.parents if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise DemoDataError(f"cannot write {path}: {blocker} is not a folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise DemoDataError(f"cannot write {path}: {exc.strerror or exc}") from None
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # DuckDB wants to create the file itself
    try:
        con = duckdb.connect(str(tmp))
        try:
            build(Sink(con), seed=seed, end_date=end_date, scale=scale, progress=progress)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, path)
    except duckdb.Error as exc:
        raise DemoDataError(f"cannot write {path}: {_first_line(exc)}") from None
    finally:
        for leftover in (tmp, Path(f"{tmp}.wal")):
            leftover.unlink(missing_ok=True)
    engine = sa.create_engine(f"duckdb:///{path}", connect_args={"read_only": True})
    try:
        return summarize(engine)
    finally:
        engine.dispose()


def _generate_database(
    url: str, *, seed: int, end_date: date, scale: str, force: bool, progress: Progress | None
) -> Summary:
    """Load a database server in one transaction from a DuckDB build in a temporary folder."""
    import duckdb

    safe = make_url(url).render_as_string(hide_password=True)
    try:
        engine = sa.create_engine(url)
    except (ArgumentError, ImportError) as exc:
        raise DemoDataError(f"cannot use database URL {safe}: {exc}") from None
    try:
        existing = _check_target(engine, safe, force)
        with tempfile.TemporaryDirectory(prefix="hrq-demo-") as folder:
            con = duckdb.connect(str(Path(folder) / "build.duckdb"))
            try:
                build(Sink(con), seed=seed, end_date=end_date, scale=scale, progress=progress)
                with engine.begin() as conn:
                    metadata.drop_all(conn, tables=[t for t in TABLES if t.name in existing])
                    metadata.create_all(conn)
                    if engine.dialect.name == "postgresql":
                        _copy_postgres(con, conn, Path(folder))
                    else:
                        _insert_batches(con, conn)
            finally:
                con.close()
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("ANALYZE"))
        return summarize(engine)
    except SQLAlchemyError as exc:
        raise DemoDataError(f"cannot load {safe}: {_first_line(exc)}") from None
    finally:
        engine.dispose()


def _generate_clickhouse(
    url: str, *, seed: int, end_date: date, scale: str, force: bool, progress: Progress | None
) -> Summary:
    """Load ClickHouse (a server or chDB) from a DuckDB build, table by table through Arrow.

    ClickHouse has no transactions: the tables are created and filled one after another,
    so a failed load leaves them partly filled, and the next load needs ``force``.
    """
    import duckdb
    from clickhouse_connect.driver.exceptions import ClickHouseError

    safe = make_url(url).render_as_string(hide_password=True)
    engine = warehouse_engine(url, read_only=False)
    try:
        existing = _check_target(engine, safe, force)
        with tempfile.TemporaryDirectory(prefix="hrq-demo-") as folder:
            con = duckdb.connect(str(Path(folder) / "build.duckdb"))
            try:
                build(Sink(con), seed=seed, end_date=end_date, scale=scale, progress=progress)
                with engine.connect() as conn:
                    create_contract(conn, replace=existing)
                    copy_from_duckdb(con, conn)
            finally:
                con.close()
        return summarize(engine)
    except (SQLAlchemyError, ClickHouseError) as exc:
        raise DemoDataError(f"cannot load {safe}: {_first_line(exc)}") from None
    finally:
        engine.dispose()


def _check_target(engine: sa.Engine, safe: str, force: bool) -> set[str]:
    """The contract tables already there; refuses a non-empty target without ``force``."""
    try:
        with engine.connect() as conn:
            existing = {t for t in sa.inspect(conn).get_table_names()} & {t.name for t in TABLES}
            filled = [
                name
                for name in sorted(existing)
                if conn.execute(sa.text(f"SELECT 1 FROM {name} LIMIT 1")).first() is not None
            ]
    except SQLAlchemyError as exc:
        raise DemoDataError(f"cannot connect to {safe}: {_first_line(exc)}") from None
    if filled and not force:
        raise DemoDataError(
            f"{safe} already holds warehouse data ({', '.join(filled)}); pass --force to replace it"
        )
    return existing


def _copy_postgres(con: Any, conn: Connection, folder: Path) -> None:
    """Stream each table from DuckDB to PostgreSQL as CSV through ``COPY ... FROM STDIN``."""
    raw = conn.connection.driver_connection
    with raw.cursor() as cursor:  # type: ignore[union-attr]
        for table in TABLES:
            csv = folder / f"{table.name}.csv"
            con.execute(f"COPY {table.name} TO '{csv}' (FORMAT csv, HEADER false)")
            columns = ", ".join(c.name for c in table.columns)
            with cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
                with csv.open("rb") as source:
                    while chunk := source.read(COPY_CHUNK):
                        copy.write(chunk)
            csv.unlink()


def _insert_batches(con: Any, conn: Connection, batch: int = 20_000) -> None:
    """Copy each table with batched INSERTs (databases without a COPY path)."""
    for table in TABLES:
        names = [c.name for c in table.columns]
        result = con.execute(f"SELECT {', '.join(names)} FROM {table.name}")
        while rows := result.fetchmany(batch):
            conn.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in rows])
