"""Minimum-target suggestions for next month from planned marketing investment.

Method (per sales department):

1. History: every month before the target month with ``marketing_spend`` rows for the
   department gives one observation: x = total spend (and total leads, when planned
   leads are given), y = the department's paid sales that month (employees whose
   department it is). Fewer than 6 months: refuse (InsufficientHistoryError).
2. Fit OLS ``sales = b0 + b1 x spend [+ b2 x leads]``; report the coefficients, R
   squared and months used; predict the target month's department sales at the planned
   spend with an 80 % prediction interval (Student t, n - p degrees of freedom).
3. The conservative point is the interval's lower bound (never below 0).
4. Established members (employment month > the ramp ladder's length) get
   ``share x conservative point``, where share = their paid sales over the 3 months
   before the target month / the same total over all established members; these
   targets add up to the conservative point.
5. New hires in employment months 1..3 (month of hire = 1) get the policy's ramp
   fraction (default 40 / 60 / 80 %) x the typical target of their level: the median
   ``min_target`` of that level in the department's latest roster month (company-wide
   when the department has none of that level).

Members are employees of the department employed in the target month whose title is one
that has carried a sales target in the department.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy import Connection

from schema.caller import Caller
from schema.warehouse import employees, marketing_spend, sales_orders, sales_targets
from tools.departments import Department, load_departments, resolve_department
from tools.dualtarget import median
from tools.errors import InsufficientHistoryError, InvalidArgumentError, OutOfScopeError
from tools.money import fmt_money, round_money, to_decimal
from tools.period import add_months, month_label, months_between, next_month, parse_month
from tools.policy import BonusPolicy, load_policy
from tools.report import SCOPE_NOTE, table_of
from tools.scope import visible_rows
from tools.stats import ols

MIN_HISTORY_MONTHS = 6
TRAILING_MONTHS = 3
INTERVAL_LEVEL = 0.8


class SuggestedTarget(BaseModel):
    """One member's suggested minimum target and how it was found."""

    employee_id: int | None
    name: str
    department_id: int
    level: str
    hire_date: date
    basis: str | None
    share: Decimal | None
    suggested_min_target: Decimal | None


class TargetSuggestion(BaseModel):
    """The department's model, prediction and per-member suggestions, with the trace."""

    COLUMNS: tuple[str, ...] = (
        "name",
        "level",
        "hire_date",
        "basis",
        "share",
        "suggested_min_target",
    )

    department: str
    month: date
    planned_spend: Decimal
    planned_leads: int | None
    months_used: int
    coefficients: dict[str, float]
    r_squared: float
    predicted_sales: Decimal
    interval_low: Decimal
    interval_high: Decimal
    conservative_point: Decimal
    rows: list[SuggestedTarget]
    trace: list[str]
    scope_note: str | None = None

    def as_table(self) -> dict[str, object]:
        """``{columns, rows, summary, trace}`` with JSON-safe values."""
        columns = list(self.COLUMNS)
        summary = {
            "department": self.department, "month": month_label(self.month),
            "planned_spend": float(self.planned_spend), "planned_leads": self.planned_leads,
            "months_used": self.months_used, "coefficients": self.coefficients,
            "r_squared": self.r_squared, "predicted_sales": float(self.predicted_sales),
            "interval_80": [float(self.interval_low), float(self.interval_high)],
            "conservative_point": float(self.conservative_point),
        }  # fmt: skip
        return {"columns": columns, "rows": table_of(list(self.rows), columns),
                "summary": summary, "trace": self.trace, "scope_note": self.scope_note}  # fmt: skip


