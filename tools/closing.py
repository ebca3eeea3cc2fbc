"""Closing a month: its figures from the live warehouse, and what changed since the last close.

:func:`compute_close` runs the performance engine on the whole month (every
department, the bonus policy in force, never a snapshot) and adds to each roster
member the ids of the paid orders counted, checking that they add up to the sales
the engine used. :func:`diff_close` compares a new close with the previous version:
who changed (sales, target, median, gap, flags, bonus) and why (which orders
appeared, were refunded, cancelled, re-dated or reassigned; a department median that
moved; a policy change). Storing the snapshot is ``assistant.closes``'s job.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from schema.caller import Caller
from schema.warehouse import employees, sales_orders
from tools.departments import load_departments
from tools.errors import MonthInProgressError, ToolError
from tools.money import fmt_money
from tools.performance import monthly_performance
from tools.period import month_label, next_month, parse_month
from tools.policy import BonusPolicy
from tools.snapshot import MonthSnapshot, SnapshotRow, same_rates

#: The fields of a row a diff compares, in the order it lists them.
DIFF_FIELDS = ("department", "sales", "min_target", "median", "gap", "met_minimum",
               "above_median", "eligible", "bonus", "rank")  # fmt: skip


@dataclass(frozen=True, slots=True)
class OrderFact:
    """An order as the warehouse has it now."""

    order_id: int
    employee_no: str
    order_date: date
    amount: Decimal
    status: str


def check_closable(month: date, today: date) -> None:
    """Refuse a month that has not ended by ``today`` (Settings.today(), HRQ_AS_OF)."""
    first_open_day = next_month(month)
    if today < first_open_day:
        last = first_open_day - timedelta(days=1)
        state = "has not started" if today < month else "is still in progress"
        raise MonthInProgressError(
            f"{month_label(month)} {state} (today is {today.isoformat()}); it can be closed "
            f"from {first_open_day.isoformat()}, once its last day ({last.isoformat()}) is over"
        )


def compute_close(
    conn: Connection, month: str | date, *, today: date, policy: BonusPolicy
) -> tuple[list[SnapshotRow], dict[int, Decimal]]:
    """The month's snapshot rows from the live warehouse, and the amount of every paid
    order counted (by order id). Raises MonthInProgressError for a month not over by
    ``today`` and NoRosterError for a month without a sales roster."""
    first = parse_month(month)
    check_closable(first, today)
    report = monthly_performance(conn, first, caller=Caller.operator(), policy=policy)
    built = list(report.rows)
    english = {d.department_id: d.name_en for d in load_departments(conn)}
    orders = paid_orders(conn, first, [r.employee_id for r in built if r.employee_id is not None])
    rows: list[SnapshotRow] = []
    amounts: dict[int, Decimal] = {}
    for r in built:
        assert r.employee_id is not None and r.employee_no is not None
        assert r.min_target is not None and r.bonus is not None
        mine = orders.get(r.employee_id, [])
        if sum((amount for _, amount in mine), Decimal(0)) != r.sales:
            raise ToolError(
                f"the warehouse changed while {month_label(first)} was being closed "
                f"({r.employee_no}'s orders no longer add up to their sales); close it again"
            )
        amounts.update(mine)
        rows.append(
            SnapshotRow(
                employee_id=r.employee_id,
                employee_no=r.employee_no,
                name=r.name,
                name_en=r.name_en,
                department_id=r.department_id,
                department=r.department,
                department_en=english.get(r.department_id),
                sales=r.sales,
                min_target=r.min_target,
                median=r.median,
                gap=r.gap_to_median,
                met_minimum=bool(r.met_minimum),
                above_median=r.above_median,
                eligible=bool(r.bonus_eligible),
                bonus=r.bonus,
                rank=r.rank,
                order_ids=tuple(sorted(order_id for order_id, _ in mine)),
            )  # fmt: skip
        )
    return rows, amounts


def paid_orders(
    conn: Connection, month: date, employee_ids: Collection[int]
) -> dict[int, list[tuple[int, Decimal]]]:
    """(order id, amount) of each employee's paid orders dated in ``month``."""
    o = sales_orders
    query = (
        sa.select(o.c.employee_id, o.c.order_id, o.c.amount)
        .where(o.c.status == "paid", o.c.order_date >= month, o.c.order_date < next_month(month))
        .where(o.c.employee_id.in_(sorted(employee_ids)))
        .order_by(o.c.employee_id, o.c.order_id)
    )
    found: dict[int, list[tuple[int, Decimal]]] = {}
    for employee_id, order_id, amount in conn.execute(query):
        found.setdefault(int(employee_id), []).append((int(order_id), Decimal(str(amount))))
    return found


def order_facts(conn: Connection, order_ids: Collection[int]) -> dict[int, OrderFact]:
    """The orders of ``order_ids`` as the warehouse has them now (missing ones left out)."""
    if not order_ids:
        return {}
    o, e = sales_orders, employees
    query = (
        sa.select(o.c.order_id, e.c.employee_no, o.c.order_date, o.c.amount, o.c.status)
        .select_from(o.join(e, e.c.employee_id == o.c.employee_id))
        .where(o.c.order_id.in_(sorted(order_ids)))
    )
    return {
        int(r[0]): OrderFact(int(r[0]), r[1], r[2], Decimal(str(r[3])), r[4])
        for r in conn.execute(query)
    }


