"""StarRocks and Doris: the performance engine's queries transpile and parse back unchanged.

No StarRocks or Doris server runs here, and none has run these queries: this
only checks that every query the performance engine sends (the roster with money
as decimals and as cents, for all departments or a few, and the department
names) is written by sqlglot in each dialect and parses back to a tree that
means the same as the DuckDB one (``tests/guard/olap_trees.py`` lists the
spellings allowed to differ). The checker itself is tested on statements whose
meaning does change.
"""

from __future__ import annotations

from datetime import date

import duckdb_engine
import pytest
import sqlalchemy as sa

from schema.warehouse import departments
from tests.guard.olap_trees import round_trip_problem
from tools.performance import _roster_query

DIALECTS = ("starrocks", "doris")
MONTH, END = date(2026, 10, 1), date(2026, 11, 1)


def _duckdb_sql(query: sa.Select[object]) -> str:
    compiled = query.compile(
        dialect=duckdb_engine.Dialect(), compile_kwargs={"literal_binds": True}
    )
    return str(compiled)


QUERIES = {
    "roster": _roster_query(MONTH, MONTH, END, None),
    "roster, two departments": _roster_query(MONTH, MONTH, END, [3, 4]),
    "roster in cents": _roster_query(MONTH, MONTH, END, None, cents=True),
    "roster in cents, two departments": _roster_query(MONTH, MONTH, END, [3, 4], cents=True),
    "department names": sa.select(
        departments.c.department_id, departments.c.name, departments.c.name_en
    ),
}


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", list(QUERIES))
def test_performance_query_parses_back_unchanged(name: str, dialect: str) -> None:
    sql = _duckdb_sql(QUERIES[name])
    assert "sales" in sql or "departments" in sql
    assert round_trip_problem(sql, "duckdb", dialect) is None


CHANGED_MEANING = [
    # a positional ORDER BY cannot keep DuckDB's NULLS LAST in these dialects
    "SELECT channel, COUNT(*) FROM sales_orders GROUP BY 1 ORDER BY 1",
    # a division whose divisor may be 0: DuckDB and the MySQL family differ
    "SELECT SUM(amount) / COUNT(*) FROM sales_orders",
]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("sql", CHANGED_MEANING)
def test_the_checker_reports_a_changed_meaning(sql: str, dialect: str) -> None:
    assert round_trip_problem(sql, "duckdb", dialect) is not None


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_checker_forgives_only_spelling(dialect: str) -> None:
    same = (
        "SELECT e.name AS who, e.status || '-' || e.level AS tag, "
        "SUM(o.amount) / NULLIF(COUNT(*), 0) AS mean FROM employees AS e "
        "JOIN sales_orders AS o ON o.employee_id = e.employee_id "
        "GROUP BY e.name, e.status, e.level ORDER BY who, e.level DESC"
    )
    assert round_trip_problem(same, "duckdb", dialect) is None