def suggest_targets(
    conn: Connection,
    department: str | int,
    month: str | date,
    planned_spend: Decimal | float | str,
    *,
    caller: Caller,
    planned_leads: int | None = None,
    policy: BonusPolicy | None = None,
) -> TargetSuggestion:
    """Suggest next month's minimum targets for a sales department from its planned
    marketing spend (CNY) and optionally planned leads: OLS of monthly sales on spend
    (and leads) with an 80 % prediction interval, each member's trailing share of the
    interval's lower bound, and ramp targets for new hires. Refuses with fewer than 6
    months of history. See the module docstring for the method.
    """
    spend = to_decimal(planned_spend)
    if spend < 0:
        raise InvalidArgumentError(f"planned spend must not be negative, got {spend}")
    target_month = parse_month(month)
    policy = policy or load_policy()
    dept = resolve_department(load_departments(conn), department)
    history = _history(conn, dept.department_id, target_month)
    if len(history) < MIN_HISTORY_MONTHS:
        raise InsufficientHistoryError(
            f"cannot suggest targets for {dept.name}: {len(history)} month(s) of marketing spend "
            f"and sales before {month_label(target_month)}, at least {MIN_HISTORY_MONTHS} needed"
        )
    use_leads = planned_leads is not None
    xs = [[float(s), float(leads)] if use_leads else [float(s)] for _, s, leads, _ in history]
    fit = ols(xs, [float(sales) for *_, sales in history])
    new_x = [float(spend)] if planned_leads is None else [float(spend), float(planned_leads)]
    point, low, high = fit.predict(new_x, INTERVAL_LEVEL)
    conservative = max(round_money(Decimal(repr(low))), Decimal("0.00"))
    names = ["intercept", "spend", "leads"] if use_leads else ["intercept", "spend"]
    coefficients = dict(zip(names, fit.coefficients, strict=True))
    trace = [
        f"{dept.name}: {len(history)} months of history "
        f"({month_label(history[0][0])} .. {month_label(history[-1][0])})",
        "OLS sales = "
        + " + ".join(
            f"{c:,.4f}" if n == "intercept" else f"{c:,.4f} x {n}" for n, c in coefficients.items()
        )
        + f"; R squared {fit.r_squared:.3f}",
        f"planned spend {fmt_money(spend)}"
        + (f", leads {planned_leads}" if use_leads else "")
        + f": predicted sales {point:,.2f}, 80 % interval {low:,.2f} .. {high:,.2f}",
        f"conservative point = interval lower bound = {fmt_money(conservative)}",
    ]
    rows = _member_targets(conn, dept, target_month, conservative, policy, trace)
    result = TargetSuggestion(
        department=dept.name, month=target_month, planned_spend=spend, planned_leads=planned_leads,
        months_used=len(history), coefficients=coefficients, r_squared=fit.r_squared,
        predicted_sales=round_money(Decimal(repr(point))), interval_low=round_money(Decimal(repr(low))),
        interval_high=round_money(Decimal(repr(high))), conservative_point=conservative,
        rows=rows, trace=trace,
    )  # fmt: skip
    if caller.role.sees_everything:
        return result
    kept = visible_rows(
        rows, caller, hidden=("employee_id", "basis", "share", "suggested_min_target")
    )
    if not kept:
        raise OutOfScopeError("you may not see these target suggestions")
    return result.model_copy(update={"rows": kept, "scope_note": SCOPE_NOTE})


def _history(
    conn: Connection, dept_id: int, before: date
) -> list[tuple[date, Decimal, int, Decimal]]:
    """(month, spend, leads, department sales) for every month with spend before ``before``."""
    m, o, e = marketing_spend, sales_orders, employees
    spend_rows = conn.execute(
        sa.select(m.c.month, sa.func.sum(m.c.amount), sa.func.sum(m.c.leads))
        .where(m.c.department_id == dept_id, m.c.month < before)
        .group_by(m.c.month)
    ).all()
    if not spend_rows:
        return []
    first = min(r[0] for r in spend_rows)
    year, mon = sa.extract("year", o.c.order_date), sa.extract("month", o.c.order_date)
    sales_rows = conn.execute(
        sa.select(year, mon, sa.func.sum(o.c.amount))
        .select_from(o.join(e, e.c.employee_id == o.c.employee_id))
        .where(
            e.c.department_id == dept_id,
            o.c.status == "paid",
            o.c.order_date >= first,
            o.c.order_date < before,
        )  # fmt: skip
        .group_by(year, mon)
    ).all()
    sales = {(int(y), int(mo)): to_decimal(total) for y, mo, total in sales_rows}
    return sorted(
        (
            month,
            to_decimal(amount),
            int(leads or 0),
            sales.get((month.year, month.month), Decimal(0)),
        )
        for month, amount, leads in spend_rows
    )


