"""The dual-target math of RULES.md, pure and exact (Decimal), with a readable trace.

For one department's roster in one month:

- median: of every roster member's sales, zeros included; with an even count the
  mean of the two middle values (kept exact, e.g. 100.005, never rounded);
- met minimum: sales >= min_target; attainment: sales / min_target;
- above median: sales strictly greater than the median; gap: sales - median;
- bonus eligible: met minimum AND above median;
- bonus: rate x (sales - median), half-up to 0.01, then capped when a cap is set;
- rank: by sales, highest first; equal sales share a rank (1, 2, 2, 4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from tools.money import CENT, fmt_money, round_money
from tools.policy import RatePolicy

ATTAINMENT_PLACES = Decimal("0.0001")
ZERO_CNY = Decimal("0.00")

# Plain slotted dataclasses rather than pydantic models: a month of a large company has
# thousands of roster members, and building these is several times cheaper unvalidated.
# Their inputs come from typed warehouse columns; pydantic still understands them.


class Member(Protocol):
    """Anything with an employee id, a minimum target and sales (e.g. a roster record)."""

    @property
    def employee_id(self) -> int: ...
    @property
    def min_target(self) -> Decimal: ...
    @property
    def sales(self) -> Decimal: ...


@dataclass(frozen=True, slots=True)
class MemberInput:
    """One roster member's figures for the month: who, their minimum target and their sales."""

    employee_id: int
    min_target: Decimal
    sales: Decimal


@dataclass(frozen=True, slots=True)
class MemberOutcome:
    """The dual-target outcome of one roster member."""

    employee_id: int
    sales: Decimal
    min_target: Decimal
    attainment: Decimal | None
    gap_to_median: Decimal
    met_minimum: bool
    above_median: bool
    bonus_eligible: bool
    bonus: Decimal
    rank: int


@dataclass(frozen=True, slots=True)
class RosterOutcome:
    """The outcome of a whole roster: the median, each member (ranked) and the trace."""

    median: Decimal
    members: list[MemberOutcome]
    trace: list[str]


def median(values: Sequence[Decimal]) -> Decimal:
    """The median of ``values`` (zeros count); even count: the exact mean of the middle two."""
    if not values:
        raise ValueError("median of an empty roster")
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def median_trace(values: Sequence[Decimal]) -> str:
    """How the median was found, e.g. ``'median of 12 roster members = (56,097.03 + 56,379.25) / 2 = 56,238.14'``."""
    ordered = sorted(values)
    return _median_line(ordered, median(ordered))


def _median_line(ordered: Sequence[Decimal], value: Decimal) -> str:
    count = len(ordered)
    if count % 2:
        return median_line_of(count, value, value, value)
    return median_line_of(count, ordered[count // 2 - 1], ordered[count // 2], value)


def median_line_of(count: int, low: Decimal, high: Decimal, value: Decimal) -> str:
    """The median's trace line from the roster size and its two middle values (low <= high)."""
    noun = "roster member" if count == 1 else "roster members"
    if count % 2:
        return f"median of {count} {noun} = the middle value, {fmt_money(value)}"
    return f"median of {count} {noun} = ({fmt_money(low)} + {fmt_money(high)}) / 2 = {fmt_money(value)}"


def bonus_amount(sales: Decimal, med: Decimal, policy: RatePolicy) -> Decimal:
    """rate x (sales - median), half-up to 0.01, capped; 0 when sales do not exceed the median."""
    if sales <= med:
        return ZERO_CNY
    amount = round_money(policy.rate * (sales - med))
    if policy.cap is not None and amount > policy.cap:
        return round_money(policy.cap)
    return amount


def competition_ranks(sales: Sequence[Decimal]) -> list[int]:
    """Rank of each value, highest first, ties sharing the better rank (1, 2, 2, 4)."""
    ordered = sorted(sales, reverse=True)
    first_position: dict[Decimal, int] = {}
    for position, value in enumerate(ordered, start=1):
        first_position.setdefault(value, position)
    return [first_position[value] for value in sales]


def evaluate_roster(members: Sequence[Member], policy: RatePolicy) -> RosterOutcome:
    """Apply the dual-target rules to one department's roster; members come back ranked.

    The result does not depend on the order of ``members``: ties in sales are listed
    by employee id. One sort serves the median, the ranks and the output order.
    """
    if not members:
        raise ValueError("a roster needs at least one member")
    ranked = sorted(members, key=lambda m: (-m.sales, m.employee_id))
    count = len(ranked)
    middle = count // 2
    if count % 2:
        med = ranked[middle].sales
    else:
        med = (ranked[middle - 1].sales + ranked[middle].sales) / 2
    rate, cap = policy.rate, policy.cap
    outcomes = []
    met_count = above_count = eligible_count = capped = 0
    total = ZERO_CNY
    rank, previous = 0, None
    for position, member in enumerate(ranked, start=1):
        amount, target = member.sales, member.min_target
        if amount != previous:
            rank, previous = position, amount
        met = amount >= target
        above = amount > med
        bonus = ZERO_CNY
        if met and above:
            bonus = (rate * (amount - med)).quantize(CENT, rounding=ROUND_HALF_UP)
            if cap is not None and bonus >= cap:
                bonus = cap.quantize(CENT, rounding=ROUND_HALF_UP)
                capped += 1
            eligible_count += 1
            total += bonus
        met_count += met
        above_count += above
        attainment = (
            (amount / target).quantize(ATTAINMENT_PLACES, rounding=ROUND_HALF_UP)
            if target > 0
            else None
        )
        outcomes.append(
            MemberOutcome(
                member.employee_id,
                amount,
                target,
                attainment,
                amount - med,
                met,
                above,
                met and above,
                bonus,
                rank,
            )  # fmt: skip
        )
    trace = [
        _median_line([m.sales for m in reversed(ranked)], med),
        f"{met_count} of {count} met their minimum target; {above_count} strictly above the median",
        f"bonus: {policy.describe()}; {eligible_count} eligible (met minimum and above median), "
        f"total {fmt_money(total)}",
    ]
    if capped:
        trace.append(f"{capped} bonus(es) limited by the cap of {fmt_money(cap)}")
    return RosterOutcome(median=med, members=outcomes, trace=trace)
