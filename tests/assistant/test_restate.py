"""The one-line interpretation of a plan, in the question's language (fixture table)."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.ask import Assistant
from assistant.plan import Comparison, PeriodSlot, QueryPlan, ToolPlan
from assistant.restate import restate
from assistant.timeparse import month_period
from schema.caller import Caller
from schema.settings import Settings

OCTOBER = PeriodSlot.of(month_period(date(2026, 10, 1)))


@pytest.fixture(scope="module")
def demo(demo_warehouse_url: str) -> Assistant:
    return Assistant.from_settings(Settings(warehouse_url=demo_warehouse_url), app_state=False)


def _department(demo: Assistant, name: str) -> int:
    return next(d.id for d in demo.gazetteer.departments.values() if d.name == name)


CASES = [
    (QueryPlan(metrics=["sales"], period=OCTOBER, group_by=["department"], compare="previous",
               change="growth"),
     "zh", "我的理解：2026年10月 · 全公司 · 按部门 · 销售额 · 环比（与上一期相比）的增长率"),
    (QueryPlan(metrics=["sales"], period=OCTOBER, group_by=["employee"], order="desc", limit=3),
     "en", "I understood: October 2026 · whole company · by employee · sales · highest first, top 3"),
    (ToolPlan(tool="performance", month=date(2026, 10, 1), period=OCTOBER,
              conditions=["above_median", "met_minimum"]),
     "zh", "我的理解：2026年10月 · 全公司 · 超过部门中位数且达到最低目标的人 · 名单"),
    (ToolPlan(tool="performance", month=date(2026, 10, 1), period=OCTOBER, focus="total_bonus",
              grouped=True),
     "en", "I understood: October 2026 · each sales department · total bonus"),
    (ToolPlan(tool="performance", month=date(2026, 10, 1), focus="attainment",
              having=Comparison(op="<", value=0.8)),
     "zh", "我的理解：2026年10月 · 全公司 · 目标完成率 · 完成率 < 0.8"),
]  # fmt: skip


@pytest.mark.parametrize(("plan", "language", "expected"), CASES)
def test_restate(demo: Assistant, plan: QueryPlan | ToolPlan, language: str, expected: str) -> None:
    assert restate(plan, demo.model, demo.gazetteer, language) == expected


def test_names_come_from_the_warehouse(demo: Assistant) -> None:
    plan = QueryPlan(metrics=["sales"], period=OCTOBER,
                     departments=[_department(demo, "华东销售一部")])  # fmt: skip
    assert restate(plan, demo.model, demo.gazetteer, "en") == (
        "I understood: October 2026 · East China Sales 1 · sales"
    )


def test_every_answer_carries_its_interpretation(demo: Assistant) -> None:
    answer = demo.ask(
        "上个月华东销售一部谁超过了中位数", Caller.operator(), as_of=date(2026, 11, 26)
    )
    assert answer.kind == "answer"
    assert (
        answer.interpretation == "我的理解：2026年10月 · 华东销售一部 · 超过部门中位数的人 · 名单"
    )
    assert answer.public()["interpretation"] == answer.interpretation
