"""Compile a :class:`QueryPlan` to SQL with sqlglot's builder.

The SQL reads the contract tables directly; the guard then scopes every table
to the caller, caps the rows and transpiles to the warehouse's dialect. Column
aliases are the labels shown to the user, in the question's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlglot
from sqlglot import exp

from assistant.answer import ColumnFormat
from assistant.plan import PeriodSlot, QueryPlan
from assistant.timeparse import Period, month_period, previous_period, year_ago
from schema.semantic import FactLinks, Metric, SemanticModel


class CompileError(ValueError):
    """The plan cannot be expressed over this fact table (a planner bug or a gap in the model)."""


@dataclass(frozen=True)
class CompiledQuery:
    sql: str
    columns: list[str]
    metric_columns: list[str]
    period: Period | None
    #: the period a comparison sets the plan's period against (环比: the month before)
    versus: Period | None = None
    #: how each column reads (money, a month, coded values in words), one per column
    formats: list[ColumnFormat] = field(default_factory=list)


def _date(day: date) -> str:
    return f"CAST('{day.isoformat()}' AS DATE)"


def _time_expr(dimension: str, column: str) -> str:
    if dimension == "time_month":
        return f"CAST(DATE_TRUNC('month', {column}) AS DATE)"
    if dimension == "time_quarter":
        return (
            f"CAST(EXTRACT(YEAR FROM {column}) AS VARCHAR) || '-Q' || "
            f"CAST(EXTRACT(QUARTER FROM {column}) AS VARCHAR)"
        )
    return f"EXTRACT(YEAR FROM {column})"


def effective_period(plan: QueryPlan, metric: Metric, as_of: date) -> Period | None:
    """The period a metric is measured over: the question's, else this month (to date)."""
    if plan.all_time and plan.period is None:
        return None
    if plan.period is not None:
        return plan.period.period().capped(as_of)
    if set(plan.group_by) & {"month", "quarter", "year"}:
        return None  # a series over time with no period named: all of it
    if metric.snapshot:
        return None
    if metric.time is None:
        return None
    return month_period(as_of.replace(day=1)).capped(as_of)


