"""What-if and "how much more" (tools.whatif): against a brute-force recomputation of the
whole department, over random rosters (sizes 1..12, ties, even sizes, zeros); then on the
demo warehouse: scope, a person not on the roster, the month in progress."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from assistant.callers import resolve_caller
from schema.caller import Caller, Role
from schema.db import warehouse_engine
from schema.warehouse import employees
from tools.dualtarget import MemberInput
from tools.errors import InvalidArgumentError, OutOfScopeError
from tools.performance import monthly_performance
from tools.policy import RatePolicy
from tools.whatif import Standing, how_much_more, least_extra, standing_with, what_if

CENT = Decimal("0.01")
AS_OF = date(2026, 11, 26)

cents = st.integers(min_value=0, max_value=20_000_000).map(lambda c: Decimal(c) * CENT)
policies = st.builds(
    RatePolicy,
    rate=st.sampled_from([Decimal("0.05"), Decimal("0.03"), Decimal("0.1234"), Decimal("0")]),
    cap=st.none() | st.sampled_from([Decimal("0"), Decimal("500"), Decimal("1234.565")]),
)


@st.composite
def rosters(draw: st.DrawFn, amounts: st.SearchStrategy[Decimal] = cents) -> list[MemberInput]:
    """1..12 members; sales and targets often from a small pool (ties, ties at the middle)
    and often zero."""
    size = draw(st.integers(min_value=1, max_value=12))
    pool = draw(st.lists(amounts, min_size=1, max_size=4))
    value = st.sampled_from(pool) | amounts | st.just(Decimal("0.00"))
    return [
        MemberInput(employee_id=10 + i, min_target=draw(value), sales=draw(value))
        for i in range(size)
    ]


def brute_force(
    roster: list[MemberInput], who: int, sales: Decimal, policy: RatePolicy
) -> Standing:
    """The whole department recomputed in plain Python, as RULES.md words it."""
    all_sales = [sales if m.employee_id == who else m.sales for m in roster]
    med = statistics.median(all_sales)
    target = next(m.min_target for m in roster if m.employee_id == who)
    met, above = sales >= target, sales > med
    bonus = Decimal("0.00")
    if met and above:
        bonus = (policy.rate * (sales - med)).quantize(CENT, rounding=ROUND_HALF_UP)
        if policy.cap is not None:
            bonus = min(bonus, policy.cap.quantize(CENT, rounding=ROUND_HALF_UP))
    rank = 1 + sum(1 for s in all_sales if s > sales)
    return Standing(sales, med, target, met, above, met and above, bonus, rank, len(roster))


def passes(roster: list[MemberInput], who: int, sales: Decimal) -> bool:
    return brute_force(roster, who, sales, RatePolicy()).eligible


@given(rosters(), st.data(), cents, policies)
def test_what_if_equals_recomputing_the_whole_department(
    roster: list[MemberInput], data: st.DataObject, extra: Decimal, policy: RatePolicy
) -> None:
    me = data.draw(st.sampled_from(roster))
    new_sales = me.sales + extra
    assert standing_with(roster, me.employee_id, new_sales, policy) == brute_force(
        roster, me.employee_id, new_sales, policy
    )
    assert standing_with(roster, me.employee_id, me.sales, policy) == brute_force(
        roster, me.employee_id, me.sales, policy
    )


@given(rosters(), st.data())
def test_how_much_more_is_the_least_passing_amount(
    roster: list[MemberInput], data: st.DataObject
) -> None:
    me = data.draw(st.sampled_from(roster))
    extra = least_extra(roster, me.employee_id)
    if len(roster) == 1:  # the median is their own sales: never strictly above it
        assert extra is None
        return
    assert extra is not None and extra >= 0 and extra == extra.quantize(CENT)
    assert passes(roster, me.employee_id, me.sales + extra)
    if extra > 0:
        assert not passes(roster, me.employee_id, me.sales + extra - CENT)
    else:
        assert passes(roster, me.employee_id, me.sales)


small = st.integers(min_value=0, max_value=300).map(lambda c: Decimal(c) * CENT)


@settings(max_examples=60)
@given(rosters(small), st.data())
def test_how_much_more_equals_trying_every_cent(
    roster: list[MemberInput], data: st.DataObject
) -> None:
    """On small amounts, the least extra is the first cent, counting up from zero, that passes."""
    me = data.draw(st.sampled_from(roster))
    tried = next(
        (Decimal(c) * CENT for c in range(0, 700) if passes(roster, me.employee_id, me.sales + Decimal(c) * CENT)),
        None,
    )  # fmt: skip
    assert least_extra(roster, me.employee_id) == tried


def _roster(*sales_and_targets: tuple[str, str]) -> list[MemberInput]:
    return [
        MemberInput(i + 1, Decimal(t), Decimal(s)) for i, (s, t) in enumerate(sales_and_targets)
    ]


@pytest.mark.parametrize(
    ("roster", "who", "extra", "median_after", "eligible", "rank"),
    [
        # odd roster: reaching the middle makes them the median, which is not above it
        (_roster(("100", "0"), ("200", "0"), ("300", "0")), 1, "150", "250", False, 2),
        # moving past the middle moves the median up to the next value
        (_roster(("100", "0"), ("200", "0"), ("300", "0")), 1, "250", "300", True, 1),
        # even roster: the mean of the two middle values, half a cent kept
        (
            _roster(("100", "0"), ("200", "0"), ("300.01", "0"), ("400", "0")),
            1,
            "250",
            "325.005",
            True,
            2,
        ),
        # a tie at the middle: one cent above it is enough
        (_roster(("100", "0"), ("200", "0"), ("200", "0")), 1, "100.01", "200", True, 1),
        # above the median but under the minimum target: not eligible
        (_roster(("100", "500"), ("200", "0"), ("300", "0")), 1, "250", "300", False, 1),
        # a roster of one: the median is their own sales
        (
            _roster(
                ("100", "0"),
            ),
            1,
            "1000",
            "1100",
            False,
            1,
        ),
    ],
    ids=["odd-middle", "odd-past", "even", "tie", "under-target", "alone"],
)
def test_what_if_moves_the_median(
    roster: list[MemberInput], who: int, extra: str, median_after: str, eligible: bool, rank: int
) -> None:
    me = roster[who - 1]
    after = standing_with(roster, who, me.sales + Decimal(extra), RatePolicy())
    assert (after.median, after.eligible, after.rank) == (Decimal(median_after), eligible, rank)


@pytest.mark.parametrize(
    ("roster", "who", "needed"),
    [
        (_roster(("100", "0"), ("200", "0"), ("300", "0")), 1, "200.01"),  # beat the new middle
        (_roster(("100", "0"), ("200", "0"), ("300", "0"), ("400", "0")), 1, "200.01"),
        (_roster(("100", "0"), ("200", "0"), ("200", "0")), 1, "100.01"),  # ties
        (_roster(("100", "450"), ("200", "0"), ("300", "0")), 1, "350.00"),  # the target binds
        (_roster(("300", "0"), ("200", "0"), ("100", "0")), 1, "0.00"),  # already eligible
        (_roster(("0", "0"), ("0", "0")), 1, "0.01"),  # zeros
    ],
    ids=["odd", "even", "tie", "target", "already", "zeros"],
)
def test_least_extra_cases(roster: list[MemberInput], who: int, needed: str) -> None:
    assert least_extra(roster, who) == Decimal(needed)


def test_someone_not_on_the_roster_is_an_error() -> None:
    with pytest.raises(InvalidArgumentError):
        least_extra(_roster(("1", "0")), 99)
    with pytest.raises(InvalidArgumentError):
        standing_with(_roster(("1", "0")), 99, Decimal(1), RatePolicy())


# --- on the demo warehouse --------------------------------------------------------------


@dataclass
class Demo:
    warehouse: Engine
    rep: Caller
    manager: Caller
    colleague: int  # a roster member of the rep's department this month, not the rep


@pytest.fixture(scope="module")
def demo(demo_warehouse_url: str) -> Demo:
    warehouse = warehouse_engine(demo_warehouse_url, read_only=True)
    rep = resolve_caller("E00048", warehouse=warehouse)
    with warehouse.connect() as conn:
        report = monthly_performance(conn, "2026-11", caller=Caller.operator(), as_of=AS_OF)
        e = employees.alias("e")
        m = employees.alias("m")
        manager_no = conn.execute(
            sa.select(m.c.employee_no)
            .join(e, e.c.manager_id == m.c.employee_id)
            .where(e.c.employee_id == rep.employee_id)
        ).scalar_one()
    colleague = next(
        r.employee_id
        for r in report.rows
        if r.department_id == rep.department_id and r.employee_id != rep.employee_id
    )
    assert colleague is not None
    manager = resolve_caller(manager_no, warehouse=warehouse)
    assert manager.role is Role.MANAGER and rep.department_id in manager.department_ids
    return Demo(warehouse, rep, manager, colleague)


def test_the_month_in_progress_is_recomputed_from_month_to_date_sales(demo: Demo) -> None:
    with demo.warehouse.connect() as conn:
        report = monthly_performance(conn, "2026-11", caller=Caller.operator(), as_of=AS_OF)
        result = what_if(conn, "2026-11", demo.rep.employee_id or 0, Decimal("50000"),
                         caller=demo.rep, as_of=AS_OF)  # fmt: skip
    row = next(r for r in report.rows if r.employee_id == demo.rep.employee_id)
    roster = [
        MemberInput(r.employee_id or 0, r.min_target or Decimal(0), r.sales)
        for r in report.rows
        if r.department_id == row.department_id
    ]
    assert result.person.month_to_date
    assert (result.before.sales, result.before.median, result.before.bonus, result.before.rank) == (
        row.sales, row.median, row.bonus, row.rank,
    )  # fmt: skip
    expected = brute_force(roster, row.employee_id or 0, row.sales + Decimal("50000"), RatePolicy())
    assert result.after == expected


def test_how_much_more_on_the_demo_passes_and_one_cent_less_fails(demo: Demo) -> None:
    with demo.warehouse.connect() as conn:
        result = how_much_more(
            conn, "2026-11", demo.rep.employee_no or "", caller=demo.rep, as_of=AS_OF
        )
    if result.status == "needed":
        assert result.at is not None and result.one_cent_less is not None and result.extra
        assert result.at.eligible and not result.one_cent_less.eligible
        assert result.at.sales == result.before.sales + result.extra
        assert result.bars
    else:
        assert result.status == "already" and result.before.eligible and result.extra == 0


def test_a_rep_may_ask_about_themselves_only_a_manager_about_their_subtree(demo: Demo) -> None:
    with demo.warehouse.connect() as conn:
        with pytest.raises(OutOfScopeError, match="yourself only"):
            what_if(conn, "2026-11", demo.colleague, Decimal(1), caller=demo.rep, as_of=AS_OF)
        with pytest.raises(OutOfScopeError):
            how_much_more(conn, "2026-11", demo.colleague, caller=demo.rep, as_of=AS_OF)
        managed = how_much_more(conn, "2026-11", demo.colleague, caller=demo.manager, as_of=AS_OF)
        assert managed.person.employee_id == demo.colleague
        outside = Caller(role=Role.MANAGER, employee_id=1, department_id=999,
                         department_ids=frozenset({999}))  # fmt: skip
        with pytest.raises(OutOfScopeError, match="subtree"):
            how_much_more(conn, "2026-11", demo.colleague, caller=outside, as_of=AS_OF)


def test_someone_off_the_roster_is_told_so_only_to_who_may_see_them(demo: Demo) -> None:
    with demo.warehouse.connect() as conn:
        report = monthly_performance(conn, "2026-11", caller=Caller.operator(), as_of=AS_OF)
        on_roster = {r.employee_id for r in report.rows}
        manager_id = demo.manager.employee_id
        assert manager_id is not None and manager_id not in on_roster
        with pytest.raises(InvalidArgumentError, match="not on the sales roster of 2026-11"):
            how_much_more(conn, "2026-11", manager_id, caller=demo.manager, as_of=AS_OF)
        with pytest.raises(OutOfScopeError):  # the rep may not learn who is on which roster
            how_much_more(conn, "2026-11", manager_id, caller=demo.rep, as_of=AS_OF)
        with pytest.raises(InvalidArgumentError, match="no employee"):
            how_much_more(conn, "2026-11", "E99999", caller=Caller.operator(), as_of=AS_OF)
        with pytest.raises(InvalidArgumentError, match="whole cents"):
            what_if(conn, "2026-11", manager_id, Decimal("0.001"), caller=demo.manager, as_of=AS_OF)
