"""Accounting: a plan is answered only when it accounts for the whole question.

Every part of the question must be consumed by some part of the plan:

- the time expression by its period;
- each tagged phrase by the slot it fills: a metric the plan measures, a department or
  person it filters on, a value it filters by, a dimension it groups by, a dual-target
  concept the engine call carries (condition, focus, ordering);
- each grammar word (``assistant.operators``) by the shape it asks for: 各 a breakdown,
  最 a ranking, 多少人 a count, 一共 one total, 占比 a share, 没 a negated condition, 但
  two conditions, 环比 a change between periods, 人均 a per-head figure, 其中 the
  previous answer;
- words of no meaning (``lexicon.FILLER``) by nothing.

What is left is returned as :class:`Leftover` spans; a plan with any leftover is not the
question, and the planner asks back (or hands the question to the model) instead of
answering. The check looks only at the question and the plan, never at data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant import lexicon as lx
from assistant.gazetteer import Gazetteer, Tag
from assistant.operators import ASKING_PATTERN, OPERATOR_PATTERNS, WHICH
from assistant.plan import QueryPlan, ToolPlan
from schema.caller import Caller
from schema.semantic import SemanticModel

AnswerPlan = QueryPlan | ToolPlan

#: Engine focuses that answer with people's rows.
PEOPLE_FOCUS = frozenset(
    {"rows", "bonus", "gap", "attainment", "min_target", "rank", "leaderboard", "sales"}
)
NEGATIVE_CONDITIONS = frozenset(
    {"below_median", "not_above_median", "missed_minimum", "not_bonus_eligible"}
)
#: Dual-target words a what-if answers: the person's new sales against the minimum target
#: and the recomputed median, eligibility, bonus, rank, and how far they are from it.
WHAT_IF_CONCEPTS = frozenset(
    {"bonus", "bonus_eligible", "median", "above_median", "min_target", "met_minimum", "gap",
     "leaderboard"}
)  # fmt: skip


@dataclass(frozen=True)
class Leftover:
    """A part of the question the plan does not use, and which slot would have used it."""

    start: int
    end: int
    text: str
    #: ``word`` (nothing in the plan's vocabulary), or the tag kind / operator class unused
    why: str


@dataclass(frozen=True)
class Context:
    """What the predicates need besides the plan."""

    plan: AnswerPlan
    caller: Caller
    gazetteer: Gazetteer
    model: SemanticModel
    follow_up: bool


def account(
    text: str,
    period_spans: list[tuple[int, int]],
    tags: list[Tag],
    context: Context,
) -> list[Leftover]:
    """The parts of ``text`` (normalised) that ``context.plan`` leaves unused."""
    mask = list(text)
    left: list[Leftover] = []

    def blank(start: int, end: int) -> None:
        mask[start:end] = " " * (end - start)

    for i, (start, end) in enumerate(period_spans):
        if i > 0 and not _second_period_used(context):  # 7月和8月: a plan of July alone
            left.append(Leftover(start, end, text[start:end], "period"))
        blank(start, end)  # every plan is measured over a period
    for tag in tags:
        if _tag_used(tag, context):
            blank(tag.start, tag.end)
        elif not any(o is not tag and _inside(tag, o) for o in tags):
            left.append(Leftover(tag.start, tag.end, tag.text, tag.kind))
            blank(tag.start, tag.end)
    _blank_words(mask, ASKING_PATTERN, lambda _: True, left, "asking")
    # Phrases that may span a tagged word (最大的5笔订单, the last 4 refunds): matched on
    # the question itself.
    for pattern in [lx.HALF] + [p for p, _ in (*lx.COMPARISONS, *lx.SUFFIX_COMPARISONS)]:
        _blank_words(mask, pattern, lambda _: _thresholds(context), left, "comparison", text)
    for pattern in (lx.TOP_N, lx.BOTTOM_N):
        _blank_words(mask, pattern, lambda _: _ranks(context), left, "rank", text)
    if _what_if(context) and not _how_much_more(context):
        # 再卖5万, another 80k: the extra sales of the what-if (one amount; a second is not)
        amounts = iter((True,))
        for pattern in lx.EXTRA_SALES:
            _blank_words(mask, pattern, lambda _: next(amounts, False), left, "amount", text)
    for pattern in lx.RECORDS:
        _blank_words(mask, pattern, lambda _: _records(context), left, "records", text)
    for match in WHICH.finditer("".join(mask)):
        if _group_asked(match, tags) and not _group_answer(context):
            left.append(Leftover(match.start(), match.end(), match.group(0), "which"))
        blank(match.start(), match.end())  # which: the groups or people it asks for are tags
    for name, pattern in OPERATOR_PATTERNS.items():
        _blank_words(mask, pattern, _always(_OPERATORS[name](context)), left, name)
    _blank_words(mask, lx.FILLER_PATTERN, lambda _: True, left, "filler")
    _blank_words(mask, NUMBER, lambda m: _number_used(m, context), left, "number")
    rest = "".join(mask)
    chosen = _chosen_values(context)
    for match in re.finditer(r"[\u4e00-\u9fff]+|[a-z][a-z'-]*", rest):
        if match.group(0) not in chosen:  # C和D: the sibling values the plan filters by
            left.append(Leftover(match.start(), match.end(), match.group(0), "word"))
    return sorted(left, key=lambda item: item.start)


def _chosen_values(c: Context) -> set[str]:
    if not isinstance(c.plan, QueryPlan):
        return set()
    return {v.split(":", 1)[1].lower() for v in c.plan.values}


NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _number_used(match: re.Match[str], c: Context) -> bool:
    """A number the plan uses: a limit, a threshold, or how many departments it covers."""
    plan = c.plan
    if plan.limit is not None or _stated(plan):
        return True
    if isinstance(plan, ToolPlan) and plan.spend is not None:
        return True
    roots = _departments_roots(plan)
    gz = c.gazetteer
    teams = {d for r in roots for d in gz.subtree(r) if gz.department_kind.get(d) == "sales"}
    return match.group(0) in {str(len(roots)), str(len(teams)), str(len(plan.employees))}


def _stated(plan: QueryPlan | ToolPlan) -> bool:
    """A threshold the question states (超过10万), not one the plan adds by itself."""
    return plan.having is not None and plan.having.stated


def _always(value: bool) -> Callable[[re.Match[str]], bool]:
    """A predicate of a match that is the same for every match."""
    return lambda _: value


def _group_asked(match: re.Match[str], tags: list[Tag]) -> bool:
    """哪个部门, which team: a 'which' word right before a grouping dimension (not people)."""
    after = next((t for t in tags if t.start >= match.end()), None)
    return (
        after is not None
        and after.start - match.end() <= 2
        and after.kind == "dimension"
        and after.value != "employee"
    )


def _group_answer(c: Context) -> bool:
    plan = c.plan
    if isinstance(plan, QueryPlan):
        return bool(plan.group_by) and (plan.order is None or plan.limit is not None)
    return plan.grouped and plan.focus in ("count", "total_bonus", "median", "share", "per_head")


def _inside(tag: Tag, other: Tag) -> bool:
    return (
        other.start <= tag.start
        and tag.end <= other.end
        and (other.start, other.end)
        != (
            tag.start,
            tag.end,
        )
    )


def _blank_words(
    mask: list[str],
    pattern: re.Pattern[str],
    used: Callable[[re.Match[str]], bool],
    left: list[Leftover],
    why: str,
    source: str | None = None,
) -> None:
    """Blank the matches of ``pattern`` (in ``source``, default what is left of the mask);
    a match the plan does not use is a leftover."""
    for match in pattern.finditer(source if source is not None else "".join(mask)):
        start, end = match.span()
        if start == end or not "".join(mask[start:end]).strip():
            continue
        if not used(match):
            left.append(Leftover(start, end, match.group(0), why))
        mask[start:end] = " " * (end - start)


# --- tags --------------------------------------------------------------------------------


def _tag_used(tag: Tag, c: Context) -> bool:
    check = _TAG_CHECKS.get(tag.kind)
    return True if check is None else check(tag, c)


def _metric_used(tag: Tag, c: Context) -> bool:
    plan, model = c.plan, c.model
    people = model.people_metric in tag.values  # 几个人, 员工, people: who is counted or listed
    if isinstance(plan, ToolPlan):
        if people:
            return (
                plan.focus in PEOPLE_FOCUS or plan.focus in ("count", "share") or bool(plan.asked)
            )
        return model.default_metric in tag.values  # the engine measures sales
    if set(tag.values) & set(plan.metrics) or tag.text in lx.GENERIC_METRIC_WORDS:
        return True  # a generic word (天数, 次数, days) names the unit of what is measured
    if set(tag.values) & model.ratio_parts(plan.metrics):
        return True  # 投放ROI（业绩÷市场投入）: the parts of a ratio measured
    if people and ("employee" in plan.group_by or plan.employees or plan.managers):
        return True
    tables = {model.metrics[m].table for m in plan.metrics}
    return any(model.metrics[v].table in tables for v in tag.values if v in model.metrics)


def _divides(c: Context) -> bool:
    return isinstance(c.plan, QueryPlan) and bool(c.model.ratio_parts(c.plan.metrics))


def _bundle_used(tag: Tag, c: Context) -> bool:
    if not isinstance(c.plan, QueryPlan):
        return False
    return bool(set(c.model.bundles[tag.value].metrics) & set(c.plan.metrics))


def _departments_of(plan: AnswerPlan, gz: Gazetteer) -> set[int]:
    if isinstance(plan, QueryPlan):
        return set(plan.departments) | set(plan.share_of_departments)
    roots = ([plan.department] if plan.department is not None else []) + plan.departments
    return {d for root in roots for d in gz.subtree(root)}


def _employees_of(plan: AnswerPlan) -> set[int]:
    found = set(plan.employees)
    if isinstance(plan, QueryPlan):
        found |= set(plan.managers)
    return found


def _department_used(tag: Tag, c: Context) -> bool:
    ids = {int(v) for v in tag.values}
    if ids & _departments_of(c.plan, c.gazetteer):
        return True
    # 张伟（华东销售一部）: a department named as a named person's home tells them apart
    homes = {c.gazetteer.employees[e].department_id for e in _employees_of(c.plan)}
    return bool(ids & homes)


def _employee_used(tag: Tag, c: Context) -> bool:
    ids = {int(v) for v in tag.values}
    if ids & _employees_of(c.plan):
        return True
    # the head of a team named (李颖团队): the team is the filter
    return isinstance(c.plan, ToolPlan) and any(
        c.gazetteer.employees[i].department_id in _departments_of(c.plan, c.gazetteer) for i in ids
    )


def _value_used(tag: Tag, c: Context) -> bool:
    if isinstance(c.plan, QueryPlan):
        if set(tag.values) & set(c.plan.values + c.plan.share_of):
            return True
    elif any(c.model.values[int(v.split(":", 1)[0])].column == "d.kind" for v in tag.values):
        return True  # 各销售部门: the engine's rosters are the sales departments
    # a city standing for the departments there (天津那边)
    cities = {v.split(":", 1)[1] for v in tag.values}
    gz = c.gazetteer
    return any(gz.department_city.get(d) in cities for d in _departments_of(c.plan, gz))


def _dimension_used(tag: Tag, c: Context) -> bool:
    plan = c.plan
    names = set(tag.values)
    who = bool(WHO.fullmatch(tag.text))
    if isinstance(plan, QueryPlan):
        if names & set(plan.group_by):
            return True
        if who:  # 谁 / 哪些人: people listed, or which group ranks first (谁业绩高)
            return bool(
                plan.records
                or plan.employees
                or (plan.group_by and plan.order)
                or len(plan.departments) > 1
            )
        if "employee" in names:  # 员工, 销售, people: the population measured
            return c.model.facts[c.model.metrics[plan.metrics[0]].table].employee is not None
        if names & {"department", "region"}:
            return bool(plan.departments)
        return False
    if "employee" in names:
        if not who:
            return True
        return plan.focus in PEOPLE_FOCUS or plan.focus in ("count", "share") or bool(plan.asked)
    if names & {"department", "region"}:
        return True  # the engine works per department
    return bool(names & {"month"}) and bool(plan.months)


#: Words asking who (a list of people), not naming the population.
WHO = re.compile(r"谁|哪些人|哪个人|哪位|哪几位|哪几个人|哪几个|who|whom")


def _self_used(tag: Tag, c: Context) -> bool:
    caller, plan = c.caller, c.plan
    if caller.employee_id is None:
        return tag.value != "me"  # 我们 from the operator: the company itself
    if tag.value == "me":
        if isinstance(plan, ToolPlan) and caller.department_id is not None:
            # 我手下谁达标了: the team the asker heads, the engine's unit
            heads = caller.department_id in _departments_of(plan, c.gazetteer)
            return heads or caller.employee_id in _employees_of(plan)
        return caller.employee_id in _employees_of(plan) or (
            isinstance(plan, QueryPlan) and caller.employee_id in plan.managers
        )
    departments = _departments_of(plan, c.gazetteer)
    return (
        (caller.department_id is not None and caller.department_id in departments)
        or caller.employee_id in _employees_of(plan)
        or bool(set(caller.department_ids) & departments)
    )


def _concept_used(tag: Tag, c: Context) -> bool:
    plan = c.plan
    concept = tag.value
    if isinstance(plan, QueryPlan):
        if concept == "leaderboard":  # 本季度各组销售额排名: sales ranked
            return plan.order is not None and plan.metrics == [c.model.default_metric]
        return concept == "bonus" and "payroll_bonus" in plan.metrics
    if plan.tool == "what_if":  # the answer gives all of these for the person
        return concept in WHAT_IF_CONCEPTS
    if concept == "forecast":
        return plan.tool == "forecast"
    if concept == "suggest_targets":
        return plan.tool == "suggest_targets"
    if plan.tool != "performance":
        return concept in ("min_target", "median")
    conditions = set(plan.conditions)
    checks: dict[str, Callable[[], bool]] = {
        "median": lambda: True,
        "above_median": lambda: bool(conditions & {"above_median", "below_median", "not_above_median"})
        or plan.focus in ("gap", "leaderboard", "rank", "rows") and not conditions,
        "below_median": lambda: bool(conditions & {"below_median", "not_above_median", "above_median"})
        or plan.focus in ("gap", "leaderboard", "rank", "rows") and not conditions,
        "met_minimum": lambda: bool(conditions & {"met_minimum", "missed_minimum"})
        or plan.focus == "attainment",
        "missed_minimum": lambda: bool(conditions & {"met_minimum", "missed_minimum"})
        or plan.focus == "attainment",
        "bonus_eligible": lambda: bool(conditions & {"bonus_eligible", "not_bonus_eligible"})
        or plan.focus in ("bonus", "total_bonus"),
        "bonus": lambda: plan.focus in ("bonus", "total_bonus", "rows")
        or plan.sort_by == "bonus"
        or bool(conditions & {"bonus_eligible", "not_bonus_eligible"}),
        "gap": lambda: plan.focus in ("gap", "rows", "leaderboard") or plan.sort_by == "gap_to_median",
        "target_gap": lambda: plan.focus == "target_gap",
        "attainment": lambda: plan.focus in ("attainment", "rows")
        or plan.sort_by == "attainment"
        or _stated(plan),
        "leaderboard": lambda: plan.focus in ("leaderboard", "rank", "rows") or plan.order is not None,
        "min_target": lambda: plan.focus in ("min_target", "attainment", "rows")
        or bool(conditions & {"met_minimum", "missed_minimum", "bonus_eligible", "not_bonus_eligible"}),
    }  # fmt: skip
    check = checks.get(concept)
    return True if check is None else check()


def _second_period_used(c: Context) -> bool:
    """Whether the plan measures the second period the question names, not the first alone."""
    plan = c.plan
    if isinstance(plan, ToolPlan):
        return len(plan.months) > 1
    return bool(
        plan.also
        or plan.versus
        or plan.compare
        or set(plan.group_by) & {"month", "quarter", "year"}
    )


def _head_used(tag: Tag, c: Context) -> bool:
    return isinstance(c.plan, QueryPlan) and c.plan.heads


_TAG_CHECKS: dict[str, Callable[[Tag, Context], bool]] = {
    "head": _head_used,
    "metric": _metric_used,
    "bundle": _bundle_used,
    "department": _department_used,
    "employee": _employee_used,
    "value": _value_used,
    "dimension": _dimension_used,
    "self": _self_used,
    "concept": _concept_used,
}


# --- grammar words -----------------------------------------------------------------------


def _lists_people(c: Context) -> bool:
    plan = c.plan
    if isinstance(plan, QueryPlan):
        return "employee" in plan.group_by or plan.records is not None
    return plan.focus in PEOPLE_FOCUS


def _breakdown(c: Context) -> bool:
    plan = c.plan
    if isinstance(plan, QueryPlan):
        return bool(plan.group_by or plan.records or plan.also or len(plan.metrics) > 1)
    return (
        plan.grouped
        or bool(plan.departments or plan.months)
        or plan.focus in PEOPLE_FOCUS
        or (plan.focus == "median" and plan.department is None)
        or plan.tool != "performance"
    )


def _ranks(c: Context) -> bool:
    plan = c.plan
    if isinstance(plan, QueryPlan):
        return plan.order is not None or plan.records is not None
    return plan.order is not None or plan.focus in ("rank", "leaderboard") or _what_if(c)


def _what_if(c: Context) -> bool:
    """如果我再卖5万, 还差多少: a what-if (the person's month recomputed)."""
    return isinstance(c.plan, ToolPlan) and c.plan.tool == "what_if"


def _how_much_more(c: Context) -> bool:
    """还差多少, how much more do I need: a what-if asking for the least extra sales."""
    return isinstance(c.plan, ToolPlan) and c.plan.tool == "what_if" and c.plan.extra is None


def _counts(c: Context) -> bool:
    plan = c.plan
    if isinstance(plan, QueryPlan):
        # a figure: how many orders, days, minutes; never an amount of money (花了多少钱，
        # 带来几个客户: the second figure asked is not the one measured)
        return not all(c.model.metrics[m].format == "money" for m in plan.metrics)
    return plan.focus in ("count", "share")


def _totals(c: Context) -> bool:
    plan = c.plan
    if isinstance(plan, QueryPlan):
        return plan.records is None
    return plan.focus in ("total_bonus", "count", "share", "median", "per_head")


def _shares(c: Context) -> bool:
    plan = c.plan
    if isinstance(plan, QueryPlan):
        return (
            plan.share
            or bool(plan.share_of or plan.share_of_departments)
            or plan.change == "growth"  # 涨了百分之多少: the growth is a percentage
            or any(c.model.metrics[m].format == "percent" for m in plan.metrics)
        )
    return plan.focus in ("share", "attainment") or _stated(plan)


def _negates(c: Context) -> bool:
    plan = c.plan
    if isinstance(plan, QueryPlan):
        return bool(plan.values or plan.having)
    return bool(set(plan.conditions) & NEGATIVE_CONDITIONS) or plan.asked == "everyone"


def _both(c: Context) -> bool:
    plan = c.plan
    if isinstance(plan, QueryPlan):
        return (
            len(plan.metrics) > 1
            or len(plan.values) > 1
            or plan.also is not None
            or bool(plan.compare)
        )
    teams = [
        d
        for r in _departments_roots(plan)
        for d in c.gazetteer.subtree(r)
        if c.gazetteer.department_kind.get(d) == "sales"
    ]
    return (
        len(plan.conditions) > 1
        or plan.focus in ("rows", "bonus")
        or bool(plan.employees)
        or len(teams) > 1
    )


def _everyone(c: Context) -> bool:
    return isinstance(c.plan, ToolPlan) and (c.plan.asked is not None or bool(c.plan.employees))


def _thresholds(c: Context) -> bool:
    """超过3次, 不到80%: a threshold the plan applies."""
    return _stated(c.plan)


def _records(c: Context) -> bool:
    return isinstance(c.plan, QueryPlan) and c.plan.records is not None


def _departments_roots(plan: AnswerPlan) -> list[int]:
    if isinstance(plan, QueryPlan):
        return plan.departments
    return ([plan.department] if plan.department is not None else []) + plan.departments


def _per_head(c: Context) -> bool:
    """人均, average: a metric that is an average (per person or per row)."""
    plan = c.plan
    if isinstance(plan, ToolPlan):
        return plan.focus in ("median", "per_head")  # 中间水平: the median; 人均: per head
    return any(
        c.model.metrics[m].expr.upper().startswith("AVG(") or "/" in c.model.metrics[m].expr
        for m in plan.metrics
    )


def _compare(c: Context) -> bool:
    plan = c.plan
    if isinstance(plan, QueryPlan):
        return (
            plan.also is not None
            or plan.compare is not None
            or bool(plan.group_by)
            or len(plan.departments) > 1
        )
    return len(plan.departments) > 1 or plan.grouped or len(plan.employees) > 1


def _relative(c: Context) -> bool:
    """超过 / below: a condition against the median or a target, or a threshold."""
    plan = c.plan
    if isinstance(plan, QueryPlan):
        return _stated(plan)
    return bool(plan.conditions) or _stated(plan) or plan.focus in ("gap", "attainment")


def _distance(c: Context) -> bool:
    plan = c.plan
    if isinstance(plan, QueryPlan):
        return plan.also is not None or _stated(plan) or plan.compare is not None
    return (
        plan.focus in ("gap", "rows", "leaderboard")
        or plan.sort_by == "gap_to_median"
        or _how_much_more(c)  # 还差多少: how much more is needed
    )


_OPERATORS: dict[str, Callable[[Context], bool]] = {
    "breakdown": _breakdown,
    "rank": _ranks,
    "count": _counts,
    "total": _totals,
    "share": _shares,
    "negation": _negates,
    "both": _both,
    "everyone": _everyone,
    # how much more: a change between periods, or the extra a what-if needs
    "change": lambda c: (
        (isinstance(c.plan, QueryPlan) and c.plan.compare is not None) or _how_much_more(c)
    ),
    "what_if": _what_if,
    "compare": _compare,
    "above": lambda c: _relative(c),
    "below": lambda c: _relative(c),
    "distance": _distance,
    "per_head": _per_head,
    "divide": _divides,
    "reference": lambda c: c.follow_up,
    # 他们的业绩: people this very question lists
    "pronoun": lambda c: c.follow_up or _lists_people(c),
}
