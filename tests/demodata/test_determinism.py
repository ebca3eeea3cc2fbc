"""Same seed and end date, same rows; another seed, other rows; PostgreSQL gets the same rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from schema.db import warehouse_engine
from schema.demodata import DemoDataError, generate
from schema.warehouse import TABLES

END = date(2026, 11, 26)


def contents(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows, sorted, read through SQLAlchemy (read-only, like every reader)."""
    engine = warehouse_engine(url, read_only=True)
    try:
        with engine.connect() as conn:
            return {
                t.name: sorted(tuple(r) for r in conn.execute(sa.select(t)).all()) for t in TABLES
            }
    finally:
        engine.dispose()


def test_same_seed_gives_identical_tables(demo_warehouse_url: str, tmp_path: Path) -> None:
    again = f"duckdb:///{tmp_path / 'again.duckdb'}"
    generate(again, seed=7, end_date=END, scale="small")
    assert contents(again) == contents(demo_warehouse_url)


def test_another_seed_gives_other_data(demo_warehouse_url: str, tmp_path: Path) -> None:
    other = f"duckdb:///{tmp_path / 'other.duckdb'}"
    summary = generate(other, seed=8, end_date=END, scale="small")
    mine, theirs = contents(demo_warehouse_url), contents(other)
    assert mine["departments"] == theirs["departments"]  # the org chart is fixed
    for table in ("employees", "sales_orders", "payroll", "attendance"):
        assert mine[table] != theirs[table], table
    assert summary.tables["sales_orders"] == len(theirs["sales_orders"])


def test_an_existing_file_is_kept_unless_forced(demo_warehouse_url: str, tmp_path: Path) -> None:
    path = tmp_path / "demo.duckdb"
    path.write_bytes(b"precious")
    with pytest.raises(DemoDataError, match="already exists"):
        generate(f"duckdb:///{path}", seed=7, end_date=END)
    assert path.read_bytes() == b"precious"
    generate(f"duckdb:///{path}", seed=7, end_date=END, force=True)
    assert contents(f"duckdb:///{path}") == contents(demo_warehouse_url)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.duckdb"]


@pytest.mark.postgres
def test_postgres_gets_the_same_rows_as_duckdb(demo_warehouse_url: str, postgres_url: str) -> None:
    summary = generate(postgres_url, seed=7, end_date=END, scale="small")
    assert contents(postgres_url) == contents(demo_warehouse_url)
    assert summary.tables["employees"] > 0


@pytest.mark.postgres
def test_postgres_refuses_a_filled_database_unless_forced(postgres_url: str) -> None:
    generate(postgres_url, seed=7, end_date=END, scale="small")
    with pytest.raises(DemoDataError, match="already holds warehouse data"):
        generate(postgres_url, seed=8, end_date=END, scale="small")
    summary = generate(postgres_url, seed=8, end_date=END, scale="small", force=True)
    assert summary.tables["sales_orders"] == len(contents(postgres_url)["sales_orders"])
