"""The same answers on every engine: one demo warehouse, copied to ClickHouse (chDB) and,
when ``HRQ_TEST_POSTGRES_URL`` is set, PostgreSQL; the whole development set and every
month's performance report (and the month-end forecast) answered on each and compared
value by value with DuckDB's.

Texts, columns and money must be equal; a float computed by an aggregate (an average of
money) may differ in its last bits (the engines add in different orders), so floats are
compared to 1e-9 of their size.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from datetime import date
from typing import Any

import duckdb
import pytest
import sqlalchemy as sa

from assistant.ask import Assistant
from assistant.callers import resolve_caller
from assistant.conversations import ConversationStore
from assistant.evaluate import DEFAULT_SET, EvalCase, load_cases
from schema.caller import Caller
from schema.clickhouse.contract import copy_from_duckdb, create_contract
from schema.db import app_engine, warehouse_engine
from schema.settings import Settings
from schema.warehouse import sales_targets
from tests.conftest import DEMO_END_DATE, DEMO_SEED
from tools.forecast import forecast
from tools.performance import monthly_performance
from tools.policy import load_policy

pytest.importorskip("chdb")
pytestmark = pytest.mark.slow

#: What one engine answered: case id -> (kind, sentence, columns, rows), and per month the
#: performance report's table, and the forecast's.
Answers = dict[str, Any]


def _answers(url: str, cases: list[EvalCase]) -> Answers:
    settings = Settings(warehouse_url=url, app_db_url="sqlite:///:memory:")
    assistant = Assistant.from_settings(settings, app_state=False)
    talking = dataclasses.replace(
        assistant, conversations=ConversationStore(app_engine("sqlite://"))
    )
    callers: dict[str, Caller] = {}
    out: Answers = {}
    try:
        for case in cases:
            if case.user is None:
                caller = Caller.operator()
            elif case.user not in callers:
                caller = callers[case.user] = resolve_caller(
                    case.user, warehouse=assistant.warehouse
                )
            else:
                caller = callers[case.user]
            conversation = None
            for earlier in case.before:
                conversation = talking.ask(
                    earlier, caller, as_of=case.as_of, conversation_id=conversation
                ).conversation_id
            asker = talking if case.before else assistant
            answer = asker.ask(
                case.question, caller, as_of=case.as_of, conversation_id=conversation
            )
            out[case.id] = (answer.kind, answer.answer, answer.columns, answer.rows)
        policy = load_policy()
        with assistant.warehouse.connect() as conn:
            months = conn.execute(sa.select(sales_targets.c.month).distinct()).scalars().all()
            for month in sorted(months):
                report = monthly_performance(conn, month, caller=Caller.operator(), policy=policy)
                out[f"performance {month:%Y-%m}"] = report.as_table()
            end = date.fromisoformat(DEMO_END_DATE)
            out["forecast"] = forecast(conn, end, caller=Caller.operator()).as_table()
    finally:
        assistant.warehouse.dispose()
    return out


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _differences(expected: Answers, got: Answers) -> list[str]:
    assert expected.keys() == got.keys()
    return [
        f"{key}:\n  duckdb: {str(expected[key])[:400]}\n  other:  {str(got[key])[:400]}"
        for key in expected
        if not _same(expected[key], got[key])
    ]


@pytest.fixture(scope="module")
def cases() -> list[EvalCase]:
    return load_cases(DEFAULT_SET)


@pytest.fixture(scope="module")
def duckdb_answers(demo_warehouse_url: str, cases: list[EvalCase]) -> Answers:
    return _answers(demo_warehouse_url, cases)


@pytest.fixture(scope="module")
def chdb_url(demo_warehouse_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo warehouse copied table by table into chDB on a folder."""
    url = f"chdb:///{tmp_path_factory.mktemp('chdb') / 'warehouse'}"
    source = duckdb.connect(sa.make_url(demo_warehouse_url).database or "", read_only=True)
    engine = warehouse_engine(url, read_only=False)
    try:
        with engine.connect() as conn:
            create_contract(conn)
            copied = copy_from_duckdb(source, conn)
    finally:
        source.close()
        engine.dispose()
    assert copied["sales_orders"] > 10_000
    yield url


def test_the_development_set_is_answered_alike(duckdb_answers: Answers) -> None:
    kinds = [value[0] for key, value in duckdb_answers.items() if isinstance(value, tuple)]
    assert kinds.count("answer") > 300  # the comparison compares answers, not refusals
    assert len([k for k in duckdb_answers if k.startswith("performance ")]) >= 12


def test_clickhouse_answers_like_duckdb(
    duckdb_answers: Answers, chdb_url: str, cases: list[EvalCase]
) -> None:
    assert _differences(duckdb_answers, _answers(chdb_url, cases)) == []


@pytest.mark.postgres
def test_postgres_answers_like_duckdb(
    duckdb_answers: Answers, postgres_url: str, cases: list[EvalCase]
) -> None:
    from schema.demodata import generate

    end = date.fromisoformat(DEMO_END_DATE)
    generate(postgres_url, seed=DEMO_SEED, end_date=end, scale="small")
    assert _differences(duckdb_answers, _answers(postgres_url, cases)) == []


def test_the_comparison_sees_a_different_answer() -> None:
    assert _same(
        [("answer", "¥1.00", ["a"], [[1.0, "x"]])], [("answer", "¥1.00", ["a"], [[1.0, "x"]])]
    )
    assert not _same([[1.0, "x"]], [[1.01, "x"]])
    assert not _same({"rows": [[1]]}, {"rows": [[1.0]]})  # an integer is not a float
    assert _same([[6676.9426370370375]], [[6676.942637037037]])
