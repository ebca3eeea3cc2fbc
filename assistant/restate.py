"""Restate a plan as one line in the question's language: what hrq understood.

Built from the plan alone ("我的理解：2026年10月 · 华东销售一部 · 超过中位数的人 · 名单"),
so a misreading shows at a glance on every surface. Names come from the gazetteer,
metric and dimension labels from the semantic model.
"""

from __future__ import annotations

from datetime import date

from assistant.gazetteer import Gazetteer
from assistant.plan import Clarify, DisputePlan, Plan, QueryPlan, Refuse, ToolPlan
from schema.semantic import SemanticModel
from tools.money import fmt_money
from tools.period import month_label

PREFIX = {"zh": "我的理解：", "en": "I understood: "}
SEPARATOR = " · "

_CONDITIONS = {
    "above_median": ("超过部门中位数", "above their department's median"),
    "below_median": ("低于部门中位数", "below their department's median"),
    "not_above_median": ("未超过部门中位数", "not above their department's median"),
    "met_minimum": ("达到最低目标", "met their minimum target"),
    "missed_minimum": ("未达到最低目标", "missed their minimum target"),
    "bonus_eligible": ("获得业绩奖金", "eligible for the bonus"),
    "not_bonus_eligible": ("未获得业绩奖金", "not eligible for the bonus"),
}
_FOCUS = {
    "rows": ("每人的业绩、中位数、差距和奖金", "each person's sales, median, gap and bonus"),
    "median": ("部门业绩中位数", "department median"),
    "bonus": ("奖金", "bonus"),
    "total_bonus": ("奖金总额", "total bonus"),
    "gap": ("与中位数的差距", "gap to the median"),
    "target_gap": ("距最低目标还差多少", "shortfall to the minimum target"),
    "attainment": ("目标完成率", "target attainment"),
    "min_target": ("最低目标", "minimum target"),
    "sales": ("业绩", "sales"),
    "count": ("人数", "number of people"),
    "leaderboard": ("业绩排行榜", "leaderboard"),
    "rank": ("业绩排名", "rank by sales"),
    "share": ("人数占比", "share of the roster"),
    "per_head": ("人均业绩（部门业绩 ÷ 在册人数）", "sales per roster member"),
}
_SORT = {
    "sales": ("业绩", "sales"),
    "bonus": ("奖金", "bonus"),
    "attainment": ("完成率", "attainment"),
    "gap_to_median": ("差距", "gap"),
}


def restate(plan: Plan, model: SemanticModel, gazetteer: Gazetteer, language: str) -> str | None:
    """The one-line reading of ``plan``; None for refusals (they read nothing)."""
    if isinstance(plan, Refuse):
        return None
    if isinstance(plan, Clarify):
        return None if plan.reading is None else restate(plan.reading, model, gazetteer, language)
    zh = language == "zh"
    if isinstance(plan, DisputePlan):
        return PREFIX["zh" if zh else "en"] + SEPARATOR.join(_dispute_parts(plan, gazetteer, zh))
    parts = (
        _query_parts(plan, model, gazetteer, zh)
        if isinstance(plan, QueryPlan)
        else _tool_parts(plan, gazetteer, zh)
    )
    return PREFIX["zh" if zh else "en"] + SEPARATOR.join(p for p in parts if p)


def _dispute_parts(plan: DisputePlan, gz: Gazetteer, zh: bool) -> list[str]:
    month = (
        ("最近结账的月份" if zh else "the latest closed month")
        if plan.month is None
        else _month_words(plan.month, zh)
    )
    parts = [month, *_names(gz, [], [plan.employee], zh)]
    parts.append("对奖金提出异议" if zh else "a dispute of the bonus")
    if plan.reason:
        parts.append(f"理由：{plan.reason}" if zh else f"reason: {plan.reason}")
    return parts


def _month_words(month: date, zh: bool) -> str:
    return f"{month.year}年{month.month}月" if zh else month.strftime("%b %Y")


def _names(gz: Gazetteer, departments: list[int], employees: list[int], zh: bool) -> list[str]:
    roots = [d for d in departments if gz.department_parent.get(d) not in departments]
    names = [
        gz.departments[d].name if zh else gz.departments[d].name_en or gz.departments[d].name
        for d in roots
        if d in gz.departments
    ]
    for e in (gz.employees[i] for i in employees if i in gz.employees):
        name = e.name if zh else e.name_en or e.name
        names.append(
            f"{name}（{e.extra}）" if zh and e.extra else f"{name} ({e.extra})" if e.extra else name
        )
    return names


