"""Build the whole demo warehouse into a DuckDB connection, table by table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np

from schema.demodata.attendance import build_attendance, build_leave
from schema.demodata.context import Context
from schema.demodata.departments import build_departments
from schema.demodata.market import build_market
from schema.demodata.orders import build_interactions, build_orders, build_targets
from schema.demodata.pay import build_payroll, build_reviews
from schema.demodata.period import build_period
from schema.demodata.scales import spec_of
from schema.demodata.sink import Sink, day, maybe
from schema.demodata.staff import build_staff

#: Progress callback: (what is being built, units done, units in all).
Progress = Callable[[str, int, int], None]


def build(
    sink: Sink, *, seed: int, end_date: date, scale: str, progress: Progress | None = None
) -> None:
    """Create the contract tables in ``sink`` and fill them deterministically."""
    spec = spec_of(scale)
    period = build_period(end_date, spec.months)
    total = 6 + 2 * period.months
    done = 0

    def step(what: str, units: int = 1) -> None:
        nonlocal done
        done += units
        if progress:
            progress(what, done, total)

    departments = build_departments(spec.sales_departments)
    staff = build_staff(departments, spec, period, np.random.default_rng([seed, 1]))
    ctx = Context(seed=seed, spec=spec, period=period, departments=departments, staff=staff)
    sink.create_tables()
    dept_columns = {
        "department_id": np.array([d.department_id for d in departments], dtype=np.int64),
        "name": np.array([d.name for d in departments], dtype=object),
        "name_en": np.array([d.name_en for d in departments], dtype=object),
        "parent_id": np.array([d.parent_id or -1 for d in departments], dtype=np.int64),
        "kind": np.array([d.kind for d in departments], dtype=object),
        "city": np.array([d.city for d in departments], dtype=object),
    }
    tier = np.array([{"company": 0, "region": 1}.get(d.kind, 2) for d in departments])
    for level in range(3):  # parents before children (the key refers to the same table)
        rows = tier == level
        sink.insert(
            "departments",
            {k: v[rows] for k, v in dept_columns.items()},
            {"parent_id": maybe("parent_id")},
        )
    columns = staff.columns(period)
    for depth in range(4):  # managers before the people they manage
        rows = staff.depth == depth
        sink.insert(
            "employees",
            {k: v[rows] for k, v in columns.items()},
            {
                "manager_id": maybe("manager_id"),
                "hire_date": day("hire_date"),
                "termination_date": day("termination_date", nullable=True),
            },
        )
    step("departments and employees")
    market = build_market(ctx, sink)
    step("marketing spend and customers")
    sales = build_orders(ctx, sink, market, tick=lambda: step("sales orders"))
    build_interactions(ctx, sink, market, tick=lambda: step("customer interactions"))
    targets = build_targets(ctx, sink)
    step("sales targets")
    build_payroll(ctx, sink, sales, targets)
    build_reviews(ctx, sink, sales, targets)
    step("payroll and reviews")
    leave = build_leave(ctx, sink)
    build_attendance(ctx, sink, leave)
    step("leave and attendance")
    step("done")
