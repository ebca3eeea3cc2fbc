"""Monthly performance under the dual target: sales, minimum target, median, bonus, rank.

One grouped query fetches every roster member's minimum target and paid sales for the
month (``sales_targets`` LEFT JOIN the per-employee sums of paid orders). The rules of
``tools.dualtarget`` (the Decimal reference) are applied to every department at once by
``tools.rostermath``: ranks, medians, flags, gaps and bonuses on integer cents with
numpy, every result equal to the reference's, Decimal exponents included. On DuckDB
the roster is fetched column-wise (money as integer cents) from the driver; on other
backends through SQLAlchemy as Decimal, then converted. The report keeps its rows
column-wise and builds them when read (``tools.performance_rows``). The whole roster of
each department is always computed, whoever asks; the result is then cut to the
caller's scope (``tools.scope``).
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, ClassVar, NamedTuple

import numpy as np
import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy import Connection

from schema.caller import Caller
from schema.warehouse import departments as departments_table
from schema.warehouse import employees, sales_orders, sales_targets
from tools.departments import load_departments, resolve_department, subtree_ids
from tools.dualtarget import evaluate_roster
from tools.errors import InvalidArgumentError, NoRosterError
from tools.money import fmt_money, to_decimal
from tools.performance_rows import (
    MemberIdentity,
    PerformanceRow,
    PerformanceRows,
    Texts,
    select_rows,
)
from tools.period import month_label, next_month, parse_month
from tools.policy import BonusPolicy, RatePolicy, load_policy
from tools.report import table_of
from tools.rostermath import Ints, MemberValues, evaluate_month, fits_integer_path
from tools.scope import cut_performance
from tools.snapshot import ClosedMonth, MonthSnapshot, SnapshotSource, closed_line
from tools.trace import DepartmentTrace, Level, department_lines

#: No result processing: DuckDB and psycopg already return DECIMAL as Decimal, and
#: SQLAlchemy's Numeric conversion would triple the cost of fetching a large roster.
_RAW = sa.types.NullType()
#: Money columns hold whole cents (NUMERIC(14, 2)); the cents path relies on it.
assert sales_orders.c.amount.type.scale == 2 and sales_targets.c.min_target.type.scale == 2  # type: ignore[attr-defined]


class RosterRecord(NamedTuple):
    """One roster member as the warehouse has them: target and paid sales in the period."""

    employee_id: int
    employee_no: str
    name: str
    name_en: str | None
    department_id: int
    department: str
    department_en: str | None
    min_target: Decimal
    sales: Decimal


class DepartmentSummary(BaseModel):
    """One department's month. Counts a caller may not see are None."""

    department_id: int
    department: str
    roster_size: int
    median: Decimal
    met_minimum_count: int | None
    above_median_count: int
    bonus_eligible_count: int | None
    total_bonus: Decimal | None
    policy: str | None


