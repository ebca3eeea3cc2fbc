"""StarRocks and Doris: the planner's guarded SQL transpiles, parses back, and stays in scope.

There is no StarRocks or Doris server here, so nothing runs: every question of the
development set is planned on the demo warehouse as the operator and as a sales
rep, compiled and guarded, then written in each dialect two ways (the DuckDB
guard's tree transpiled with ``sql_for``, and the guard run on a catalog in that
dialect, as a StarRocks or Doris deployment would). Each text must parse back in
the same dialect to a tree that reads only contract tables, with no database or
catalog prefix, and, for the rep, only through the row-scope filter on their own
employee id (their own department for the org table).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import sqlglot
import yaml
from sqlglot import exp
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from assistant.ask import Assistant
from assistant.callers import resolve_caller
from assistant.errors import GuardError
from assistant.guard import Catalog, guard
from assistant.guard.sources import real_tables
from assistant.plan import QueryPlan
from assistant.planner import plan
from assistant.reading import detect_language
from schema.caller import Caller
from schema.settings import Settings
from tests.guard.olap_trees import round_trip_problem

DEVSET = Path(__file__).parents[1] / "eval" / "devset.yaml"
DIALECTS = ("starrocks", "doris")
REP = "E00048"
#: At least this many devset questions compile to guarded SQL per caller (the set has ~400).
MIN_STATEMENTS = 100


@dataclass(frozen=True)
class Statement:
    """One guarded statement of the development set, for one caller."""

    case_id: str
    caller: Caller
    compiled_sql: str  # the planner's SQL, generic (DuckDB) dialect
    tables: frozenset[str]  # what the DuckDB guard recorded as read


def _statements(assistant: Assistant, caller: Caller) -> Iterator[Statement]:
    entries = yaml.safe_load(DEVSET.read_text(encoding="utf-8"))
    for entry in entries:
        as_of = date.fromisoformat(entry["as_of"])
        the_plan, _ = plan(entry["question"], as_of, caller, assistant.gazetteer, assistant.model)
        if not isinstance(the_plan, QueryPlan):
            continue
        compiled = assistant.compiled(
            the_plan.model_dump_json(), as_of, detect_language(entry["question"])
        )
        try:
            guarded = assistant.guarded(compiled.sql, caller)
        except GuardError:
            continue  # refused for this caller (e.g. a department-owned table for a rep)
        yield Statement(entry["id"], caller, compiled.sql, frozenset(guarded.tables))


@pytest.fixture(scope="module")
def statements(demo_warehouse_url: str) -> dict[str, list[Statement]]:
    """The development set's guarded statements, by caller: ``operator`` and the rep."""
    settings = Settings(warehouse_url=demo_warehouse_url, app_db_url="sqlite:///:memory:")
    assistant = Assistant.from_settings(settings, app_state=False)
    try:
        rep = resolve_caller(REP, warehouse=assistant.warehouse)
        return {
            "operator": list(_statements(assistant, Caller.operator())),
            "rep": list(_statements(assistant, rep)),
        }
    finally:
        assistant.executor.close()
        assistant.warehouse.dispose()


def _texts(statement: Statement, dialect: str, catalog: Catalog) -> list[str]:
    """The statement in ``dialect``: transpiled from the DuckDB guard, and guarded in it."""
    duck = guard(statement.compiled_sql, statement.caller, Catalog.from_contract("duckdb"),
                 read="duckdb")  # fmt: skip
    native = guard(statement.compiled_sql, statement.caller, catalog, read="duckdb")
    assert native.dialect == dialect
    assert set(native.tables) == statement.tables
    return [duck.sql_for(dialect), native.sql]


def _parse_back(sql: str, dialect: str) -> tuple[exp.Expression, list[exp.Table]]:
    tree = sqlglot.parse_one(sql, read=dialect)
    assert tree.sql(dialect=dialect) == sql, "the text does not round-trip"
    tree = normalize_identifiers(tree, dialect=dialect)
    return tree, real_tables(tree)