def _scope(names: list[str], zh: bool) -> str:
    if not names:
        return "全公司" if zh else "whole company"
    return ("、" if zh else ", ").join(names)


def _query_parts(plan: QueryPlan, model: SemanticModel, gz: Gazetteer, zh: bool) -> list[str]:
    period = None if plan.period is None else plan.period.label_zh if zh else plan.period.label_en
    if period and plan.also is not None:
        also = plan.also.label_zh if zh else plan.also.label_en
        period = f"{period}和{also}" if zh else f"{period} and {also}"
    if plan.all_time and period is None:
        period = "当前" if zh else "now"
    scope = _scope(_names(gz, plan.departments, plan.employees, zh), zh)
    if plan.managers:
        heads = _names(gz, [], plan.managers, zh)
        scope = f"{'、'.join(heads)}的直属下属" if zh else f"direct reports of {', '.join(heads)}"
    if plan.heads and model.department_head is not None:
        word = model.department_head.zh if zh else model.department_head.en
        scope = f"{scope}的{word}" if zh else f"{word} of {scope}"
    grouping = [model.dimensions[g].zh if zh else model.dimensions[g].en for g in plan.group_by]
    if plan.share_of_departments:  # 合肥团购组占全公司: the team, and the whole it is part of
        named = ("、" if zh else ", ").join(_names(gz, plan.share_of_departments, [], zh))
        scope, grouping = (f"{named}占全公司" if zh else f"{named} of the whole company"), []
    by = (
        ("按" + "、".join(grouping))
        if zh and grouping
        else ("by " + ", ".join(grouping))
        if grouping
        else ""
    )
    metrics = ("、" if zh else ", ").join(
        model.metrics[m].zh if zh else model.metrics[m].en for m in plan.metrics
    )
    values = [_value_label(model, v, zh) for v in plan.values]
    if values:
        metrics += f"（{'、'.join(values)}）" if zh else f" ({', '.join(values)})"
    shape = ""
    if plan.records:
        kind = {"largest": ("最大的", "largest"), "smallest": ("最小的", "smallest"),
                "latest": ("最近的", "latest")}[plan.records]  # fmt: skip
        shape = (
            f"{kind[0]}{plan.limit or 10}条记录"
            if zh
            else f"the {kind[1]} {plan.limit or 10} records"
        )
    elif plan.order:
        high = plan.order == "desc"
        shape = (
            ("从高到低" if high else "从低到高")
            if zh
            else ("highest first" if high else "lowest first")
        )
        if plan.limit:
            shape += f"，前{plan.limit}" if zh else f", top {plan.limit}"
    if plan.having is not None:
        shape += (
            "，" if shape and zh else ", " if shape else ""
        ) + f"{plan.having.op} {plan.having.value:g}"
    if plan.share:
        shape += ("，" if shape and zh else ", " if shape else "") + (
            "占比" if zh else "share of total"
        )
    if plan.compare:
        shape += ("，" if shape and zh else ", " if shape else "") + _comparison(plan, zh)
    return [period or "", scope, by, metrics, shape]


def _comparison(plan: QueryPlan, zh: bool) -> str:
    """环比（与上一期相比）的增长率 / compared with a year earlier, growth."""
    named_zh = plan.versus.label_zh if plan.versus else ""
    named_en = plan.versus.label_en if plan.versus else ""
    versus = {
        "previous": ("环比（与上一期相比）", "compared with the period before"),
        "year_ago": ("同比（与去年同期相比）", "compared with a year earlier"),
        "named": (f"对比{named_zh}", f"compared with {named_en}"),
    }[plan.compare or "previous"]
    asked = {"growth": ("增长率", "growth"), "difference": ("差额", "difference"),
             "side_by_side": ("并列", "side by side")}[plan.change or "side_by_side"]  # fmt: skip
    return f"{versus[0]}的{asked[0]}" if zh else f"{versus[1]}, {asked[1]}"


def _value_label(model: SemanticModel, reading: str, zh: bool) -> str:
    index, value = reading.split(":", 1)
    synonyms = model.values[int(index)].values.get(value, [])
    for word in synonyms:
        if word.isascii() != zh:
            return word
    return value