@dataclass(frozen=True)
class PerformanceReport:
    """Monthly performance of one or more departments, with the calculation trace.

    ``rows`` is a :class:`PerformanceRows` (built on access) straight from the engine,
    and a plain list once cut or filtered row by row.
    """

    ROW_COLUMNS: ClassVar[tuple[str, ...]] = (
        "rank", "employee_no", "name", "department", "sales", "min_target", "attainment",
        "median", "gap_to_median", "met_minimum", "above_median", "bonus_eligible", "bonus",
    )  # fmt: skip
    SUMMARY_COLUMNS: ClassVar[tuple[str, ...]] = (
        "department", "roster_size", "median", "met_minimum_count", "above_median_count",
        "bonus_eligible_count", "total_bonus", "policy",
    )  # fmt: skip

    month: date
    period_start: date
    period_end: date
    month_to_date: bool
    rows: Sequence[PerformanceRow]
    summaries: list[DepartmentSummary]
    #: each department's trace lines, shown at the caller's level for it (``levels``)
    sections: tuple[DepartmentTrace, ...] = ()
    #: department id -> how much of it the caller sees (``tools.scope``); absent: all
    levels: Mapping[int, Level] = field(default_factory=dict)
    scoped: bool = False
    scope_note: str | None = None
    #: set when the month is closed: which snapshot, and whether live data moved since
    closed: ClosedMonth | None = None
    #: department id -> the bonus rate and cap its figures were computed with (the
    #: snapshot's for a closed month); only the departments whose policy the caller sees
    rates: Mapping[int, RatePolicy] = field(default_factory=dict)

    @property
    def trace(self) -> list[str]:
        """How the figures were computed, for the departments of this report and only what
        the caller may see of each (a salesperson's own department: its median)."""
        shown = [s.department_id for s in self.summaries]
        lines = _report_trace(
            self.month, self.period_start, self.period_end, self.month_to_date,
            sum(s.roster_size for s in self.summaries), len(shown),
        )  # fmt: skip
        lines += department_lines(self.sections, self.levels, shown)
        if self.closed is not None:
            lines.append(closed_line(self.closed))
        totals = [s.total_bonus for s in self.summaries]
        if len(totals) > 1 and all(t is not None for t in totals):
            grand = sum((t or Decimal(0) for t in totals), Decimal("0.00"))
            lines.append(f"total bonus across {len(totals)} departments: {fmt_money(grand)}")
        return lines

    def only(self, department_ids: Collection[int]) -> PerformanceReport:
        """The report of these departments only (their rows, summaries and trace)."""
        wanted = set(department_ids)
        return replace(
            self,
            rows=select_rows(self.rows, department_ids=wanted),
            summaries=[s for s in self.summaries if s.department_id in wanted],
        )

    def as_table(self) -> dict[str, object]:
        """``{columns, rows, summary, trace}`` with JSON-safe values (for ``--json`` and the LLM)."""
        columns = list(self.ROW_COLUMNS)
        summary_columns = list(self.SUMMARY_COLUMNS)
        return {
            "month": month_label(self.month),
            "period": [self.period_start.isoformat(), self.period_end.isoformat()],
            "month_to_date": self.month_to_date,
            "columns": columns,
            "rows": (
                self.rows.table(columns)
                if isinstance(self.rows, PerformanceRows)
                else table_of(list(self.rows), columns)
            ),
            "summary": {
                "columns": summary_columns,
                "rows": table_of(list(self.summaries), summary_columns),
            },
            "trace": self.trace,
            "scope_note": self.scope_note,
            "closed": None if self.closed is None else self.closed.model_dump(),
        }


def fetch_roster(
    conn: Connection,
    month: date,
    start: date,
    end_exclusive: date,
    department_ids: Collection[int] | None = None,
) -> list[RosterRecord]:
    """Roster members of ``month`` with their paid sales dated in [start, end_exclusive).

    One grouped query: ``sales_targets`` joined to ``employees`` and ``departments``
    and LEFT JOINed to the per-employee sum of paid orders, so a member without paid
    orders has sales 0.
    """
    ids = None if department_ids is None else sorted(department_ids)
    query = _roster_query(month, start, end_exclusive, ids)
    zero = Decimal("0.00")
    return [
        RosterRecord(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            r[7] if isinstance(r[7], Decimal) else to_decimal(r[7]),
            zero if r[8] is None else r[8] if isinstance(r[8], Decimal) else to_decimal(r[8]),
        )  # fmt: skip
        for r in conn.execute(query).all()
    ]


