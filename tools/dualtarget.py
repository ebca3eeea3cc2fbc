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
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, ConfigDict

from tools.money import fmt_money, round_money
from tools.policy import RatePolicy

ATTAINMENT_PLACES = Decimal("0.0001")


class MemberInput(BaseModel):
    """One roster member's figures for the month: who, their minimum target and their sales."""

    model_config = ConfigDict(frozen=True)

    employee_id: int
    min_target: Decimal
    sales: Decimal


class MemberOutcome(BaseModel):
    """The dual-target outcome of one roster member."""

    model_config = ConfigDict(frozen=True)

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


class RosterOutcome(BaseModel):
    """The outcome of a whole roster: the median, each member (ranked) and the trace."""

    model_config = ConfigDict(frozen=True)

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
    count = len(ordered)
    noun = "roster member" if count == 1 else "roster members"
    value = median(ordered)
    if count % 2:
        return f"median of {count} {noun} = the middle value, {fmt_money(value)}"
    low, high = ordered[count // 2 - 1], ordered[count // 2]
    return (
        f"median of {count} {noun} = ({fmt_money(low)} + {fmt_money(high)}) / 2 = {fmt_money(value)}"
    )


def bonus_amount(sales: Decimal, med: Decimal, policy: RatePolicy) -> Decimal:
    """rate x (sales - median), half-up to 0.01, capped; 0 when sales do not exceed the median."""
    if sales <= med:
        return Decimal("0.00")
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


def evaluate_roster(members: Sequence[MemberInput], policy: RatePolicy) -> RosterOutcome:
    """Apply the dual-target rules to one department's roster; members come back ranked.

    The result does not depend on the order of ``members``: ties in sales are listed
    by employee id.
    """
    if not members:
        raise ValueError("a roster needs at least one member")
    sales = [m.sales for m in members]
    med = median(sales)
    ranks = competition_ranks(sales)
    outcomes = []
    for member, rank in zip(members, ranks, strict=True):
        met = member.sales >= member.min_target
        above = member.sales > med
        eligible = met and above
        attainment = (
            (member.sales / member.min_target).quantize(ATTAINMENT_PLACES, rounding=ROUND_HALF_UP)
            if member.min_target > 0
            else None
        )
        outcomes.append(
            MemberOutcome(
                employee_id=member.employee_id,
                sales=member.sales,
                min_target=member.min_target,
                attainment=attainment,
                gap_to_median=member.sales - med,
                met_minimum=met,
                above_median=above,
                bonus_eligible=eligible,
                bonus=bonus_amount(member.sales, med, policy) if eligible else Decimal("0.00"),
                rank=rank,
            )
        )
    outcomes.sort(key=lambda o: (o.rank, o.employee_id))
    met_count = sum(o.met_minimum for o in outcomes)
    above_count = sum(o.above_median for o in outcomes)
    eligible_count = sum(o.bonus_eligible for o in outcomes)
    total = sum((o.bonus for o in outcomes), Decimal("0.00"))
    trace = [
        median_trace(sales),
        f"{met_count} of {len(outcomes)} met their minimum target; "
        f"{above_count} strictly above the median",
        f"bonus: {policy.describe()}; {eligible_count} eligible (met minimum and above median), "
        f"total {fmt_money(total)}",
    ]
    capped = [
        o for o in outcomes if o.bonus_eligible and policy.cap is not None and o.bonus == policy.cap
    ]
    if capped:
        trace.append(f"{len(capped)} bonus(es) limited by the cap of {fmt_money(policy.cap)}")
    return RosterOutcome(median=med, members=outcomes, trace=trace)
