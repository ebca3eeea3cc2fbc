"""What-if and "how much more": one person's month recomputed with more sales, exactly.

For one department's month (the engine's roster: every member's sales and minimum
target, and the department's bonus policy):

- :func:`standing_with` recomputes the whole department with one member's sales
  changed: the median moves when that member crosses the middle (an even roster's
  median is the mean of the two middle values), then their eligibility, bonus (half-up
  to the cent, capped) and rank, by the engine's own Decimal rules
  (``tools.dualtarget.evaluate_roster``);
- :func:`least_extra` is the smallest extra amount, to the cent, that passes both bars:
  sales >= minimum target and sales strictly above the median recomputed with the new
  sales. With the others' sales sorted ``o[0] <= ... <= o[n-2]``, the member's new sales
  ``v`` exceed the median of the roster holding ``v`` exactly when ``v > o[(n-1) // 2]``
  (the value that becomes the middle, or the upper of the two middles, once ``v`` passes
  it); both bars only get easier as ``v`` grows, so the least passing cent is
  ``max(min_target, o[(n-1) // 2] + 0.01) - sales``, and :func:`how_much_more` checks it:
  that amount passes and one cent less fails. A roster of one can never pass (the
  median is the member's own sales).

:func:`what_if` and :func:`how_much_more` fetch the department's month from the
performance engine (a closed month from its snapshot, the month in progress to date),
computed over the whole roster whoever asks, and return only the asked person's figures,
to a caller who may see them (``tools.scope.may_see_person``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Literal

import sqlalchemy as sa
from sqlalchemy import Connection

from schema.caller import Caller, Role
from schema.warehouse import employees
from tools.dualtarget import Member, MemberInput, evaluate_roster
from tools.errors import InvalidArgumentError, OutOfScopeError
from tools.money import CENT, fmt_money
from tools.performance import monthly_performance
from tools.performance_rows import PerformanceRow
from tools.period import month_label
from tools.policy import BonusPolicy, RatePolicy
from tools.scope import may_see_person
from tools.snapshot import ClosedMonth, SnapshotSource, closed_line

ZERO = Decimal("0.00")
Bar = Literal["min_target", "median"]


@dataclass(frozen=True, slots=True)
class Standing:
    """One member's month under some sales figure, the whole department recomputed."""

    sales: Decimal
    median: Decimal
    min_target: Decimal
    met_minimum: bool
    above_median: bool
    eligible: bool
    bonus: Decimal
    rank: int
    roster_size: int


def standing_with(
    roster: Sequence[Member], employee_id: int, sales: Decimal, policy: RatePolicy
) -> Standing:
    """The standing of ``employee_id`` when their sales are ``sales`` and everyone else's
    stay as they are: median, flags, bonus and rank of the recomputed department."""
    members = [
        MemberInput(m.employee_id, m.min_target, sales if m.employee_id == employee_id else m.sales)
        for m in roster
    ]
    if not any(m.employee_id == employee_id for m in members):
        raise InvalidArgumentError(f"employee {employee_id} is not on this roster")
    outcome = evaluate_roster(members, policy)
    mine = next(o for o in outcome.members if o.employee_id == employee_id)
    return Standing(
        sales=mine.sales,
        median=outcome.median,
        min_target=mine.min_target,
        met_minimum=mine.met_minimum,
        above_median=mine.above_median,
        eligible=mine.bonus_eligible,
        bonus=mine.bonus,
        rank=mine.rank,
        roster_size=len(members),
    )