def _is_own_filter(where: exp.Expression | None, column: str, value: int) -> bool:
    """Whether ``where`` is exactly ``<column> = <value>`` (the scope rewrite's predicate)."""
    if where is None or not isinstance(where.this, exp.EQ):
        return False
    left, right = where.this.this, where.this.expression
    return (
        isinstance(left, exp.Column)
        and left.name == column
        and isinstance(right, exp.Literal)
        and not right.is_string
        and int(right.this) == value
    )


def _scope_problems(tables: list[exp.Table], caller: Caller, catalog: Catalog) -> list[str]:
    """Each table reference not wrapped in ``(SELECT ... FROM t WHERE <owner> = <me>)``."""
    problems = []
    for table in tables:
        owner = catalog.owners[table.name]
        value = caller.department_id if owner.kind == "department" else caller.employee_id
        assert value is not None
        select = table.parent.parent if isinstance(table.parent, exp.From) else None
        if not (
            isinstance(select, exp.Select)
            and isinstance(select.parent, exp.Subquery)
            and _is_own_filter(select.args.get("where"), owner.column, value)
        ):
            problems.append(f"{table.name} read without the filter {owner.column} = {value}")
    return problems


def test_the_devset_yields_guarded_statements_for_both_callers(
    statements: dict[str, list[Statement]],
) -> None:
    assert len(statements["operator"]) >= MIN_STATEMENTS
    assert len(statements["rep"]) >= MIN_STATEMENTS
    assert all(s.caller.role.sees_everything for s in statements["operator"])
    assert not any(s.caller.role.sees_everything for s in statements["rep"])


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("who", ["operator", "rep"])
def test_devset_sql_transpiles_parses_back_and_stays_in_scope(
    statements: dict[str, list[Statement]], dialect: str, who: str
) -> None:
    catalog = Catalog.from_contract(dialect)
    problems: list[str] = []
    for statement in statements[who]:
        for sql in _texts(statement, dialect, catalog):
            try:
                _, tables = _parse_back(sql, dialect)
            except (sqlglot.errors.ParseError, AssertionError) as exc:
                problems.append(f"{statement.case_id}: {exc}: {sql}")
                continue
            names = {table.name for table in tables}
            if names != statement.tables or not names <= set(catalog.tables):
                problems.append(f"{statement.case_id}: reads {sorted(names)}: {sql}")
            if any(table.db or table.catalog for table in tables):
                problems.append(f"{statement.case_id}: a qualified table: {sql}")
            if not statement.caller.role.sees_everything:
                problems += [
                    f"{statement.case_id}: {p}: {sql}"
                    for p in _scope_problems(tables, statement.caller, catalog)
                ]
    assert not problems, "\n".join(problems[:10])


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_scope_check_catches_an_unscoped_or_foreign_filter(
    statements: dict[str, list[Statement]], dialect: str
) -> None:
    catalog = Catalog.from_contract(dialect)
    rep = statements["rep"][0].caller
    unscoped = guard(statements["operator"][0].compiled_sql, Caller.operator(), catalog,
                     read="duckdb")  # fmt: skip
    assert _scope_problems(_parse_back(unscoped.sql, dialect)[1], rep, catalog)
    scoped = guard(statements["rep"][0].compiled_sql, rep, catalog, read="duckdb")
    assert not _scope_problems(_parse_back(scoped.sql, dialect)[1], rep, catalog)
    other = Caller(role=rep.role, employee_id=(rep.employee_id or 0) + 1,
                   department_id=(rep.department_id or 0) + 1)  # fmt: skip
    assert _scope_problems(_parse_back(scoped.sql, dialect)[1], other, catalog)


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("who", ["operator", "rep"])
def test_devset_sql_parses_back_to_an_equivalent_tree(
    statements: dict[str, list[Statement]], dialect: str, who: str
) -> None:
    """The DuckDB guard's tree, written in the dialect and parsed back, means the same
    (``tests/guard/olap_trees.py`` says which spellings are allowed to differ)."""
    problems = []
    for statement in statements[who]:
        duck = guard(statement.compiled_sql, statement.caller, Catalog.from_contract("duckdb"),
                     read="duckdb")  # fmt: skip
        problem = round_trip_problem(duck.sql, "duckdb", dialect)
        if problem:
            problems.append(f"{statement.case_id}: {problem}")
    assert not problems, "\n".join(problems[:10])
