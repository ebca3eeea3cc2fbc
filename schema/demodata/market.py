"""Marketing spend with the leads it brings, and the customers those leads become.

Each sales department gets a spend level per month (``factor``) that moves
independently of anything else; the order generator makes sales follow it, so
a regression of monthly sales on spend finds a real, positive slope.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from schema.demodata.context import Context
from schema.demodata.names import company_names
from schema.demodata.sink import Sink, day, label, maybe, money

SPEND_CHANNELS = ("online_ads", "offline_event", "partner")
SOURCE_CHANNELS = ("online_ads", "offline_event", "partner", "referral", "organic")
CHANNEL_SHARE = np.array([0.5, 0.3, 0.2])
COST_PER_LEAD = np.array([150.0, 420.0, 300.0])  # CNY
SPEND_PER_REP = 6000.0  # CNY per representative per month at factor 1
CONVERSION = 0.08  # share of leads that become customers
BASE_CUSTOMERS_PER_REP = 10
CITIES = np.array(
    ["上海", "北京", "深圳", "广州", "杭州", "成都", "武汉", "南京", "重庆", "西安"], dtype=object
)


@dataclass
class Market:
    """Spend levels and the customers of each sales department.

    ``customers[off[d]:off[d + 1]]`` are department d's customer ids in creation
    order, and ``known[d, m]`` how many of them exist before month m starts.
    """

    factor: np.ndarray  # sales departments x months
    customers: np.ndarray
    off: np.ndarray
    known: np.ndarray

    def pick(self, dept: np.ndarray, month: int, u: np.ndarray) -> np.ndarray:
        """Customer ids for uniform draws ``u`` among each department's known customers."""
        return self.customers[self.off[dept] + (u * self.known[dept, month]).astype(np.int64)]


def build_market(ctx: Context, sink: Sink) -> Market:
    """Write ``marketing_spend`` and ``customers``; return what orders need to refer to them."""
    rng = ctx.rng(10)
    n_dept, n_month = len(ctx.sales_dept_ids), ctx.period.months
    factor = rng.uniform(0.5, 1.6, (n_dept, n_month))
    cut = (ctx.period.month_cut - ctx.period.month_start + 1) / ctx.month_length  # month to date
    size = ctx.department_size()
    total = size[:, None] * SPEND_PER_REP * factor * ctx.season[None, :] * cut[None, :]
    share = rng.dirichlet(CHANNEL_SHARE * 40, (n_dept, n_month))
    spend_cents = np.rint(total[:, :, None] * share * 100).astype(np.int64)
    leads = rng.poisson(
        spend_cents / 100 / COST_PER_LEAD * rng.uniform(0.85, 1.15, spend_cents.shape)
    )
    d, m, c = np.meshgrid(np.arange(n_dept), np.arange(n_month), np.arange(3), indexing="ij")
    sink.insert(
        "marketing_spend",
        {
            "department_id": ctx.sales_dept_ids[d.ravel()],
            "month": ctx.period.month_start[m.ravel()],
            "channel": c.ravel(),
            "amount": spend_cents.ravel(),
            "leads": leads.ravel(),
        },
        {
            "month": day("month"),
            "channel": label("channel", SPEND_CHANNELS),
            "amount": money("amount"),
        },
    )
    return _customers(ctx, sink, factor, leads)


def _customers(ctx: Context, sink: Sink, factor: np.ndarray, leads: np.ndarray) -> Market:
    rng = ctx.rng(11)
    p = ctx.period
    n_dept, n_month = factor.shape
    size = ctx.department_size()
    dept_parts, day_parts, source_parts, month_parts = [], [], [], []
    base = size * BASE_CUSTOMERS_PER_REP
    dept_parts.append(np.repeat(np.arange(n_dept), base))
    day_parts.append(p.start - rng.integers(1, 366, base.sum()))
    source_parts.append(rng.choice(5, base.sum(), p=(0.3, 0.15, 0.15, 0.2, 0.2)))
    month_parts.append(np.full(base.sum(), -1))
    from_leads = rng.poisson(leads * CONVERSION)  # d x m x channel
    other = rng.poisson(size[:, None, None] * 0.4, (n_dept, n_month, 2))
    counts = np.concatenate([from_leads, other], axis=2)  # d x m x source
    dd, mm, ss = np.meshgrid(np.arange(n_dept), np.arange(n_month), np.arange(5), indexing="ij")
    reps = counts.ravel()
    dept_parts.append(np.repeat(dd.ravel(), reps))
    month = np.repeat(mm.ravel(), reps)
    month_parts.append(month)
    source_parts.append(np.repeat(ss.ravel(), reps))
    span = p.month_cut[month] - p.month_start[month] + 1
    day_parts.append(p.month_start[month] + (rng.random(len(month)) * span).astype(np.int64))
    dept, created = np.concatenate(dept_parts), np.concatenate(day_parts)
    source, cmonth = np.concatenate(source_parts), np.concatenate(month_parts)
    order = np.lexsort((dept, created))
    dept, created, source, cmonth = dept[order], created[order], source[order], cmonth[order]
    ids = np.arange(1, len(dept) + 1, dtype=np.int64)
    owner = _owners(ctx, rng, dept, cmonth)
    home = np.array([d.city for d in ctx.departments], dtype=object)[ctx.sales_dept_ids[dept] - 1]
    city = np.where(
        rng.random(len(dept)) < 0.8, home, CITIES[rng.integers(0, len(CITIES), len(dept))]
    )
    sink.insert(
        "customers",
        {
            "customer_id": ids,
            "name": company_names(rng, city),
            "city": city,
            "source_channel": source,
            "created_date": created,
            "owner_employee_id": owner,
        },
        {
            "source_channel": label("source_channel", SOURCE_CHANNELS),
            "created_date": day("created_date"),
            "owner_employee_id": maybe("owner_employee_id"),
        },
    )
    by_dept = np.argsort(dept, kind="stable")
    off = np.concatenate([[0], np.cumsum(np.bincount(dept, minlength=n_dept))])
    known = np.stack(
        [np.bincount(dept[created < s], minlength=n_dept) for s in p.month_start], axis=1
    )
    return Market(factor=factor, customers=ids[by_dept], off=off, known=known)


def _owners(
    ctx: Context, rng: np.random.Generator, dept: np.ndarray, month: np.ndarray
) -> np.ndarray:
    """A representative of the department employed in the creation month (before: at the start)."""
    owner = np.full(len(dept), -1, dtype=np.int64)
    employed = ctx.days > 0
    for d in range(len(ctx.sales_dept_ids)):
        members = ctx.staff.is_rep & (ctx.staff.department_id == ctx.sales_dept_ids[d])
        for m in range(-1, ctx.period.months):
            rows = np.flatnonzero((dept == d) & (month == m))
            pool = np.flatnonzero(members & employed[:, max(m, 0)])
            if len(rows) and len(pool):
                owner[rows] = pool[rng.integers(0, len(pool), len(rows))] + 1
    return owner