def _roster_query(
    month: Any,
    start: Any,
    end_exclusive: Any,
    department_ids: Sequence[Any] | None,
    *,
    cents: bool = False,
) -> sa.Select[Any]:
    """The one grouped roster query; with ``cents``, money as BIGINT cents (0 without sales)
    and no department names. The dates and ids are values or bind parameters."""
    o, t, e, d = sales_orders, sales_targets, employees, departments_table
    paid = (
        sa.select(o.c.employee_id, sa.func.sum(o.c.amount, type_=_RAW).label("sales"))
        .where(o.c.status == "paid", o.c.order_date >= start, o.c.order_date < end_exclusive)
        .group_by(o.c.employee_id)
        .subquery("paid")
    )
    money: tuple[Any, ...] = (sa.type_coerce(t.c.min_target, _RAW), paid.c.sales)
    if cents:
        hundred: sa.ColumnElement[Any] = sa.literal_column("100")  # a literal: stays DECIMAL
        money = (
            sa.cast(t.c.min_target * hundred, sa.BigInteger).label("target_cents"),
            sa.func.coalesce(sa.cast(paid.c.sales * hundred, sa.BigInteger), 0).label(
                "sales_cents"
            ),
        )
    roster: sa.FromClause = t.join(e, e.c.employee_id == t.c.employee_id)
    names: tuple[Any, ...] = ()
    if not cents:
        roster = roster.join(d, d.c.department_id == e.c.department_id)
        names = (d.c.name.label("department"), d.c.name_en.label("department_en"))
    query = (
        sa.select(
            t.c.employee_id,
            e.c.employee_no,
            e.c.name,
            e.c.name_en,
            e.c.department_id,
            *names,
            *money,
        )  # fmt: skip
        .select_from(roster.outerjoin(paid, paid.c.employee_id == t.c.employee_id))
        .where(t.c.month == month)
    )
    if department_ids is not None:
        query = query.where(e.c.department_id.in_(department_ids))
    if cents:  # already in report order; the evaluation checks it and sorts otherwise
        query = query.order_by(e.c.department_id, sa.desc("sales_cents"), t.c.employee_id)
    return query


@dataclass(frozen=True, slots=True)
class RosterColumns:
    """The roster column-wise: numbers as numpy arrays (money in cents, 0 without sales),
    text as object arrays."""

    employee_id: Ints
    department_id: Ints
    target_cents: Ints
    sales_cents: Ints
    employee_no: Texts
    name: Texts
    name_en: Texts
    department: Texts
    department_en: Texts

    def __len__(self) -> int:
        return len(self.employee_id)

    @classmethod
    def from_records(cls, records: list[RosterRecord]) -> RosterColumns | None:
        """Columns of row-wise records; None when some money is not whole cents or too large.

        Money comes back with two decimal places, as the warehouse's NUMERIC(14, 2)
        columns give it.
        """
        target_cents = _cents([r.min_target for r in records])
        sales_cents = _cents([r.sales for r in records])
        if target_cents is None or sales_cents is None:
            return None

        def texts(values: list[str | None]) -> Texts:
            array = np.empty(len(values), dtype=object)
            array[:] = values
            return array

        return cls(
            employee_id=np.array([r.employee_id for r in records], dtype=np.int64),
            department_id=np.array([r.department_id for r in records], dtype=np.int64),
            target_cents=target_cents,
            sales_cents=sales_cents,
            employee_no=texts([r.employee_no for r in records]),
            name=texts([r.name for r in records]),
            name_en=texts([r.name_en for r in records]),
            department=texts([r.department for r in records]),
            department_en=texts([r.department_en for r in records]),
        )


def fetch_roster_columns(
    conn: Connection,
    month: date,
    start: date,
    end_exclusive: date,
    department_ids: Collection[int] | None = None,
) -> RosterColumns | None:
    """The roster of :func:`fetch_roster`, column-wise; None when the cents path cannot
    represent it exactly (then use :func:`fetch_roster` and the Decimal reference).

    On DuckDB the query returns money as BIGINT cents, already in report order, and the
    driver's ``fetchnumpy`` reads every column at once (no per-row Python objects); the
    department names come from a second, small query (a name per member would cost more
    than the join). Elsewhere the row-wise records are converted.
    """
    if conn.dialect.name != "duckdb":
        return RosterColumns.from_records(
            fetch_roster(conn, month, start, end_exclusive, department_ids)
        )
    wanted = None if department_ids is None else sorted(department_ids)
    sql, parameters, constants = _cents_statement(
        conn.dialect, None if wanted is None else len(wanted)
    )
    values = {**constants, "month": month, "start": start, "end": end_exclusive}
    values.update({f"department_{i}": d for i, d in enumerate(wanted or ())})
    data = _numpy_columns(conn.exec_driver_sql(sql, tuple(values[name] for name in parameters)))
    target_cents = np.asarray(data["target_cents"], dtype=np.int64)
    sales_cents = np.asarray(data["sales_cents"], dtype=np.int64)
    if not fits_integer_path(target_cents, sales_cents):
        return None
    department_id = np.asarray(data["department_id"], dtype=np.int64)
    d = departments_table
    names = _numpy_columns(conn.execute(sa.select(d.c.department_id, d.c.name, d.c.name_en)))
    ids = np.asarray(names["department_id"], dtype=np.int64)
    order = np.argsort(ids)
    at = order[np.searchsorted(ids, department_id, sorter=order)]
    return RosterColumns(
        employee_id=np.asarray(data["employee_id"], dtype=np.int64),
        department_id=department_id,
        target_cents=target_cents,
        sales_cents=sales_cents,
        employee_no=_texts(data["employee_no"]),
        name=_texts(data["name"]),
        name_en=_texts(data["name_en"]),
        department=_texts(names["name"])[at],
        department_en=_texts(names["name_en"])[at],
    )