def compile_query(
    plan: QueryPlan, model: SemanticModel, as_of: date, language: str
) -> CompiledQuery:
    """SQL for ``plan`` (generic dialect; the guard transpiles it)."""
    if plan.records:
        return compile_records(plan, model, as_of, language)
    if plan.compare:
        return compile_comparison(plan, model, as_of, language)
    if model.metrics[plan.metrics[0]].ratio is not None:
        return compile_ratio(plan, model, as_of, language)
    metrics = [model.metrics[name] for name in plan.metrics]
    first = metrics[0]
    table = first.table
    links = model.facts[table]
    period = effective_period(plan, first, as_of)

    needs: set[str] = set()
    select: list[str] = []
    group: list[str] = []
    labels: list[str] = []
    formats: list[ColumnFormat] = []
    partition: list[str] = []
    for name in plan.group_by:
        dim = model.dimensions[name]
        if dim.tables is not None and table not in dim.tables:
            raise CompileError(f"dimension {name} does not apply to {table}")
        if dim.expr.startswith("time_"):
            if first.time is None:
                raise CompileError(f"{table} has no time column to group by {name}")
            if first.time_kind == "quarter_label":
                expr = "f.period" if name == "quarter" else "SUBSTRING(f.period, 1, 4)"
            else:
                expr = _time_expr(dim.expr, f"f.{first.time}")
        else:
            expr = dim.by_table.get(table, dim.expr)
            needs.update(a for a in _ALIASES if expr.startswith(a + "."))
        label = dim.en if language == "en" else dim.zh
        select.append(f'{expr} AS "{label}"')
        group.append(expr)
        labels.append(label)
        formats.append(
            ColumnFormat(kind="month")
            if dim.expr == "time_month" and first.time_kind != "quarter_label"
            else ColumnFormat(values=model.dimension_labels(name, table, language))
        )
        if dim.key:  # names are not unique: the key tells two 张伟 apart
            key_label = "employee_no" if language == "en" else "工号"
            select.append(f'{dim.key} AS "{key_label}"')
            group.append(dim.key)
            labels.append(key_label)
            formats.append(ColumnFormat())
        shown = {model.dimensions[g].expr for g in plan.group_by}
        if dim.detail and dim.detail_expr and dim.detail_expr not in shown:
            detail_label = dim.detail.en if language == "en" else dim.detail.zh
            select.append(f'{dim.detail_expr} AS "{detail_label}"')
            group.append(dim.detail_expr)
            labels.append(detail_label)
            formats.append(ColumnFormat())
            needs.update(a for a in _ALIASES if dim.detail_expr.startswith(a + "."))
        if name != "employee" and "employee" in plan.group_by:
            partition.append(expr)  # the top people of each group
        if dim.label_en and table not in dim.by_table:
            select.append(f'{dim.label_en} AS "{label}_en"')
            group.append(dim.label_en)
            labels.append(f"{label}_en")
            formats.append(ColumnFormat())

    metric_labels: list[str] = []
    at = min(period.last_day, as_of) if period else as_of
    start = period.start if period else as_of.replace(day=1)
    end = period.end if period else as_of + timedelta(days=1)
    for name, metric in zip(plan.metrics, metrics, strict=True):
        body = metric.expr.format(at=_date(at), start=_date(start), end=_date(end))
        label = model.filtered_metric_label(name, plan.values, language)
        select.append(f'{body} AS "{label}"')
        metric_labels.append(label)
        formats.append(ColumnFormat(kind=metric.format))
    if first.per_person and "employee" in plan.group_by:  # who joined: each one's hire date
        listed_as = first.per_person.en if language == "en" else first.per_person.zh
        select.append(f'MIN({first.per_person.expr}) AS "{listed_as}"')
        metric_labels.append(listed_as)
        formats.append(ColumnFormat(kind="date"))
    where = _filters(plan, model, first, period, as_of, needs)

    # copy=False: each builder step extends this one tree instead of deep-copying it.
    query = sqlglot.select(*select, copy=False).from_(f"{table} AS f", copy=False)
    for join in _joins(needs, links, table):
        query = query.join(join, copy=False)
    for condition in where:
        query = query.where(condition, copy=False)
    if group:
        query = query.group_by(*group, copy=False)
    if plan.having is not None:
        query = query.having(
            f"{_metric_sql(metrics[0], at, start, end)} {plan.having.op} {plan.having.value}",
            copy=False,
        )
    if (plan.share_of or plan.share_of_departments) and group:  # 空调占总销售额多少: of the whole
        label = "share" if language == "en" else "占比"
        figure = _metric_sql(metrics[0], at, start, end)
        query = query.select(
            f'CAST({figure} AS DOUBLE) / NULLIF(SUM({figure}) OVER (), 0) AS "{label}"', copy=False
        )
        metric_labels.append(label)
        formats.append(ColumnFormat(kind="percent"))
    elif plan.share and group:  # 各产品线占比: each group's fraction of the whole
        label = "share" if language == "en" else "占比"
        figure = _metric_sql(metrics[0], at, start, end)
        query = query.select(
            f'CAST({figure} AS DOUBLE) / NULLIF(SUM({figure}) OVER (), 0) AS "{label}"', copy=False
        )
        metric_labels.append(label)
        formats.append(ColumnFormat(kind="percent"))
    columns = labels + metric_labels
    if plan.share_of and labels:  # only the groups whose share was asked
        asked = ", ".join(repr_sql(v.split(":", 1)[1]) for v in plan.share_of)
        outer = sqlglot.select(*[f'"shares"."{c}"' for c in columns], copy=False)
        query = outer.from_(query.subquery("shares"), copy=False).where(
            f'"shares"."{labels[0]}" IN ({asked})', copy=False
        )
    if plan.share_of_departments and labels:  # only the departments whose share was asked
        ids = ", ".join(str(i) for i in plan.share_of_departments)
        outer = sqlglot.select(*[f'"shares"."{c}"' for c in columns], copy=False)
        query = outer.from_(query.subquery("shares"), copy=False).where(
            f'"shares"."{labels[0]}" IN (SELECT name FROM departments WHERE department_id IN ({ids}))',
            copy=False,
        )
    if plan.order and metric_labels:
        ranking = f'"{metric_labels[0]}" {plan.order.upper()} NULLS LAST'
        if plan.limit and group:
            query = _top_with_ties(query, columns, metrics[0], plan, (at, start, end), partition)
        query = query.order_by(ranking, copy=False)
    elif group:
        query = query.order_by(*[f'"{label}"' for label in labels], copy=False)  # no ties left
    if plan.limit and not (plan.order and metric_labels and group):
        query = query.limit(plan.limit, copy=False)
    return CompiledQuery(query.sql(), columns, metric_labels, period, formats=formats)


