"""Which chart an answer gets: bars of the measure the question asked for, or none.

The measure is carried from the plan, never guessed from the table: a metric query's
chart shows its (first) metric, a performance-engine answer the figure of its focus
(``ToolResult.measure``: 业绩中位数 charts the medians, not the roster sizes). A chart
that would say nothing is left out: one row, a yes or no, a list of names, two
groupings at once, or more bars than anyone can read.
"""

from __future__ import annotations

from typing import Any

from assistant.answer import Chart, ColumnFormat
from assistant.labels import TOOL_COLUMNS, header
from assistant.plan import QueryPlan
from assistant.tool_answer import ToolResult
from schema.semantic import Metric

#: More bars than this are not read, they are scrolled past: the table says it better.
MAX_BARS = 40
CHARTED = ("money", "count", "number", "percent")
TIME_GROUPS = ("month", "quarter", "year")
#: Tool answers whose rows are already in the order to read them.
RANKED_FOCUS = ("leaderboard", "rank", "median_trend", "forecast")


def query_chart(
    plan: QueryPlan,
    metric: Metric,
    columns: list[str],
    metric_columns: list[str],
    formats: list[ColumnFormat],
    rows: list[list[Any]],
    language: str,
) -> Chart | None:
    """The chart of a metric query: one bar per group, the plan's metric (its share of the
    whole when the question asks for shares)."""
    if plan.records or plan.compare or len(plan.group_by) != 1 or not metric_columns:
        return None
    if len(plan.metrics) > 1:
        return None  # several figures asked for at once (a payslip): no one bar says them
    if not 2 <= len(rows) <= MAX_BARS or metric.format not in CHARTED:
        return None
    asked = (
        metric_columns[-1]
        if plan.share or plan.share_of or plan.share_of_departments
        else metric_columns[0]
    )
    value = columns.index(asked)
    if all(r[value] == 1 for r in rows) and (metric.snapshot or metric.per_person):
        return None  # people listed (人事部都有谁): a count of one each says nothing
    label = 0
    english = f"{columns[0]}_en"
    if language == "en" and english in columns:
        label = columns.index(english)
    kind = formats[value].kind if formats else metric.format
    in_time = bool(formats) and formats[0].kind == "month" or plan.group_by[0] in TIME_GROUPS
    return Chart(label=label, value=value, title=asked, kind=kind,
                 sort=not plan.order and not in_time)  # fmt: skip


def tool_chart(result: ToolResult, language: str) -> Chart | None:
    """The chart of a performance-engine answer: one bar per person (or department, or
    month), the figure the question's focus names; the department median as a line when
    the bars are sales of one department."""
    keys, rows, measure = result.keys, result.rows, result.measure
    context = result.context
    if measure is None or measure not in keys or not 2 <= len(rows) <= MAX_BARS:
        return None
    if context.get("asked") or context.get("judged"):
        return None  # a yes or no is said, not drawn
    label_key = next((k for k in ("name", "department", "month") if k in keys), None)
    if label_key is None:
        return None
    labels = [r[keys.index(label_key)] for r in rows]
    if label_key != "name" and len(set(labels)) != len(labels):
        return None  # several departments' months at once: one bar would stand for two
    value = keys.index(measure)
    if all(r[value] is None for r in rows):
        return None
    chart = Chart(
        label=keys.index(label_key),
        value=value,
        title=header(measure, language),
        kind=TOOL_COLUMNS[measure].kind,
        sort=label_key != "month"
        and not context.get("ordered")
        and context.get("focus") not in RANKED_FOCUS,
    )
    medians: dict[str, Any] = context.get("medians") or {}
    departments = (
        {r[keys.index("department")] for r in rows} if "department" in keys else set(medians)
    )
    if measure == "sales" and len(departments) == 1 and departments <= set(medians):
        chart.reference = float(medians[departments.pop()])
        chart.reference_label = header("median", language)
    return chart