def _member_targets(
    conn: Connection, dept: Department, month: date, point: Decimal, policy: BonusPolicy,
    trace: list[str],
) -> list[SuggestedTarget]:  # fmt: skip
    """Each member's suggestion: trailing share of ``point``, or a ramp target for new hires."""
    o, e, t = sales_orders, employees, sales_targets
    window_start = add_months(month, -TRAILING_MONTHS)
    titles = (
        sa.select(e.c.title).select_from(t.join(e, e.c.employee_id == t.c.employee_id))
        .where(e.c.department_id == dept.department_id).distinct()
    )  # fmt: skip
    trailing = (
        sa.select(o.c.employee_id, sa.func.sum(o.c.amount).label("sales"))
        .where(o.c.status == "paid", o.c.order_date >= window_start, o.c.order_date < month)
        .group_by(o.c.employee_id).subquery()
    )  # fmt: skip
    members = conn.execute(
        sa.select(e.c.employee_id, e.c.name, e.c.level, e.c.hire_date, trailing.c.sales)
        .select_from(e.outerjoin(trailing, trailing.c.employee_id == e.c.employee_id))
        .where(
            e.c.department_id == dept.department_id,
            e.c.title.in_(titles),
            e.c.hire_date < next_month(month),
            sa.or_(e.c.termination_date.is_(None), e.c.termination_date > month),
        )
        .order_by(e.c.employee_id)
    ).all()
    typical = _typical_targets(conn, dept.department_id, month)
    ramp_len = len(policy.ramp_ladder)
    established = [r for r in members if months_between(r.hire_date, month) + 1 > ramp_len]
    total = sum((to_decimal(r.sales) for r in established), Decimal(0))
    rows = []
    for r in members:
        employment_month = months_between(r.hire_date, month) + 1
        fraction = policy.ramp_fraction(employment_month)
        if fraction is not None:
            base = typical.get(r.level)
            basis = (
                f"ramp month {employment_month}: {fraction * 100:.0f} % of {r.level} typical "
                + (fmt_money(base) if base is not None else "(no typical target known)")
            )
            target = round_money(fraction * base) if base is not None else None
            share = None
        else:
            share = (to_decimal(r.sales) / total).quantize(Decimal("0.0001")) if total else None
            target = round_money(to_decimal(r.sales) / total * point) if total else None
            basis = f"trailing {TRAILING_MONTHS}-month share of the conservative point"
        rows.append(SuggestedTarget(
            employee_id=r.employee_id, name=r.name, department_id=dept.department_id,
            level=r.level, hire_date=r.hire_date, basis=basis, share=share,
            suggested_min_target=target,
        ))  # fmt: skip
    trace.append(
        f"{len(established)} established members share the conservative point by their paid "
        f"sales {month_label(window_start)} .. {month_label(add_months(month, -1))}; "
        f"{len(members) - len(established)} new hire(s) on the ramp ladder "
        + " / ".join(f"{step * 100:.0f} %" for step in policy.ramp_ladder)
    )
    return rows


def _typical_targets(conn: Connection, dept_id: int, month: date) -> dict[str, Decimal]:
    """Median ``min_target`` per level in the latest roster month before ``month``
    (the department's own rows first, company-wide for levels it lacks)."""
    t, e = sales_targets, employees
    latest = conn.execute(sa.select(sa.func.max(t.c.month)).where(t.c.month < month)).scalar()
    if latest is None:
        return {}
    rows = conn.execute(
        sa.select(e.c.level, e.c.department_id, t.c.min_target)
        .select_from(t.join(e, e.c.employee_id == t.c.employee_id))
        .where(t.c.month == latest)
    ).all()
    own: dict[str, list[Decimal]] = {}
    company: dict[str, list[Decimal]] = {}
    for level, dept, target in rows:
        company.setdefault(level, []).append(to_decimal(target))
        if dept == dept_id:
            own.setdefault(level, []).append(to_decimal(target))
    merged = {**company, **own}
    return {level: median(values) for level, values in merged.items()}
