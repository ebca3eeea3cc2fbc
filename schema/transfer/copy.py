"""``copy_warehouse``: copy every contract table from one warehouse engine to another.

The destination's contract tables are created from the contract
(``schema.warehouse``) and filled in one transaction: if the copy fails or is
interrupted, nothing of it stays (a DuckDB file the copy created is removed).
A destination that already holds rows in a contract table is refused unless
``replace=True``. Rows travel in batches (see ``schema.transfer.endpoints``).
At the end each table is checksummed on both engines the same way
(``schema.transfer.checksum``); the report says per table whether rows and
checksums agree, and ``CopyReport.exact`` is true only if every table agrees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from schema.errors import HrqError
from schema.transfer.checksum import Checksum, table_checksum
from schema.transfer.endpoints import Endpoint, open_endpoint
from schema.transfer.errors import CopyError, CopyInterrupted
from schema.warehouse import TABLES

#: Rows per batch read from the source and written to the destination.
BATCH_ROWS = 50_000

#: Progress callback: (table, rows of it copied so far, rows of it in all).
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class TableCopy:
    """One table's result: rows and checksum on each side."""

    table: str
    source_rows: int
    destination_rows: int
    source_checksum: str
    destination_checksum: str

    @property
    def exact(self) -> bool:
        return (
            self.source_rows == self.destination_rows
            and self.source_checksum == self.destination_checksum
        )


@dataclass(frozen=True)
class CopyReport:
    """What a copy did, table by table."""

    source: str
    destination: str
    tables: tuple[TableCopy, ...]

    @property
    def exact(self) -> bool:
        return all(t.exact for t in self.tables)

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "destination": self.destination,
            "exact": self.exact,
            "tables": [asdict(t) | {"exact": t.exact} for t in self.tables],
        }


