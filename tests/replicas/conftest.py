"""Three ``hrq serve`` replicas on one fresh PostgreSQL app database, with a stand-in WeCom.

Skipped without ``HRQ_TEST_POSTGRES_URL``. One cluster serves the whole module (starting
three servers takes seconds); the test that kills a replica runs last.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from api.wecom.stub import StubConfig, WeComStub, running_stub
from schema.db import app_engine, warehouse_engine
from tests.replicas.cluster import Cluster
from tests.wecom.live import child_clock, environment, wecom_settings

#: Requests one API key may make per minute in the suite.
RATE_PER_MINUTE = 30
#: How often the replicas run the live crossings, seconds.
CROSSINGS_EVERY_S = 2.0


@pytest.fixture(scope="module")
def app_db_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database for the module's replicas, dropped afterwards."""
    name = f"hrq_r_{uuid.uuid4().hex[:12]}"
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


@pytest.fixture(scope="module")
def app_db(app_db_url: str) -> Iterator[Engine]:
    engine = app_engine(app_db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def stub() -> Iterator[WeComStub]:
    with running_stub(StubConfig(clock=child_clock)) as running:
        yield running


@pytest.fixture(scope="module")
def replica_env(
    app_db_url: str,  # first: without PostgreSQL, skip before building anything
    tmp_path_factory: pytest.TempPathFactory,
    demo_warehouse_url: str,
    stub: WeComStub,
) -> dict[str, str]:
    """The ``HRQ_*`` settings every replica gets: the same app database and warehouse."""
    data_dir: Path = tmp_path_factory.mktemp("replicas")
    settings = wecom_settings(
        data_dir, demo_warehouse_url, stub,
        app_db_url=app_db_url,
        api_rate_limit_per_minute=RATE_PER_MINUTE,
        wecom_process_lease_s=3.0, wecom_send_lease_s=3.0, wecom_recovery_poll_s=0.5,
        wecom_crossings_every_s=CROSSINGS_EVERY_S, wecom_month_end_day=1,
    )  # fmt: skip
    return environment(settings)


@pytest.fixture(scope="module")
def cluster(replica_env: dict[str, str]) -> Iterator[Cluster]:
    running = Cluster(replica_env, size=3)
    yield running
    running.close()


HR_QUERY = (
    "SELECT employee_no FROM employees WHERE title = 'HR Business Partner' "
    "AND status = 'active' ORDER BY employee_id"
)
USERIDS_QUERY = (
    "SELECT wecom_userid FROM employees WHERE status = 'active' "
    "AND wecom_userid IS NOT NULL ORDER BY employee_id"
)


@pytest.fixture(scope="module")
def people(demo_warehouse_url: str) -> dict[str, Any]:
    """The employee number of an HR partner, and WeCom userids of active employees (one
    per message, so that every reply's request body is unique)."""
    engine = warehouse_engine(demo_warehouse_url)
    with engine.connect() as conn:
        hr = conn.execute(sa.text(HR_QUERY)).scalar()
        userids = list(conn.execute(sa.text(USERIDS_QUERY)).scalars())
    engine.dispose()
    assert hr is not None and len(userids) >= 40
    return {"hr": hr, "userids": userids}
