"""Run a :class:`ToolPlan` on the performance engine and project its result.

The engine computes over the whole roster and cuts to the caller's scope; this
module only selects the rows and columns the question asked for. Nothing here
recomputes the dual-target math.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from assistant.labels import headers
from assistant.plan import ToolPlan
from schema.caller import Caller
from tools.forecast import forecast
from tools.money import round_money
from tools.performance import PerformanceReport, monthly_performance
from tools.performance_rows import PerformanceRow, select_rows
from tools.policy import BonusPolicy
from tools.snapshot import ClosedMonth, SnapshotSource

#: The figure each focus asks for: what a chart of the answer shows.
MEASURES = {
    "rows": "sales", "bonus": "bonus", "gap": "gap_to_median", "attainment": "attainment",
    "min_target": "min_target", "rank": "sales", "sales": "sales", "leaderboard": "sales",
    "median": "median", "per_head": "per_head", "count": "count", "total_bonus": "total_bonus",
}  # fmt: skip

_FOCUS_COLUMNS = {
    "rows": ("name", "employee_no", "department", "sales", "min_target", "median", "gap_to_median", "bonus"),
    "bonus": ("name", "employee_no", "department", "sales", "median", "bonus_eligible", "bonus"),
    "gap": ("name", "employee_no", "department", "sales", "median", "gap_to_median"),
    "target_gap": ("name", "employee_no", "department", "sales", "min_target", "short_of_minimum",
                   "met_minimum"),
    "attainment": ("name", "employee_no", "department", "sales", "min_target", "attainment"),
    "min_target": ("name", "employee_no", "department", "min_target"),
    "rank": ("rank", "name", "employee_no", "department", "sales"),
    "sales": ("name", "employee_no", "department", "sales"),
    "leaderboard": ("rank", "name", "employee_no", "department", "sales", "gap_to_median", "met_minimum",
                    "above_median"),
}  # fmt: skip

#: A person's rank asked with another figure (the plan's sort_by): the columns it adds.
_ALSO_ASKED = {
    "gap_to_median": ("median", "gap_to_median"),
    "bonus": ("bonus_eligible", "bonus"),
    "attainment": ("min_target", "attainment"),
}

_CONDITION = {
    "above_median": lambda r: r.above_median,
    "below_median": lambda r: r.sales < r.median,
    "not_above_median": lambda r: not r.above_median,
    "met_minimum": lambda r: r.met_minimum is True,
    "missed_minimum": lambda r: r.met_minimum is False,
    "bonus_eligible": lambda r: r.bonus_eligible is True,
    "not_bonus_eligible": lambda r: r.bonus_eligible is False,
}


@dataclass
class ToolResult:
    """The projected table of a tool call, plus what the composer needs to phrase it."""

    name: str
    arguments: dict[str, Any]
    keys: list[str]
    rows: list[list[Any]]
    trace: list[str]
    scoped: bool = False
    scope_note: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    #: the closed month the figures come from (or were compared with, when live)
    closed: ClosedMonth | None = None
    #: the key of the figure the question asked for (what a chart shows), if any
    measure: str | None = None

    def columns(self, language: str) -> list[str]:
        return headers(self.keys, language)


def run_tool(
    plan: ToolPlan,
    conn: Connection,
    caller: Caller,
    as_of: date,
    policy: BonusPolicy,
    closes: SnapshotSource | None = None,
) -> ToolResult:
    """Call the tool the plan names and keep what the question asked for.

    A closed month is answered from its snapshot (``closes``; live when ``closes.live``).
    """
    if plan.tool == "forecast":
        result = forecast(conn, as_of, caller=caller, department=plan.department)
        rows = [r for r in result.rows if not plan.employees or r.employee_id in plan.employees]
        keys = ["name", "department", "month_to_date", "projected", "min_target", "projected_median", "at_risk",
                "projected_above_median"]  # fmt: skip
        return ToolResult(
            "forecast", {"as_of": as_of.isoformat(), "department": plan.department}, keys,
            [[getattr(r, k) for k in keys] for r in rows], result.trace, bool(result.scope_note),
            result.scope_note, {"focus": "forecast", "month": as_of.replace(day=1)},
            measure="projected",
        )  # fmt: skip
    if plan.months and plan.focus == "total_bonus":
        return _bonus_over_months(plan, conn, caller, as_of, policy, closes)
    if plan.months:
        return _median_trend(plan, conn, caller, as_of, policy, closes)
    month = plan.month.strftime("%Y-%m")
    report = monthly_performance(
        conn, month, caller=caller, department=plan.department, as_of=as_of, policy=policy,
        closes=closes,
    )  # fmt: skip
    if plan.departments:
        report = report.only(plan.departments)
    arguments: dict[str, Any] = {"month": month, "department": plan.department or plan.departments or None,
                 "as_of": as_of.isoformat()}  # fmt: skip
    if report.closed is not None:  # audited with the question: which snapshot answered it
        arguments["closed"] = report.closed.model_dump(include={"version", "hash", "source"})
    projected = _project(plan, report, arguments)
    projected.closed = report.closed
    return projected


def _month_reports(
    plan: ToolPlan,
    conn: Connection,
    caller: Caller,
    as_of: date,
    policy: BonusPolicy,
    closes: SnapshotSource | None,
) -> list[PerformanceReport]:
    """The engine's report of each of the plan's months (one call per month)."""
    return [
        monthly_performance(
            conn,
            month.strftime("%Y-%m"),
            caller=caller,
            department=plan.department,
            as_of=as_of,
            policy=policy,
            closes=closes,
        )  # fmt: skip
        for month in plan.months
    ]


def _latest_closed(reports: list[PerformanceReport]) -> ClosedMonth | None:
    """The latest closed month among several (each one's close is in the trace)."""
    return next((r.closed for r in reversed(reports) if r.closed is not None), None)


def _median_trend(
    plan: ToolPlan,
    conn: Connection,
    caller: Caller,
    as_of: date,
    policy: BonusPolicy,
    closes: SnapshotSource | None,
) -> ToolResult:
    """The department medians of several months."""
    reports = _month_reports(plan, conn, caller, as_of, policy, closes)
    rows: list[list[Any]] = [
        [month, s.department, s.median, s.roster_size]
        for month, report in zip(plan.months, reports, strict=True)
        for s in report.summaries
    ]
    trace = [line for report in reports for line in report.trace]
    arguments = {
        "months": [m.strftime("%Y-%m") for m in plan.months],
        "department": plan.department,
    }
    context = {"month": plan.months[-1], "focus": "median_trend", "conditions": []}
    return ToolResult("monthly_performance", arguments, ["month", "department", "median", "roster_size"], rows,
                      trace, context=context, closed=_latest_closed(reports), measure="median")  # fmt: skip


def _bonus_over_months(
    plan: ToolPlan,
    conn: Connection,
    caller: Caller,
    as_of: date,
    policy: BonusPolicy,
    closes: SnapshotSource | None,
) -> ToolResult:
    """The bonuses of several months added up (二季度各组奖金一共多少, my bonus this year):
    each month computed on its own (its roster, median and bonus), then summed per
    department or for the people named."""
    totals: dict[str, Decimal] = {}
    people: list[str] = []
    per_month: dict[date, Decimal] = {}
    reports = _month_reports(plan, conn, caller, as_of, policy, closes)
    for month, report in zip(plan.months, reports, strict=True):
        if plan.departments:
            report = report.only(plan.departments)
        for s in report.summaries:
            totals.setdefault(s.department, Decimal("0"))
        rows = (
            select_rows(report.rows, employee_ids=plan.employees) if plan.employees else report.rows
        )
        for r in rows:
            totals[r.department] = totals.get(r.department, Decimal("0")) + (
                r.bonus or Decimal("0")
            )
            people += [r.name] if r.name not in people else []
            per_month[month] = per_month.get(month, Decimal("0")) + (r.bonus or Decimal("0"))
        per_month.setdefault(month, Decimal("0"))
    trace = [line for report in reports for line in report.trace]
    month_to_date = any(report.month_to_date for report in reports)
    arguments = {"months": [m.strftime("%Y-%m") for m in plan.months], "department": plan.department,
                 "employees": plan.employees or None}  # fmt: skip
    context: dict[str, Any] = {
        "focus": "total_bonus", "conditions": [], "months": plan.months,
        "period": (plan.period.label_zh, plan.period.label_en) if plan.period else None,
        "month_to_date": month_to_date, "departments": list(totals) if plan.department else [],
        "whose": people[0] if len(people) == 1 else None,
    }  # fmt: skip
    if plan.per_month:  # 今年每个月的奖金总额: one row per month
        keys, table = ["month", "total_bonus"], [[m, v] for m, v in per_month.items()]
    elif plan.grouped and len(totals) > 1 and not plan.employees:
        keys, table = ["department", "total_bonus"], _ranked_groups(plan, totals)
    else:
        keys, table = ["total_bonus"], [[sum(totals.values(), Decimal("0"))]]
    return ToolResult("monthly_performance", arguments, keys, table, trace, context=context,
                      closed=_latest_closed(reports), measure="total_bonus")  # fmt: skip


def _ranked_groups(plan: ToolPlan, figures: dict[str, Any]) -> list[list[Any]]:
    """Each department's figure; ranked and cut to the top ``limit`` (ties at the cut kept)
    when the plan ranks the departments (哪个组奖金总额最高)."""
    table = [[d, v] for d, v in figures.items()]
    if not (plan.order and plan.grouped):
        return table
    table.sort(key=lambda row: row[1], reverse=plan.order == "desc")
    if plan.limit and len(table) > plan.limit:
        cut = table[plan.limit - 1][1]
        table = [row for i, row in enumerate(table) if i < plan.limit or row[1] == cut]
    return table


def _project(plan: ToolPlan, report: PerformanceReport, arguments: dict[str, Any]) -> ToolResult:
    context: dict[str, Any] = {
        "month": report.month, "conditions": list(plan.conditions), "focus": plan.focus,
        "asked": plan.asked,
        "departments": [s.department for s in report.summaries], "employees": bool(plan.employees),
        "medians": {s.department: s.median for s in report.summaries},
        "ordered": bool(plan.order),
        "month_to_date": report.month_to_date,
    }  # fmt: skip

    def result(keys: list[str], table: list[list[Any]]) -> ToolResult:
        return ToolResult("monthly_performance", arguments, keys, table, report.trace, report.scoped,
                          report.scope_note, context, measure=MEASURES.get(plan.focus))  # fmt: skip

    if plan.focus == "per_head":  # 人均业绩: each department's sales per roster member
        sold: dict[str, Decimal] = {s.department: Decimal("0") for s in report.summaries}
        for r in report.rows:
            sold[r.department] += r.sales
        sizes = {s.department: s.roster_size for s in report.summaries}
        per_head = {d: round_money(t / sizes[d]) for d, t in sold.items() if sizes[d]}
        keys = ["department", "total_sales", "roster_size", "per_head"]
        table = [[d, sold[d], sizes[d], v] for d, v in _ranked_groups(plan, per_head)]
        return result(keys, table)
    if plan.focus == "median":  # the departments' figures: no member's row is needed
        keys = ["department", "median", "roster_size"]
        medians = {s.department: s.median for s in report.summaries}
        sizes = {s.department: s.roster_size for s in report.summaries}
        table = [[d, m, sizes[d]] for d, m in _ranked_groups(plan, medians)]
        return result(keys, table)
    roster = (
        select_rows(report.rows, employee_ids=plan.employees) if plan.employees else report.rows
    )
    rows: list[PerformanceRow] = list(roster)
    if plan.employees and plan.conditions and plan.focus not in ("count", "share"):
        # 我超过中位数了吗: the named people's rows answer yes or no; none is filtered out
        context["judged"] = {r.name: all(_CONDITION[c](r) for c in plan.conditions) for r in rows}
    else:
        for condition in plan.conditions:
            rows = [r for r in rows if _CONDITION[condition](r)]

    if plan.having is not None:
        op, value = plan.having.op, Decimal(str(plan.having.value))
        compare = {
            ">": Decimal.__gt__,
            ">=": Decimal.__ge__,
            "<": Decimal.__lt__,
            "<=": Decimal.__le__,
        }[op]
        rows = [r for r in rows if r.attainment is not None and compare(r.attainment, value)]
    if plan.focus == "share":
        if plan.grouped and len(report.summaries) > 1:  # 各组达标率: each department's share
            met = {s.department: 0 for s in report.summaries}
            for r in rows:
                met[r.department] += 1
            sizes = {s.department: s.roster_size for s in report.summaries}
            shares = {d: Decimal(n) / Decimal(sizes[d]) if sizes[d] else Decimal(0)
                      for d, n in met.items()}  # fmt: skip
            table = [[d, v, met[d], sizes[d]] for d, v in _ranked_groups(plan, shares)]
            return result(["department", "share", "count", "roster_size"], table)
        share = Decimal(len(rows)) / Decimal(len(roster)) if roster else Decimal(0)
        return result(["share", "count", "roster_size"], [[share, len(rows), len(roster)]])
    if plan.focus == "count":
        if plan.grouped and len(report.summaries) > 1:
            counts = {s.department: 0 for s in report.summaries}
            for r in rows:
                counts[r.department] += 1
            return result(["department", "count"], _ranked_groups(plan, counts))
        context["listed"] = [r.name for r in rows]
        return result(["count"], [[len(rows)]])
    if plan.focus == "total_bonus":
        eligible = [r for r in rows if r.bonus is not None]
        if plan.grouped and len(report.summaries) > 1:
            totals: dict[str, Decimal] = {s.department: Decimal("0") for s in report.summaries}
            for r in eligible:
                totals[r.department] += r.bonus or Decimal("0")
            return result(["department", "total_bonus"], _ranked_groups(plan, totals))
        total = sum((r.bonus or Decimal("0") for r in eligible), Decimal("0"))
        return result(["total_bonus"], [[total]])
    focus = plan.focus
    if focus == "bonus" and not (plan.employees or plan.conditions or plan.each or plan.limit):
        rows = [r for r in rows if r.bonus_eligible]
        context["conditions"] = ["bonus_eligible"]
    keys = list(_FOCUS_COLUMNS.get(focus, _FOCUS_COLUMNS["rows"]))
    if focus == "rank":  # 我排第几？离中位数差多少: the rank, and the other figure asked
        keys += [k for k in _ALSO_ASKED.get(plan.sort_by, ()) if k not in keys]
    if "judged" in context:  # 我达标了没: the figures and the flags that answer it
        flags = {"above_median": "above_median", "below_median": "above_median",
                 "not_above_median": "above_median", "met_minimum": "met_minimum",
                 "missed_minimum": "met_minimum", "bonus_eligible": "bonus_eligible",
                 "not_bonus_eligible": "bonus_eligible"}  # fmt: skip
        wanted = ["sales", "median", "min_target", *(flags[c] for c in plan.conditions)]
        keys += [k for k in dict.fromkeys(wanted) if k not in keys]
    if plan.order:
        field_name = plan.sort_by
        rows.sort(key=lambda r: getattr(r, field_name) or Decimal(0), reverse=plan.order == "desc")
    elif focus == "leaderboard":
        rows.sort(key=lambda r: (r.department, r.rank))
    if plan.limit and plan.grouped and len(report.summaries) > 1:
        rows = _top_per_department(rows, plan.limit)  # number one in each team
    elif plan.limit:
        rows = rows[: plan.limit]
    return result(keys, [[getattr(r, k) for k in keys] for r in rows])


def _top_per_department(rows: list[PerformanceRow], limit: int) -> list[PerformanceRow]:
    """The first ``limit`` rows of each department, in the order given."""
    kept: list[PerformanceRow] = []
    seen: dict[str, int] = {}
    for r in rows:
        if seen.get(r.department, 0) < limit:
            kept.append(r)
            seen[r.department] = seen.get(r.department, 0) + 1
    return kept