def least_extra(roster: Sequence[Member], employee_id: int) -> Decimal | None:
    """The smallest extra sales, a whole number of cents >= 0, that make ``employee_id``
    bonus eligible; None when no amount can (a roster of one)."""
    me = next((m for m in roster if m.employee_id == employee_id), None)
    if me is None:
        raise InvalidArgumentError(f"employee {employee_id} is not on this roster")
    others = sorted(m.sales for m in roster if m.employee_id != employee_id)
    if not others:
        return None
    to_beat = others[(len(roster) - 1) // 2]
    for_target = (me.min_target - me.sales).quantize(CENT, rounding=ROUND_CEILING)
    for_median = (to_beat - me.sales).quantize(CENT, rounding=ROUND_FLOOR) + CENT
    return max(ZERO, for_target, for_median)


@dataclass(frozen=True, slots=True)
class Person:
    """Who the figures are about, and the month they come from."""

    employee_id: int
    employee_no: str | None
    name: str
    name_en: str | None
    department_id: int
    department: str
    month: date
    month_to_date: bool
    #: the close the figures come from (or were compared with, when live)
    closed: ClosedMonth | None
    policy: str


@dataclass(frozen=True, slots=True)
class WhatIf:
    """``person`` with ``extra`` more sales: now (``before``) and then (``after``)."""

    person: Person
    extra: Decimal
    before: Standing
    after: Standing
    trace: list[str]


@dataclass(frozen=True, slots=True)
class HowMuchMore:
    """The least extra sales that make ``person`` bonus eligible, with the proof.

    ``status``: ``already`` (eligible now: ``extra`` is 0), ``needed`` (``at`` the extra
    they are eligible, ``one_cent_less`` they are not), ``impossible`` (a roster of one:
    ``extra`` is None). ``bars`` names what the extra has to clear: the minimum target,
    the median, or both.
    """

    person: Person
    status: Literal["already", "needed", "impossible"]
    extra: Decimal | None
    before: Standing
    at: Standing | None
    one_cent_less: Standing | None
    bars: tuple[Bar, ...]
    trace: list[str]


def what_if(
    conn: Connection,
    month: str | date,
    employee: int | str,
    extra: Decimal,
    *,
    caller: Caller,
    as_of: date | None = None,
    policy: BonusPolicy | None = None,
    closes: SnapshotSource | None = None,
) -> WhatIf:
    """``employee`` (id or employee_no) with ``extra`` more sales in ``month`` (YYYY-MM):
    the department median recomputed, then their eligibility, bonus and rank.

    ``extra`` is whole cents (it may be negative). Raises OutOfScopeError when ``caller``
    may not see the person's figures and InvalidArgumentError when they are not on the
    month's roster.
    """
    if extra != extra.quantize(CENT):
        raise InvalidArgumentError(f"the extra amount must be whole cents, got {extra}")
    person, roster, rate = _department_month(
        conn, month, employee, caller=caller, as_of=as_of, policy=policy, closes=closes
    )
    me = next(m for m in roster if m.employee_id == person.employee_id)
    before = standing_with(roster, person.employee_id, me.sales, rate)
    after = standing_with(roster, person.employee_id, me.sales + extra, rate)
    trace = [
        *_basis(person, before),
        f"what if: sales {fmt_money(me.sales)} + {fmt_money(extra)} = {fmt_money(after.sales)}, "
        f"everyone else unchanged",
        _standing_line("recomputed", after),
    ]
    return WhatIf(person, extra, before, after, trace)


def how_much_more(
    conn: Connection,
    month: str | date,
    employee: int | str,
    *,
    caller: Caller,
    as_of: date | None = None,
    policy: BonusPolicy | None = None,
    closes: SnapshotSource | None = None,
) -> HowMuchMore:
    """The smallest extra sales, to the cent, that make ``employee`` bonus eligible in
    ``month`` (sales >= minimum target and strictly above the median recomputed with the
    new sales), checked: that amount passes, one cent less fails.

    Raises as :func:`what_if`.
    """
    person, roster, rate = _department_month(
        conn, month, employee, caller=caller, as_of=as_of, policy=policy, closes=closes
    )
    me = next(m for m in roster if m.employee_id == person.employee_id)
    before = standing_with(roster, person.employee_id, me.sales, rate)
    trace = _basis(person, before)
    extra = least_extra(roster, person.employee_id)
    if extra is None:
        trace.append("a roster of one: the median is their own sales, never strictly exceeded")
        return HowMuchMore(person, "impossible", None, before, None, None, (), trace)
    if extra == 0:
        trace.append("already eligible: no extra sales needed")
        return HowMuchMore(person, "already", extra, before, before, None, (), trace)
    at = standing_with(roster, person.employee_id, me.sales + extra, rate)
    less = standing_with(roster, person.employee_id, me.sales + extra - CENT, rate)
    if not at.eligible or less.eligible:  # the proof of least_extra; never fails
        raise AssertionError(f"least extra {extra} is not the least passing amount")
    bars: tuple[Bar, ...] = ()  # the bars one cent less misses: what sets the amount
    if not less.met_minimum:
        bars += ("min_target",)
    if not less.above_median:
        bars += ("median",)
    trace += [
        f"least extra: {fmt_money(extra)} (sales {fmt_money(at.sales)})",
        _standing_line(f"with {fmt_money(extra)} more", at),
        _standing_line(f"with {fmt_money(extra - CENT)} more (one cent less)", less),
    ]
    return HowMuchMore(person, "needed", extra, before, at, less, bars, trace)


def _standing_line(label: str, s: Standing) -> str:
    return (
        f"{label}: sales {fmt_money(s.sales)}, median {fmt_money(s.median)} of {s.roster_size}, "
        f"minimum {fmt_money(s.min_target)} {'met' if s.met_minimum else 'missed'}, "
        f"{'above' if s.above_median else 'not above'} the median, "
        f"{'eligible' if s.eligible else 'not eligible'}, bonus {fmt_money(s.bonus)}, "
        f"rank {s.rank}"
    )


def _basis(person: Person, now: Standing) -> list[str]:
    source = (
        "month to date"
        if person.month_to_date
        else f"the close of {person.closed.month}, version {person.closed.version}"
        if person.closed is not None and person.closed.source == "snapshot"
        else "live data"
    )
    lines = [
        f"{month_label(person.month)}, {person.department}: {now.roster_size} roster members "
        f"({source}); bonus {person.policy}",
        _standing_line("now", now),
    ]
    if person.closed is not None:
        lines.insert(1, closed_line(person.closed))
    return lines


def _department_month(
    conn: Connection,
    month: str | date,
    employee: int | str,
    *,
    caller: Caller,
    as_of: date | None,
    policy: BonusPolicy | None,
    closes: SnapshotSource | None,
) -> tuple[Person, list[MemberInput], RatePolicy]:
    """The person, their department's whole roster and its rate policy for the month,
    as the engine computes it; refuses callers who may not see the person."""
    everyone = Caller.operator()  # a median needs the whole roster, whoever asks
    report = monthly_performance(
        conn, month, caller=everyone, as_of=as_of, policy=policy, closes=closes
    )
    row = _row_of(report.rows, employee)
    if row is None or row.employee_id is None:
        raise _not_on_roster(conn, month_label(report.month), employee, caller)
    if not may_see_person(caller, row.employee_id, row.department_id):
        raise OutOfScopeError(_out_of_scope(caller))
    if report.closed is not None:  # whether live data moved: judged over this department only
        report = monthly_performance(
            conn, month, caller=everyone, department=row.department_id, as_of=as_of,
            policy=policy, closes=closes,
        )  # fmt: skip
    roster = [
        MemberInput(r.employee_id or 0, r.min_target or ZERO, r.sales)
        for r in report.rows
        if r.department_id == row.department_id
    ]
    rate = report.rates[row.department_id]
    person = Person(
        employee_id=row.employee_id, employee_no=row.employee_no, name=row.name,
        name_en=row.name_en, department_id=row.department_id, department=row.department,
        month=report.month, month_to_date=report.month_to_date, closed=report.closed,
        policy=rate.describe(),
    )  # fmt: skip
    return person, roster, rate


def _out_of_scope(caller: Caller) -> str:
    if caller.role is Role.MANAGER:
        return "you may ask what-if questions about your department subtree and yourself only"
    return "you may ask what-if questions about yourself only"


def _row_of(rows: Sequence[PerformanceRow], employee: int | str) -> PerformanceRow | None:
    if isinstance(employee, int):
        return next((r for r in rows if r.employee_id == employee), None)
    return next((r for r in rows if r.employee_no == employee), None)


def _not_on_roster(
    conn: Connection, month: str, employee: int | str, caller: Caller
) -> InvalidArgumentError | OutOfScopeError:
    """The error for a person who is not on the month's roster: InvalidArgumentError to a
    caller who may see them, OutOfScopeError to anyone else (who is on which roster is not
    theirs to learn)."""
    e = employees
    key = e.c.employee_id if isinstance(employee, int) else e.c.employee_no
    found = conn.execute(
        sa.select(e.c.employee_id, e.c.employee_no, e.c.name, e.c.department_id).where(
            key == employee
        )
    ).first()
    if found is not None and may_see_person(caller, found.employee_id, found.department_id):
        return InvalidArgumentError(
            f"{found.name} ({found.employee_no}) is not on the sales roster of {month} "
            "(no sales_targets row that month), so there is no median or bonus to recompute"
        )
    if found is None and caller.role.sees_everything:
        return InvalidArgumentError(f"no employee {employee}")
    return OutOfScopeError(_out_of_scope(caller))
