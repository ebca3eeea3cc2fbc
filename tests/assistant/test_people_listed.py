"""People listed by an event (who joined, who left): each person once, with the day it
happened, checked against the warehouse's own rows; and the asker's team words."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from assistant.ask import Assistant
from assistant.callers import resolve_caller
from schema.caller import Caller
from schema.settings import Settings

AS_OF = date(2026, 11, 26)


def _rows(assistant: Assistant, sql: str) -> set[tuple[str, str]]:
    with assistant.warehouse.connect() as conn:
        return {(str(a), str(b)) for a, b in conn.execute(sa.text(sql))}


@pytest.mark.parametrize(
    ("question", "column", "start", "end", "date_label"),
    [
        ("今年离职的有谁", "termination_date", "2026-01-01", "2026-11-26", "离职日期"),
        (
            "who left last month?",
            "termination_date",
            "2026-10-01",
            "2026-10-31",
            "termination_date",
        ),
        ("今年入职的都有谁", "hire_date", "2026-01-01", "2026-11-26", "入职日期"),
    ],
)
def test_who_joined_or_left_lists_each_person_with_the_day(
    assistant: Assistant, question: str, column: str, start: str, end: str, date_label: str
) -> None:
    answer = assistant.ask(question, Caller.operator(), as_of=AS_OF)
    expected = _rows(
        assistant,
        f"SELECT employee_no, {column} FROM employees "
        f"WHERE {column} BETWEEN DATE '{start}' AND DATE '{end}'",
    )
    assert expected, "the demo warehouse has people for this period"
    number_at = answer.columns.index("工号" if "工号" in answer.columns else "employee_no")
    date_at = answer.columns.index(date_label)
    assert {(str(r[number_at]), str(r[date_at])) for r in answer.rows} == expected
    assert str(len(expected)) in answer.answer  # the sentence counts the people, not rows of 1


def test_my_team_words_mean_the_askers_department(assistant: Assistant) -> None:
    rep = resolve_caller("E00048", warehouse=assistant.warehouse)
    mine = assistant.ask("我这个月的迟到次数", rep, as_of=AS_OF)
    team = assistant.ask("我组这个月迟到次数", rep, as_of=AS_OF)
    squad = assistant.ask("我队这个月迟到次数", rep, as_of=AS_OF)
    assert team.rows == squad.rows
    assert team.interpretation != mine.interpretation  # the team, not the asker alone


def test_my_people_are_my_direct_reports(assistant: Assistant) -> None:
    head = resolve_caller("E00010", warehouse=assistant.warehouse)  # heads 成都销售组
    answer = assistant.ask("我手下现在有几个人", head, as_of=AS_OF)
    with assistant.warehouse.connect() as conn:
        reports = conn.execute(
            sa.text(
                "SELECT COUNT(*) FROM employees WHERE manager_id = :me AND hire_date <= DATE "
                "'2026-11-26' AND (termination_date IS NULL OR termination_date > DATE '2026-11-26')"
            ),
            {"me": head.employee_id},
        ).scalar_one()
    assert answer.rows == [[reports]]
    met = assistant.ask("我手下这个月达标的有哪些人", head, as_of=AS_OF)
    assert met.kind == "answer" and met.reason != "unaccounted"


def test_who_they_are_after_how_many_lists_those_there_today(demo_warehouse_url: str) -> None:
    from assistant.evaluate import EvalCase, Harness
    from schema.db import warehouse_engine

    assistant = Assistant.from_settings(Settings(warehouse_url=demo_warehouse_url), app_state=False)
    harness = Harness(assistant, warehouse_engine(demo_warehouse_url, read_only=True))
    there = (
        "SELECT e.name FROM employees e JOIN departments d ON d.department_id = e.department_id "
        "WHERE d.name = '华东销售一部' AND e.hire_date <= DATE '2026-11-26' "
        "AND (e.termination_date IS NULL OR e.termination_date > DATE '2026-11-26')"
    )
    case = EvalCase(
        id="fu-people", family="people.follow_up", lang="zh", question="都有谁",
        as_of=AS_OF, before=["华东销售一部现在多少人"], gold_sql=there,
    )  # fmt: skip
    assert harness.run_case(case).passed
