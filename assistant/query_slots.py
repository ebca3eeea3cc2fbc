"""Filling a :class:`QueryPlan` (the SQL path): grouping, filters, ranking, thresholds,
shares and period comparisons; single-record plans (最大的5笔订单)."""

from __future__ import annotations

import re
from typing import Literal

from assistant import lexicon as lx
from assistant.gazetteer import Gazetteer, Tag
from assistant.plan import (
    Comparison,
    PeriodSlot,
    QueryPlan,
)
from assistant.reading import (
    Understanding,
    compared,
    found,
    ranking_of,
    threshold_of,
    which_group,
)
from assistant.timeparse import month_period
from schema.semantic import SemanticModel

#: Groupings over time: a series with no period named covers all of it.
_TIME_GROUPS = {"month", "quarter", "year"}


def query_plan(
    u: Understanding,
    metrics: list[str],
    departments: list[int],
    employees: list[int],
    model: SemanticModel,
    gazetteer: Gazetteer,
) -> QueryPlan:
    table = model.metrics[metrics[0]].table
    group_by: list[str] = []
    # A word that is both the metric and a dimension (员工 in 杭州的员工有多少) is the metric.
    metric_spans = {(t.start, t.end) for t in u.kinds("metric") if metrics[0] in t.values}
    for tag in u.kinds("dimension"):
        if (tag.start, tag.end) in metric_spans:
            continue
        own = [v for v in tag.values if table in (model.dimensions[v].tables or ())]
        dim = (
            own[0]
            if own
            else next((v for v in tag.values if model.dimensions[v].tables is None), tag.value)
        )
        spec = model.dimensions[dim]
        if spec.tables is not None and table not in spec.tables:
            continue
        if (
            dim == "department"
            and departments
            and not u.has(("各", "每个", "分别", "each", "per", "by"))
        ):
            continue
        if (
            dim == "employee"
            and (
                employees
                or not _per_person(u, tag)
                or len(departments) > 1
                and not per_person_asked(u)
            )
            and not (_PER_ONE.search(u.text) and not _averaged(model, metrics[0]))
        ):
            continue  # (外勤天数 per person: each person's count; average pay per person: one)
        if dim not in group_by:
            group_by.append(dim)
    if len(departments) > 1 and "department" not in group_by and not per_person_asked(u):
        group_by.insert(0, "department")
    values = _values_for(u, model, table)
    for index in {v.split(":")[0] for v in values}:
        same = [v for v in values if v.split(":")[0] == index]
        column = model.values[int(index)].column
        grouping = next((n for n, d in model.dimensions.items() if d.expr == column and
                         (d.tables is None or table in d.tables)), None)  # fmt: skip
        if len(same) > 1 and grouping:  # 婚假和产假各多少: filter to those values, one row each
            if grouping not in group_by:
                group_by.append(grouping)
    default_group = model.metrics[metrics[0]].default_group
    if (
        default_group
        and not group_by
        and not any(
            model.values[int(v.split(":")[0])].column == model.dimensions[default_group].expr
            for v in values
        )
        and not employees
    ):
        group_by.append(default_group)
    compare, change = compared(u)
    if u.also is not None and compare is None:
        if group_by:  # 7月和8月各部门对比: one row per department, a column for each month
            compare, change = "named", "side_by_side"
        else:  # 9月和10月分别多少: one row per period
            grain = {"month": "month", "quarter": "quarter", "year": "year"}.get(u.also.grain)
            if grain:
                group_by.insert(0, grain)
    order, limit = ranking_of(u)
    if order and limit is None and which_group(u) in group_by:
        limit = 1  # 哪个产品线退款最多: the top group, not the whole ranking
    having = threshold_of(u)
    # 'who' words outside the tagged phrases (去年的员工流失率 names a metric, not people)
    who = any(found(w, u.rest) for w in (*lx.LIST_WORDS, *lx.WHO_WORDS)) and (
        u.has(lx.LIST_WORDS) or not u.has(lx.COUNT_WORDS)
    )
    if (order or having or who) and not group_by and not employees and len(departments) < 2:
        group_by = ["employee"] if model.facts[table].employee else ["department"]
    if group_by and order is None and u.has(lx.RANK_WORDS):
        order = "desc"
    first = model.metrics[metrics[0]]
    if (
        first.per_person
        and not group_by
        and not employees
        and (
            lx.ANYONE_ASKED.search(u.text)
            or (lx.PEOPLE_NAMED.search(u.text) and not u.has(lx.COUNT_WORDS))
        )
    ):
        group_by = ["employee"]  # 本月有人离职吗, 上个月入职的新人: whether anyone did, and who
    if first.format == "text" and not employees and "employee" not in group_by:
        group_by.insert(0, "employee")  # phone numbers of a team: each person's, not one of them
    if first.snapshot and first.format == "count" and "employee" in group_by and having is None:
        having = Comparison(
            op=">", value=0, stated=False
        )  # people listed at a date: those there that day
    current = any(
        v.split(":", 1)[1] in model.values[int(v.split(":", 1)[0])].current for v in values
    )  # 还有哪些请假没批: pending now, whenever asked for
    share_of: list[str] = []
    if u.has(lx.SHARE_WORDS) and values:
        # 空调占总销售额多少比例, the partner channel's share: the value's share of the whole,
        # not the value's figure (filtered to the value, its share would be 100 %)
        index = values[0].split(":")[0]
        column = model.values[int(index)].column
        grouping = next((n for n, d in model.dimensions.items() if d.expr == column
                         and (d.tables is None or table in d.tables)), None)  # fmt: skip
        if grouping and group_by in ([], [grouping]):
            share_of = [v for v in values if v.split(":")[0] == index]
            values = [v for v in values if v not in share_of]
            group_by = [grouping]
    share_of_departments: list[int] = []
    if (
        u.has(lx.SHARE_WORDS) and departments and not values and not employees
        and group_by in ([], ["department"])
        and all(gazetteer.subtree(d) == [d] for d in departments)
    ):  # fmt: skip
        # 合肥团购组业绩占全公司的百分比: the team's share of the whole, not of itself (100 %)
        share_of_departments, departments, group_by = sorted(departments), [], ["department"]
    period, versus = u.period, u.also
    latest = gazetteer.latest_month.get(table)
    if period is None and latest is not None and not current and not set(group_by) & _TIME_GROUPS:
        period = PeriodSlot.of(month_period(latest))  # 平均工资多少: the latest payroll month
    if change == "side_by_side" and period and versus and period.start < versus.start:
        period, versus = versus, period  # side by side, the later period is the one compared
    return QueryPlan(
        all_time=current and u.period is None,
        metrics=metrics,
        group_by=group_by,
        departments=sorted({d for root in departments for d in gazetteer.subtree(root)}),
        employees=employees,
        values=values,
        period=period,
        order=order if group_by else None,
        limit=limit if group_by else None,
        having=having if group_by else None,
        share=bool(group_by) and u.has(lx.SHARE_WORDS),
        share_of=share_of,
        share_of_departments=share_of_departments,
        managers=u.managers,
        also=u.also if compare is None else None,
        compare=compare,
        versus=versus if compare == "named" else None,
        change=change,
    )