def compile_comparison(
    plan: QueryPlan, model: SemanticModel, as_of: date, language: str
) -> CompiledQuery:
    """A metric in two periods side by side (环比, 同比, 8月比7月): the plan's query over each
    period, joined on its groups, with the difference and the growth (a fraction)."""
    metric = model.metrics[plan.metrics[0]]
    base = plan.model_copy(
        update={"metrics": plan.metrics[:1], "compare": None, "versus": None, "change": None,
                "order": None, "limit": None, "also": None, "share": False}
    )  # fmt: skip
    current_period = effective_period(plan, metric, as_of)
    if current_period is None:
        raise CompileError(f"{metric.en} has no period to compare")
    other = (
        previous_period(current_period) if plan.compare == "previous"
        else year_ago(current_period) if plan.compare == "year_ago"
        else plan.versus.period().capped(as_of) if plan.versus is not None
        else None
    )  # fmt: skip
    if other is None:
        raise CompileError("a named comparison needs a second period")
    current = compile_query(base.model_copy(update={"period": PeriodSlot.of(current_period)}),
                            model, as_of, language)  # fmt: skip
    earlier = compile_query(base.model_copy(update={"period": PeriodSlot.of(other)}),
                            model, as_of, language)  # fmt: skip
    zh = language == "zh"
    figure = current.metric_columns[0]
    groups = [c for c in current.columns if c not in current.metric_columns]
    now_label = (
        f"{figure}（{current_period.label_zh}）" if zh else f"{figure} ({current_period.label_en})"
    )
    then_label = f"{figure}（{other.label_zh}）" if zh else f"{figure} ({other.label_en})"
    diff_label, growth_label = ("差额", "增长率") if zh else ("difference", "growth")
    now, then = f'cur."{figure}"', f'prev."{figure}"'
    select = [f'cur."{g}" AS "{g}"' for g in groups] + [
        f'{now} AS "{now_label}"',
        f'{then} AS "{then_label}"',
        f'{now} - {then} AS "{diff_label}"',
        f'CAST({now} - {then} AS DOUBLE) / NULLIF({then}, 0) AS "{growth_label}"',
    ]
    join = (
        "LEFT JOIN ("
        + earlier.sql
        + ") AS prev ON "
        + " AND ".join(f'cur."{g}" = prev."{g}"' for g in groups)
        if groups
        else "CROSS JOIN (" + earlier.sql + ") AS prev"
    )
    sql = f"SELECT {', '.join(select)} FROM ({current.sql}) AS cur {join}"
    ranked = {"growth": growth_label, "difference": diff_label}.get(plan.change or "", now_label)
    if plan.order:
        sql += f' ORDER BY "{ranked}" {plan.order.upper()} NULLS LAST'
    elif groups:
        sql += f' ORDER BY "{groups[0]}"'
    if plan.limit:
        sql += f" LIMIT {plan.limit}"
    columns = [*groups, now_label, then_label, diff_label, growth_label]
    figures = [now_label, then_label, diff_label, growth_label]
    shown = ColumnFormat(kind=metric.format)
    formats = [*current.formats[: len(groups)], shown, shown, shown, ColumnFormat(kind="percent")]
    return CompiledQuery(
        sqlglot.transpile(sql)[0], columns, figures, current_period, other, formats=formats
    )


