"""Answer shapes found on blind sets, each checked against the warehouse or the engine:
people listed when a question names them or asks whether anyone did; a count when it asks
how many; 我下面几个组 as each group; a rank asked with a gap shows the gap; 过了中位线
as above the median; English words matched as words (who is not in whole)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from assistant.ask import Assistant
from assistant.callers import resolve_caller
from assistant.reading import found
from schema.caller import Caller
from schema.settings import Settings
from tools.performance import monthly_performance

AS_OF = date(2026, 11, 26)
DIRECTOR, REP = "E00002", "E00048"


@pytest.fixture(scope="module")
def demo(demo_warehouse_url: str) -> Assistant:
    return Assistant.from_settings(Settings(warehouse_url=demo_warehouse_url), app_state=False)


def _hired_in_october(demo: Assistant) -> set[str]:
    with demo.warehouse.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT employee_no FROM employees "
                "WHERE hire_date BETWEEN DATE '2025-10-01' AND DATE '2025-10-31'"
            )
        ).all()
    return {r[0] for r in rows}


@pytest.mark.parametrize("question", ["去年10月入职的新人", "去年10月有人入职吗"])
def test_people_named_or_asked_about_are_listed(demo: Assistant, question: str) -> None:
    got = demo.ask(question, Caller.operator(), as_of=AS_OF)
    assert got.kind == "answer", got.answer
    expected = _hired_in_october(demo)
    assert expected, "the demo hires someone every month"
    assert {r[got.columns.index("工号")] for r in got.rows} == expected


def test_how_many_people_is_a_count(demo: Assistant) -> None:
    got = demo.ask("去年10月入职的人有多少", Caller.operator(), as_of=AS_OF)
    assert got.kind == "answer" and len(got.rows) == 1
    assert got.rows[0][0] == len(_hired_in_october(demo))


def test_the_few_groups_under_me_are_each_group(demo: Assistant) -> None:
    director = resolve_caller(DIRECTOR, warehouse=demo.warehouse)
    got = demo.ask("我下面几个组上个月的中位数各是多少", director, as_of=AS_OF)
    assert got.kind == "answer", got.answer
    with demo.warehouse.connect() as conn:
        report = monthly_performance(conn, "2026-10", caller=director, as_of=AS_OF)
    medians = {s.department: s.median for s in report.summaries}
    assert len(medians) >= 2
    assert {r[0]: r[1] for r in got.rows} == pytest.approx(
        {k: float(v) for k, v in medians.items()}
    )


def test_a_rank_asked_with_the_gap_shows_the_gap(demo: Assistant) -> None:
    rep = resolve_caller(REP, warehouse=demo.warehouse)
    got = demo.ask("我上个月组内排第几？离中位数差多少", rep, as_of=AS_OF)
    assert got.kind == "answer", got.answer
    row = dict(zip(got.columns, got.rows[0], strict=True))
    assert row["与中位数差距"] == pytest.approx(row["业绩"] - row["部门中位数"])
    assert "排名" in row


def test_passed_the_median_is_above_it(demo: Assistant) -> None:
    got = demo.ask(
        "上个月华东销售一部有没有人过了中位数但没完成最低目标", Caller.operator(), as_of=AS_OF
    )
    assert got.kind == "answer", got.answer
    assert "超过部门中位数" in (got.interpretation or "")
    assert "未达到最低目标" in (got.interpretation or "")


@pytest.mark.parametrize(
    ("word", "text", "expected"),
    [
        ("who", "for the whole company", False),
        ("who", "who sold most", True),
        ("top", "stop here", False),
        ("delet", "delete the orders", True),  # a longer word still starts a word
        ("谁", "谁最高", True),
    ],
)
def test_english_words_are_found_as_words(word: str, text: str, expected: bool) -> None:
    assert found(word, text) is expected


@pytest.mark.parametrize(
    ("question", "first_option"),
    [("上个月谁表现最好", "业绩"), ("Which rep has the best productivity this month?", "sales")],
)
def test_people_ranked_by_a_figure_not_named_are_asked_which_figure(
    demo: Assistant, question: str, first_option: str
) -> None:
    got = demo.ask(question, Caller.operator(), as_of=AS_OF)
    assert got.kind == "clarification", got.answer
    assert got.options[0] == first_option


def test_a_question_with_no_warehouse_words_is_still_refused(demo: Assistant) -> None:
    got = demo.ask("who won the world cup", Caller.operator(), as_of=AS_OF)
    assert got.kind == "refusal"
