"""Answers as a person reads them: the figures first, groups in words, money to the cent,
the chart of the measure asked for (or none), the trace in the question's language.

Expected sentences are built from the answer's own rows, so the tests hold for any demo data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from assistant.answer import Answer
from assistant.ask import Assistant
from assistant.figures import cell, money, month_words, number
from schema.caller import Caller
from schema.settings import Settings

AS_OF = date(2026, 11, 26)
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
THIRD_DECIMAL = re.compile(r"¥[\d,]+\.\d{3}")


@pytest.fixture(scope="module")
def assistant(
    demo_warehouse_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Assistant]:
    app_db = tmp_path_factory.mktemp("words") / "app.db"
    built = Assistant.from_settings(
        Settings(warehouse_url=demo_warehouse_url, app_db_url=f"sqlite:///{app_db}")
    )
    yield built
    built.warehouse.dispose()


def ask(assistant: Assistant, question: str, conversation: str | None = None) -> Answer:
    answer = assistant.ask(question, Caller.operator(), as_of=AS_OF, conversation_id=conversation)
    assert answer.kind == "answer", answer.answer
    return answer


@pytest.mark.parametrize(
    ("value", "said"),
    [(1269.825, "¥1,269.83"), (65515.765, "¥65,515.77"), (0, "¥0.00"), (-504.6, "-¥504.60"),
     (Decimal("1234567.891"), "¥1,234,567.89")],
)  # fmt: skip
def test_money_to_the_cent(value: object, said: str) -> None:
    assert money(value) == said


def test_months_and_coded_values_in_words() -> None:
    assert [month_words("2026-01-01", "zh"), month_words(date(2026, 1, 1), "en")] == [
        "2026年1月",
        "Jan 2026",
    ]
    from assistant.answer import ColumnFormat

    assert cell("offline", ColumnFormat(values={"offline": "线下"}), "zh") == "线下"
    assert cell(True, ColumnFormat(kind="flag"), "zh") == "是"
    assert cell(0.5, ColumnFormat(kind="percent"), "en") == "50.0 %"


def test_a_breakdown_says_every_group_and_the_total(assistant: Assistant) -> None:
    answer = ask(assistant, "上个月各部门销售额")
    at = answer.columns.index("销售额")
    said = "，".join(f"{r[0]} {money(r[at])}" for r in answer.rows)
    total = money(sum(Decimal(str(r[at])) for r in answer.rows))
    assert answer.answer == f"2026年10月各部门销售额：{said}，合计 {total}。"
    assert answer.chart is not None and (answer.chart.value, answer.chart.title) == (at, "销售额")
    assert answer.chart.label == 0 and answer.formats[at].kind == "money" and answer.chart.sort
    english = ask(assistant, "sales by department last month")
    assert english.chart is not None and english.columns[english.chart.label] == "department_en"
    assert english.answer.startswith("Sales by department in October 2026: ")
    assert all(r[english.chart.label] in english.answer for r in english.rows)


def test_months_read_as_months(assistant: Assistant) -> None:
    answer = ask(assistant, "2026年各月销售额")
    assert answer.formats[0].kind == "month" and len(answer.rows) > 6
    assert answer.chart is not None and not answer.chart.sort  # months in their order
    top = max(answer.rows, key=lambda r: r[1])
    low = min(answer.rows, key=lambda r: r[1])
    assert f"最高 {month_words(top[0], 'zh')} {money(top[1])}" in answer.answer
    assert f"最低 {month_words(low[0], 'zh')} {money(low[1])}" in answer.answer
    assert not ISO_DAY.search(answer.answer)


def test_coded_values_are_said_in_the_questions_language(assistant: Assistant) -> None:
    channels = ask(assistant, "上个月各渠道销售额")
    # the sales channels only (schema.sql: online | offline | partner), not marketing's
    assert channels.formats[0].values == {
        "online": "线上",
        "offline": "线下",
        "partner": "合作伙伴",
    }
    assert all(channels.formats[0].values[r[0]] in channels.answer for r in channels.rows)
    assert not re.search(r"[a-z]{4,}", channels.answer)
    statuses = ask(assistant, "上个月各考勤状态的天数")
    assert "缺勤" in statuses.answer and "absent" not in statuses.answer
    late = ask(assistant, "上个月各部门迟到次数")
    assert (
        "迟到天数" in late.columns and "迟到天数" in late.answer and "考勤天数" not in late.answer
    )


def test_tool_answers_chart_their_focus(assistant: Assistant) -> None:
    medians = ask(assistant, "本月各销售部门业绩中位数")
    assert medians.chart is not None
    assert medians.columns[medians.chart.value] == medians.chart.title == "部门中位数"
    assert not THIRD_DECIMAL.search(medians.answer)
    above = ask(assistant, "上个月谁超过了中位数")
    assert above.chart is not None and above.columns[above.chart.value] == "业绩"
    assert above.columns[above.chart.label] == "姓名" and len(above.rows) > 20
    board = ask(assistant, "上个月成都销售组的排行榜")
    assert board.chart is not None and board.chart.reference is not None
    median_of = {r[board.columns.index("部门")] for r in board.rows}
    assert len(median_of) == 1 and board.chart.reference_label == "部门中位数"
    assert above.chart.sort and not board.chart.sort  # a leaderboard is in its ranks' order
    name, sales = board.columns.index("姓名"), board.columns.index("业绩")
    first = board.rows[0]
    assert board.answer.startswith(
        f"2026年10月成都销售组业绩排行：第 1 名 {first[name]} {money(first[sales])}"
    )


def test_no_chart_when_a_chart_says_nothing(assistant: Assistant) -> None:
    one = ask(assistant, "上个月迟到次数最多的部门")
    assert len(one.rows) == 1 and one.chart is None
    people = ask(assistant, "人事部都有谁")
    assert people.chart is None
    department = people.rows[0][people.columns.index("部门")]
    assert people.answer.count(department) == 1  # the department once, not after every name
    total = ask(assistant, "上个月销售额")
    assert total.chart is None


def test_a_bonus_total_names_its_department(assistant: Assistant) -> None:
    grouped = ask(assistant, "上个月各部门奖金总额是多少")
    assert grouped.chart is not None and grouped.chart.title == "奖金总额"
    total = money(sum(Decimal(str(r[1])) for r in grouped.rows))
    assert grouped.answer.endswith(f"合计 {total}。")
    assert all(f"{r[0]} {money(r[1])}" in grouped.answer for r in grouped.rows)
    follow = ask(assistant, "其中成都销售组呢", grouped.conversation_id)
    assert follow.answer == f"2026年10月成都销售组奖金总额为 {money(follow.rows[0][0])}。"
    assert follow.chart is None


def test_the_trace_is_in_the_questions_language(assistant: Assistant) -> None:
    chinese = ask(assistant, "上个月成都销售组的排行榜")
    assert chinese.trace[0] == "理解：绩效引擎计算（问题覆盖 100%）"
    untranslated = [line for line in chinese.trace if re.search(r"[A-Za-z]{3,}", line)]
    assert untranslated == []
    assert any(line.startswith("成都销售组：") and "人的中位数" in line for line in chinese.trace)
    english = ask(assistant, "leaderboard of Chengdu Sales Team last month")
    assert english.trace[0].startswith("plan: tool") and any(
        "median of" in t for t in english.trace
    )


def test_a_share_is_said_and_charted_and_a_payslip_is_totalled(assistant: Assistant) -> None:
    shares = ask(assistant, "上个月各渠道销售额占比")
    at = shares.columns.index("占比")  # a fraction of the whole, shown as a percentage
    assert shares.chart is not None and shares.chart.value == at
    assert all(number(r[at], "percent") in shares.answer for r in shares.rows)
    payslip = ask(assistant, "上个月各部门工资条")
    assert payslip.chart is None  # five figures per department: no one bar says them
    net = payslip.columns.index("实发工资")
    assert f"实发工资 {money(sum(Decimal(str(r[net])) for r in payslip.rows))}" in payslip.answer
