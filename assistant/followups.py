"""Follow-up questions: a question that continues the previous answer (那上个月呢, 其中谁
也达标了) reuses its slots, replacing or narrowing those the new question names."""

from __future__ import annotations

import re

from assistant.gazetteer import Gazetteer
from assistant.plan import (
    Comparison,
    Plan,
    QueryPlan,
    ToolPlan,
)
from assistant.reading import (
    Understanding,
    compared,
)
from schema.semantic import SemanticModel

#: Words that point at the previous answer's people (among them, 其中, 他们).
REFERS_BACK = re.compile(
    r"^(?:那|那么|and|so)\b|^那|其中|里面|这些人|那些人|他们|她们|\bof them\b|\bamong them\b|\bthose\b|\bthem\b"
)


def narrowed_plan(
    previous: ToolPlan,
    fresh: ToolPlan,
    u: Understanding,
    departments: list[int],
    employees: list[int],
) -> ToolPlan:
    """``fresh`` over the previous answer: its month, team and people unless this question
    names its own, and its conditions kept (其中: among those)."""
    update: dict = {"conditions": list(dict.fromkeys([*previous.conditions, *fresh.conditions]))}
    ranked = previous.order or previous.focus in ("leaderboard", "rank")
    if fresh.limit and ranked and fresh.sort_by != previous.sort_by:
        # 业绩排名 -> 前三名的奖金呢: the top three of that ranking, their bonus shown
        update.update(order=previous.order or "desc", sort_by=previous.sort_by)
    if u.period is None:
        update.update(month=previous.month, months=previous.months, period=previous.period)
    if not departments and not employees:
        update.update(
            department=previous.department,
            departments=previous.departments,
            employees=previous.employees,
            grouped=previous.grouped or fresh.grouped,
        )
    return fresh.model_copy(update=update)


def is_follow_up(u: Understanding) -> bool:
    content = [t for t in u.tags if t.kind in ("metric", "concept")]
    return (
        not content
        or u.text.startswith(("那", "and", "what about", "how about"))
        and u.text.endswith("呢")
        or (not content and u.text.endswith("呢"))
    )


def follow_up(
    previous: dict,
    u: Understanding,
    departments: list[int],
    employees: list[int],
    model: SemanticModel,
    gazetteer: Gazetteer,
) -> Plan | None:
    """Reuse the previous turn's slots, replacing those this question names."""
    kind = previous.get("kind")
    if kind == "query":
        prev = QueryPlan.model_validate(previous)
        update: dict = {}
        if u.period is not None:
            update["period"] = u.period
        if departments:
            update["departments"] = departments
            update["employees"] = []
        if employees:
            update["employees"] = employees
        dims = [t.value for t in u.kinds("dimension")]
        if dims:
            update["group_by"] = dims
            first = model.metrics[prev.metrics[0]]
            if "employee" in dims and first.snapshot and first.format == "count":
                # 现在多少人 -> 都有谁: the people there that day, not everyone ever there
                update["having"] = Comparison(op=">", value=0, stated=False)
        values = [t.value for t in u.kinds("value")]
        if values:
            update["values"] = values
        compare, change = compared(u)
        if compare is not None:  # 同比呢: the same question, compared
            update.update(compare=compare, change=change, versus=u.also, also=None)
        if not update:
            return None
        return prev.model_copy(update=update)
    if kind == "tool":
        prev_tool = ToolPlan.model_validate(previous)
        update = {}
        if u.period is not None:
            update["month"] = u.period.start
            update["period"] = u.period
        if not departments and not employees:
            departments = _sales_departments_in(u, model, gazetteer)  # 那苏州呢: the team there
        if len(departments) > 1:
            update["departments"], update["department"] = departments, None
            update["employees"] = []
        elif departments:
            update["department"] = departments[0]
            update["employees"] = []
        if employees:
            update["employees"] = employees
        if not update:
            return None
        return prev_tool.model_copy(update=update)
    return None


def _sales_departments_in(u: Understanding, model: SemanticModel, gz: Gazetteer) -> list[int]:
    """The sales departments of the cities the question names (the engine's rosters)."""
    cities = {
        v.split(":", 1)[1]
        for t in u.kinds("value")
        for v in t.values
        if model.values[int(v.split(":", 1)[0])].column == "d.city"
    }
    return sorted(
        d for d, city in gz.department_city.items()
        if city in cities and gz.department_kind.get(d) == "sales"
    )  # fmt: skip