def copy_warehouse(
    source_url: str,
    destination_url: str,
    *,
    replace: bool = False,
    batch_rows: int = BATCH_ROWS,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy the contract tables from ``source_url`` to ``destination_url`` and verify them."""
    if batch_rows < 1:
        raise CopyError("the batch size must be at least 1 row")
    src_url, dst_url = _parse(source_url), _parse(destination_url)
    if _same_database(src_url, dst_url):
        raise CopyError("the source and the destination are the same warehouse")
    source = open_endpoint(src_url, read_only=True)
    try:
        totals = _source_counts(source)
        destination = _open_destination(dst_url)
        local = destination.local_file
        created_file = local is not None and not local.exists()
        try:
            try:
                _prepare(destination, replace)
                _copy_rows(source, destination, totals, batch_rows, progress)
            except BaseException as exc:
                destination.engine.dispose()
                if created_file:
                    _remove_duckdb_file(destination)
                if _interrupted(exc):
                    raise CopyInterrupted(f"copy interrupted; {_undone(destination)}") from None
                raise
            try:
                _analyze(destination)
                tables = _verify(source, destination)
            except BaseException as exc:
                if _interrupted(exc):
                    raise CopyInterrupted(
                        f"interrupted while checking the copy: {destination.label} holds the "
                        "rows but they are not verified; run the copy again with --replace"
                    ) from None
                if not isinstance(exc, Exception) or not _is_database_error(exc):
                    raise
                raise CopyError(
                    f"the rows are in {destination.label} but checking them failed: "
                    f"{_first_line(exc)}"
                ) from None
        finally:
            destination.engine.dispose()
    finally:
        source.engine.dispose()
    return CopyReport(source=source.label, destination=destination.label, tables=tables)


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        raise CopyError(
            f"not a database URL: {url!r} (e.g. duckdb:///data/demo.duckdb or "
            "postgresql+psycopg://user@host/db)"
        ) from None


def _same_database(a: URL, b: URL) -> bool:
    if a.get_backend_name() != b.get_backend_name():
        return False
    if a.get_backend_name() == "duckdb":
        from pathlib import Path

        return Path(str(a.database)).resolve() == Path(str(b.database)).resolve()
    return (a.host, a.port, a.database) == (b.host, b.port, b.database)


def _source_counts(source: Endpoint) -> dict[str, int]:
    """Rows per contract table in the source; every contract table must be there."""
    try:
        with source.engine.connect() as conn:
            present = set(sa.inspect(conn).get_table_names())
            missing = [t.name for t in TABLES if t.name not in present]
            if missing:
                raise CopyError(
                    f"{source.label} is not an hrq warehouse: it lacks the contract tables "
                    + ", ".join(missing)
                )
            return {
                t.name: int(conn.execute(sa.text(f"SELECT COUNT(*) FROM {t.name}")).scalar_one())
                for t in TABLES
            }
    except SQLAlchemyError as exc:
        raise CopyError(f"cannot read {source.label}: {_first_line(exc)}") from None


def _open_destination(url: URL) -> Endpoint:
    if url.get_backend_name() == "duckdb" and url.database not in (None, "", ":memory:"):
        from pathlib import Path

        folder = Path(str(url.database)).expanduser().parent
        if not folder.is_dir():
            raise CopyError(f"cannot write {url.database}: folder {folder} does not exist")
    return open_endpoint(url, read_only=False)


def _prepare(destination: Endpoint, replace: bool) -> None:
    """Refuse a destination that holds rows in a contract table, unless ``replace``."""
    try:
        with destination.engine.connect() as conn:
            present = set(sa.inspect(conn).get_table_names())
            filled = [
                t.name
                for t in TABLES
                if t.name in present
                and conn.execute(sa.text(f"SELECT 1 FROM {t.name} LIMIT 1")).first() is not None
            ]
    except SQLAlchemyError as exc:
        raise CopyError(f"cannot connect to {destination.label}: {_first_line(exc)}") from None
    if filled and not replace:
        raise CopyError(
            f"{destination.label} already holds warehouse data ({', '.join(filled)}); "
            "pass --replace to replace it"
        )


def _copy_rows(
    source: Endpoint,
    destination: Endpoint,
    totals: dict[str, int],
    batch_rows: int,
    progress: Progress | None,
) -> None:
    """Drop and create the contract tables and fill them, all in one destination transaction."""
    transaction = destination.engine.begin if destination.kind.transactional else None
    try:
        with (
            source.engine.connect() as reader,
            transaction() if transaction else destination.engine.connect() as writer,
        ):
            try:
                destination.create_tables(writer, set(sa.inspect(writer).get_table_names()))
                for table in TABLES:
                    done = 0
                    if progress:
                        progress(table.name, 0, totals[table.name])
                    write = destination.writer(writer, table)
                    for rows in source.read(reader, table, batch_rows):
                        write(rows)
                        done += len(rows)
                        if progress:
                            progress(table.name, done, totals[table.name])
            except BaseException:
                if not transaction:  # no rollback: undo by dropping what was written
                    destination.drop_tables(writer)
                raise
    except HrqError:
        raise
    except Exception as exc:
        if _interrupted(exc):
            # Ctrl-C inside a statement: the engine aborted the transaction and the rollback
            # on the way out failed with that, hiding the interrupt
            raise KeyboardInterrupt from None
        if not _is_database_error(exc):
            raise
        raise CopyError(
            f"copy to {destination.label} failed, {_undone(destination)}: {_first_line(exc)}"
        ) from None


def _interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` comes from a Ctrl-C: a KeyboardInterrupt in its chain, or the engine's
    own report of one (DuckDB: "Query interrupted", "INTERRUPT Error", "KeyboardInterrupt:"),
    often hidden behind the failed rollback that followed it."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        first = str(cause).split("\n", 1)[0]
        if isinstance(cause, KeyboardInterrupt) or any(w in first for w in _INTERRUPT_WORDS):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


_INTERRUPT_WORDS = ("KeyboardInterrupt", "Query interrupted", "INTERRUPT Error")


def _analyze(destination: Endpoint) -> None:
    if destination.url.get_backend_name() == "postgresql":
        with destination.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))


def _verify(source: Endpoint, destination: Endpoint) -> tuple[TableCopy, ...]:
    """Checksum every table on both engines."""
    with source.engine.connect() as left, destination.engine.connect() as right:
        results = []
        for table in TABLES:
            a: Checksum = table_checksum(left, source.kind.row_sql, table)
            b: Checksum = table_checksum(right, destination.kind.row_sql, table)
            results.append(
                TableCopy(
                    table=table.name,
                    source_rows=a.rows,
                    destination_rows=b.rows,
                    source_checksum=a.digest,
                    destination_checksum=b.digest,
                )
            )
    return tuple(results)


def _undone(destination: Endpoint) -> str:
    """What a failed or interrupted copy left in the destination."""
    if destination.kind.transactional:
        return f"nothing was kept in {destination.label}"
    return (
        f"nothing was kept in {destination.label} (it has no transactions: its contract "
        "tables were dropped, run the copy again)"
    )


def _remove_duckdb_file(endpoint: Endpoint) -> None:
    local = endpoint.local_file
    if local is not None:
        for leftover in (local, local.with_name(local.name + ".wal")):
            leftover.unlink(missing_ok=True)


def _is_database_error(exc: Exception) -> bool:
    if isinstance(exc, SQLAlchemyError):
        return True
    module = type(exc).__module__ or ""
    return module.split(".")[0] in {"duckdb", "_duckdb", "psycopg", "clickhouse_connect", "chdb"}


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__