def _tool_parts(plan: ToolPlan, gz: Gazetteer, zh: bool) -> list[str]:
    if plan.months and plan.period is not None and plan.period.grain != "month":
        period = plan.period.label_zh if zh else plan.period.label_en  # 二季度: as asked
    elif len(plan.months) == 2:  # 7月和8月
        first, second = (
            f"{m.year}年{m.month}月" if zh else m.strftime("%b %Y") for m in plan.months
        )
        period = f"{first}和{second}" if zh else f"{first} and {second}"
    elif plan.months:
        months = [month_label(m) for m in plan.months]
        period = f"{months[0]} 至 {months[-1]}" if zh else f"{months[0]} to {months[-1]}"
    else:
        period = _month(plan, zh)
    departments = ([plan.department] if plan.department is not None else []) + plan.departments
    scope = _scope(_names(gz, departments, plan.employees, zh), zh)
    if plan.per_month:
        scope += " · 按月份" if zh else " · by month"
    elif (plan.grouped or plan.focus == "median") and not plan.employees:
        scope = ("各销售部门" if zh else "each sales department") if not departments else scope
    if plan.tool == "forecast":
        return [period, scope, "月底业绩预测" if zh else "month-end forecast"]
    if plan.tool == "suggest_targets":
        return [period, scope, "建议最低目标" if zh else "suggested minimum targets"]
    if plan.tool == "what_if":
        return [period, scope, _what_if(plan, zh)]
    conditions = [_CONDITIONS[c][0 if zh else 1] for c in plan.conditions]
    who = ""
    if conditions:
        who = ("且".join(conditions) + "的人") if zh else "people " + " and ".join(conditions)
    if plan.asked == "everyone":
        who = ("是否每个人都" if zh else "whether everyone ") + who.replace("的人", "").replace(
            "people ", ""
        )
    elif plan.asked == "anyone":
        who = ("是否有" if zh else "whether anyone is ") + who.replace("people ", "")
    focus = _FOCUS[plan.focus][0 if zh else 1]
    if plan.focus == "rows" and conditions:
        focus = "名单" if zh else "listed"
    shape = ""
    if plan.order:
        sort = _SORT[plan.sort_by][0 if zh else 1]
        high = plan.order == "desc"
        shape = (
            (f"按{sort}{'从高到低' if high else '从低到高'}")
            if zh
            else f"by {sort}, {'highest' if high else 'lowest'} first"
        )
        if plan.limit:
            shape += f"，前{plan.limit}" if zh else f", top {plan.limit}"
    if plan.having is not None:
        shape += ("，" if shape and zh else ", " if shape else "") + (
            f"完成率 {plan.having.op} {plan.having.value:g}"
            if zh
            else f"attainment {plan.having.op} {plan.having.value:g}"
        )
    return [period, scope, who, focus, shape]


def _month(plan: ToolPlan, zh: bool) -> str:
    if plan.period is not None:
        return plan.period.label_zh if zh else plan.period.label_en
    return f"{plan.month.year}年{plan.month.month}月" if zh else plan.month.strftime("%b %Y")


def _what_if(plan: ToolPlan, zh: bool) -> str:
    """假如再卖 ¥50,000.00：… / 还需再卖多少才能拿到奖金: the what-if as read."""
    if plan.extra is None:
        return (
            "还需再卖多少才能拿到奖金（达到最低目标且超过按新业绩重新计算的部门中位数）"
            if zh
            else "how much more to sell to be bonus eligible (minimum target met and above "
            "the department median recomputed with the new sales)"
        )
    asked = _WHAT_IF_ASKED.get(plan.focus, _WHAT_IF_ASKED_ALL)[0 if zh else 1]
    extra = fmt_money(plan.extra)
    return (
        f"假如再卖 ¥{extra}：重新计算部门中位数、{asked}"
        if zh
        else (f"if sales were ¥{extra} higher: department median recomputed, {asked}")
    )


_WHAT_IF_ASKED = {
    "bonus": ("能拿的奖金（及是否达标、排名）", "the bonus (and eligibility, rank)"),
    "rank": ("排名（及是否达标、奖金）", "the rank (and eligibility, bonus)"),
}
_WHAT_IF_ASKED_ALL = ("是否达标、奖金和排名", "eligibility, bonus and rank")
