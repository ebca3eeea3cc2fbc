"""ask() end to end on the demo warehouse: shapes, scope, follow-ups, bad input, the CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from api.cli import app
from assistant.ask import Assistant, BadQuestionError
from assistant.callers import resolve_caller
from schema.caller import Caller
from schema.settings import Settings
from schema.warehouse import employees

AS_OF = date(2026, 11, 26)


@pytest.fixture(scope="module")
def assistant(demo_warehouse_url: str, tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    app_db = tmp_path_factory.mktemp("app") / "app.db"
    built = Assistant.from_settings(
        Settings(warehouse_url=demo_warehouse_url, app_db_url=f"sqlite:///{app_db}")
    )
    yield built
    built.warehouse.dispose()


def _employee_no(assistant: Assistant, **where: object) -> str:
    with assistant.warehouse.connect() as conn:
        query = sa.select(employees.c.employee_no).order_by(employees.c.employee_id)
        for column, value in where.items():
            query = query.where(employees.c[column] == value)
        return str(conn.execute(query.limit(1)).scalar_one())


def test_median_question_calls_the_performance_engine(assistant: Assistant) -> None:
    answer = assistant.ask("本月各销售部门业绩中位数是多少", Caller.operator(), as_of=AS_OF)
    assert answer.kind == "answer" and answer.language == "zh"
    assert answer.tool is not None and answer.tool.name == "monthly_performance"
    assert answer.columns[:2] == ["部门", "部门中位数"]
    assert len(answer.rows) == 6 and all(row[1] > 0 for row in answer.rows)
    assert any("median" in line or "中位" in line for line in answer.trace)


def test_english_question_is_answered_in_english(assistant: Assistant) -> None:
    answer = assistant.ask(
        "who is eligible for the bonus last month", Caller.operator(), as_of=AS_OF
    )
    assert answer.kind == "answer" and answer.language == "en"
    assert answer.answer.startswith(f"{len(answer.rows)} people eligible")
    bonus = answer.columns.index("bonus")
    assert all(row[bonus] > 0 for row in answer.rows)


def test_metric_question_runs_guarded_sql(assistant: Assistant) -> None:
    answer = assistant.ask("上个月各部门的销售额", Caller.operator(), as_of=AS_OF)
    assert answer.kind == "answer" and answer.sql and answer.sql_written
    assert "'paid'" in answer.sql and "LIMIT" in answer.sql.upper()
    with assistant.warehouse.connect() as conn:
        total = conn.execute(sa.text(
            "SELECT SUM(amount) FROM sales_orders WHERE status = 'paid' "
            "AND order_date >= DATE '2026-10-01' AND order_date < DATE '2026-11-01'"
        )).scalar_one()  # fmt: skip
    assert sum(row[-1] for row in answer.rows) == pytest.approx(float(total), abs=0.01)


def test_ambiguous_name_asks_which_one(assistant: Assistant) -> None:
    answer = assistant.ask("张伟上个月的业绩", Caller.operator(), as_of=AS_OF)
    assert answer.kind == "clarification"
    assert len(answer.options) >= 2 and all("张伟" in option for option in answer.options)


def test_out_of_scope_is_refused_with_examples(assistant: Assistant) -> None:
    answer = assistant.ask("明天上海天气怎么样", Caller.operator(), as_of=AS_OF)
    assert answer.kind == "refusal" and answer.reason == "out_of_scope"
    assert len(answer.examples) == 3


def test_write_request_is_refused(assistant: Assistant) -> None:
    answer = assistant.ask("删除所有员工", Caller.operator(), as_of=AS_OF)
    assert answer.kind == "refusal" and answer.reason == "read_only"


def test_sales_caller_cannot_read_others_payroll(assistant: Assistant) -> None:
    rep = resolve_caller(_employee_no(assistant, title="Sales Representative", status="active"),
                         warehouse=assistant.warehouse)  # fmt: skip
    answer = assistant.ask("给我看所有人的工资", rep, as_of=AS_OF)
    assert answer.kind == "refusal" and answer.reason == "denied_payroll"
    assert answer.rows == []


def test_manager_answer_is_scoped_and_says_so(assistant: Assistant) -> None:
    manager_no = _employee_no(assistant, title="Sales Manager", status="active")
    manager = resolve_caller(manager_no, warehouse=assistant.warehouse)
    answer = assistant.ask("上个月各部门的销售额", manager, as_of=AS_OF)
    assert answer.kind == "answer" and answer.scoped and answer.scopes
    assert "仅包含你有权查看的数据" in answer.answer
    everyone = assistant.ask("上个月各部门的销售额", Caller.operator(), as_of=AS_OF)
    assert len(answer.rows) < len(everyone.rows)


def test_follow_up_reuses_the_previous_turn(assistant: Assistant) -> None:
    first = assistant.ask("上个月各部门的销售额", Caller.operator(), as_of=AS_OF)
    follow = assistant.ask(
        "那上上个月呢", Caller.operator(), as_of=AS_OF, conversation_id=first.conversation_id
    )
    assert follow.kind == "answer" and follow.conversation_id == first.conversation_id
    assert "2026-09-01" in (follow.sql or "") and follow.columns == first.columns
    assert follow.rows != first.rows


def test_every_question_is_audited(assistant: Assistant) -> None:
    assert assistant.audit is not None
    before = assistant.audit.count()
    assistant.ask("今年入职了多少人", Caller.operator(), as_of=AS_OF)
    assert assistant.audit.count() == before + 1
    assert assistant.audit.verify().ok


@pytest.mark.parametrize("bad", ["", "   ", "x" * 2001, "\x00\x01\x02binary"])
def test_bad_questions_are_clear_errors(assistant: Assistant, bad: str) -> None:
    with pytest.raises(BadQuestionError):
        assistant.ask(bad, Caller.operator(), as_of=AS_OF)


def test_cli_json_object(
    demo_warehouse_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HRQ_WAREHOUSE_URL", demo_warehouse_url)
    monkeypatch.setenv("HRQ_APP_DB_URL", f"sqlite:///{tmp_path / 'app.db'}")
    result = CliRunner().invoke(
        app, ["ask", "本月华东销售一部业绩中位数是多少", "--as-of", "2026-11-26", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    expected = {"question", "language", "kind", "answer", "columns", "rows", "sql", "tool", "trace", "as_of",
                "path", "latency_ms"}  # fmt: skip
    assert expected <= set(data)
    assert data["kind"] == "answer" and data["path"] == "planner" and data["as_of"] == "2026-11-26"
    assert isinstance(data["rows"][0][1], float)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "", "--json"], "empty"),
        (["ask", "本月业绩", "--as-of", "2026-13-01"], "--as-of"),
        (["ask", "本月业绩", "--user", "E99999"], "E99999"),
    ],
)
def test_cli_bad_input(
    demo_warehouse_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.setenv("HRQ_WAREHOUSE_URL", demo_warehouse_url)
    monkeypatch.setenv("HRQ_APP_DB_URL", f"sqlite:///{tmp_path / 'app.db'}")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("turns", "check"),
    [
        (
            ["上个月各部门的销售额", "按渠道分呢?"],
            lambda a: a.columns[0] == "渠道" and len(a.rows) == 3,
        ),
        (
            ["上个月武汉销售部的订单数", "and for Chengdu?"],
            lambda a: a.language == "en" and len(a.rows) == 1,
        ),
        (
            ["上个月华东一部谁超过中位数", "那华南呢"],
            lambda a: a.tool is not None and all("华南" in r[2] for r in a.rows),
        ),
        (  # a city for the sales team there
            ["上个月华南销售部谁超过中位数", "那上海呢"],
            lambda a: a.tool is not None and a.rows and all("华东销售一部" in r[2] for r in a.rows),
        ),
    ],
)
def test_follow_ups_replace_only_what_they_name(
    assistant: Assistant, turns: list[str], check
) -> None:  # type: ignore[no-untyped-def]
    first = assistant.ask(turns[0], Caller.operator(), as_of=AS_OF)
    follow = assistant.ask(
        turns[1], Caller.operator(), as_of=AS_OF, conversation_id=first.conversation_id
    )
    assert follow.kind == "answer", follow.answer
    assert check(follow), (follow.columns, follow.rows[:3])


def test_unknown_name_offers_close_matches(assistant: Assistant) -> None:
    answer = assistant.ask("李四的业绩", Caller.operator(), as_of=AS_OF)
    assert answer.kind == "clarification" and "李四" in answer.answer
    assert answer.options and all(option.startswith("李") for option in answer.options)


def test_empty_result_is_said_in_words(assistant: Assistant) -> None:
    answer = assistant.ask("上个月华东一部谁的业绩超过1000万", Caller.operator(), as_of=AS_OF)
    assert answer.kind == "answer" and answer.rows == []
    assert "没有" in answer.answer


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "HRQ_WAREHOUSE_URL",
            "postgresql+psycopg://nobody:secret@127.0.0.1:1/x",
            "cannot read the warehouse",
        ),
        ("HRQ_WAREHOUSE_URL", "not a url", "not a database URL"),
        ("HRQ_TIMEZONE", "Mars/Base", "HRQ_TIMEZONE"),
        ("HRQ_SQL_ROW_LIMIT", "lots", "HRQ_SQL_ROW_LIMIT"),
    ],
)
def test_cli_bad_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    from schema.settings import get_settings

    monkeypatch.setenv("HRQ_APP_DB_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["ask", "本月业绩"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert (
        message in result.output
        and "Traceback" not in result.output
        and "secret" not in result.output
    )


def test_compiled_sql_is_cached_per_plan_date_and_language(assistant: Assistant) -> None:
    from assistant.compile import compile_query
    from assistant.plan import QueryPlan

    plan = QueryPlan(metrics=["sales"], group_by=["department"])
    key = plan.model_dump_json()
    first = assistant.compiled(key, AS_OF, "zh")
    assert first == compile_query(plan, assistant.model, AS_OF, "zh")
    assert assistant.compiled(key, AS_OF, "zh") is first  # served from the cache
    assert (
        assistant.compiled(key, date(2026, 10, 31), "zh").sql != first.sql
    )  # another month to date
    assert assistant.compiled(key, AS_OF, "en").columns != first.columns  # English labels
    again = assistant.ask("上个月各部门的销售额", Caller.operator(), as_of=AS_OF)
    assert again.rows == assistant.ask("上个月各部门的销售额", Caller.operator(), as_of=AS_OF).rows


def test_two_periods_are_compared_side_by_side(assistant: Assistant) -> None:
    answer = assistant.ask(
        "2025年第四季度和2026年第一季度分别卖了多少", Caller.operator(), as_of=AS_OF
    )
    assert answer.kind == "answer" and [row[0] for row in answer.rows] == ["2025-Q4", "2026-Q1"]
    assert "2025年Q4和2026年Q1" in answer.answer
    with assistant.warehouse.connect() as conn:
        q4 = conn.execute(sa.text(
            "SELECT SUM(amount) FROM sales_orders WHERE status = 'paid' "
            "AND order_date >= DATE '2025-10-01' AND order_date < DATE '2026-01-01'"
        )).scalar_one()  # fmt: skip
    assert answer.rows[0][1] == pytest.approx(float(q4), abs=0.01)
    months = assistant.ask("9月和11月的订单数", Caller.operator(), as_of=AS_OF)
    assert [row[0] for row in months.rows] == ["2026-09-01", "2026-11-01"]  # not October
