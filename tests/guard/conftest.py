"""Fixtures: the small org warehouse on DuckDB (and PostgreSQL when configured), its callers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from assistant.callers import resolve_caller
from assistant.execute import Executor, SqlLimits
from assistant.guard import Catalog
from schema.caller import Caller
from schema.db import warehouse_engine
from tests.guard import org


@pytest.fixture(scope="session")
def duck_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A DuckDB file holding the org; built once per session."""
    path: Path = tmp_path_factory.mktemp("guard") / "org.duckdb"
    url = f"duckdb:///{path}"
    org.build_warehouse(url)
    return url


@pytest.fixture(scope="session")
def duck_engine(duck_url: str) -> Iterator[Engine]:
    engine = warehouse_engine(duck_url, read_only=True)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def duck_executor(duck_engine: Engine) -> Executor:
    """Guarded SQL on the DuckDB org, in a worker process with the default limits."""
    return Executor(duck_engine, SqlLimits())


@pytest.fixture(scope="session")
def duck_catalog() -> Catalog:
    return Catalog.from_contract("duckdb")


@pytest.fixture(scope="session")
def callers(duck_engine: Engine) -> dict[str, Caller]:
    """Fixture name -> caller, resolved from the warehouse like the product does."""
    return {
        name: Caller.operator() if number is None else resolve_caller(number, warehouse=duck_engine)
        for name, number in org.CALLERS.items()
    }


@pytest.fixture(scope="session")
def pg_url(postgres_server_url: str) -> Iterator[str]:
    """A PostgreSQL database holding the org for the whole session, dropped afterwards."""
    name = f"hrq_guard_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = (
        sa.engine.make_url(postgres_server_url)
        .set(database=name)
        .render_as_string(hide_password=False)
    )
    try:
        org.build_warehouse(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_engine(pg_url: str) -> Iterator[Engine]:
    engine = warehouse_engine(pg_url, read_only=True)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def pg_executor(pg_engine: Engine) -> Executor:
    return Executor(pg_engine, SqlLimits())