def compile_ratio(
    plan: QueryPlan, model: SemanticModel, as_of: date, language: str
) -> CompiledQuery:
    """A ratio metric (marketing ROI = sales / marketing spend): the plan's query over the
    numerator's and the denominator's tables, joined on their groups (only groups that have
    both), with both parts and the ratio. A filter must apply to both tables: a product line
    has sales but no spend, and dividing its sales by all the spend would be a wrong figure."""
    metric = model.metrics[plan.metrics[0]]
    assert metric.ratio is not None
    top, bottom = (model.metrics[m] for m in (metric.ratio.numerator, metric.ratio.denominator))
    one_sided = model.one_sided_value(plan.metrics[0], plan.values)
    if one_sided is not None:
        raise CompileError(f"{one_sided} does not apply to both parts of {metric.en}")
    base = plan.model_copy(
        update={"order": None, "limit": None, "share": False, "share_of": [], "having": None}
    )
    num = compile_query(base.model_copy(update={"metrics": [metric.ratio.numerator]}),
                        model, as_of, language)  # fmt: skip
    den = compile_query(base.model_copy(update={"metrics": [metric.ratio.denominator]}),
                        model, as_of, language)  # fmt: skip
    groups = [c for c in num.columns if c not in num.metric_columns and c in den.columns]
    top_label, bottom_label = num.metric_columns[0], den.metric_columns[0]
    label = metric.en if language == "en" else metric.zh
    select = [f'a."{g}" AS "{g}"' for g in groups] + [
        f'CAST(a."{top_label}" AS DOUBLE) / NULLIF(b."{bottom_label}", 0) AS "{label}"',
        f'a."{top_label}" AS "{top_label}"',
        f'b."{bottom_label}" AS "{bottom_label}"',
    ]
    join = (
        f"JOIN ({den.sql}) AS b ON " + " AND ".join(f'a."{g}" = b."{g}"' for g in groups)
        if groups
        else f"CROSS JOIN ({den.sql}) AS b"
    )
    sql = f"SELECT {', '.join(select)} FROM ({num.sql}) AS a {join}"
    if plan.order:
        sql += f' ORDER BY "{label}" {plan.order.upper()} NULLS LAST'
    elif groups:
        sql += f' ORDER BY "{groups[0]}"'
    if plan.limit:
        sql += f" LIMIT {plan.limit}"
    formats = [
        *(num.formats[num.columns.index(g)] for g in groups),
        ColumnFormat(kind=metric.format),
        ColumnFormat(kind=top.format),
        ColumnFormat(kind=bottom.format),
    ]
    return CompiledQuery(
        sqlglot.transpile(sql)[0], [*groups, label, top_label, bottom_label],
        [label, top_label, bottom_label], num.period, formats=formats,
    )  # fmt: skip


def _top_with_ties(
    query: exp.Select,
    columns: list[str],
    metric: Metric,
    plan: QueryPlan,
    dates: tuple[date, date, date],
    partition: list[str],
) -> exp.Select:
    """The top ``plan.limit`` groups, with every group tied at the cut (谁迟到最多: both
    people with three late days): the grouped query ranked in a subquery, kept to ranks
    within the limit; with ``partition``, the top of each (number one in each team)."""
    assert plan.order is not None and plan.limit is not None
    figure = _metric_sql(metric, *dates)
    over = f"PARTITION BY {', '.join(partition)} " if partition else ""
    ranked = query.select(
        f'RANK() OVER ({over}ORDER BY {figure} {plan.order.upper()} NULLS LAST) AS "_rank"',
        copy=False,
    )
    outer = sqlglot.select(*[f'"ranked"."{c}"' for c in columns], copy=False)
    return outer.from_(ranked.subquery("ranked"), copy=False).where(
        f'"ranked"."_rank" <= {plan.limit}', copy=False
    )


def _filters(
    plan: QueryPlan,
    model: SemanticModel,
    metric: Metric,
    period: Period | None,
    as_of: date,
    needs: set[str],
) -> list[str]:
    """The WHERE conditions of a plan over ``metric``'s table; adds the aliases they need."""
    where: list[str] = []
    if metric.where:
        where.append(metric.where)
    if period is not None and metric.time and not metric.snapshot and not metric.period_required:
        if metric.time_kind == "quarter_label":
            quarters = ", ".join(f"'{q}'" for q in period.quarter_labels())
            where.append(f"f.{metric.time} IN ({quarters})")
        else:
            ranges = [(period.start, period.end)]
            if plan.also is not None:
                also = plan.also.period().capped(as_of)
                ranges.append((also.start, also.end))
            where.append(" OR ".join(
                f"(f.{metric.time} >= {_date(a)} AND f.{metric.time} < {_date(b)})" for a, b in ranges
            ))  # fmt: skip
    if plan.departments:
        needs.add("d")
        ids = ", ".join(str(i) for i in sorted(set(plan.departments)))
        where.append(f"d.department_id IN ({ids})")
    if plan.employees:
        needs.add("e")
        ids = ", ".join(str(i) for i in sorted(set(plan.employees)))
        where.append(f"e.employee_id IN ({ids})")
    if plan.managers:
        needs.add("e")
        ids = ", ".join(str(i) for i in sorted(set(plan.managers)))
        where.append(f"e.manager_id IN ({ids})")
    if plan.heads and model.department_head is not None:
        needs.add("e")
        where.append(model.department_head.condition)
    by_column: dict[str, list[str]] = {}
    for column, value in plan_value_filters(plan, model, metric.table):
        by_column.setdefault(column, []).append(value)
    for column, chosen in by_column.items():
        needs.update(a for a in _ALIASES if column.startswith(a + "."))
        where.append(f"{column} IN ({', '.join(repr_sql(v) for v in chosen)})")
    return where


