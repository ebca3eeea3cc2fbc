"""``hrq warehouse copy``: exact copies between engines, refusals, and interruptions.

The PostgreSQL round trip runs when ``HRQ_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from api.cli import app
from schema.transfer import CopyError, CopyInterrupted, copy_warehouse
from schema.transfer.checksum import DUCKDB, table_checksum
from schema.transfer.endpoints import open_endpoint
from schema.warehouse import TABLES, employees

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


def copy_cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["warehouse", "copy", *args])
    return result.exit_code, result.stdout, result.stderr


def rows_of(url: str, query: str) -> list[tuple[object, ...]]:
    engine = sa.create_engine(url, **_read_only(url))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(query))]
    finally:
        engine.dispose()


def _read_only(url: str) -> dict[str, object]:
    return {"connect_args": {"read_only": True}} if url.startswith("duckdb") else {}


#: Independent of the checksum: a few aggregates and one whole table, compared as values.
PROBES = (
    "SELECT COUNT(*), SUM(amount), MIN(order_date), MAX(order_date) FROM sales_orders",
    "SELECT employee_id, name, manager_id, hire_date, termination_date FROM employees "
    "ORDER BY employee_id",
    "SELECT COUNT(*), COUNT(check_in), MIN(check_in), MAX(check_out) FROM attendance",
    "SELECT SUM(duration_minutes), MAX(occurred_at) FROM customer_interactions",
)


def assert_same_data(a: str, b: str) -> None:
    for probe in PROBES:
        assert rows_of(a, probe) == rows_of(b, probe), probe


def test_duckdb_to_duckdb_is_exact(demo_warehouse_url: str, tmp_path: Path) -> None:
    target = f"duckdb:///{tmp_path / 'copy.duckdb'}"
    code, out, err = copy_cli(demo_warehouse_url, target, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["exact"] is True
    assert [t["table"] for t in report["tables"]] == [t.name for t in TABLES]
    source_counts = dict(
        rows_of(
            demo_warehouse_url,
            " UNION ALL ".join(f"SELECT '{t.name}', COUNT(*) FROM {t.name}" for t in TABLES),
        )
    )
    for t in report["tables"]:
        assert t["source_rows"] == t["destination_rows"] == source_counts[t["table"]]
        assert t["source_checksum"] == t["destination_checksum"]
    assert sum(source_counts.values()) > 50_000
    assert_same_data(demo_warehouse_url, target)


def test_small_batches_read_managers_first(demo_warehouse_url: str) -> None:
    """Batches of 7 rows cut the org tree mid-level; every manager comes in an earlier batch."""
    source = open_endpoint(make_url(demo_warehouse_url), read_only=True)
    try:
        with source.engine.connect() as conn:
            batches = list(source.read(conn, employees, 7))
    finally:
        source.engine.dispose()
    names = [c.name for c in employees.columns]
    key, up = names.index("employee_id"), names.index("manager_id")
    assert all(1 <= len(b) <= 7 for b in batches) and len(batches) > 118 // 7
    seen: set[int] = set()
    for batch in batches:
        assert all(row[up] is None or row[up] in seen for row in batch)
        seen |= {row[key] for row in batch}
    assert len(seen) == sum(len(b) for b in batches) == 118


def test_table_report_shows_rows_and_checksums(demo_warehouse_url: str, tmp_path: Path) -> None:
    code, out, err = copy_cli(demo_warehouse_url, f"duckdb:///{tmp_path / 'copy.duckdb'}")
    assert code == 0, err
    orders = next(line for line in out.splitlines() if "sales_orders" in line)
    count = rows_of(demo_warehouse_url, "SELECT COUNT(*) FROM sales_orders")[0][0]
    assert orders.count(f"{count:,}") == 2 and "ok" in orders
    assert "copy exact" in out


def test_checksum_sees_a_value_moved_between_rows(demo_warehouse_url: str, tmp_path: Path) -> None:
    """Swapping two people's hire dates keeps every column's sum but changes the checksum."""
    path = tmp_path / "copy.duckdb"
    copy_warehouse(demo_warehouse_url, f"duckdb:///{path}")
    engine = sa.create_engine(f"duckdb:///{path}")
    try:
        with engine.begin() as conn:
            before = table_checksum(conn, DUCKDB, employees)
            (a, da), (b, db) = (
                conn.execute(
                    sa.text(
                        "SELECT employee_id, hire_date FROM employees "
                        "WHERE hire_date <> (SELECT MIN(hire_date) FROM employees) "
                        "ORDER BY employee_id LIMIT 2"
                    )
                ).all()[:1]
                + conn.execute(
                    sa.text(
                        "SELECT employee_id, hire_date FROM employees ORDER BY hire_date LIMIT 1"
                    )
                ).all()
            )
            update = sa.text("UPDATE employees SET hire_date = :d WHERE employee_id = :i")
            conn.execute(update, {"d": db, "i": a})
            conn.execute(update, {"d": da, "i": b})
            after = table_checksum(conn, DUCKDB, employees)
    finally:
        engine.dispose()
    assert da != db
    assert before.rows == after.rows and before.digest != after.digest


def test_non_empty_destination_is_refused_then_replaced(
    demo_warehouse_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "copy.duckdb"
    target = f"duckdb:///{path}"
    assert copy_cli(demo_warehouse_url, target)[0] == 0
    engine = sa.create_engine(target)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM sales_orders WHERE order_id % 2 = 0"))
    engine.dispose()
    half = rows_of(target, "SELECT COUNT(*) FROM sales_orders")[0][0]

    code, out, err = copy_cli(demo_warehouse_url, target)
    assert code == 2 and out == ""
    assert err.startswith("error:") and "already holds warehouse data" in err
    assert "--replace" in err and "Traceback" not in err
    assert rows_of(target, "SELECT COUNT(*) FROM sales_orders")[0][0] == half

    code, _, err = copy_cli(demo_warehouse_url, target, "--replace")
    assert code == 0, err
    assert_same_data(demo_warehouse_url, target)


def _bad_urls(demo: str, tmp: Path) -> list[tuple[str, str, str]]:
    empty = tmp / "empty.duckdb"
    engine = sa.create_engine(f"duckdb:///{empty}")
    engine.connect().close()
    engine.dispose()  # else the pooled read-write handle clashes with the copy's read-only one
    return [
        ("no url at all", f"duckdb:///{tmp / 'x.duckdb'}", "not a database URL"),
        (demo, "not-a-url", "not a database URL"),
        (demo, f"sqlite:///{tmp / 'x.db'}", "cannot copy sqlite warehouses"),
        (f"duckdb:///{tmp / 'missing.duckdb'}", f"duckdb:///{tmp / 'x.duckdb'}", "does not exist"),
        (demo, f"duckdb:///{tmp / 'no' / 'folder' / 'x.duckdb'}", "does not exist"),
        (demo, demo, "the same warehouse"),
        (f"duckdb:///{empty}", f"duckdb:///{tmp / 'x.duckdb'}", "lacks the contract tables"),
        (demo, "postgresql+psycopg://nobody@127.0.0.1:1/none", "cannot connect"),
    ]


@pytest.mark.parametrize("case", range(8))
def test_bad_urls_are_one_line_and_write_nothing(
    demo_warehouse_url: str, tmp_path: Path, case: int
) -> None:
    source, destination, needle = _bad_urls(demo_warehouse_url, tmp_path)[case]
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = copy_cli(source, destination)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0], err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_interrupted_copy_keeps_nothing(demo_warehouse_url: str, tmp_path: Path) -> None:
    """Ctrl-C in the middle of the largest table: the new DuckDB file is removed."""
    path = tmp_path / "copy.duckdb"

    def interrupt(table: str, done: int, total: int) -> None:
        if table == "sales_orders" and done > 0:
            raise KeyboardInterrupt

    with pytest.raises(CopyInterrupted, match="nothing was kept"):
        copy_warehouse(demo_warehouse_url, f"duckdb:///{path}", batch_rows=1000, progress=interrupt)
    assert list(tmp_path.iterdir()) == []


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_on_the_command_line(demo_warehouse_url: str, tmp_path: Path) -> None:
    """A real SIGINT to ``hrq warehouse copy``: one line, exit 130, no file left."""
    path = tmp_path / "copy.duckdb"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "api.cli",
            "warehouse",
            "copy",
            demo_warehouse_url,
            f"duckdb:///{path}",
            "--batch-rows",
            "5",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        # as from a terminal: a test run started in the background (CI) ignores SIGINT, and
        # a process started with SIGINT ignored keeps ignoring it (Python installs no handler)
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 60
    while not path.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"hrq warehouse copy did not stop within 60 s of Ctrl-C: {err[-2000:]}")
    assert process.returncode == 130, (out, err)
    assert "copy interrupted; nothing was kept" in err and "Traceback" not in err
    assert out == ""
    assert not path.exists()


@pytest.mark.postgres
def test_duckdb_postgres_duckdb_round_trip(
    demo_warehouse_url: str, postgres_url: str, tmp_path: Path
) -> None:
    """The same checksums on DuckDB, on PostgreSQL and on DuckDB again."""
    back = f"duckdb:///{tmp_path / 'back.duckdb'}"
    there = copy_warehouse(demo_warehouse_url, postgres_url)
    again = copy_warehouse(postgres_url, back)
    assert there.exact and again.exact
    assert [t.source_checksum for t in there.tables] == [
        t.destination_checksum for t in again.tables
    ]
    assert_same_data(demo_warehouse_url, postgres_url)
    assert_same_data(demo_warehouse_url, back)


@pytest.mark.postgres
def test_interrupted_replace_keeps_the_old_postgres_data(
    demo_warehouse_url: str, postgres_url: str
) -> None:
    copy_warehouse(demo_warehouse_url, postgres_url)
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM sales_orders WHERE order_id % 3 = 0"))
    engine.dispose()
    kept = rows_of(postgres_url, PROBES[0])

    def interrupt(table: str, done: int, total: int) -> None:
        if table == "sales_orders" and done > 0:
            raise KeyboardInterrupt

    with pytest.raises(CopyInterrupted):
        copy_warehouse(
            demo_warehouse_url, postgres_url, replace=True, batch_rows=500, progress=interrupt
        )
    assert rows_of(postgres_url, PROBES[0]) == kept
    with pytest.raises(CopyError, match="already holds"):
        copy_warehouse(demo_warehouse_url, postgres_url)


def test_duckdb_chdb_duckdb_round_trip(demo_warehouse_url: str, tmp_path: Path) -> None:
    """ClickHouse (chDB in this process) computes the same checksums as DuckDB."""
    pytest.importorskip("chdb")
    warehouse = f"chdb:///{tmp_path / 'warehouse'}"
    back = f"duckdb:///{tmp_path / 'back.duckdb'}"
    there = copy_warehouse(demo_warehouse_url, warehouse, batch_rows=5_000)
    again = copy_warehouse(warehouse, back)
    assert there.exact and again.exact
    assert [t.source_checksum for t in there.tables] == [
        t.destination_checksum for t in again.tables
    ]
    assert_same_data(demo_warehouse_url, back)
    with pytest.raises(CopyError, match="already holds warehouse data"):
        copy_warehouse(demo_warehouse_url, warehouse)


def test_interrupted_copy_into_chdb_drops_its_tables(
    demo_warehouse_url: str, tmp_path: Path
) -> None:
    """ClickHouse has no transactions: an interrupted copy drops the tables it made."""
    pytest.importorskip("chdb")
    warehouse = f"chdb:///{tmp_path / 'warehouse'}"

    def interrupt(table: str, done: int, total: int) -> None:
        if table == "sales_orders" and done > 0:
            raise KeyboardInterrupt

    with pytest.raises(CopyInterrupted, match="no transactions"):
        copy_warehouse(demo_warehouse_url, warehouse, batch_rows=1000, progress=interrupt)
    from schema.db import warehouse_engine

    engine = warehouse_engine(warehouse, read_only=False)
    try:
        with engine.connect() as conn:
            left = set(sa.inspect(conn).get_table_names()) & {t.name for t in TABLES}
    finally:
        engine.dispose()
    assert left == set()


def test_an_interrupt_hidden_behind_the_failed_rollback_is_still_an_interrupt() -> None:
    """DuckDB reports Ctrl-C inside a statement as "Query interrupted"; the rollback on the
    way out then fails with "transaction is aborted", which is what surfaces."""
    from schema.transfer.copy import _interrupted

    def failed_rollback(first: BaseException) -> BaseException:
        try:
            try:
                raise first
            except BaseException:
                raise RuntimeError("TransactionContext Error: Current transaction is aborted")  # noqa: B904 (the implicit chain is the case)
        except RuntimeError as exc:
            return exc

    assert _interrupted(failed_rollback(RuntimeError("Query interrupted")))
    assert _interrupted(failed_rollback(KeyboardInterrupt()))
    assert not _interrupted(failed_rollback(ValueError("disk full")))
