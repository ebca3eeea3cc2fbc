"""Payroll and quarterly performance reviews, computed from the sales and targets.

Payroll covers every employee-month of a completed month in which the person
was employed (the current month is not paid yet). The performance bonus follows
RULES.md: 5 % of (sales - department median) for roster members who met their
minimum target and beat the median, rounded half-up to 0.01 CNY. All money is
integer cents here, so ``net_pay = base_salary + commission + bonus - deductions``
holds exactly.
"""

from __future__ import annotations

import numpy as np

from schema.demodata.context import Context
from schema.demodata.sink import Sink, day, label, maybe, money

# Monthly income-tax brackets after the 5,000 CNY allowance: (from, rate %) in cents.
TAX_BRACKETS = ((0, 3), (300_000, 10), (1_200_000, 20), (2_500_000, 25))
RATINGS = ("S", "A", "B", "C", "D")
RATING_FLOOR = np.array([9300, 8500, 7200, 6000, 0])  # score x 100


def twice_median(
    sales: np.ndarray, roster: np.ndarray, dept: np.ndarray, n_dept: int
) -> np.ndarray:
    """Twice the department median of roster sales per employee-month (exact in integers)."""
    out = np.zeros(sales.shape, dtype=np.int64)
    for d in range(n_dept):
        rows = dept == d
        for m in range(sales.shape[1]):
            members = rows & roster[:, m]
            values = np.sort(sales[members, m])
            if len(values):
                n = len(values)
                out[rows, m] = values[n // 2] * 2 if n % 2 else values[n // 2 - 1] + values[n // 2]
    return out


def build_payroll(ctx: Context, sink: Sink, sales: np.ndarray, targets: np.ndarray) -> None:
    """Write ``payroll`` for completed months."""
    staff, p = ctx.staff, ctx.period
    complete = p.month_end <= p.end
    days = np.maximum(ctx.hi_full - ctx.lo + 1, 0)
    employed = (days > 0) & complete[None, :]
    dim = ctx.month_length[None, :]
    base = (staff.base_salary[:, None] * 100 * days * 2 + dim) // (2 * dim)
    roster = targets > 0
    pos = ctx.dept_pos[staff.department_id]
    med2 = twice_median(sales, roster, pos, len(ctx.sales_dept_ids))
    eligible = roster & (sales >= targets) & (2 * sales > med2)
    bonus = np.where(eligible, (2 * sales - med2 + 20) // 40, 0)
    commission = np.where(staff.is_rep[:, None], (sales * 2 + 50) // 100, 0)
    dept_sales = np.zeros((len(ctx.sales_dept_ids), p.months), dtype=np.int64)
    np.add.at(dept_sales, pos[staff.is_rep], sales[staff.is_rep])
    heads = (staff.depth == 2) & (pos >= 0)
    commission[heads] = (dept_sales[pos[heads]] * 5 + 500) // 1000
    social = (base * 105 + 500) // 1000
    taxable = base + commission + bonus - social - 500_000
    tax = np.zeros_like(taxable)
    uppers = [b[0] for b in TAX_BRACKETS[1:]] + [None]
    for (lower, rate), upper in zip(TAX_BRACKETS, uppers, strict=True):
        portion = np.clip(taxable - lower, 0, None if upper is None else upper - lower)
        tax += portion * rate
    deductions = social + (tax + 50) // 100
    emp, month = np.nonzero(employed)
    cols = {
        "base_salary": base,
        "commission": commission,
        "bonus": bonus,
        "deductions": deductions,
        "net_pay": base + commission + bonus - deductions,
    }
    sink.insert(
        "payroll",
        {"employee_id": emp + 1, "month": p.month_start[month]}
        | {k: v[emp, month] for k, v in cols.items()},
        {"month": day("month")} | {k: money(k, 12, 2) for k in cols},
    )


def quarters(ctx: Context) -> list[tuple[str, int, list[int]]]:
    """Completed quarters ending inside the period: (label, last day, month indexes in period)."""
    out = []
    dates = ctx.period.month_dates()
    for m, first in enumerate(dates):
        if first.month % 3 == 0 and ctx.period.month_end[m] <= ctx.period.end:
            months = [k for k in range(max(0, m - 2), m + 1)]
            out.append((f"{first.year}-Q{first.month // 3}", int(ctx.period.month_end[m]), months))
    return out


def build_reviews(ctx: Context, sink: Sink, sales: np.ndarray, targets: np.ndarray) -> None:
    """Write ``performance_reviews``: reps are scored on attainment, others on a personal trend."""
    rng = ctx.rng(40)
    staff = ctx.staff
    person = rng.normal(0, 6, len(staff))
    emp_parts, period_parts, score_parts = [], [], []
    labels = []
    for q, (name, last, months) in enumerate(quarters(ctx)):
        present = np.flatnonzero((staff.hire <= last - 30) & (staff.term > last))
        att = sales[present][:, months].sum(axis=1) / np.maximum(
            targets[present][:, months].sum(axis=1), 1
        )
        rep_score = 76 + 14 * np.log(np.maximum(att, 0.05))
        other = 78 + person[present]
        score = np.where(staff.is_rep[present], rep_score, other) + rng.normal(0, 3.5, len(present))
        emp_parts.append(present)
        period_parts.append(np.full(len(present), q))
        score_parts.append(np.rint(np.clip(score, 35, 99) * 2) * 50)
        labels.append(name)
    if not labels:
        return
    emp = np.concatenate(emp_parts)
    score = np.concatenate(score_parts).astype(np.int64)
    rating = np.argmax(score[:, None] >= RATING_FLOOR[None, :], axis=1)
    sink.insert(
        "performance_reviews",
        {
            "employee_id": emp + 1,
            "period": np.concatenate(period_parts),
            "rating": rating,
            "score": score,
            "reviewer_id": staff.manager_id[emp],
        },
        {
            "period": label("period", labels),
            "rating": label("rating", RATINGS),
            "score": money("score", 5, 2),
            "reviewer_id": maybe("reviewer_id"),
        },
    )