def diff_close(
    previous: MonthSnapshot,
    rows: Sequence[SnapshotRow],
    policy: BonusPolicy,
    facts: Mapping[int, OrderFact],
) -> dict[str, Any]:
    """What changed from ``previous`` to the new close's ``rows`` and why.

    ``facts`` are the warehouse's current facts of the :func:`moved_orders`.
    """
    month = previous.month
    old = {r.employee_id: r for r in previous.rows}
    new = {r.employee_id: r for r in rows}
    counted_then, counted_now = _counted(previous.rows), _counted(rows)
    orders_appeared = [
        _order(o, no, facts.get(o), month, gone=False)
        for o, no in sorted(counted_now - counted_then)
    ]
    orders_removed = [
        _order(o, no, facts.get(o), month, gone=True)
        for o, no in sorted(counted_then - counted_now)
    ]
    medians = _medians(previous.rows, rows)
    policy_changed = not all(
        same_rates(policy.for_department(*d), previous.policy.for_department(*d))
        for d in {(r.department_id, r.department, r.department_en) for r in rows}
    )
    people: list[dict[str, Any]] = []
    for employee_id in sorted(set(old) | set(new)):
        before, after = old.get(employee_id), new.get(employee_id)
        current = after or before
        assert current is not None
        changes = _changes(before, after)
        if not changes:
            continue
        why = [
            _order_reason(o)
            for o in orders_appeared + orders_removed
            if o["employee_no"] == current.employee_no
        ]
        if before is None:
            why.append("joined the roster")
        elif after is None:
            why.append("left the roster (no sales target for the month now)")
        elif before.min_target != after.min_target:
            why.append(
                f"minimum target {fmt_money(before.min_target)} -> {fmt_money(after.min_target)}"
            )
        if before is not None and after is not None and before.department_id != after.department_id:
            why.append(f"moved from {before.department} to {after.department}")
        moved = next((m for m in medians if m["department"] == current.department), None)
        if moved is not None:
            why.append(f"{moved['department']} median {fmt_money(Decimal(moved['from']))} -> "
                       f"{fmt_money(Decimal(moved['to']))}")  # fmt: skip
        if policy_changed:
            why.append("the bonus policy in force changed")
        people.append({
            "employee_no": current.employee_no, "name": current.name,
            "department": current.department, "changes": changes, "why": why,
        })  # fmt: skip
    return {
        "from_version": previous.version,
        "orders_appeared": orders_appeared,
        "orders_removed": orders_removed,
        "medians": medians,
        "policy_changed": policy_changed,
        "people": people,
    }


def _counted(rows: Sequence[SnapshotRow]) -> set[tuple[int, str]]:
    """(order id, employee_no) of every order a close counted."""
    return {(o, r.employee_no) for r in rows for o in r.order_ids}


def moved_orders(before: Sequence[SnapshotRow], after: Sequence[SnapshotRow]) -> set[int]:
    """Ids of the orders counted by one close and not the other, or for someone else:
    the orders :func:`diff_close` needs the warehouse's current facts of."""
    return {o for o, _ in _counted(before) ^ _counted(after)}


def _changes(before: SnapshotRow | None, after: SnapshotRow | None) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every compared field that differs (None when absent)."""
    changes: dict[str, list[Any]] = {}
    for name in DIFF_FIELDS:
        a = None if before is None else getattr(before, name)
        b = None if after is None else getattr(after, name)
        if a != b:
            changes[name] = [_plain(a), _plain(b)]
    return changes


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _medians(before: Sequence[SnapshotRow], after: Sequence[SnapshotRow]) -> list[dict[str, str]]:
    """Departments whose median moved: ``{department, from, to}``."""
    old = {r.department: r.median for r in before}
    new = {r.department: r.median for r in after}
    return [
        {"department": d, "from": str(old[d]), "to": str(new[d])}
        for d in sorted(set(old) & set(new))
        if old[d] != new[d]
    ]


def _order(
    order_id: int, employee_no: str, fact: OrderFact | None, month: date, *, gone: bool
) -> dict[str, Any]:
    """One order of a diff with what became of it (``now``)."""
    if fact is None:
        return {"order_id": order_id, "employee_no": employee_no, "amount": None,
                "now": "deleted" if gone else "paid"}  # fmt: skip
    if not gone:
        now = "paid"
    elif fact.status != "paid":
        now = fact.status  # refunded, cancelled
    elif not month <= fact.order_date < next_month(month):
        now = f"re-dated {fact.order_date.isoformat()}"
    elif fact.employee_no != employee_no:
        now = f"reassigned to {fact.employee_no}"
    else:
        now = "no longer counted"
    return {"order_id": order_id, "employee_no": employee_no, "amount": str(fact.amount),
            "now": now}  # fmt: skip


def _order_reason(order: dict[str, Any]) -> str:
    amount = f" ({fmt_money(Decimal(order['amount']))})" if order["amount"] else ""
    if order["now"] == "paid":
        return f"order {order['order_id']}{amount} appeared"
    return f"order {order['order_id']}{amount} {order['now']}"
