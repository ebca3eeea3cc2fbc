"""What-if questions read by the planner, table-driven, on the demo warehouse (seed 7,
2026-11-26): the wordings in both languages, the amount words, whose figures, the month,
the questions that stay what they were, and the restatement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from assistant.ask import Assistant
from assistant.callers import resolve_caller
from assistant.plan import Clarify, Refuse, ToolPlan
from assistant.planner import plan
from assistant.restate import restate
from assistant.whatif_slots import extra_sales
from schema.caller import Caller, Role
from schema.settings import Settings
from schema.warehouse import employees
from tools.scope import shared_scope

AS_OF = date(2026, 11, 26)
NOVEMBER, OCTOBER = date(2026, 11, 1), date(2026, 10, 1)


@pytest.fixture(scope="module")
def demo(demo_warehouse_url: str) -> Assistant:
    return Assistant.from_settings(Settings(warehouse_url=demo_warehouse_url), app_state=False)


@pytest.fixture(scope="module")
def rep(demo: Assistant) -> Caller:
    return resolve_caller("E00048", warehouse=demo.warehouse)  # a sales rep


def manager_of(demo: Assistant, rep: Caller) -> Caller:
    e, m = employees.alias("e"), employees.alias("m")
    with demo.warehouse.connect() as conn:
        number = conn.execute(
            sa.select(m.c.employee_no)
            .join(e, e.c.manager_id == m.c.employee_id)
            .where(e.c.employee_id == rep.employee_id)
        ).scalar_one()
    manager = resolve_caller(number, warehouse=demo.warehouse)
    assert manager.role is Role.MANAGER and rep.department_id in manager.department_ids
    return manager


def _plan(demo: Assistant, question: str, caller: Caller) -> object:
    return plan(question, AS_OF, caller, demo.gazetteer, demo.model)[0]


# (question, extra (None: how much more), month, focus)
WORDINGS = [
    ("如果我这个月再卖5万，奖金能拿多少", Decimal("50000"), NOVEMBER, "bonus"),
    ("如果我这个月再卖5万，排第几", Decimal("50000"), NOVEMBER, "rank"),
    ("我还差多少能拿到奖金", None, NOVEMBER, "bonus"),
    ("还要卖多少才能拿奖金", None, NOVEMBER, "bonus"),
    ("what if I close another 80k this month", Decimal("80000"), NOVEMBER, "rows"),
    ("how much more do I need to sell to get a bonus", None, NOVEMBER, "bonus"),
    ("我再卖十万块能拿多少奖金", Decimal("100000"), NOVEMBER, "bonus"),
    ("上个月我要是多卖8万块，能拿奖金吗", Decimal("80000"), OCTOBER, "bonus"),
    ("上个月我还差多少才能拿到奖金", None, OCTOBER, "bonus"),
    ("what if I sold 50k more last month", Decimal("50000"), OCTOBER, "rows"),
    ("what if I close another 80k这个月", Decimal("80000"), NOVEMBER, "rows"),
    ("如果我这个月再卖50k，bonus多少", Decimal("50000"), NOVEMBER, "bonus"),
]


@pytest.mark.parametrize(
    ("question", "extra", "month", "focus"), WORDINGS, ids=[w[0] for w in WORDINGS]
)
def test_what_if_wordings(
    demo: Assistant, rep: Caller, question: str, extra: Decimal | None, month: date, focus: str
) -> None:
    got = _plan(demo, question, rep)
    assert isinstance(got, ToolPlan), got
    assert (got.tool, got.extra, got.month, got.employees, got.focus) == (
        "what_if", extra, month, [rep.employee_id], focus,
    )  # fmt: skip


# amount words: (fragment, amount)
AMOUNTS = [
    ("再卖5万", "50000"),
    ("another 50k", "50000"),
    ("再卖8万块", "80000"),
    ("再卖80,000", "80000"),
    ("再卖十万", "100000"),
    ("再签1.5万元", "15000"),
    ("多卖十二万五千", "125000"),
    ("再卖5w", "50000"),
    ("80k more", "80000"),
    ("再卖3000块钱", "3000"),
]


@pytest.mark.parametrize(("fragment", "amount"), AMOUNTS, ids=[a[0] for a in AMOUNTS])
def test_amount_words(demo: Assistant, fragment: str, amount: str) -> None:
    from assistant.normalize import normalize

    found = extra_sales(normalize(fragment))
    assert found is not None and found[0] == Decimal(amount)


# questions that are not what-ifs, and stay what they were: (question, tool or None)
NOT_WHAT_IF = [
    ("我离中位数还差多少", "performance"),
    ("我这个月离中位线还差多少", "performance"),
    ("我这个月的奖金", "performance"),
    ("本月业绩环比增长了多少", None),
    ("10月比9月多卖了多少", None),
    ("上个月黄鹏和杨梅的奖金差多少", "performance"),
]


@pytest.mark.parametrize(("question", "tool"), NOT_WHAT_IF, ids=[n[0] for n in NOT_WHAT_IF])
def test_other_questions_are_not_what_ifs(
    demo: Assistant, rep: Caller, question: str, tool: str | None
) -> None:
    got = _plan(demo, question, rep)
    assert getattr(got, "tool", None) == tool, got


def test_a_manager_asks_about_a_named_person_on_their_team(demo: Assistant, rep: Caller) -> None:
    gz = demo.gazetteer
    manager = manager_of(demo, rep)
    # a name several employees share, one of them on the manager's team
    names: dict[str, list[int]] = {}
    for e in gz.employees.values():
        names.setdefault(e.name, []).append(e.id)
    name, ids = next(
        (n, i) for n, i in names.items()
        if len(i) > 1 and sum(gz.employees[x].department_id in manager.department_ids for x in i) == 1
    )  # fmt: skip
    ours = next(i for i in ids if gz.employees[i].department_id in manager.department_ids)
    got = _plan(demo, f"{name}还差多少能拿奖金", manager)
    assert isinstance(got, ToolPlan) and (got.tool, got.extra, got.employees) == (
        "what_if",
        None,
        [ours],
    )
    # HR sees everyone: the same name is asked back
    asked = _plan(demo, f"{name}还差多少能拿奖金", Caller(role=Role.HR, employee_id=None))
    assert isinstance(asked, Clarify) and len(asked.options) == len(ids)


def test_whose_and_which_month_are_asked_back(demo: Assistant, rep: Caller) -> None:
    operator = Caller.operator()  # no employee of their own: whose figures?
    assert isinstance(_plan(demo, "还要卖多少才能拿奖金", operator), Clarify)
    room = shared_scope([rep, Caller(role=Role.HR, employee_id=None)])  # a group chat: nobody
    assert isinstance(_plan(demo, "还要卖多少才能拿奖金", room), Clarify)
    quarter = _plan(demo, "如果我这个季度再卖5万，奖金多少", rep)
    assert isinstance(quarter, Clarify) and quarter.options == ["本月", "上个月"]


def test_a_rep_asking_about_a_colleague_is_refused_like_other_hidden_figures(
    demo: Assistant, rep: Caller
) -> None:
    gz = demo.gazetteer
    colleague = next(
        e for e in gz.employees.values()
        if e.department_id == rep.department_id and e.id != rep.employee_id
        and sum(o.name == e.name for o in gz.employees.values()) == 1
    )  # fmt: skip
    hidden = _plan(demo, f"上个月{colleague.name}的奖金是多少", rep)  # a colleague's bonus
    assert isinstance(hidden, Refuse) and hidden.reason == "denied_colleagues"
    for question in (f"{colleague.name}还差多少", f"如果{colleague.name}再卖5万，奖金多少",
                     f"how much more does {colleague.name} need to sell to get a bonus"):  # fmt: skip
        got = _plan(demo, question, rep)
        assert isinstance(got, Refuse) and got.reason == "denied_colleagues", (question, got)
        assert (got.message_zh, got.message_en) == (hidden.message_zh, hidden.message_en)


def test_the_restatement_says_what_was_understood(demo: Assistant, rep: Caller) -> None:
    what_if = _plan(demo, "如果我这个月再卖5万，奖金能拿多少", rep)
    assert isinstance(what_if, ToolPlan)
    line = restate(what_if, demo.model, demo.gazetteer, "zh")
    assert line is not None and line.startswith("我的理解：2026年11月 · ")
    assert "假如再卖 ¥50,000.00" in line and "重新计算部门中位数" in line
    needed = _plan(demo, "how much more do I need to sell to get a bonus", rep)
    assert isinstance(needed, ToolPlan)
    line = restate(needed, demo.model, demo.gazetteer, "en")
    assert line is not None and "how much more to sell to be bonus eligible" in line
