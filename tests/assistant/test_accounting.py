"""Accounting, table-driven: a plan is answered only when it uses the whole question.

Each row is a question on the demo warehouse (seed 7, 2026-11-26), who asks, and what
must come back: an answer, or a clarification naming the words the plan could not use.
"""

from __future__ import annotations

from datetime import date

import pytest

from assistant.accounting import Context, account
from assistant.ask import Assistant
from assistant.callers import resolve_caller
from assistant.plan import Clarify, QueryPlan, ToolPlan
from assistant.planner import plan
from assistant.reading import understand
from schema.caller import Caller
from schema.settings import Settings

AS_OF = date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo(demo_warehouse_url: str) -> Assistant:
    return Assistant.from_settings(Settings(warehouse_url=demo_warehouse_url), app_state=False)


def _plan(demo: Assistant, question: str, user: str | None = None):  # type: ignore[no-untyped-def]
    caller = resolve_caller(user, warehouse=demo.warehouse) if user else Caller.operator()
    return plan(question, AS_OF, caller, demo.gazetteer, demo.model)[0]


# (question, asker, words the plan must leave unused; empty: answered)
CASES = [
    ("上个月各部门业绩中位数是多少", None, []),
    ("上个月华东销售一部谁超过了中位数", None, []),
    ("上个月奖金一共多少", None, []),
    ("上个月各部门奖金总额", None, []),
    ("who beat the median last month in chengdu", None, []),
    ("本月业绩环比增长了多少", None, []),
    ("今年销售额同比增长率", None, []),
    ("今年哪个产品线退款最多", None, []),
    ("上个月哪个部门拿奖金的人最多", None, []),
    ("我这个月超过中位数了吗", "E00048", []),
    # a department the warehouse lacks never widens the answer
    ("上个月西北销售部的业绩", None, ["西北"]),
    ("上个月业绩怎么样 东京那边", None, ["东京"]),
    # a word with no meaning in the plan's vocabulary
    ("上个月华东销售一部的业绩满意度", None, ["满意度"]),
    # a word the plan has no slot for
    ("上个月各部门业绩的标准差", None, ["标准差"]),
    ("how many people in each team got a bonus yoy", None, ["yoy"]),
    # a misspelt 中位数: the people listing's own filter (those on the payroll that day)
    # answers no word, so 超过 is not taken as a threshold
    ("本月华东销售一部哪些人超过了中为数", None, ["超过"]),
    # two metrics asked, one planned: the other is named
    ("上个月业绩最高的部门的获客成本环比", None, ["获客成本"]),
    # an amount asked, then a count of something else: the second figure is not answered
    ("上个月市场投入花了多少钱，带来几个客户", None, ["几个"]),
]


@pytest.mark.parametrize(("question", "user", "unused"), CASES, ids=[c[0] for c in CASES])
def test_accounting(demo: Assistant, question: str, user: str | None, unused: list[str]) -> None:
    got = _plan(demo, question, user)
    if not unused:
        assert isinstance(got, QueryPlan | ToolPlan | Clarify), got
        if isinstance(got, Clarify):
            assert got.reason != "unaccounted", got.message_zh
        return
    assert isinstance(got, Clarify), got
    text = got.message_zh if question[0] > "\u4e00" else got.message_en
    assert all(word in text for word in unused), text


def test_the_partial_reading_is_offered_in_full(demo: Assistant) -> None:
    got = _plan(demo, "上个月华东销售一部的业绩满意度")
    assert isinstance(got, Clarify) and got.reason == "unaccounted"
    assert isinstance(got.reading, QueryPlan) and got.reading.metrics == ["sales"]
    answer_as = got.choices[-1]
    assert answer_as.plan == got.reading and "华东销售一部" in answer_as.label


def test_leftovers_name_the_slot_they_missed(demo: Assistant) -> None:
    """最高 (highest) is unused by a plan that does not rank; 各部门 by one that is a single
    figure."""
    u = understand("上个月各部门业绩最高", AS_OF, demo.gazetteer)
    single = QueryPlan(metrics=["sales"])
    left = account(
        u.text, u.period_spans, u.tags,
        Context(single, Caller.operator(), demo.gazetteer, demo.model, follow_up=False),
    )  # fmt: skip
    assert {(item.text, item.why) for item in left} >= {("各部门", "dimension"), ("最高", "rank")}
    ranked = QueryPlan(metrics=["sales"], group_by=["department"], order="desc", limit=1)
    left = account(
        u.text, u.period_spans, u.tags,
        Context(ranked, Caller.operator(), demo.gazetteer, demo.model, follow_up=False),
    )  # fmt: skip
    assert left == []


