"""Each planner step alone, table-driven, on the demo warehouse (seed 7, 2026-11-26).

The end-to-end tables (``test_accounting``, ``test_planner_readings``, the eval sets) show
the steps work together; these show what each one reads, so a change to one step is
caught at the step that changed.
"""

from __future__ import annotations

from datetime import date

import pytest

from assistant.ask import Assistant
from assistant.callers import resolve_caller
from assistant.conditions import compose_conditions
from assistant.entities import resolve_entities
from assistant.followups import REFERS_BACK, is_follow_up
from assistant.metric_words import metrics_named
from assistant.plan import Clarify
from assistant.reading import compared, ranking_of, threshold_of, understand, which_group
from schema.caller import Caller
from schema.settings import Settings

AS_OF = date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo(demo_warehouse_url: str) -> Assistant:
    return Assistant.from_settings(Settings(warehouse_url=demo_warehouse_url), app_state=False)


# reading: (question, period start, end (exclusive; this month's is cut at as_of when the
# SQL is compiled), the second period's start or None)
PERIODS = [
    ("上个月华东销售一部的业绩", date(2026, 10, 1), date(2026, 11, 1), None),
    ("本月业绩", date(2026, 11, 1), date(2026, 12, 1), None),
    ("sales last quarter", date(2026, 7, 1), date(2026, 10, 1), None),
    ("9月和10月的销售额对比", date(2026, 9, 1), date(2026, 10, 1), date(2026, 10, 1)),
]


@pytest.mark.parametrize(("question", "start", "end", "also"), PERIODS, ids=[p[0] for p in PERIODS])
def test_reading_finds_the_period(
    demo: Assistant, question: str, start: date, end: date, also: date | None
) -> None:
    u = understand(question, AS_OF, demo.gazetteer)
    assert u.period is not None
    period = u.period.period()
    assert (period.start, period.end) == (start, end)
    assert (u.also.start if u.also else None) == also


# reading: (question, (order, limit), threshold (op, value) or None)
SHAPES = [
    ("上个月业绩前3名", ("desc", 3), None),
    ("上个月业绩最低的人", ("asc", 1), None),
    ("上个月业绩超过10万的人", (None, None), (">", 100000.0)),
    ("who sold more than 50k last month", (None, None), (">", 50000.0)),
    ("上个月各部门业绩从高到低排一下", ("desc", None), None),
]


@pytest.mark.parametrize(("question", "ranking", "threshold"), SHAPES, ids=[s[0] for s in SHAPES])
def test_reading_finds_ranking_and_threshold(
    demo: Assistant,
    question: str,
    ranking: tuple[str | None, int | None],
    threshold: tuple[str, float] | None,
) -> None:
    u = understand(question, AS_OF, demo.gazetteer)
    assert ranking_of(u) == ranking
    found = threshold_of(u)
    assert (None if found is None else (found.op, found.value)) == threshold


@pytest.mark.parametrize(
    ("question", "operator"),
    [
        ("本月业绩环比增长了多少", ("previous", "growth")),
        ("今年销售额同比", ("year_ago", "growth")),
        ("10月比9月多卖了多少", ("named", "difference")),
        ("上个月业绩", (None, None)),
    ],
)
def test_reading_finds_period_operators(
    demo: Assistant, question: str, operator: tuple[str | None, str | None]
) -> None:
    assert compared(understand(question, AS_OF, demo.gazetteer)) == operator


@pytest.mark.parametrize(
    ("question", "group"),
    [
        ("今年哪个产品线退款最多", "product_line"),
        ("上个月哪个部门拿奖金的人最多", "department"),
        ("上个月谁业绩最高", None),
    ],
)
def test_reading_finds_which_group(demo: Assistant, question: str, group: str | None) -> None:
    assert which_group(understand(question, AS_OF, demo.gazetteer)) == group


# conditions: (question, the dual-target concepts read)
CONDITIONS = [
    ("上个月谁超过了中位数", {"above_median", "median"}),
    ("上个月谁没有超过中位数", {"not_above_median", "median"}),
    ("上个月谁低于中位数", {"below_median", "median"}),
    ("上个月谁没完成最低目标", {"missed_minimum", "min_target"}),
    ("有没有人完成了最低目标", {"met_minimum", "min_target"}),
    ("who hasn't met the minimum target", {"missed_minimum", "min_target"}),
    ("上个月谁拿到了奖金", {"bonus", "bonus_eligible"}),
]


@pytest.mark.parametrize(("question", "concepts"), CONDITIONS, ids=[c[0] for c in CONDITIONS])
def test_conditions_read_from_the_verbs(demo: Assistant, question: str, concepts: set[str]) -> None:
    read = compose_conditions(understand(question, AS_OF, demo.gazetteer))
    assert read - {"median", "min_target", "bonus"} == concepts - {"median", "min_target", "bonus"}


def test_entities_resolve_one_department_and_the_asker(demo: Assistant) -> None:
    gz = demo.gazetteer
    team = next(i for i, d in gz.departments.items() if d.name == "华东销售一部")
    u = understand("上个月华东销售一部的业绩", AS_OF, gz)
    assert resolve_entities(u, gz, Caller.operator(), {}) == ([team], [])
    rep = resolve_caller("E00048", warehouse=demo.warehouse)  # a sales rep
    u = understand("我上个月的业绩", AS_OF, gz)
    assert resolve_entities(u, gz, rep, {}) == ([], [rep.employee_id])
    u = understand("我们部门上个月的业绩", AS_OF, gz)
    assert resolve_entities(u, gz, rep, {}) == ([rep.department_id], [])


def test_entities_ask_back_for_a_shared_name_and_a_pin_resolves_it(demo: Assistant) -> None:
    gz = demo.gazetteer
    names: dict[str, list[int]] = {}
    for e in gz.employees.values():
        names.setdefault(e.name, []).append(e.id)
    name, ids = next((n, i) for n, i in names.items() if len(i) > 1)
    u = understand(f"{name}上个月的业绩", AS_OF, gz)
    asked = resolve_entities(u, gz, Caller.operator(), {})
    assert isinstance(asked, Clarify) and len(asked.options) == len(ids)
    assert resolve_entities(u, gz, Caller.operator(), {name: ids[1]}) == ([], [ids[1]])


# metric words: (question, metrics named, strongest first)
METRICS = [
    ("上个月的销售额", ["sales"]),
    ("上个月订单数", ["order_count"]),
    ("上个月病假多少天", ["leave_days"]),
]


@pytest.mark.parametrize(("question", "metrics"), METRICS, ids=[m[0] for m in METRICS])
def test_metric_words(demo: Assistant, question: str, metrics: list[str]) -> None:
    assert metrics_named(understand(question, AS_OF, demo.gazetteer), demo.model) == metrics


@pytest.mark.parametrize(
    ("question", "follows", "refers_back"),
    [
        ("那上个月呢", True, True),
        ("其中谁也达标了", False, True),
        ("上个月各部门业绩中位数", False, False),
    ],
)
def test_followups_are_recognised(
    demo: Assistant, question: str, follows: bool, refers_back: bool
) -> None:
    u = understand(question, AS_OF, demo.gazetteer)
    assert is_follow_up(u) is follows
    assert bool(REFERS_BACK.search(u.text)) is refers_back