def records_plan(
    u: Understanding,
    metrics: list[str],
    departments: list[int],
    employees: list[int],
    model: SemanticModel,
    gazetteer: Gazetteer,
) -> QueryPlan | None:
    """最大的5笔订单, the last 3 refunds: single rows of the metric's table, when the model
    can list them; None when the question does not ask for single rows."""
    found = next((m for p in lx.RECORDS if (m := p.search(u.text))), None)
    if found is None:
        return None
    metric = metrics[0] if metrics else model.default_metric
    if metric is None or model.metrics[metric].table not in model.records:
        return None
    groups = found.groupdict()
    sup = groups.get("sup") or "biggest"
    kind: Literal["largest", "smallest", "latest"] = (
        "smallest" if lx.RECORD_SMALL.fullmatch(sup)
        else "latest" if lx.RECORD_RECENT.fullmatch(sup)
        else "largest"
    )  # fmt: skip
    count = groups.get("n") or groups.get("n2")
    if count and count.isdigit():
        limit = int(count)
    elif count or u.has(lx.LIST_WORDS) or (groups.get("noun") or "").endswith("s"):
        limit = 5 if count else 10  # 几笔: a few; "which orders", "biggest orders": a list
    else:
        limit = 1
    table = model.metrics[metric].table
    return QueryPlan(
        metrics=[metric],
        departments=sorted({d for root in departments for d in gazetteer.subtree(root)}),
        employees=employees,
        values=_values_for(u, model, table),
        period=u.period,
        limit=limit,
        managers=u.managers,
        records=kind,
    )


_SIBLING = re.compile(
    r"\s*(?:和|、|及|与|或|以及|and|or|,|/)\s*([a-z]{1,12}|[\u4e00-\u9fff]{1,3}?)(?=[的和、及与或\s]|$)"
)


def _values_for(u: Understanding, model: SemanticModel, table: str) -> list[str]:
    """Value filters that apply to ``table``: of each tag's readings, the first whose column
    the table has; then siblings joined to it (C和D, 婚假和产假) of the same column."""
    chosen: list[str] = []
    for tag in u.kinds("value"):
        reading = next(
            (v for v in tag.values if table in model.values[int(v.split(":")[0])].tables), None
        )
        if reading is None:
            continue
        chosen.append(reading)
        index = reading.split(":")[0]
        raw = {value.lower(): value for value in model.values[int(index)].values}
        position = tag.end
        while (match := _SIBLING.match(u.text, position)) and match.group(1) in raw:
            chosen.append(f"{index}:{raw[match.group(1)]}")
            position = match.end()
    return list(dict.fromkeys(chosen))


_PER_PERSON = (
    "per rep",
    "by rep",
    "每个人",
    "每人",
    "每位",
    "各员工",
    "每个员工",
    "每个销售",
    "每名",
    "个人",
    "each person",
    "per employee",
    "each employee",
    "by employee",
    "individual",
    "everyone's",
)


#: "per person" after a figure that is not an average: each person's figure.
_PER_ONE = re.compile(r"\bper (?:person|rep|employee|salesperson|head)\b")


def _averaged(model: SemanticModel, metric: str) -> bool:
    expr = model.metrics[metric].expr.upper()
    return expr.startswith("AVG(") or "/" in expr or model.metrics[metric].ratio is not None


def per_person_asked(u: Understanding) -> bool:
    return u.has(_PER_PERSON)


def _per_person(u: Understanding, tag: Tag) -> bool:
    """'people' groups by employee only when asked per person, who, or ranked."""
    order, _ = ranking_of(u)
    return bool(order) or u.has(lx.WHO_WORDS) or u.has(_PER_PERSON) or threshold_of(u) is not None