@functools.lru_cache(maxsize=64)
def _cents_statement(
    dialect: sa.Dialect, departments: int | None
) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """The roster query in cents compiled for ``dialect`` (SQL text, the order of its
    positional parameters, and the values of its constants), once per number of
    departments: building and compiling it costs more than DuckDB takes to run it on a
    small warehouse. Bind parameters: month, start, end, department_0 ... department_N-1.
    """
    ids = (
        None
        if departments is None
        else [sa.bindparam(f"department_{i}", type_=sa.Integer) for i in range(departments)]
    )
    query = _roster_query(
        sa.bindparam("month", type_=sa.Date),
        sa.bindparam("start", type_=sa.Date),
        sa.bindparam("end", type_=sa.Date),
        ids,
        cents=True,
    )
    compiled = query.compile(dialect=dialect)
    order = tuple(compiled.positiontup or ())
    variables = {"month", "start", "end", *(f"department_{i}" for i in range(departments or 0))}
    constants = {k: v for k, v in compiled.params.items() if k not in variables}
    return str(compiled), order, constants


def _numpy_columns(result: sa.CursorResult[Any]) -> dict[str, Any]:
    """Every column of a DuckDB query's result as numpy arrays."""
    try:
        data: dict[str, Any] = result.cursor.fetchnumpy()
    finally:
        result.close()
    return data


def _texts(column: Any) -> Texts:
    """A fetched text column as an object array, NULL as None (DuckDB masks NULLs)."""
    if isinstance(column, np.ma.MaskedArray):
        values = np.array(column.data, dtype=object)
        values[np.ma.getmaskarray(column)] = None
        return values
    return np.asarray(column, dtype=object)


def _cents(values: list[Decimal]) -> Ints | None:
    """Whole cents of each value, or None if one has a fraction of a cent or is too large."""
    cents = []
    for value in values:
        scaled = value.scaleb(2)
        if scaled != scaled.to_integral_value():
            return None
        cents.append(int(scaled))
    array = np.array(cents, dtype=np.int64)
    return array if fits_integer_path(array) else None


