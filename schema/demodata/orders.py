"""Sales orders, WeCom customer interactions and monthly minimum targets.

A representative's expected sales in a month grow with the department's
marketing spend level, the season and their own skill; orders are drawn
month by month (one vectorised chunk per month) on days the representative is
employed. The paid sales per employee-month are returned for payroll.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from schema.demodata.context import Context
from schema.demodata.market import Market
from schema.demodata.sink import Sink, day, label, money, stamp

PRODUCT_LINES = ("SaaS", "Hardware", "Services")
PRODUCT_SHARE = (0.45, 0.25, 0.30)
PRODUCT_SIZE = np.array([1.0, 1.4, 0.8])  # relative order size
ORDER_CHANNELS = ("online", "offline", "partner")
STATUSES = ("paid", "refunded", "cancelled")
STATUS_SHARE = (0.91, 0.05, 0.04)
REP_SALES = 80_000.0  # CNY a mid-level rep of skill 1 sells in a full month at spend factor 1
TARGET = 70_000.0  # CNY minimum target of a mid-level rep in a full month
TARGET_LEVEL = np.array([0.8, 1.0, 1.25, 1.0])
KINDS = ("chat", "call", "visit")
DAY_US = 86_400_000_000


def demand(ctx: Context, market: Market) -> np.ndarray:
    """Spend-driven demand multiplier per employee-month (0 for non-representatives)."""
    pos = ctx.dept_pos[ctx.staff.department_id]
    dept_effect = ctx.rng(20).uniform(0.85, 1.15, len(ctx.sales_dept_ids))
    level = (0.3 + 0.7 * market.factor) * ctx.season[None, :] * dept_effect[:, None]
    out = np.where(ctx.staff.is_rep[:, None], level[np.maximum(pos, 0)], 0.0)
    return out


def build_orders(
    ctx: Context, sink: Sink, market: Market, tick: Callable[[], None] | None = None
) -> np.ndarray:
    """Write ``sales_orders`` month by month; return paid sales in cents (employees x months)."""
    staff, p = ctx.staff, ctx.period
    days = ctx.days
    frac = days / ctx.month_length[None, :]
    mult = demand(ctx, market)
    sales = np.zeros((len(staff), p.months), dtype=np.int64)
    pos = ctx.dept_pos[staff.department_id]
    next_id = 1
    for m in range(p.months):
        rng = ctx.rng(21, m)
        reps = np.flatnonzero(staff.is_rep & (days[:, m] > 0))
        skill = staff.skill[reps]
        lam = ctx.spec.orders_per_rep_month * mult[reps, m] * np.sqrt(skill) * frac[reps, m]
        count = rng.poisson(lam)
        avg = REP_SALES * mult[reps, m] * skill * frac[reps, m] / np.maximum(lam, 1e-9)
        rep = np.repeat(reps, count)
        n = len(rep)
        product = rng.choice(3, n, p=PRODUCT_SHARE)
        amount = np.repeat(avg, count) * PRODUCT_SIZE[product] * rng.lognormal(-0.245, 0.7, n)
        cents = np.where(product == 2, np.rint(amount * 100), np.rint(amount) * 100)
        cents = np.maximum(cents, 100).astype(np.int64)
        when = ctx.lo[rep, m] + (rng.random(n) * days[rep, m]).astype(np.int64)
        status = rng.choice(3, n, p=STATUS_SHARE)
        customer = market.pick(pos[rep], m, rng.random(n))
        order = np.lexsort((rep, when))
        sink.insert(
            "sales_orders",
            {
                "order_id": np.arange(next_id, next_id + n, dtype=np.int64),
                "employee_id": rep[order] + 1,
                "customer_id": customer[order],
                "order_date": when[order],
                "amount": cents[order],
                "product_line": product[order],
                "channel": rng.choice(3, n, p=(0.4, 0.4, 0.2))[order],
                "status": status[order],
            },
            {
                "order_date": day("order_date"),
                "amount": money("amount"),
                "product_line": label("product_line", PRODUCT_LINES),
                "channel": label("channel", ORDER_CHANNELS),
                "status": label("status", STATUSES),
            },
        )
        next_id += n
        paid = status == 0
        sales[:, m] = np.bincount(rep[paid], weights=cents[paid], minlength=len(staff)).round()
        if tick:
            tick()
    return sales


def build_interactions(
    ctx: Context, sink: Sink, market: Market, tick: Callable[[], None] | None = None
) -> None:
    """Write ``customer_interactions``: chats, calls and visits on working hours of employed days."""
    staff, p = ctx.staff, ctx.period
    days = ctx.days
    pos = ctx.dept_pos[staff.department_id]
    next_id = 1
    for m in range(p.months):
        rng = ctx.rng(22, m)
        reps = np.flatnonzero(staff.is_rep & (days[:, m] > 0))
        lam = ctx.spec.interactions_per_rep_month * staff.skill[reps] ** 0.3
        count = rng.poisson(lam * days[reps, m] / ctx.month_length[m])
        rep = np.repeat(reps, count)
        n = len(rep)
        when = ctx.lo[rep, m] + (rng.random(n) * days[rep, m]).astype(np.int64)
        at = when * DAY_US + rng.integers(9 * 3600, 19 * 3600, n) * 1_000_000
        kind = rng.choice(3, n, p=(0.62, 0.25, 0.13))
        messages = np.where(kind == 0, 1 + rng.poisson(14, n), 0)
        minutes = np.select(
            [kind == 0, kind == 1],
            [messages * rng.uniform(0.3, 1.5, n), rng.gamma(2.0, 6.0, n)],
            rng.gamma(4.0, 20.0, n),
        )
        order = np.lexsort((rep, at))
        sink.insert(
            "customer_interactions",
            {
                "interaction_id": np.arange(next_id, next_id + n, dtype=np.int64),
                "employee_id": rep[order] + 1,
                "customer_id": market.pick(pos[rep], m, rng.random(n))[order],
                "occurred_at": at[order],
                "kind": kind[order],
                "message_count": messages[order],
                "duration_minutes": np.maximum(np.rint(minutes * 10), 1).astype(np.int64)[order],
            },
            {
                "occurred_at": stamp("occurred_at"),
                "kind": label("kind", KINDS),
                "duration_minutes": money("duration_minutes", 8, 1),
            },
        )
        next_id += n
        if tick:
            tick()


def build_targets(ctx: Context, sink: Sink) -> np.ndarray:
    """Write ``sales_targets`` for every representative employed in a month; return them in cents.

    A month's target is prorated by the days of the month the person is employed
    (the whole month for the current month), rounded to 100 CNY.
    """
    staff, p = ctx.staff, ctx.period
    full = np.maximum(ctx.hi_full - ctx.lo + 1, 0) / ctx.month_length[None, :]
    on_roster = staff.is_rep[:, None] & (ctx.days > 0)
    target = TARGET * TARGET_LEVEL[staff.level][:, None] * full
    cents = np.maximum(np.rint(target / 100), 10).astype(np.int64) * 10_000
    cents = np.where(on_roster, cents, 0)
    emp, month = np.nonzero(on_roster)
    sink.insert(
        "sales_targets",
        {"employee_id": emp + 1, "month": p.month_start[month], "min_target": cents[emp, month]},
        {"month": day("month"), "min_target": money("min_target")},
    )
    return cents
