"""On PostgreSQL the warehouse is read by a role that can only SELECT (defence in depth).

The guard refuses writes and the engine opens READ ONLY transactions; a deployment
also connects as a role with SELECT only (README, "Deploying on PostgreSQL"). These
tests create such a role exactly as the README says and check that hrq answers
through it and that the role itself cannot write, guard or no guard.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from assistant.execute import Executor, SqlLimits
from assistant.guard import Catalog, guard
from schema.caller import Caller
from schema.db import warehouse_engine

pytestmark = pytest.mark.postgres

#: The statements of the README's "Deploying on PostgreSQL" section, with the role's name.
READER_ROLE_SQL = """
CREATE ROLE {role} LOGIN;
GRANT CONNECT ON DATABASE "{database}" TO {role};
GRANT USAGE ON SCHEMA public TO {role};
GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role};
ALTER ROLE {role} SET default_transaction_read_only = on;
"""


@pytest.fixture(scope="module")
def reader_url(pg_url: str) -> Iterator[str]:
    role = f"hrq_reader_{uuid.uuid4().hex[:8]}"
    url = sa.engine.make_url(pg_url)
    owner = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        for statement in (
            READER_ROLE_SQL.format(role=role, database=url.database).strip().splitlines()
        ):
            conn.execute(sa.text(statement))
    try:
        yield url.set(username=role, password=None).render_as_string(hide_password=False)
    finally:
        with owner.connect() as conn:
            conn.execute(sa.text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}"))
            conn.execute(sa.text(f"REVOKE ALL ON SCHEMA public FROM {role}"))
            conn.execute(sa.text(f'REVOKE ALL ON DATABASE "{url.database}" FROM {role}'))
            conn.execute(sa.text(f"DROP ROLE {role}"))
        owner.dispose()


def test_guarded_queries_run_as_the_select_only_role(reader_url: str) -> None:
    engine = warehouse_engine(reader_url, read_only=True)
    try:
        guarded = guard(
            "SELECT name FROM departments ORDER BY name",
            Caller.operator(),
            Catalog.from_contract("postgres"),
        )
        result = Executor(engine, SqlLimits()).execute(guarded)
    finally:
        engine.dispose()
    assert result.columns == ("name",) and len(result.rows) > 1


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO departments (department_id, name, kind) VALUES (999, 'x', 'sales')",
        "UPDATE employees SET name = 'x'",
        "DELETE FROM payroll",
        "CREATE TABLE stolen AS SELECT * FROM payroll",
    ],
)
def test_the_role_cannot_write_even_without_the_guard(reader_url: str, statement: str) -> None:
    # A plain engine (no read-only transaction from hrq) as the role: the database refuses.
    engine = sa.create_engine(reader_url)
    try:
        with pytest.raises(sa.exc.DBAPIError) as refused, engine.begin() as conn:
            conn.execute(sa.text("SET TRANSACTION READ WRITE"))
            conn.execute(sa.text(statement))
        assert "permission denied" in str(refused.value).lower()
    finally:
        engine.dispose()