def monthly_performance(
    conn: Connection,
    month: str | date,
    *,
    caller: Caller,
    department: str | int | None = None,
    as_of: date | None = None,
    policy: BonusPolicy | None = None,
    closes: SnapshotSource | None = None,
) -> PerformanceReport:
    """Dual-target performance for a month: per roster member sales, minimum target,
    attainment, department median, gap to median, met minimum, above median, bonus
    eligibility, bonus and rank; per department roster size, median, counts and total bonus.

    ``month`` is ``YYYY-MM``. ``department`` (Chinese name, English name, id or a unique
    abbreviation) limits the answer to that department and the ones below it; default:
    every department with a sales roster that month. With ``as_of`` inside the month,
    sales are month-to-date through ``as_of``. The result is cut to what ``caller`` may
    see. Raises NoRosterError when the month has no sales roster.

    A whole month that ``closes`` knows as closed is computed from its latest snapshot
    (the roster and policy as closed) unless ``closes.live``; either way the report's
    ``closed`` names the snapshot and says whether live data differ from it.
    """
    first = parse_month(month)
    start, end_exclusive, to_date = _period(first, as_of)
    policy = policy or load_policy()
    wanted: set[int] | None = None
    where = ""
    if department is not None:
        departments = load_departments(conn)
        root = resolve_department(departments, department)
        wanted = subtree_ids(departments, root.department_id)
        where = f" in {root.name}"
    columns = fetch_roster_columns(conn, first, start, end_exclusive, wanted)
    records = fetch_roster(conn, first, start, end_exclusive, wanted) if columns is None else []
    snapshot = None if closes is None or to_date else closes.latest(first)
    from_snapshot = snapshot is not None and closes is not None and not closes.live
    in_force, live_roster = policy, _live_roster(columns, records) if snapshot else set()
    if snapshot is not None and from_snapshot:  # the closed roster and policy, not the warehouse's
        frozen = snapshot_records(snapshot, wanted)
        columns = RosterColumns.from_records(frozen)
        records = frozen if columns is None else []
        policy = snapshot.policy
    if not (records or (columns is not None and len(columns))):
        raise NoRosterError(
            f"no sales roster for {month_label(first)}{where}"
            f"{' when it was closed' if from_snapshot else ''} (no sales_targets rows for that month)"
        )
    if columns is not None:
        report = evaluate_columns(columns, policy, first, start, end_exclusive, to_date)
    else:
        report = evaluate_records(records, policy, first, start, end_exclusive, to_date)
    report = cut_performance(report, caller)
    if snapshot is None:
        return report
    # whether live data moved, for the departments the caller sees only
    seen = {s.department_id for s in report.summaries}
    changed = snapshot.differs({m for m in live_roster if m[1] in seen}, in_force, seen)
    closed = ClosedMonth(
        month=snapshot.label, version=snapshot.version, hash=snapshot.hash,
        changed_since_close=changed, source="snapshot" if from_snapshot else "live",
    )  # fmt: skip
    return replace(report, closed=closed)


def snapshot_records(
    snapshot: MonthSnapshot, department_ids: Collection[int] | None = None
) -> list[RosterRecord]:
    """The closed roster as roster records (the engine's input), of these departments."""
    return [
        RosterRecord(
            r.employee_id,
            r.employee_no,
            r.name,
            r.name_en,
            r.department_id,
            r.department,
            r.department_en,
            r.min_target,
            r.sales,
        )  # fmt: skip
        for r in snapshot.rows
        if department_ids is None or r.department_id in department_ids
    ]


def _live_roster(
    columns: RosterColumns | None, records: list[RosterRecord]
) -> set[tuple[int, int, Decimal, Decimal]]:
    """(employee, department, minimum target, sales) of every live roster member."""
    if columns is None:
        return {(r.employee_id, r.department_id, r.min_target, r.sales) for r in records}
    return {
        (e, d, Decimal(t).scaleb(-2), Decimal(s).scaleb(-2))
        for e, d, t, s in zip(
            columns.employee_id.tolist(),
            columns.department_id.tolist(),
            columns.target_cents.tolist(),
            columns.sales_cents.tolist(),
            strict=True,
        )  # fmt: skip
    }


def evaluate_columns(
    columns: RosterColumns,
    policy: BonusPolicy,
    month: date,
    start: date,
    end_exclusive: date,
    month_to_date: bool,
) -> PerformanceReport:
    """The report of :func:`evaluate_records` (identical once its rows are read), computed
    column-wise; the rows are built when read (:class:`PerformanceRows`)."""
    departments = np.unique(columns.department_id, return_index=True)
    dept_ids: list[int] = departments[0].tolist()
    firsts: list[int] = departments[1].tolist()
    names: list[str] = columns.department[firsts].tolist()
    policies = [
        policy.for_department(d, name, name_en)
        for d, name, name_en in zip(
            dept_ids, names, columns.department_en[firsts].tolist(), strict=True
        )
    ]
    outcome = evaluate_month(
        columns.department_id,
        columns.employee_id,
        columns.target_cents,
        columns.sales_cents,
        policies,
    )
    order = outcome.math.order
    identity = MemberIdentity(
        employee_id=columns.employee_id[order],
        employee_no=columns.employee_no[order],
        name=columns.name[order],
        name_en=columns.name_en[order],
        department_id=columns.department_id[order],
        department=columns.department[order],
    )
    values = MemberValues(outcome, columns.sales_cents[order], columns.target_cents[order])
    end = end_exclusive - timedelta(days=1)
    sections: list[DepartmentTrace] = []
    summaries: list[DepartmentSummary] = []
    for dept_id, name, rate, dept in zip(
        dept_ids, names, policies, outcome.departments, strict=True
    ):
        summaries.append(
            DepartmentSummary(
                department_id=dept_id,
                department=name,
                roster_size=dept.stop - dept.start,
                median=dept.median,
                met_minimum_count=dept.met_count,
                above_median_count=dept.above_count,
                bonus_eligible_count=dept.eligible_count,
                total_bonus=dept.total_bonus,
                policy=rate.describe(),
            )
        )
        sections.append(DepartmentTrace.of_roster(dept_id, name, dept.trace))
    rows = PerformanceRows(identity, values)
    rates = dict(zip(dept_ids, policies, strict=True))
    return PerformanceReport(
        month, start, end, month_to_date, rows, summaries, tuple(sections), rates=rates
    )