def compile_records(
    plan: QueryPlan, model: SemanticModel, as_of: date, language: str
) -> CompiledQuery:
    """SQL listing single rows of the plan's metric (最大的5笔订单): the model's record
    columns of the rows the metric counts, ranked as the plan says, limited."""
    metric = model.metrics[plan.metrics[0]]
    spec = model.records.get(metric.table)
    if spec is None:
        raise CompileError(f"{metric.table} rows cannot be listed")
    # The latest rows are the latest whenever they were; ranked by size, this month's.
    period = (
        None
        if plan.records == "latest" and plan.period is None
        else effective_period(plan, metric, as_of)
    )
    needs: set[str] = set()
    select, labels = [], []
    formats: list[ColumnFormat] = []
    for column in spec.columns:
        label = column.en if language == "en" else column.zh
        select.append(f'{column.expr} AS "{label}"')
        labels.append(label)
        kind = "date" if metric.time and column.expr == f"f.{metric.time}" else column.format
        values = model.value_labels(column.expr, metric.table, language)
        formats.append(ColumnFormat(kind=kind, values=values))
        needs.update(a for a in _ALIASES if column.expr.startswith(a + "."))
    where = _filters(plan, model, metric, period, as_of, needs)
    if plan.records == "latest" and metric.time:
        ranking = [f"f.{metric.time} DESC", f"{spec.key} DESC"]
    else:
        direction = "ASC" if plan.records == "smallest" else "DESC"
        ranking = [f"{spec.measure} {direction}", f"{spec.key} ASC"]
    query = sqlglot.select(*select, copy=False).from_(f"{metric.table} AS f", copy=False)
    links = model.facts[metric.table]
    for join in _joins(needs, links, metric.table, optional_customer=True):
        query = query.join(join, copy=False)
    for condition in where:
        query = query.where(condition, copy=False)
    query = query.order_by(*ranking, copy=False).limit(plan.limit or 10, copy=False)
    figures = [label for label, c in zip(labels, spec.columns, strict=True) if c.format == "money"]
    return CompiledQuery(query.sql(), labels, figures, period, formats=formats)


def repr_sql(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _metric_sql(metric: Metric, at: date, start: date, end: date) -> str:
    return metric.expr.format(at=_date(at), start=_date(start), end=_date(end))


def plan_value_filters(plan: QueryPlan, model: SemanticModel, table: str) -> list[tuple[str, str]]:
    """(column, value) filters of the plan's value words that apply to ``table``."""
    out = []
    for item in plan.values:
        index, value = item.split(":", 1)
        value_set = model.values[int(index)]
        if table in value_set.tables:
            out.append((value_set.column, value))
    return out


#: Aliases a semantic-model expression may use besides f (see schema/semantic.yaml).
_ALIASES = ("e", "d", "m", "c", "r")


def _joins(
    needs: set[str], links: FactLinks, table: str, *, optional_customer: bool = False
) -> list[exp.Expression]:
    """The joins the aliases in ``needs`` require; with ``optional_customer`` a row whose
    customer the caller may not see is kept (its customer columns empty)."""
    joins: list[str] = []
    if "r" in needs:
        needs.add("d")
    if "m" in needs or ("d" in needs and links.employee):
        needs.add("e")
    if "e" in needs:
        if not links.employee:
            raise CompileError(f"{table} does not belong to an employee")
        joins.append(f"JOIN employees AS e ON e.employee_id = f.{links.employee}")
    if "d" in needs:
        if links.department:
            joins.append(f"JOIN departments AS d ON d.department_id = f.{links.department}")
        else:
            joins.append("JOIN departments AS d ON d.department_id = e.department_id")
    if "r" in needs:  # the department's parent: its region
        joins.append("LEFT JOIN departments AS r ON r.department_id = d.parent_id")
    if "m" in needs:
        joins.append("LEFT JOIN employees AS m ON m.employee_id = e.manager_id")
    if "c" in needs:
        if not links.customer:
            raise CompileError(f"{table} has no customer")
        kind = "LEFT JOIN" if optional_customer else "JOIN"
        joins.append(f"{kind} customers AS c ON c.customer_id = f.{links.customer}")
    return [sqlglot.parse_one(f"SELECT 1 FROM x {j}").args["joins"][0] for j in joins]
