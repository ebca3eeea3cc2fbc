"""The warehouse contract in code matches the contract in SQL, column for column."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from sqlalchemy import TIMESTAMP, Date, Integer, Numeric, String
from sqlglot import exp

from schema import warehouse
from tests.conftest import SHARED_DIR

CONTRACT = Path(warehouse.__file__).parent / "contract" / "schema.sql"


def _sql_type(kind: exp.DataType) -> tuple[str, tuple[int, ...]]:
    params = tuple(int(p.name) for p in kind.expressions)
    name = {"TEXT": "VARCHAR", "TIMESTAMPNTZ": "TIMESTAMP"}.get(kind.this.name, kind.this.name)
    return name, params


def _code_type(column) -> tuple[str, tuple[int, ...]]:  # type: ignore[no-untyped-def]
    t = column.type
    if isinstance(t, Numeric):
        return "DECIMAL", (t.precision, t.scale)
    for cls, name in (
        (Integer, "INT"),
        (String, "VARCHAR"),
        (Date, "DATE"),
        (TIMESTAMP, "TIMESTAMP"),
    ):
        if isinstance(t, cls):
            return name, ()
    raise AssertionError(f"unexpected type {t!r} on {column}")


def parse_contract(sql: str) -> dict[str, dict]:
    """{table: {columns: {name: (type, nullable, unique)}, pk: [...], fks: {col: 'table.col'}}}."""
    tables: dict[str, dict] = {}
    for statement in sqlglot.parse(sql, read="duckdb"):
        assert isinstance(statement, exp.Create), statement.sql()
        schema = statement.this
        table = schema.this.name
        info: dict = {"columns": {}, "pk": [], "fks": {}}
        for item in schema.expressions:
            if isinstance(item, exp.ColumnDef):
                kinds = {type(c.kind) for c in item.constraints}
                if exp.PrimaryKeyColumnConstraint in kinds:
                    info["pk"].append(item.name)
                for c in item.constraints:
                    if isinstance(c.kind, exp.Reference):
                        ref = c.kind.this
                        info["fks"][item.name] = f"{ref.this.name}.{ref.expressions[0].name}"
                nullable = not (
                    exp.NotNullColumnConstraint in kinds or exp.PrimaryKeyColumnConstraint in kinds
                )
                info["columns"][item.name] = (
                    _sql_type(item.kind),
                    nullable,
                    exp.UniqueColumnConstraint in kinds,
                )
            elif isinstance(item, exp.PrimaryKey):
                info["pk"] = [e.name for e in item.expressions]
        tables[table] = info
    return tables


def code_contract() -> dict[str, dict]:
    tables: dict[str, dict] = {}
    for table in warehouse.metadata.sorted_tables:
        info: dict = {"columns": {}, "pk": [c.name for c in table.primary_key.columns], "fks": {}}
        for column in table.columns:
            info["columns"][column.name] = (
                _code_type(column),
                bool(column.nullable) and not column.primary_key,
                bool(column.unique),
            )
            for fk in column.foreign_keys:
                info["fks"][column.name] = fk.target_fullname
        tables[table.name] = info
    return tables


def test_code_matches_contract() -> None:
    expected = parse_contract(CONTRACT.read_text(encoding="utf-8"))
    actual = code_contract()
    assert sorted(actual) == sorted(expected)
    assert len(expected) == 11
    for name in expected:
        assert actual[name] == expected[name], name


def test_contract_parser_sees_a_difference() -> None:
    """The comparison is not vacuous: a changed nullability is noticed."""
    sql = CONTRACT.read_text(encoding="utf-8").replace(
        "name_en       VARCHAR,", "name_en VARCHAR NOT NULL,", 1
    )
    assert parse_contract(sql)["departments"] != code_contract()["departments"]


@pytest.mark.parametrize(
    ("copy", "original"),
    [
        ("schema/contract/schema.sql", "warehouse/schema.sql"),
        ("schema/contract/RULES.md", "warehouse/RULES.md"),
        ("tests/fixtures/wecom/callback-vectors.json", "wecom/callback-vectors.json"),
    ],
)
def test_copies_match_shared(copy: str, original: str) -> None:
    shared = SHARED_DIR / original
    if not shared.exists():
        pytest.skip(f"{shared} is not here; the repo's copy stands alone")
    root = Path(__file__).resolve().parents[1]
    assert (root / copy).read_bytes() == shared.read_bytes(), f"{copy} differs from ../shared"
