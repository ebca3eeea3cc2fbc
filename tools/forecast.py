"""Attainment forecast for the month in progress.

Each roster member's month-end sales are projected linearly from month-to-date sales:
``projected = month-to-date x total working days / elapsed working days`` (Chinese
working-day calendar; elapsed counts the as-of day). Then, per department, against the
projected median of the projected sales: who is at risk of missing the minimum target
(projected < min_target) and who is projected above or below the median.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import Connection

from schema.caller import Caller
from tools.calendar import working_days
from tools.departments import load_departments, resolve_department, subtree_ids
from tools.dualtarget import median, median_trace
from tools.errors import NoRosterError, OutOfScopeError
from tools.money import round_money
from tools.performance import RosterRecord, fetch_roster
from tools.period import month_label, next_month
from tools.report import SCOPE_NOTE, table_of
from tools.scope import visible_department, visible_rows
from tools.trace import DepartmentTrace, Level, department_lines


class ForecastRow(BaseModel):
    """One roster member's projection; ``min_target``/``at_risk`` hidden (None) outside scope."""

    employee_id: int | None
    name: str
    department_id: int
    department: str
    month_to_date: Decimal
    projected: Decimal
    min_target: Decimal | None
    projected_median: Decimal
    at_risk: bool | None
    projected_above_median: bool


class Forecast(BaseModel):
    """Month-end projection for every roster member in scope, with the trace."""

    COLUMNS: tuple[str, ...] = (
        "name", "department", "month_to_date", "projected", "min_target", "projected_median",
        "at_risk", "projected_above_median",
    )  # fmt: skip

    month: date
    as_of: date
    elapsed_working_days: int
    total_working_days: int
    rows: list[ForecastRow]
    trace: list[str]
    scope_note: str | None = None

    def as_table(self) -> dict[str, object]:
        """``{columns, rows, summary, trace}`` with JSON-safe values."""
        columns = list(self.COLUMNS)
        return {
            "columns": columns,
            "rows": table_of(list(self.rows), columns),
            "summary": {
                "month": month_label(self.month),
                "as_of": self.as_of.isoformat(),
                "elapsed_working_days": self.elapsed_working_days,
                "total_working_days": self.total_working_days,
                "at_risk": sum(bool(r.at_risk) for r in self.rows),
            },
            "trace": self.trace,
            "scope_note": self.scope_note,
        }


def forecast(
    conn: Connection,
    as_of: date,
    *,
    caller: Caller,
    department: str | int | None = None,
) -> Forecast:
    """Project month-end sales for the month containing ``as_of`` and flag who is at risk
    of missing their minimum target and who is projected above or below the department
    median. ``department`` narrows to one department and those below it. Cut to the
    caller's scope.
    """
    month = as_of.replace(day=1)
    last_day = next_month(month) - timedelta(days=1)
    departments = load_departments(conn)
    wanted = None
    if department is not None:
        wanted = subtree_ids(departments, resolve_department(departments, department).department_id)
    records = fetch_roster(conn, month, month, as_of + timedelta(days=1), wanted)
    if not records:
        raise NoRosterError(f"no sales roster for {month_label(month)}")
    elapsed = working_days(month, as_of)
    total = working_days(month, last_day)
    factor = Decimal(total.days) / Decimal(elapsed.days) if elapsed.days else Decimal(1)
    names = {d.department_id: d.name for d in departments}
    header = [
        f"month-to-date = paid orders {month.isoformat()} .. {as_of.isoformat()}",
        f"working days elapsed {elapsed.days} of {total.days} in {month_label(month)}"
        + (" (Mon-Fri assumed: no holiday calendar for this year)" if total.fallback else ""),
        "projected = month-to-date x total / elapsed working days"
        if elapsed.days
        else "no working day has elapsed yet: projected = month-to-date",
    ]
    grouped: dict[int, list[tuple[RosterRecord, Decimal]]] = {}
    for r in records:
        grouped.setdefault(r.department_id, []).append((r, round_money(r.sales * factor)))
    rows: list[ForecastRow] = []
    sections: list[DepartmentTrace] = []
    for dept_id in sorted(grouped):
        projections = [p for _, p in grouped[dept_id]]
        med = median(projections)
        at_risk = 0
        for record, projected in sorted(
            grouped[dept_id], key=lambda item: (-item[1], item[0].employee_id)
        ):
            risk = projected < record.min_target
            at_risk += risk
            rows.append(
                ForecastRow(
                    employee_id=record.employee_id,
                    name=record.name,
                    department_id=dept_id,
                    department=names.get(dept_id, str(dept_id)),
                    month_to_date=record.sales,
                    projected=projected,
                    min_target=record.min_target,
                    projected_median=med,
                    at_risk=risk,
                    projected_above_median=projected > med,
                )  # fmt: skip
            )
        sections.append(
            DepartmentTrace(
                dept_id,
                names.get(dept_id, str(dept_id)),
                public=(f"projected {median_trace(projections)}",),
                private=(f"{at_risk} of {len(projections)} at risk of missing the minimum",),
            )
        )
    levels: dict[int, Level] = {d: visible_department(caller, d) for d in grouped}
    trace = header + department_lines(sections, levels, grouped)
    result = Forecast(
        month=month, as_of=as_of, elapsed_working_days=elapsed.days,
        total_working_days=total.days, rows=rows, trace=trace,
    )  # fmt: skip
    if caller.role.sees_everything:
        return result
    kept = visible_rows(rows, caller, hidden=("employee_id", "min_target", "at_risk"))
    if not kept:
        raise OutOfScopeError("you may not see this forecast: it covers no one in your scope")
    return result.model_copy(update={"rows": kept, "scope_note": SCOPE_NOTE})
