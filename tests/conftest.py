"""Shared fixtures: settings built per test, and the optional PostgreSQL server.

PostgreSQL tests run when ``HRQ_TEST_POSTGRES_URL`` is set (``.ci/run`` starts a
server and sets it); otherwise they are skipped and the run says so at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

POSTGRES_URL_VAR = "HRQ_TEST_POSTGRES_URL"
SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the developer's own HRQ_* variables out of tests (the PostgreSQL URL stays)."""
    for name in list(os.environ):
        if name.startswith("HRQ_") and name != POSTGRES_URL_VAR:
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    url = os.environ.get(POSTGRES_URL_VAR)
    if not url:
        pytest.skip(f"PostgreSQL tests skipped: {POSTGRES_URL_VAR} is not set")
    return url


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"hrq_t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(postgres_server_url).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    if not os.environ.get(POSTGRES_URL_VAR):
        skipped = [
            r
            for r in terminalreporter.stats.get("skipped", [])
            if POSTGRES_URL_VAR in str(r.longrepr)
        ]
        terminalreporter.write_sep(
            "=",
            f"PostgreSQL tests SKIPPED ({len(skipped)}): set {POSTGRES_URL_VAR} or run .ci/run",
            yellow=True,
        )


DEMO_SEED = 7
DEMO_END_DATE = "2026-11-26"


@pytest.fixture(scope="session")
def demo_warehouse_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The small demo warehouse (seed 7, end date 2026-11-26), built once per session.

    Returns a ``duckdb:///...`` URL; open it read-only (several tests share it).
    """
    from datetime import date

    from schema.demodata import generate

    path = tmp_path_factory.mktemp("demo-warehouse") / "demo.duckdb"
    url = f"duckdb:///{path}"
    generate(url, seed=DEMO_SEED, end_date=date.fromisoformat(DEMO_END_DATE), scale="small")
    return url
