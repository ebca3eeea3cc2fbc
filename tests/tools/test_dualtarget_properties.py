"""Property tests of the pure dual-target math (tools.dualtarget)."""

from __future__ import annotations

import random
import statistics
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from tools.dualtarget import MemberInput, bonus_amount, evaluate_roster, median
from tools.money import round_money
from tools.policy import RatePolicy

money = st.decimals(
    min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False
)
rates = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False)
caps = st.none() | st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False)


@st.composite
def rosters(draw: st.DrawFn) -> list[MemberInput]:
    size = draw(st.integers(min_value=1, max_value=25))
    # Draw sales from a small pool sometimes, so ties (and ties at the median) happen.
    pool = draw(st.lists(money, min_size=1, max_size=6))
    members = []
    for i in range(size):
        sales = draw(st.sampled_from(pool) | money | st.just(Decimal("0.00")))
        members.append(MemberInput(employee_id=i + 1, min_target=draw(money), sales=sales))
    return members


@given(st.lists(money, min_size=1, max_size=40))
def test_median_equals_statistics_median(values: list[Decimal]) -> None:
    assert median(values) == statistics.median(values)


@given(rosters(), rates, caps)
def test_roster_invariants(members: list[MemberInput], rate: Decimal, cap: Decimal | None) -> None:
    policy = RatePolicy(rate=rate, cap=cap)
    outcome = evaluate_roster(members, policy)
    med = statistics.median([m.sales for m in members])
    assert outcome.median == med
    assert len(outcome.members) == len(members)
    above = {o.employee_id for o in outcome.members if o.above_median}
    assert above == {m.employee_id for m in members if m.sales > med}
    for o in outcome.members:
        assert o.gap_to_median == o.sales - med
        assert o.met_minimum == (o.sales >= o.min_target)
        assert o.bonus_eligible == (o.met_minimum and o.above_median)
        assert o.bonus >= 0
        if cap is not None:
            assert o.bonus <= cap
        if not o.bonus_eligible:
            assert o.bonus == 0
        else:
            expected = (rate * (o.sales - med)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            assert o.bonus == (min(expected, cap) if cap is not None else expected)
        assert o.bonus == o.bonus.quantize(Decimal("0.01"))
    # Ranks: 1 + the number of members with strictly more sales.
    for o in outcome.members:
        assert o.rank == 1 + sum(m.sales > o.sales for m in members)


@given(rosters(), rates, caps, st.randoms(use_true_random=False))
def test_order_independent(
    members: list[MemberInput], rate: Decimal, cap: Decimal | None, rnd: random.Random
) -> None:
    policy = RatePolicy(rate=rate, cap=cap)
    shuffled = list(members)
    rnd.shuffle(shuffled)
    assert evaluate_roster(shuffled, policy) == evaluate_roster(members, policy)


@given(st.integers(min_value=0, max_value=10**9))
def test_round_half_up_to_cent(mills: int) -> None:
    value = Decimal(mills) / 1000
    cents = (mills + 5) // 10  # half-up on non-negative integers of thousandths
    assert round_money(value) == Decimal(cents) / 100


def test_rounding_examples() -> None:
    assert round_money(Decimal("0.005")) == Decimal("0.01")
    assert round_money(Decimal("2.675")) == Decimal("2.68")
    assert round_money(Decimal("2.665")) == Decimal("2.67")  # not banker's rounding
    # 5 % of 100.10 = 5.005 -> 5.01 half-up.
    assert bonus_amount(Decimal("200.10"), Decimal("100.00"), RatePolicy()) == Decimal("5.01")


def test_cap_applies_after_rounding() -> None:
    policy = RatePolicy(rate=Decimal("0.10"), cap=Decimal("50"))
    assert bonus_amount(Decimal("1000"), Decimal("0"), policy) == Decimal("50.00")
    assert bonus_amount(Decimal("400"), Decimal("0"), policy) == Decimal("40.00")
