"""The dual-target math of ``tools.dualtarget``, vectorised over a whole month's roster.

``tools.dualtarget.evaluate_roster`` is the reference: plain Decimal, one department at
a time, easy to read. This module computes exactly the same results for every
department at once with numpy on integer cents, and keeps Decimal only where a value
leaves it:

- ordering, ranks, medians, "met minimum", "above median" and "bonus eligible" are
  integer comparisons of cents (the median as twice its value, so a half cent stays
  exact);
- attainment is ``sales / min_target`` rounded half-up to 0.0001 by integer division,
  which equals Decimal's ``quantize(ROUND_HALF_UP)`` (the Decimal quotient has 28
  significant digits, far more than it takes to tell a tie from a near-tie);
- the median, gap to the median and the bonus are computed with the very Decimal
  expressions of the reference (a few per department, one subtraction per member, one
  multiplication per eligible member), so they are identical, exponent included.

Only values that fit comfortably in 64-bit integers take this path
(:data:`MAX_CENTS`); callers fall back to the reference beyond it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import numpy.typing as npt

from tools.dualtarget import ZERO_CNY, median_line_of
from tools.money import CENT, fmt_money
from tools.policy import RatePolicy

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

#: Largest absolute amount in cents the integer path accepts: ``20,000 x`` it (the
#: attainment numerator, doubled) still fits in an int64 with room to spare.
MAX_CENTS = 10**14
_ATTAINMENT_UNIT = Decimal("0.0001")
_NEGATIVE_ZERO_ATTAINMENT = Decimal("-0.0000")


@dataclass(frozen=True, slots=True)
class RosterMath:
    """Every roster member's position and flags, in output order.

    ``order[i]`` is the input index of the member at output position ``i``; output
    order is department id, then sales (highest first), then employee id. Department
    groups are ``starts[g]:starts[g + 1]`` in output order.
    """

    order: Ints
    starts: Ints
    rank: Ints
    met: Bools
    above: Bools
    eligible: Bools
    #: Attainment in units of 0.0001, half-up; meaningful where ``has_attainment``.
    attainment: Ints
    has_attainment: Bools
    #: Attainment rounded to zero from a negative quotient (Decimal keeps the sign).
    negative_zero: Bools


def fits_integer_path(*columns: Ints) -> bool:
    """Whether every value is within :data:`MAX_CENTS` (and so the integer path is exact)."""
    return all(c.size == 0 or int(np.abs(c).max()) < MAX_CENTS for c in columns)


def half_up_divide(numerator: Ints, denominator: Ints) -> Ints:
    """``numerator / denominator`` rounded half-up (ties away from zero); denominators > 0."""
    magnitude = (2 * np.abs(numerator) + denominator) // (2 * denominator)
    return np.where(numerator < 0, -magnitude, magnitude)


def evaluate_cents(
    department_id: Ints, employee_id: Ints, target_cents: Ints, sales_cents: Ints
) -> RosterMath:
    """Rank, median and flags of every member of every department, from integer cents.

    The arrays are parallel (one entry per roster member, any order). Values must
    satisfy :func:`fits_integer_path`.
    """
    count = len(employee_id)
    order = np.lexsort((employee_id, -sales_cents, department_id)).astype(np.int64)
    dept = department_id[order]
    sales = sales_cents[order]
    target = target_cents[order]
    positions = np.arange(count, dtype=np.int64)
    new_group = np.ones(count, dtype=np.bool_)
    new_group[1:] = dept[1:] != dept[:-1]
    starts = np.append(np.flatnonzero(new_group), count).astype(np.int64)
    sizes = np.diff(starts)
    group_start = np.repeat(starts[:-1], sizes)
    # Competition ranks: the first position (within the department) of each sales value.
    new_value = new_group.copy()
    new_value[1:] |= sales[1:] != sales[:-1]
    first_of_value = np.maximum.accumulate(np.where(new_value, positions, 0))
    rank = first_of_value - group_start + 1
    # Twice the median, in cents, per department; members sorted highest first.
    middle = starts[:-1] + sizes // 2
    odd = sizes % 2 == 1
    lower_middle = middle - np.where(odd, 0, 1)
    twice_median = np.where(odd, 2 * sales[middle], sales[lower_middle] + sales[middle])
    above = 2 * sales > np.repeat(twice_median, sizes)
    met = sales >= target
    has_attainment = target > 0
    safe_target = np.where(has_attainment, target, 1)
    attainment = half_up_divide(sales * 10_000, safe_target)
    return RosterMath(
        order=order,
        starts=starts,
        rank=rank,
        met=met,
        above=above,
        eligible=met & above,
        attainment=attainment,
        has_attainment=has_attainment,
        negative_zero=(attainment == 0) & (sales < 0),
    )


@dataclass(frozen=True, slots=True)
class DepartmentOutcome:
    """One department's aggregates as ``evaluate_roster`` would report them."""

    start: int
    stop: int
    median: Decimal
    met_count: int
    above_count: int
    eligible_count: int
    total_bonus: Decimal
    trace: list[str]


@dataclass(frozen=True, slots=True)
class MonthOutcome:
    """Per-member Decimal values in output order, plus each department's aggregates."""

    math: RosterMath
    #: Whether the input was already in output order (``math.order`` is the identity).
    identity: bool
    sales: list[Decimal]
    min_target: list[Decimal]
    attainment: list[Decimal | None]
    median: list[Decimal]
    gap_to_median: list[Decimal]
    bonus: list[Decimal]
    departments: list[DepartmentOutcome]


