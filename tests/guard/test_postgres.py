"""The guard on PostgreSQL: the corpus (written in DuckDB SQL, transpiled), timeouts, read-only.

Skipped unless ``HRQ_TEST_POSTGRES_URL`` is set (``.ci/run`` sets it).
"""

from __future__ import annotations

import pytest

from assistant.errors import GuardError
from assistant.execute import Executor
from assistant.guard import Catalog, guard
from schema.caller import Caller
from tests.guard import corpus
from tests.guard.test_corpus import run_accepted

pytestmark = pytest.mark.postgres

PG = Catalog.from_contract("postgres")
#: Corpus statements whose DuckDB-only syntax has no PostgreSQL equivalent.
DUCKDB_ONLY = {
    "SELECT level, count(*) FILTER (WHERE status = 'active') FROM employees GROUP BY ALL",
    "SELECT employee_id FROM employees LIMIT 50 PERCENT",
    "SELECT employee_id FROM main.employees ORDER BY 1",
}
ACCEPTED = [case for case in corpus.accepted() if case.sql not in DUCKDB_ONLY]
REJECTED = corpus.rejected()


@pytest.mark.parametrize("case", ACCEPTED, ids=[corpus.case_id(c.sql) for c in ACCEPTED])
def test_accepted_on_postgres(
    case: corpus.Accepted, callers: dict[str, Caller], pg_executor: Executor
) -> None:
    transpiled = corpus.Accepted(
        sql=guard_read_duckdb(case.sql),
        callers=case.callers,
        rows=case.rows,
        denied=case.denied,
        limit=case.limit,
        bomb=case.bomb,
    )
    run_accepted(transpiled, callers, pg_executor, PG)


def guard_read_duckdb(sql: str) -> str:
    """The corpus statement in PostgreSQL syntax (sqlglot transpile, nothing else)."""
    import sqlglot

    return sqlglot.transpile(sql, read="duckdb", write="postgres")[0]


@pytest.mark.parametrize("case", REJECTED, ids=[corpus.case_id(c.sql) for c in REJECTED])
def test_rejected_read_as_postgres(
    case: corpus.Rejected, callers: dict[str, Caller], postgres_server_url: str
) -> None:
    for name in case.callers:
        with pytest.raises(GuardError):
            guard(case.sql, callers[name], PG)


def test_timeout_cancels_the_statement(pg_executor: Executor, callers: dict[str, Caller]) -> None:
    guarded = guard(
        "SELECT count(*) FROM generate_series(1, 1000000000) AS g(n)", callers["admin"], PG
    )
    with pytest.raises(GuardError) as info:
        pg_executor.execute(guarded, timeout_s=0.3)
    assert info.value.reason == "timeout"
    # the connection is usable afterwards
    ok = guard("SELECT count(*) FROM employees", callers["manager"], PG)
    assert pg_executor.execute(ok, timeout_s=5).rows == ((6,),)


def test_percent_signs_pass_through(pg_executor: Executor, callers: dict[str, Caller]) -> None:
    guarded = guard("SELECT name FROM employees WHERE name LIKE '%01'", callers["admin"], PG)
    assert pg_executor.execute(guarded, timeout_s=5).rows == (("员工01",),)
