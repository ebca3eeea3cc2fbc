"""The contract on ClickHouse: its DDL matches the contract, and the demo data loads into chDB."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
import sqlglot
from sqlglot import exp

from schema.clickhouse.contract import contract_ddl
from schema.db import warehouse_engine
from schema.demodata import DemoDataError, generate, summarize
from schema.warehouse import TABLES

pytest.importorskip("chdb")

#: Contract SQL type (sqlglot) -> the ClickHouse type it must have (money is Decimal(18, 2)).
EXPECTED_TYPES = {
    "INT": "Int32",
    "VARCHAR": "String",
    "DATE": "Date",
    "TIMESTAMP": "DateTime64(6)",
}


def _columns(ddl: str, read: str) -> dict[str, tuple[str, bool]]:
    """Column -> (its type in capitals, nullable) of one CREATE TABLE."""
    tree = sqlglot.parse_one(ddl, read=read)
    assert isinstance(tree.this, exp.Schema)
    columns = {}
    for column in tree.this.expressions:
        if not isinstance(column, exp.ColumnDef):
            continue
        kind = column.args["kind"].sql("clickhouse").upper()
        nullable = kind.startswith("NULLABLE(")
        columns[column.name] = (kind.removeprefix("NULLABLE(")[:-1] if nullable else kind, nullable)
    return columns


def _expected(table: sa.Table) -> dict[str, tuple[str, bool]]:
    expected = {}
    for column in table.columns:
        if isinstance(column.type, sa.Numeric):
            money = column.type.scale == 2 and (column.type.precision or 0) >= 12
            kind = (
                "Decimal(18, 2)"
                if money
                else f"Decimal({column.type.precision}, {column.type.scale})"
            )
        else:
            generic = column.type.compile(dialect=sa.create_engine("sqlite://").dialect)
            kind = EXPECTED_TYPES[{"INTEGER": "INT"}.get(generic, generic)]
        expected[column.name] = (kind.upper(), bool(column.nullable))
    return expected


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_ddl_has_the_contract_columns_types_and_nullability(table: sa.Table) -> None:
    got = _columns(contract_ddl()[table.name], "clickhouse")
    assert got == _expected(table)
    assert list(got) == [c.name for c in table.columns]


def test_every_table_is_a_merge_tree_ordered_by_its_key() -> None:
    for table in TABLES:
        ddl = contract_ddl()[table.name]
        assert "ENGINE = MergeTree" in ddl
        order = ddl.split("ORDER BY", 1)[1].strip().strip("()")
        keys = [k.strip() for k in order.split(",")]
        primary = [c.name for c in table.primary_key.columns]
        assert set(primary) <= set(keys), table.name


def test_demo_data_loads_into_chdb_like_duckdb(tmp_path: Path, demo_warehouse_url: str) -> None:
    url = f"chdb:///{tmp_path / 'warehouse'}"
    summary = generate(url, seed=7, end_date=date(2026, 11, 26), scale="small")
    duck = warehouse_engine(demo_warehouse_url)
    try:
        assert summary == summarize(duck)
    finally:
        duck.dispose()
    with pytest.raises(DemoDataError, match="already holds warehouse data"):
        generate(url, seed=7, end_date=date(2026, 11, 26), scale="small")
    again = generate(url, seed=7, end_date=date(2026, 11, 26), scale="small", force=True)
    assert again.tables == summary.tables
