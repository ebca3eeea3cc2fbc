"""Leave requests and daily attendance on working days.

Attendance has one row per employee and working day employed, up to the end
date. Days covered by an approved leave of a day or more are marked ``leave``.
"""

from __future__ import annotations

import numpy as np

from schema.demodata.context import Context
from schema.demodata.sink import Sink, day, label, maybe, money, stamp

LEAVE_TYPES = ("annual", "sick", "personal", "marriage", "maternity")
LEAVE_SHARE = (0.5, 0.25, 0.19, 0.025, 0.035)
LEAVE_STATUSES = ("pending", "approved", "rejected")
ATTENDANCE = ("present", "late", "absent", "leave", "field")
DAY_US = 86_400_000_000
MINUTE_US = 60_000_000


def workday_ranges(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """Per employee, the [first, last) indexes into the working days they are employed."""
    w, p, s = ctx.period.workdays, ctx.period, ctx.staff
    first = np.searchsorted(w, np.maximum(s.hire, p.start))
    last = np.searchsorted(w, np.minimum(s.term, p.end + 1))
    return first, np.maximum(last, first)


def build_leave(ctx: Context, sink: Sink) -> tuple[np.ndarray, np.ndarray]:
    """Write ``leave_requests``; return approved full-day leave as (employee, workday index) pairs."""
    rng = ctx.rng(50)
    w, s = ctx.period.workdays, ctx.staff
    first, last = workday_ranges(ctx)
    count = rng.poisson(4.0 * (last - first) / 250)
    emp = np.repeat(np.arange(len(s)), count)
    n = len(emp)
    start = first[emp] + (rng.random(n) * (last - first)[emp]).astype(np.int64)
    kind = rng.choice(5, n, p=LEAVE_SHARE)
    female = np.array(s.genders, dtype=object)[emp] == "F"
    kind = np.where((kind == 4) & ~female, 0, kind)
    length = np.select(
        [kind == 0, kind == 1, kind == 3], [rng.integers(1, 6, n), rng.integers(1, 4, n), 10], 1
    )
    stop = np.minimum(start + length - 1, last[emp] - 1)
    start_day, stop_day = w[start], w[stop]
    maternity = kind == 4
    stop_day = np.where(maternity, np.minimum(start_day + 97, s.term[emp] - 1), stop_day)
    half = (kind == 2) & (rng.random(n) < 0.3)
    tenths = np.where(maternity, (stop_day - start_day + 1) * 10, (stop - start + 1) * 10)
    tenths = np.where(half, 5, tenths)
    keep = _without_overlaps(emp, start_day, stop_day)
    emp, start, start_day, stop_day, kind, tenths = (
        a[keep] for a in (emp, start, start_day, stop_day, kind, tenths)
    )
    n = len(emp)
    recent = start_day > ctx.period.end - 10
    status = np.where(
        recent, rng.choice(3, n, p=(0.6, 0.35, 0.05)), rng.choice(3, n, p=(0.0, 0.9, 0.1))
    )
    order = np.lexsort((emp, start_day))
    sink.insert(
        "leave_requests",
        {
            "leave_id": np.arange(1, n + 1, dtype=np.int64),
            "employee_id": emp[order] + 1,
            "leave_type": kind[order],
            "start_date": start_day[order],
            "end_date": stop_day[order],
            "days": tenths[order],
            "status": status[order],
            "approver_id": s.manager_id[emp][order],
        },
        {
            "leave_type": label("leave_type", LEAVE_TYPES),
            "start_date": day("start_date"),
            "end_date": day("end_date"),
            "days": money("days", 4, 1),
            "status": label("status", LEAVE_STATUSES),
            "approver_id": maybe("approver_id"),
        },
    )
    taken = (status == 1) & (tenths >= 10)
    stop_index = np.searchsorted(w, stop_day, side="right") - 1
    span = np.maximum(stop_index - start + 1, 0) * taken
    leave_emp = np.repeat(emp, span)
    offset = np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span)
    return leave_emp, np.repeat(start, span) + offset


def _without_overlaps(emp: np.ndarray, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Indexes of requests kept so that no two of one employee overlap."""
    keep = np.lexsort((start, emp))
    while len(keep) > 1:
        e, a, b = emp[keep], start[keep], stop[keep]
        clash = np.concatenate([[False], (e[1:] == e[:-1]) & (a[1:] <= b[:-1])])
        if not clash.any():
            break
        keep = keep[~clash]
    return np.sort(keep)


def build_attendance(ctx: Context, sink: Sink, leave: tuple[np.ndarray, np.ndarray]) -> None:
    """Write ``attendance`` for every employed working day up to the end date."""
    rng = ctx.rng(51)
    w, s = ctx.period.workdays, ctx.staff
    first, last = workday_ranges(ctx)
    span = last - first
    emp = np.repeat(np.arange(len(s)), span)
    index = np.repeat(first, span) + np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span)
    n = len(emp)
    rep = s.is_rep[emp]
    status = np.where(
        rep,
        rng.choice(5, n, p=(0.83, 0.06, 0.01, 0.0, 0.10)),
        rng.choice(5, n, p=(0.92, 0.06, 0.02, 0.0, 0.0)),
    )
    key = emp * len(w) + index
    on_leave = np.isin(key, leave[0] * len(w) + leave[1])
    status = np.where(on_leave, 3, status)
    minutes_in = np.select(
        [status == 0, status == 1, status == 4],
        [rng.integers(495, 540, n), rng.integers(541, 630, n), rng.integers(510, 600, n)],
        -1,
    )
    minutes_out = 1065 + rng.integers(0, 180, n)
    midnight = w[index] * DAY_US
    check_in = np.where(minutes_in >= 0, midnight + minutes_in * MINUTE_US, -1)
    check_out = np.where(minutes_in >= 0, midnight + minutes_out * MINUTE_US, -1)
    sink.insert(
        "attendance",
        {
            "employee_id": emp + 1,
            "work_date": w[index],
            "status": status,
            "check_in": check_in,
            "check_out": check_out,
        },
        {
            "work_date": day("work_date"),
            "status": label("status", ATTENDANCE),
            "check_in": stamp("check_in", nullable=True),
            "check_out": stamp("check_out", nullable=True),
        },
    )