def _report_trace(
    month: date, start: date, end: date, month_to_date: bool, members: int, departments: int
) -> list[str]:
    """The first lines of a report's trace: the period and the roster."""
    return [
        f"sales = paid orders dated {start.isoformat()} .. {end.isoformat()}"
        + (" (month to date)" if month_to_date else "")
        + "; refunded and cancelled orders excluded",
        f"roster = employees with a {month_label(month)} sales_targets row, by their department: "
        f"{members} members in {departments} department(s)",
    ]


def evaluate_records(
    records: list[RosterRecord],
    policy: BonusPolicy,
    month: date,
    start: date,
    end_exclusive: date,
    month_to_date: bool,
) -> PerformanceReport:
    """Apply the dual-target rules department by department to fetched roster records.

    The Decimal reference (``tools.dualtarget.evaluate_roster`` per department); used
    when the roster cannot take the cents path, and to check :func:`evaluate_columns`.
    """
    grouped: dict[int, list[RosterRecord]] = {}
    for record in records:
        grouped.setdefault(record.department_id, []).append(record)
    end = end_exclusive - timedelta(days=1)
    sections: list[DepartmentTrace] = []
    rows: list[PerformanceRow] = []
    summaries: list[DepartmentSummary] = []
    rates: dict[int, RatePolicy] = {}
    for dept_id in sorted(grouped):
        members = grouped[dept_id]
        dept_name = members[0].department
        rate = rates[dept_id] = policy.for_department(dept_id, dept_name, members[0].department_en)
        outcome = evaluate_roster(members, rate)
        info = {m.employee_id: m for m in members}
        med = outcome.median
        for o in outcome.members:
            m = info[o.employee_id]
            rows.append(
                PerformanceRow(
                    m.employee_id,
                    m.employee_no,
                    m.name,
                    m.name_en,
                    dept_id,
                    dept_name,
                    o.sales,
                    o.min_target,
                    o.attainment,
                    med,
                    o.gap_to_median,
                    o.met_minimum,
                    o.above_median,
                    o.bonus_eligible,
                    o.bonus,
                    o.rank,
                )  # fmt: skip
            )
        total = sum((o.bonus for o in outcome.members), Decimal("0.00"))
        summaries.append(
            DepartmentSummary(
                department_id=dept_id,
                department=dept_name,
                roster_size=len(members),
                median=outcome.median,
                met_minimum_count=sum(o.met_minimum for o in outcome.members),
                above_median_count=sum(o.above_median for o in outcome.members),
                bonus_eligible_count=sum(o.bonus_eligible for o in outcome.members),
                total_bonus=total,
                policy=rate.describe(),
            )
        )
        sections.append(DepartmentTrace.of_roster(dept_id, dept_name, outcome.trace))
    return PerformanceReport(
        month, start, end, month_to_date, rows, summaries, tuple(sections), rates=rates
    )


def _period(first: date, as_of: date | None) -> tuple[date, date, bool]:
    """[start, end_exclusive) of the month as of ``as_of``, and whether it is month-to-date."""
    end_exclusive = next_month(first)
    if as_of is None or as_of >= end_exclusive - timedelta(days=1):
        return first, end_exclusive, False
    if as_of < first:
        raise InvalidArgumentError(
            f"{month_label(first)} has not started as of {as_of.isoformat()}"
        )
    return first, as_of + timedelta(days=1), True
