"""The dual-target math of ``tools.dualtarget``, vectorised over a whole month's roster.

``tools.dualtarget.evaluate_roster`` is the reference: plain Decimal, one department at
a time, easy to read. This module computes exactly the same results for every
department at once with numpy on integer cents, and builds a Decimal only where a
value leaves it (:class:`MemberValues`):

- ordering, ranks, medians, "met minimum", "above median" and "bonus eligible" are
  integer comparisons of cents; the median and the gaps to it are kept doubled (in
  half cents), so an even roster's median such as 100.005 stays exact;
- attainment is ``sales / min_target`` rounded half-up to 0.0001 by integer division,
  which equals Decimal's ``quantize(ROUND_HALF_UP)`` (the Decimal quotient has 28
  significant digits, far more than it takes to tell a tie from a near-tie);
- the bonus ``rate x gap`` is an integer product when the rate has at most
  :data:`RATE_DIGITS` significant digits (then the reference's Decimal product is exact
  too) and the reference's own Decimal expression otherwise;
- a Decimal built from the integers has the exponent the reference's arithmetic gives
  (0.01 for money, 0.001 for a half-cent median or gap, 0.0001 for attainment).

Only values that fit comfortably in 64-bit integers take this path
(:data:`MAX_CENTS`); callers fall back to the reference beyond it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

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
#: A rate with at most this many significant digits times a gap (at most 17 digits in
#: tenths of a cent) has at most 28 digits, so Decimal's product is exact and equals
#: the integer one.
RATE_DIGITS = 11
_INT64_HEADROOM = 2**62
_ATTAINMENT_UNIT = Decimal("0.0001")
_NEGATIVE_ZERO_ATTAINMENT = Decimal("-0.0000")
_MILLI = Decimal("0.001")


@dataclass(frozen=True, slots=True)
class RosterMath:
    """Every roster member's position and flags, in output order.

    ``order[i]`` is the input index of the member at output position ``i``; output
    order is department id, then sales (highest first), then employee id. Department
    groups are ``starts[g]:starts[g + 1]`` in output order.
    """

    order: Ints
    starts: Ints
    #: The department group of each member.
    group: Ints
    rank: Ints
    met: Bools
    above: Bools
    eligible: Bools
    #: Twice each department's median, in cents (odd: the median has a half cent).
    twice_median: Ints
    #: Twice each member's gap to their department's median, in cents.
    twice_gap: Ints
    #: Attainment in units of 0.0001, half-up; meaningful where ``has_attainment``.
    attainment: Ints
    has_attainment: Bools
    #: Attainment rounded to zero from a negative quotient (Decimal keeps the sign).
    negative_zero: Bools


def fits_integer_path(*columns: Ints) -> bool:
    """Whether every value is within :data:`MAX_CENTS` (and so the integer path is exact)."""
    return all(c.size == 0 or int(np.abs(c).max()) < MAX_CENTS for c in columns)


def half_up_divide(numerator: Ints, denominator: Ints | int) -> Ints:
    """``numerator / denominator`` rounded half-up (ties away from zero); denominators > 0."""
    magnitude = (2 * np.abs(numerator) + denominator) // (2 * denominator)
    return np.where(numerator < 0, -magnitude, magnitude)


def evaluate_cents(
    department_id: Ints, employee_id: Ints, target_cents: Ints, sales_cents: Ints
) -> RosterMath:
    """Rank, median, gaps and flags of every member of every department, from integer cents.

    The arrays are parallel (one entry per roster member, any order). Values must
    satisfy :func:`fits_integer_path`.
    """
    count = len(employee_id)
    identity = _in_output_order(department_id, employee_id, sales_cents)
    order = (
        np.arange(count, dtype=np.int64)
        if identity
        else np.lexsort((employee_id, -sales_cents, department_id)).astype(np.int64)
    )
    dept = department_id if identity else department_id[order]
    sales = sales_cents if identity else sales_cents[order]
    target = target_cents if identity else target_cents[order]
    positions = np.arange(count, dtype=np.int64)
    new_group = np.ones(count, dtype=np.bool_)
    new_group[1:] = dept[1:] != dept[:-1]
    starts = np.append(np.flatnonzero(new_group), count).astype(np.int64)
    sizes = np.diff(starts)
    group = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    # Competition ranks: the first position (within the department) of each sales value.
    new_value = new_group.copy()
    new_value[1:] |= sales[1:] != sales[:-1]
    first_of_value = np.maximum.accumulate(np.where(new_value, positions, 0))
    rank = first_of_value - starts[group] + 1
    # Twice the median, in cents, per department; members sorted highest first.
    middle = starts[:-1] + sizes // 2
    odd = sizes % 2 == 1
    lower_middle = middle - np.where(odd, 0, 1)
    twice_median = np.where(odd, 2 * sales[middle], sales[lower_middle] + sales[middle])
    twice_gap = 2 * sales - twice_median[group]
    above = twice_gap > 0
    met = sales >= target
    has_attainment = target > 0
    attainment = half_up_divide(sales * 10_000, np.where(has_attainment, target, 1))
    return RosterMath(
        order=order,
        starts=starts,
        group=group,
        rank=rank,
        met=met,
        above=above,
        eligible=met & above,
        twice_median=twice_median,
        twice_gap=twice_gap,
        attainment=attainment,
        has_attainment=has_attainment,
        negative_zero=(attainment == 0) & (sales < 0),
    )


def _in_output_order(department_id: Ints, employee_id: Ints, sales_cents: Ints) -> bool:
    """Whether the members already come in output order (as the roster query sorts them)."""
    d0, d1 = department_id[:-1], department_id[1:]
    s0, s1 = sales_cents[:-1], sales_cents[1:]
    after = (d1 > d0) | (
        (d1 == d0) & ((s1 < s0) | ((s1 == s0) & (employee_id[1:] > employee_id[:-1])))
    )
    return bool(after.all())


def half_cents(twice_cents: int) -> Decimal:
    """The Decimal of ``twice_cents / 2`` cents as the reference's arithmetic writes it.

    Whole cents have two decimal places (``(a + b) / 2`` of two amounts keeps the
    dividend's exponent when exact); a half cent takes a third (100.005).
    """
    if twice_cents % 2:
        return Decimal(twice_cents * 5) * _MILLI
    return Decimal(twice_cents // 2) * CENT


def department_bonus(twice_gap: Ints, policy: RatePolicy) -> tuple[Ints, int]:
    """The bonus in cents of eligible members with these doubled gaps, and how many were capped.

    ``(rate x gap).quantize(0.01, ROUND_HALF_UP)`` then the cap, exactly as
    ``tools.dualtarget.evaluate_roster``; gaps are positive (eligible members are above
    the median).
    """
    if not twice_gap.size:
        return twice_gap.copy(), 0
    rate, cap = policy.rate, policy.cap
    numerator, denominator = rate.as_integer_ratio()
    if (
        len(rate.as_tuple().digits) <= RATE_DIGITS
        and numerator * int(twice_gap.max()) < _INT64_HEADROOM
    ):  # gap in yuan = twice_gap / 200, so bonus cents = rate x twice_gap / 2
        bonus = half_up_divide(numerator * twice_gap, 2 * denominator)
    else:
        bonus = np.array(
            [
                int((rate * half_cents(g)).quantize(CENT, rounding=ROUND_HALF_UP).scaleb(2))
                for g in twice_gap.tolist()
            ],
            dtype=np.int64,
        )
    if cap is None:
        return bonus, 0
    # A bonus of whole cents is at least the cap exactly when it reaches the cap's cents
    # rounded up; a capped bonus is the cap rounded half-up to a cent.
    threshold = int((cap * 100).to_integral_value(rounding=ROUND_CEILING))
    capped = bonus >= min(threshold, _INT64_HEADROOM)
    cap_cents = int(cap.quantize(CENT, rounding=ROUND_HALF_UP).scaleb(2))
    return np.where(capped, cap_cents, bonus), int(capped.sum())


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
    """Every member's flags and integer figures, plus each department's aggregates."""

    math: RosterMath
    #: Bonus per member in cents (0 where not eligible), output order.
    bonus: Ints
    departments: list[DepartmentOutcome]


def evaluate_month(
    department_id: Ints,
    employee_id: Ints,
    target_cents: Ints,
    sales_cents: Ints,
    policies: Sequence[RatePolicy],
) -> MonthOutcome:
    """The full dual-target outcome of every department: flags and gaps from
    :func:`evaluate_cents`, bonuses from :func:`department_bonus`, and each department's
    median, counts, total bonus and trace as the reference words them.

    ``policies`` holds one rate policy per department, in department id order.
    """
    math = evaluate_cents(department_id, employee_id, target_cents, sales_cents)
    count = len(math.order)
    sales = sales_cents[math.order]
    bonus = np.zeros(count, dtype=np.int64)
    eligible_at = np.flatnonzero(math.eligible)
    eligible_bounds = np.searchsorted(eligible_at, math.starts).tolist()
    group_starts = math.starts[:-1]
    met_counts = np.add.reduceat(math.met, group_starts).tolist() if count else []
    above_counts = np.add.reduceat(math.above, group_starts).tolist() if count else []
    starts = math.starts.tolist()
    departments: list[DepartmentOutcome] = []
    for group, policy in enumerate(policies):
        start, stop = starts[group], starts[group + 1]
        size = stop - start
        at = eligible_at[eligible_bounds[group] : eligible_bounds[group + 1]]
        amounts, capped = department_bonus(math.twice_gap[at], policy)
        bonus[at] = amounts
        total = Decimal(int(amounts.sum())) * CENT
        middle = start + size // 2
        med = half_cents(int(math.twice_median[group]))
        low = med if size % 2 else Decimal(int(sales[middle])) * CENT
        high = med if size % 2 else Decimal(int(sales[middle - 1])) * CENT
        trace = [
            median_line_of(size, low, high, med),
            f"{met_counts[group]} of {size} met their minimum target; "
            f"{above_counts[group]} strictly above the median",
            f"bonus: {policy.describe()}; {len(at)} eligible (met minimum and "
            f"above median), total {fmt_money(total)}",
        ]
        if capped:
            trace.append(f"{capped} bonus(es) limited by the cap of {fmt_money(policy.cap)}")
        departments.append(
            DepartmentOutcome(
                start=start,
                stop=stop,
                median=med,
                met_count=met_counts[group],
                above_count=above_counts[group],
                eligible_count=len(at),
                total_bonus=total,
                trace=trace,
            )
        )
    return MonthOutcome(math=math, bonus=bonus, departments=departments)


def money_list(cents: Ints) -> list[Decimal]:
    """``[Decimal('123.45'), ...]`` from ``[12345, ...]`` (always two decimal places).

    Equal amounts share one Decimal (immutable), so repeated values (minimum targets
    come in a few tiers, most bonuses are zero) are built once.
    """
    built: dict[int, Decimal] = {}
    out = []
    for c in cents.tolist():
        value = built.get(c)
        if value is None:
            value = built[c] = Decimal(c) * CENT
        out.append(value)
    return out


@dataclass(frozen=True, slots=True)
class MemberValues:
    """Builds members' Decimal values from a :class:`MonthOutcome`, for chosen output positions.

    ``sales_cents`` and ``target_cents`` are in output order.
    """

    outcome: MonthOutcome
    sales_cents: Ints
    target_cents: Ints

    def sales(self, at: Ints) -> list[Decimal]:
        unit = CENT
        return [Decimal(c) * unit for c in self.sales_cents[at].tolist()]

    def min_target(self, at: Ints) -> list[Decimal]:
        return money_list(self.target_cents[at])

    def attainment(self, at: Ints) -> list[Decimal | None]:
        math, unit = self.outcome.math, _ATTAINMENT_UNIT
        values: list[Decimal | None] = [Decimal(q) * unit for q in math.attainment[at].tolist()]
        for i in np.flatnonzero(~math.has_attainment[at]).tolist():
            values[i] = None
        for i in np.flatnonzero(math.negative_zero[at] & math.has_attainment[at]).tolist():
            values[i] = _NEGATIVE_ZERO_ATTAINMENT
        return values

    def median(self, at: Ints) -> list[Decimal]:
        medians = [d.median for d in self.outcome.departments]
        return [medians[g] for g in self.outcome.math.group[at].tolist()]

    def gap_to_median(self, at: Ints) -> list[Decimal]:
        math = self.outcome.math
        half = (math.twice_median % 2 == 1)[math.group[at]]
        if not half.any():
            return [Decimal(g) * CENT for g in (math.twice_gap[at] // 2).tolist()]
        return [half_cents(g) for g in math.twice_gap[at].tolist()]

    def bonus(self, at: Ints) -> list[Decimal]:
        return [ZERO_CNY if c == 0 else Decimal(c) * CENT for c in self.outcome.bonus[at].tolist()]
