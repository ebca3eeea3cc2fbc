"""ClickHouse URLs: what client each one makes (no server is needed to check the arguments)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from schema.clickhouse.dialect import ChdbDialect, ClickHouseSecureDialect, ClickHouseServerDialect
from schema.db import dialect_of, is_clickhouse, warehouse_engine


@pytest.mark.parametrize(
    ("dialect", "url", "expected"),
    [
        (
            ClickHouseServerDialect,
            "clickhouse://hrq_reader:s3cret@ch.internal:8123/hr",
            {"host": "ch.internal", "port": 8123, "username": "hrq_reader",
             "password": "s3cret", "database": "hr", "interface": "http"},
        ),
        (
            ClickHouseServerDialect,
            "clickhouse://ch.internal",
            {"host": "ch.internal", "port": 8123, "username": "default", "password": "",
             "database": "default", "interface": "http"},
        ),
        (
            ClickHouseSecureDialect,
            "clickhouses://u:p@ch.internal/hr?compress=lz4",
            {"host": "ch.internal", "port": 8443, "username": "u", "password": "p",
             "database": "hr", "interface": "https", "compress": "lz4"},
        ),
    ],
)  # fmt: skip
def test_server_urls(dialect: type, url: str, expected: dict[str, object]) -> None:
    assert dialect().create_connect_args(make_url(url)) == ([], expected)


def test_chdb_paths_follow_sqlalchemy_slashes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    relative = ChdbDialect().create_connect_args(make_url("chdb:///data/warehouse"))
    absolute = ChdbDialect().create_connect_args(make_url("chdb:////srv/hrq/warehouse"))
    assert relative == (
        [],
        {"dsn": f"chdb://{tmp_path / 'data' / 'warehouse'}", "interface": "chdb"},
    )
    assert absolute == ([], {"dsn": "chdb:///srv/hrq/warehouse", "interface": "chdb"})


@pytest.mark.parametrize(
    ("url", "dialect"),
    [
        ("chdb:///data/warehouse", "clickhouse"),
        ("clickhouse://h/db", "clickhouse"),
        ("clickhouses://h/db", "clickhouse"),
        ("duckdb:///data/demo.duckdb", "duckdb"),
        ("postgresql+psycopg://h/hr", "postgres"),
    ],
)
def test_dialect_of(url: str, dialect: str) -> None:
    assert dialect_of(url) == dialect
    assert is_clickhouse(url) == (dialect == "clickhouse")


def test_a_chdb_engine_answers(tmp_path: Path) -> None:
    pytest.importorskip("chdb")
    engine = warehouse_engine(f"chdb:///{tmp_path / 'empty'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT 1 + 1").scalar() == 2
            assert engine.dialect.name == "clickhousedb"
    finally:
        engine.dispose()