def test_the_operator_has_no_me(demo: Assistant) -> None:
    """我的业绩 from the local operator (no employee) cannot be answered as the company's."""
    got = _plan(demo, "我上个月的业绩")
    assert isinstance(got, Clarify)


def test_sales_per_head_is_department_sales_per_roster_member(demo: Assistant) -> None:
    answer = demo.ask("上个月各销售部门人均业绩", Caller.operator(), as_of=AS_OF)
    assert answer.kind == "answer" and answer.tool is not None
    with demo.warehouse.connect() as conn:
        from tools.performance import monthly_performance

        report = monthly_performance(conn, "2026-10", caller=Caller.operator(), as_of=AS_OF)
    per_head = {
        s.department: round(
            float(sum(r.sales for r in report.rows if r.department == s.department))
            / s.roster_size,
            2,
        )
        for s in report.summaries
    }
    assert {row[0]: row[-1] for row in answer.rows} == pytest.approx(per_head, abs=0.01)
    assert answer.answer.startswith("2026年10月人均业绩")


def test_a_share_of_the_total(demo: Assistant) -> None:
    answer = demo.ask("上个月SaaS占总销售额多少比例", Caller.operator(), as_of=AS_OF)
    assert answer.kind == "answer" and len(answer.rows) == 1
    with demo.warehouse.connect() as conn:
        import sqlalchemy as sa

        part, whole = conn.execute(
            sa.text(
                "SELECT SUM(CASE WHEN product_line = 'SaaS' THEN amount END), SUM(amount) "
                "FROM sales_orders WHERE status = 'paid' "
                "AND order_date BETWEEN DATE '2026-10-01' AND DATE '2026-10-31'"
            )
        ).one()
    assert answer.rows[0][answer.columns.index("占比")] == pytest.approx(float(part / whole))


@pytest.mark.parametrize(
    ("question", "user"),
    [("本月sales total是多少", None), ("我这个月在wecom上跟客户聊了多少条消息", "E00048")],
)
def test_latin_words_next_to_chinese_are_whole_words(
    demo: Assistant, question: str, user: str | None
) -> None:
    assert isinstance(_plan(demo, question, user), QueryPlan)


def test_a_department_s_share_of_the_whole_company(demo: Assistant) -> None:
    """合肥团购组业绩占全公司多少: the team's sales over everyone's (not its own, 100 %); only
    for someone who sees the whole company, or the share would be of a part, silently."""
    import sqlalchemy as sa

    answer = demo.ask("上个月华东销售一部业绩占全公司的比例", Caller.operator(), as_of=AS_OF)
    assert answer.kind == "answer" and len(answer.rows) == 1, answer.answer
    with demo.warehouse.connect() as conn:
        part, whole = conn.execute(
            sa.text(
                "SELECT SUM(CASE WHEN d.name = '华东销售一部' THEN o.amount END), SUM(o.amount) "
                "FROM sales_orders o JOIN employees e ON e.employee_id = o.employee_id "
                "JOIN departments d ON d.department_id = e.department_id "
                "WHERE o.status = 'paid' AND o.order_date BETWEEN DATE '2026-10-01' AND DATE '2026-10-31'"
            )
        ).one()
    assert answer.rows[0][answer.columns.index("占比")] == pytest.approx(float(part / whole))
    assert "华东销售一部占全公司" in (answer.interpretation or "")
    with demo.warehouse.connect() as conn:
        head = conn.execute(
            sa.text(
                "SELECT MIN(m.employee_no) FROM employees e JOIN employees m "
                "ON m.employee_id = e.manager_id JOIN departments d "
                "ON d.department_id = e.department_id WHERE d.name = '华东销售一部'"
            )
        ).scalar_one()
    refused = demo.ask(
        "上个月华东销售一部业绩占全公司的比例",
        resolve_caller(head, warehouse=demo.warehouse),
        as_of=AS_OF,
    )
    assert refused.kind == "refusal" and "HR" in refused.answer
