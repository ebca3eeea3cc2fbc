"""Who heads a department (人力资源部负责人是谁, who runs the marketing department): the
members in charge of the department named, checked against the warehouse's own rows for
every department; refused to anyone who cannot see all of its members."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from assistant.ask import Assistant
from assistant.callers import resolve_caller
from schema.caller import Caller

AS_OF = date(2026, 11, 26)

#: Independent of the semantic model: members whose manager sits elsewhere (or is none),
#: employed on the day.
HEADS = """
SELECT e.employee_no FROM employees e
LEFT JOIN employees m ON m.employee_id = e.manager_id
WHERE e.department_id = :d AND (m.employee_id IS NULL OR m.department_id <> e.department_id)
  AND e.hire_date <= DATE '2026-11-26'
  AND (e.termination_date IS NULL OR e.termination_date > DATE '2026-11-26')
"""


def _departments(assistant: Assistant) -> list[tuple[int, str, str]]:
    with assistant.warehouse.connect() as conn:
        rows = conn.execute(sa.text("SELECT department_id, name, name_en FROM departments"))
        return [(int(i), str(n), str(en)) for i, n, en in rows]


def _heads(assistant: Assistant, department: int) -> set[str]:
    with assistant.warehouse.connect() as conn:
        return {str(r[0]) for r in conn.execute(sa.text(HEADS), {"d": department})}


def _numbers(answer_columns: list[str], rows: list[list[object]]) -> set[str]:
    at = answer_columns.index("工号" if "工号" in answer_columns else "employee_no")
    return {str(r[at]) for r in rows}


def test_every_departments_head_is_its_members_whose_manager_is_elsewhere(
    assistant: Assistant,
) -> None:
    departments = _departments(assistant)
    assert len(departments) > 10
    for department, name, _ in departments:
        answer = assistant.ask(f"{name}负责人是谁", Caller.operator(), as_of=AS_OF)
        assert answer.kind == "answer", (name, answer.answer)
        expected = _heads(assistant, department)
        assert expected, f"{name} has a head in the demo warehouse"
        assert _numbers(answer.columns, answer.rows) == expected, name
        assert f"{name}的负责人" in (answer.interpretation or "")


@pytest.mark.parametrize(
    "template",
    [
        "{zh}的经理是哪位",
        "{zh}的主管是谁呀",
        "谁负责{zh}",
        "who is the manager of {en}?",
        "who runs {en}",
        "{en}'s head?",
    ],
)
def test_the_head_in_other_words(assistant: Assistant, template: str) -> None:
    department, zh, en = next(d for d in _departments(assistant) if d[1] == "华东销售一部")
    question = template.format(zh=zh, en=en)
    answer = assistant.ask(question, Caller.operator(), as_of=AS_OF)
    assert answer.kind == "answer", (question, answer.answer)
    assert _numbers(answer.columns, answer.rows) == _heads(assistant, department)


def test_a_region_is_headed_by_its_own_members_not_its_teams_heads(assistant: Assistant) -> None:
    department, zh, _ = next(d for d in _departments(assistant) if d[1] == "华东大区")
    answer = assistant.ask(f"{zh}的负责人是谁", Caller.operator(), as_of=AS_OF)
    heads = _heads(assistant, department)
    assert len(heads) == 1 and _numbers(answer.columns, answer.rows) == heads


def test_a_figure_of_the_head_is_asked_back_not_answered(assistant: Assistant) -> None:
    answer = assistant.ask("华东销售一部负责人这个月业绩多少", Caller.operator(), as_of=AS_OF)
    assert answer.kind == "clarification"


def test_a_persons_manager_is_still_their_manager(assistant: Assistant) -> None:
    with assistant.warehouse.connect() as conn:
        name, manager = conn.execute(sa.text(
            "SELECT e.name, m.name FROM employees e JOIN employees m ON m.employee_id = e.manager_id "
            "WHERE e.name IN (SELECT name FROM employees GROUP BY name HAVING COUNT(*) = 1) "
            "AND e.termination_date IS NULL ORDER BY e.employee_id DESC LIMIT 1"
        )).one()  # fmt: skip
    answer = assistant.ask(f"{name}的经理是谁", Caller.operator(), as_of=AS_OF)
    assert answer.kind == "answer" and manager in answer.answer


def test_only_those_who_see_every_member_are_told(assistant: Assistant) -> None:
    departments = {name: i for i, name, _ in _departments(assistant)}
    rep = resolve_caller("E00048", warehouse=assistant.warehouse)
    home = next(n for n, i in departments.items() if i == rep.department_id)
    mine = assistant.ask(f"{home}的负责人是谁", rep, as_of=AS_OF)
    # scoped to the rep alone, the rep would look like the head: refused instead
    assert mine.kind == "refusal" and not mine.rows
    head = resolve_caller("E00010", warehouse=assistant.warehouse)  # heads 成都销售组
    own = next(n for n, i in departments.items() if i == head.department_id)
    answer = assistant.ask(f"{own}的负责人是谁", head, as_of=AS_OF)
    assert answer.kind == "answer"
    assert _numbers(answer.columns, answer.rows) == _heads(assistant, head.department_id or 0)
    other = next(n for n, i in departments.items() if i not in head.department_ids)
    assert assistant.ask(f"{other}的负责人是谁", head, as_of=AS_OF).kind == "refusal"
