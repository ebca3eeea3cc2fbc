"""Filling a :class:`ToolPlan` (the performance engine): month(s), teams, conditions, what
the answer focuses on (a count, a total, a median, rows) and how it is ranked."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from assistant import lexicon as lx
from assistant.accounting import NEGATIVE_CONDITIONS
from assistant.gazetteer import Gazetteer, Tag
from assistant.plan import (
    OPPOSITE_CONDITION,
    Choice,
    Clarify,
    Condition,
    Focus,
    Plan,
    ToolPlan,
)
from assistant.query_slots import per_person_asked
from assistant.reading import (
    Understanding,
    ranking_of,
    threshold_of,
    which_group,
)
from assistant.timeparse import month_period
from tools.period import next_month

TOOL_CONCEPTS = {"per_head", "median", "above_median", "below_median", "not_above_median", "met_minimum", "missed_minimum",
                  "bonus_eligible", "bonus", "gap", "target_gap", "attainment", "leaderboard", "min_target",
                  "forecast", "suggest_targets"}  # fmt: skip
_CONDITIONS = {"above_median", "below_median", "not_above_median", "met_minimum", "missed_minimum",
               "bonus_eligible"}  # fmt: skip
_MEDIAN_SIDES = {"above_median", "below_median", "not_above_median"}
_NEGATED_ELIGIBLE = re.compile(
    r"(没|没有|未|不能|不会|拿不到|没能|not|n't|no)\s*(拿到|获得|有|能拿|拿|eligible|get|got|qualify|earn)?\s*(奖金|业绩奖励|bonus)"
    r"|\b(?:missed|misses|miss|missing)\s+(?:out\s+on\s+)?(?:the\s+|a\s+)?bonus"
)


def tool_plan(
    u: Understanding,
    concepts: set[str],
    departments: list[int],
    employees: list[int],
    as_of: date,
    gz: Gazetteer,
) -> Plan:
    period = u.period.period() if u.period else month_period(as_of.replace(day=1))
    if "suggest_targets" in concepts:
        return ToolPlan(tool="suggest_targets", month=period.start, department=departments[0] if departments else None,
                        spend=_first_number(u), period=u.period)  # fmt: skip
    if "forecast" in concepts and not (concepts & _CONDITIONS - {"met_minimum", "missed_minimum"}):
        return ToolPlan(tool="forecast", month=as_of.replace(day=1), department=departments[0] if departments else None,
                        employees=employees)  # fmt: skip
    if u.regions_named and not departments[1:] and not u.has(lx.GROUP_WORDS):
        region = u.regions_named[0]
        teams = [
            gz.departments[d].name
            for d in gz.subtree(region)
            if gz.department_kind.get(d) == "sales"
        ]
        if len(teams) > 1:
            spoken = next((t.text for t in u.kinds("department") if str(region) in t.values), "")
            return Clarify(
                message_zh=f"{gz.departments[region].name}下有{len(teams)}个销售部门，中位数按部门计算，请问是哪一个？",
                message_en=f"{gz.departments[region].name_en or gz.departments[region].name} has {len(teams)} sales "
                           "departments, each with its own median; which one?",
                options=teams,
                choices=[Choice(label=t, question=u.text.replace(spoken, t, 1) if spoken else f"{t} {u.text}")
                         for t in teams],
            )  # fmt: skip
    if not departments:  # 天津那边的中位数: the sales teams of a city named in the question
        cities = {v.split(":", 1)[1] for t in u.kinds("value") for v in t.values if _is_city(v, gz)}
        departments = [d for d, city in gz.department_city.items()
                       if city in cities and gz.department_kind.get(d) == "sales"]  # fmt: skip
        if len(departments) > 1 and lx.ONE_GROUP.search(u.text):
            return _which_team(u, [gz.departments[d].name for d in departments])
    if u.managers and not departments:
        departments = [d for m in u.managers if (d := gz.employees[m].department_id) is not None]
    months: list[date] = []
    if period.grain != "month" and u.period is not None:
        months = _months_in(period.start, period.end)
    elif u.also is not None and u.also.grain == "month":  # 7月和8月的中位数: both months
        months = sorted({period.start, u.also.start})
    # 二季度各组奖金一共多少: a bonus total adds up the months' bonuses; anything else monthly
    bonus_sum = "bonus" in concepts and (u.has(lx.TOTAL_WORDS) or bool(employees))
    if months and (len(months) > 12 or not (concepts & {"median"} or bonus_sum)):
        a, b = u.period_span or (0, 0)
        return Clarify(
            message_zh="中位数、达标和奖金按自然月计算，请指定一个月份（例如“上个月”）。",
            message_en="Medians, targets and bonuses are monthly; please name one month (e.g. 'last month').",
            options=["本月", "上个月"],
            choices=[
                Choice(label=m, question=u.text[:a] + m + u.text[b:]) for m in ("本月", "上个月")
            ],
        )
    conditions: list[Condition] = [
        c
        for c in (
            "above_median",
            "below_median",
            "not_above_median",
            "met_minimum",
            "missed_minimum",
            "bonus_eligible",
        )  # fmt: skip
        if c in concepts
    ]
    if "bonus_eligible" in conditions and _NEGATED_ELIGIBLE.search(u.text):
        conditions = [c for c in conditions if c != "bonus_eligible"]
        conditions.append("not_bonus_eligible")
    elif "bonus" in concepts and _NEGATED_ELIGIBLE.search(u.text):
        conditions.append("not_bonus_eligible")
    elif (
        "bonus" in concepts and not conditions and not employees and _counts_first(u)
        and u.has(_PEOPLE_WORDS)
    ):  # fmt: skip
        conditions.append("bonus_eligible")  # how many people ... the bonus: those who get one
    both_ways = [c for c in conditions if OPPOSITE_CONDITION.get(c) in conditions]
    if both_ways and lx.EVERYONE_ASKED.search(u.text):
        # 是不是都达标了？没达标的是谁: one question, the exceptions listed
        conditions = [c for c in conditions if c not in both_ways or c in NEGATIVE_CONDITIONS]
        conditions = [OPPOSITE_CONDITION[c] for c in conditions]
    asked: Literal["everyone", "anyone"] | None = None
    if (
        conditions
        and all(c in OPPOSITE_CONDITION for c in conditions)
        and lx.EVERYONE_ASKED.search(u.text)
        and not employees
    ):
        asked = "everyone"  # did everyone reach it? the answer lists those who did not
        conditions = [OPPOSITE_CONDITION[c] for c in conditions]
    elif conditions and lx.ANYONE_ASKED.search(u.text):
        asked = "anyone"
    order, limit = ranking_of(u)
    # 奖金有多少: an amount; 几个人拿奖金: a count of people
    counting = (
        _counts_first(u) and asked is None and ("bonus" not in concepts or u.has(_PEOPLE_WORDS))
    )
    totalling = u.has(lx.TOTAL_WORDS)
    focus = _focus(concepts, conditions, employees, counting, totalling)
    if months and bonus_sum and set(conditions) <= {"bonus_eligible"}:
        focus, conditions = "total_bonus", []  # only the eligible have a bonus to add up
    if "gap" in concepts and lx.FARTHEST.search(u.text) and not employees:
        # 谁离中位数最远（低于的）: the person farthest on the side asked, ties kept
        below, above = lx.FARTHEST_BELOW.search(u.text), lx.FARTHEST_ABOVE.search(u.text)
        if bool(below) == bool(above):
            return Clarify(
                message_zh="是问高于中位数最多的人，还是低于中位数最多的人？",
                message_en="The person furthest above the median, or furthest below it?",
                options=["高于中位数最多", "低于中位数最多"] if u.language == "zh"
                        else ["furthest above", "furthest below"],
                choices=[Choice(label=w, question=f"{u.text}（{w}）")
                         for w in ("高于中位数最多", "低于中位数最多")],
            )  # fmt: skip
        condition: Condition = "below_median" if below else "above_median"
        conditions = [c for c in conditions if c not in _MEDIAN_SIDES] + [condition]
        focus = "gap"
        order, limit = ("asc" if below else "desc"), limit or 1
    if focus == "median" and not departments and u.has(lx.WHOLE_COMPANY):
        teams = [e.name for d, e in gz.departments.items() if gz.department_kind.get(d) == "sales"]
        return Clarify(
            message_zh="中位数按销售部门各自计算，全公司没有一个中位数。要看各销售部门的中位数，还是其中一个？",
            message_en="Medians are computed per sales department; the company has no single median. "
                       "Each department's, or one of them?",
            options=["各销售部门", *teams[:4]],
            choices=[Choice(label="各销售部门", question=_replace_company(u.text, "各销售部门")),
                     *(Choice(label=t, question=_replace_company(u.text, t)) for t in teams[:4])],
        )  # fmt: skip
    if employees and (any(w in u.rest for w in lx.RANK_WORDS) or "leaderboard" in concepts):
        focus = "rank"
    if u.has(lx.SHARE_WORDS) and conditions:
        focus = "share"
    if "per_head" in concepts:
        focus = "per_head"
    if focus == "rows" and order is None and ("leaderboard" in concepts or limit):
        order = order or "desc"
    if focus == "attainment" and order is None and "leaderboard" in concepts:
        order = "desc"  # rank the team by attainment
    having = threshold_of(u) if "attainment" in concepts else None
    sort_by: Literal["sales", "bonus", "attainment", "gap_to_median"] = "sales"
    if concepts & {"bonus", "bonus_eligible"}:
        sort_by = "bonus"
    elif "attainment" in concepts:
        sort_by = "attainment"
    elif "gap" in concepts:
        sort_by = "gap_to_median"
    grouping = [t for t in u.kinds("dimension") if t.value == "department" and not _of_median(u, t)]
    grouped = u.has(lx.GROUP_WORDS) or (
        bool(grouping)
        and not departments
        and not totalling
        and not u.has(lx.WHOLE_COMPANY)  # below their department's median, company-wide: one count
    )
    if (
        grouped and focus in ("bonus", "rows") and "bonus" in concepts and not conditions
        and not employees and not per_person_asked(u) and u.has(_HOW_MUCH)
        and not u.has(lx.WHO_WORDS)  # 谁能拿奖金？各拿多少: each person's
    ):  # fmt: skip
        focus = "total_bonus"  # 各组奖金多少, how much bonus each team: each team's total
    if focus == "share" and grouped and not _per_group(u):
        grouped = False  # 完成最低指标的人占全部销售的比例: one share, not one per team
    if which_group(u) in ("department", "region") and not employees:
        # 哪个组拿奖金的人最多, which team had the most bonus eligible reps: the groups ranked
        grouped, order, limit = True, order or "desc", 1
        focus = (
            "count" if conditions
            else "total_bonus" if concepts & {"bonus", "bonus_eligible"}
            else "median"
        )  # fmt: skip
    return ToolPlan(
        tool="performance",
        month=months[0] if months else period.start,
        months=months,
        per_month=bool(months) and "month" in u.values_of("dimension"),
        department=departments[0] if len(departments) == 1 else None,
        departments=departments if len(departments) > 1 else [],
        employees=employees,
        grouped=grouped,
        having=having,
        sort_by=sort_by,
        conditions=conditions,
        focus=focus,
        order=order,
        limit=limit,
        period=u.period,
        asked=asked,
        each=per_person_asked(u),
    )


_HOW_MUCH = ("多少", "how much")
#: Words that count people (几个人, how many reps), not an amount (奖金有多少).
_PEOPLE_WORDS = ("人", "位", "名", "people", "persons", "reps", "employees", "salespeople", "staff")


def _per_group(u: Understanding) -> bool:
    """Whether a figure is asked for each group (各组, 每个部门, by team, each team)."""
    return u.has(lx.GROUP_WORDS) or any(
        t.value == "department"
        and t.text.startswith(("各", "每", "按", "分", "by", "each", "per", "every"))
        for t in u.kinds("dimension")
    )


def _of_median(u: Understanding, tag: Tag) -> bool:
    """'department' in 'their department median': which median, not a grouping."""
    return any(c.value == "median" and 0 <= c.start - tag.end <= 2 for c in u.kinds("concept"))


def _which_team(u: Understanding, teams: list[str]) -> Clarify:
    return Clarify(
        message_zh=f"这里有{len(teams)}个销售部门：{'、'.join(teams)}。请问是哪一个？",
        message_en=f"There are {len(teams)} sales departments there: {', '.join(teams)}. Which one?",
        options=teams,
        choices=[Choice(label=t, question=f"{t} {u.text}") for t in teams],
    )


def _replace_company(text: str, by: str) -> str:
    for word in sorted(lx.WHOLE_COMPANY, key=len, reverse=True):
        if word in text:
            return text.replace(word, by, 1)
    return f"{by} {text}"


def _is_city(reading: str, gz: Gazetteer) -> bool:
    """Whether a value reading ('<set>:<value>') names a city of some department."""
    return reading.split(":", 1)[1] in set(gz.department_city.values())


def _months_in(start: date, end: date) -> list[date]:
    months, cursor = [], start.replace(day=1)
    while cursor < end:
        months.append(cursor)
        cursor = next_month(cursor)
    return months


def _focus(
    concepts: set[str],
    conditions: list[Condition],
    employees: list[int],
    counting: bool,
    totalling: bool,
) -> Focus:
    if counting and (conditions or not employees):
        return "count"
    if "target_gap" in concepts:  # 我离最低目标还差多少: sales still needed for the minimum
        return "target_gap"
    if concepts & {"bonus", "bonus_eligible"} and totalling and not employees:
        return "total_bonus"
    if (
        "leaderboard" in concepts
        and not employees
        and "attainment" not in concepts  # rank by attainment: the attainment ranking
    ):
        return "leaderboard"
    for concept in ("gap", "attainment", "bonus", "min_target"):
        if concept in concepts and (employees or not conditions):
            return concept
    if "median" in concepts and not conditions and not employees:
        return "median"
    return "rows"


def _counts_first(u: Understanding) -> bool:
    """Whether the question asks how many: a count word before any listing word
    ('number of reps who met...' counts; 'who met it, and how many' lists)."""

    def first(words: tuple[str, ...]) -> int:
        return min((i for w in words if (i := u.text.find(w)) >= 0), default=len(u.text))

    count_at = first(lx.COUNT_WORDS)
    return count_at < len(u.text) and count_at < first(lx.LIST_WORDS)


def _first_number(u: Understanding) -> float | None:
    m = re.search(r"(\d+(?:\.\d+)?)\s*(百万|万|千|k|w|m)?", u.text)
    if not m:
        return None
    return float(m.group(1)) * lx.UNITS.get(m.group(2) or "", 1)