def decimals_from_cents(cents: Ints) -> list[Decimal]:
    """``[Decimal('123.45'), ...]`` from ``[12345, ...]`` (always two decimal places).

    Equal amounts share one Decimal (immutable), so repeated values (minimum targets
    come in a few tiers) are built once.
    """
    built: dict[int, Decimal] = {}
    out = []
    for c in cents.tolist():
        value = built.get(c)
        if value is None:
            value = built[c] = Decimal(c) * CENT
        out.append(value)
    return out


def evaluate_month(
    department_id: Ints,
    employee_id: Ints,
    target_cents: Ints,
    sales_cents: Ints,
    has_sales: Bools,
    policies: Sequence[RatePolicy],
    min_target: Sequence[Decimal] | None = None,
    sales: Sequence[Decimal] | None = None,
) -> MonthOutcome:
    """The full dual-target outcome of every department: flags from :func:`evaluate_cents`,
    the median, gaps and bonuses with the reference's Decimal expressions.

    ``policies`` holds one rate policy per department, in department id order.
    ``min_target`` and ``sales`` are the Decimal values as the warehouse gave them (in
    input order, equal to the cents); without them they are built from the cents, a
    member without paid orders (``has_sales`` false) getting ``Decimal(0)`` as the
    row-wise fetch gives it.
    """
    math = evaluate_cents(department_id, employee_id, target_cents, sales_cents)
    order = math.order
    identity = bool(np.array_equal(order, np.arange(len(order))))
    if sales is None:
        unit = CENT
        sales_out = [
            Decimal(c) * unit for c in (sales_cents if identity else sales_cents[order]).tolist()
        ]
        zero = Decimal(0)
        for i in np.flatnonzero(~(has_sales if identity else has_sales[order])).tolist():
            sales_out[i] = zero
    else:
        sales_out = list(sales) if identity else [sales[i] for i in order.tolist()]
    if min_target is None:
        target_out = decimals_from_cents(target_cents if identity else target_cents[order])
    else:
        target_out = list(min_target) if identity else [min_target[i] for i in order.tolist()]
    per_mille = _ATTAINMENT_UNIT
    attainment: list[Decimal | None]
    if bool(math.has_attainment.all()):
        attainment = [Decimal(q) * per_mille for q in math.attainment.tolist()]
    else:
        attainment = [
            (Decimal(q) * per_mille) if has else None
            for q, has in zip(math.attainment.tolist(), math.has_attainment.tolist(), strict=True)
        ]
    for i in np.flatnonzero(math.negative_zero & math.has_attainment).tolist():
        attainment[i] = _NEGATIVE_ZERO_ATTAINMENT
    count_all = len(sales_out)
    medians: list[Decimal] = []
    gaps: list[Decimal] = []
    bonuses: list[Decimal] = [ZERO_CNY] * count_all
    departments: list[DepartmentOutcome] = []
    eligible_at = np.flatnonzero(math.eligible).tolist()
    starts = math.starts.tolist()
    group_starts = math.starts[:-1]
    met_counts = np.add.reduceat(math.met, group_starts).tolist() if count_all else []
    above_counts = np.add.reduceat(math.above, group_starts).tolist() if count_all else []
    eligible_counts = np.add.reduceat(math.eligible, group_starts).tolist() if count_all else []
    eligible_bounds = np.searchsorted(np.flatnonzero(math.eligible), math.starts).tolist()
    for group, policy in enumerate(policies):
        start, stop = starts[group], starts[group + 1]
        count = stop - start
        middle = start + count // 2
        if count % 2:
            med = sales_out[middle]
        else:
            med = (sales_out[middle - 1] + sales_out[middle]) / 2
        group_gaps = [value - med for value in sales_out[start:stop]]
        gaps.extend(group_gaps)
        medians.extend([med] * count)
        rate, cap = policy.rate, policy.cap
        total = ZERO_CNY
        capped = 0
        for i in eligible_at[eligible_bounds[group] : eligible_bounds[group + 1]]:
            bonus = (rate * group_gaps[i - start]).quantize(CENT, rounding=ROUND_HALF_UP)
            if cap is not None and bonus >= cap:
                bonus = cap.quantize(CENT, rounding=ROUND_HALF_UP)
                capped += 1
            bonuses[i] = bonus
            total += bonus
        low = sales_out[middle] if count % 2 == 0 else med
        high = sales_out[middle - 1] if count % 2 == 0 else med
        trace = [
            median_line_of(count, low, high, med),
            f"{met_counts[group]} of {count} met their minimum target; "
            f"{above_counts[group]} strictly above the median",
            f"bonus: {policy.describe()}; {eligible_counts[group]} eligible (met minimum and "
            f"above median), total {fmt_money(total)}",
        ]
        if capped:
            trace.append(f"{capped} bonus(es) limited by the cap of {fmt_money(cap)}")
        departments.append(
            DepartmentOutcome(
                start=start,
                stop=stop,
                median=med,
                met_count=met_counts[group],
                above_count=above_counts[group],
                eligible_count=eligible_counts[group],
                total_bonus=total,
                trace=trace,
            )
        )
    return MonthOutcome(
        math=math,
        identity=identity,
        sales=sales_out,
        min_target=target_out,
        attainment=attainment,
        median=medians,
        gap_to_median=gaps,
        bonus=bonuses,
        departments=departments,
    )
