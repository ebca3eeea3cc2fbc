"""The vectorised dual-target math equals the Decimal reference, exactly (exponents too)."""

from __future__ import annotations

import dataclasses
import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from schema.caller import Caller
from schema.db import warehouse_engine
from tests.tools.builders import WarehouseBuilder
from tools.performance import (
    RosterColumns,
    RosterRecord,
    evaluate_columns,
    evaluate_records,
    fetch_roster,
    fetch_roster_columns,
    monthly_performance,
)
from tools.performance_rows import PerformanceRow, PerformanceRows, select_rows
from tools.policy import BonusPolicy, RatePolicy
from tools.report import table_of
from tools.rostermath import MAX_CENTS, fits_integer_path, half_up_divide

cents = st.integers(min_value=0, max_value=10**9)  # up to 10 million CNY
rates = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False)
odd_rates = st.fractions(min_value=0, max_value=1, max_denominator=997).map(
    lambda f: (Decimal(f.numerator) / Decimal(f.denominator)).quantize(Decimal("1e-9"))
)
caps = st.none() | st.decimals(min_value=0, max_value=100_000, places=3, allow_nan=False)


@st.composite
def month_rosters(draw: st.DrawFn) -> list[tuple[int, int, int, int]]:
    """(department, employee, target cents, sales cents) for up to 4 departments, with ties."""
    size = draw(st.integers(min_value=1, max_value=40))
    pool = draw(st.lists(cents, min_size=1, max_size=5))
    members = []
    for employee in range(1, size + 1):
        department = draw(st.integers(min_value=1, max_value=4))
        target = draw(st.sampled_from(pool) | cents | st.just(0))
        sales = draw(st.sampled_from(pool) | cents | st.just(0))
        members.append((department, employee, target, sales))
    return members


def _money(c: int) -> Decimal:
    return Decimal(c) * Decimal("0.01")


#: Rates whose product with a gap is not exact in 28 digits, or overflows 64-bit integers:
#: these take the reference's Decimal expression instead of the integer one.
long_rates = st.sampled_from(
    [Decimal(1) / Decimal(7), Decimal("0.33333333333333"), Decimal("0.98765432109")]
)


def _records(members: list[tuple[int, int, int, int]]) -> list[RosterRecord]:
    return [
        RosterRecord(e, f"E{e}", f"人{e}", None, d, f"{d}部", None, _money(t), _money(s))
        for d, e, t, s in members
    ]


@settings(max_examples=300)
@given(month_rosters(), rates | odd_rates | long_rates, caps, st.randoms(use_true_random=False))
def test_month_equals_reference_per_department(
    members: list[tuple[int, int, int, int]],
    rate: Decimal,
    cap: Decimal | None,
    rnd: random.Random,
) -> None:
    rnd.shuffle(members)
    policy = BonusPolicy(default=RatePolicy(rate=rate, cap=cap))
    records = _records(members)
    columns = RosterColumns.from_records(records)
    assert columns is not None
    july, august = date(2026, 7, 1), date(2026, 8, 1)
    expected = evaluate_records(records, policy, july, july, august, False)
    got = evaluate_columns(columns, policy, july, july, august, False)
    assert isinstance(got.rows, PerformanceRows)
    assert repr(list(got.rows)) == repr(expected.rows)
    assert repr(got.summaries) == repr(expected.summaries)
    assert got.trace == expected.trace
    assert repr(got.as_table()) == repr(expected.as_table())  # -0.0 and None included
    columns = [f.name for f in dataclasses.fields(PerformanceRow)]
    assert repr(got.rows.table(columns)) == repr(table_of(expected.rows, columns))
    # Members of one department share its median object, as the reference's rows do.
    for summary in got.summaries:
        rows = list(select_rows(got.rows, department_ids={summary.department_id}))
        assert all(r.median is rows[0].median for r in rows)


def test_rows_are_built_on_access_and_selected_unbuilt() -> None:
    members = [(1, 1, 100, 500), (1, 2, 100, 50), (2, 3, 0, 70), (2, 4, 100, 700), (1, 5, 9, 9)]
    records = _records(members)
    columns = RosterColumns.from_records(records)
    assert columns is not None
    july, august = date(2026, 7, 1), date(2026, 8, 1)
    policy = BonusPolicy()
    expected = evaluate_records(records, policy, july, july, august, False).rows
    rows = evaluate_columns(columns, policy, july, july, august, False).rows
    assert isinstance(rows, PerformanceRows)
    assert len(rows) == 5
    assert rows == expected and expected == list(rows)
    assert rows[0] == expected[0] and rows[-1] == expected[-1]
    assert list(rows[1:3]) == expected[1:3]
    assert [r.employee_id for r in rows.where(department_ids={2})] == [4, 3]
    assert [r.employee_id for r in rows.where(employee_ids=[5, 3])] == [5, 3]
    assert [r.employee_id for r in rows.where(department_ids={1}, employee_ids={3})] == [1, 2, 5, 3]
    assert len(rows.where()) == 0
    assert list(select_rows(expected, department_ids={2})) == list(rows.where(department_ids={2}))
    try:
        rows[5]
    except IndexError:
        pass
    else:
        raise AssertionError("rows[5] of 5 rows must raise IndexError")


@given(st.integers(min_value=-(10**14), max_value=10**14), st.integers(1, 10**14))
def test_half_up_divide_equals_decimal(numerator: int, denominator: int) -> None:
    got = half_up_divide(
        np.array([numerator], dtype=np.int64), np.array([denominator], dtype=np.int64)
    )
    expected = (Decimal(numerator) / Decimal(denominator)).quantize(0, rounding=ROUND_HALF_UP)
    assert int(got[0]) == int(expected)


def test_integer_path_bounds() -> None:
    assert fits_integer_path(np.array([MAX_CENTS - 1, -(MAX_CENTS - 1)], dtype=np.int64))
    assert not fits_integer_path(np.array([MAX_CENTS], dtype=np.int64))
    assert fits_integer_path(np.zeros(0, dtype=np.int64))


def _warehouse(tmp_path: Path) -> str:
    july = date(2026, 7, 1)
    b = WarehouseBuilder().department(1, "一部", "Team One").department(2, "二部")
    amounts = ["100.00", "250.05", "250.05", "0.01", "99999.99", "250.04", "1"]
    for i, amount in enumerate(amounts, start=1):
        b.employee(i, f"人{i}", 1 + i % 2).target(i, july, ["100", "0", "250.05"][i % 3])
        b.order(i, date(2026, 7, 10), amount)
    b.employee(20, "无单", 1).target(20, july, "10")  # no orders at all
    b.order(1, date(2026, 7, 11), "5000", status="refunded")
    return b.duckdb(tmp_path)


def test_columns_equal_records_on_a_warehouse(tmp_path: Path) -> None:
    url = _warehouse(tmp_path)
    july, august = date(2026, 7, 1), date(2026, 8, 1)
    policy = BonusPolicy(
        default=RatePolicy(rate=Decimal("0.0333"), cap=Decimal("3.333")),
        departments={"2": RatePolicy(rate=Decimal("0.125"), source="department")},
    )
    with warehouse_engine(url).connect() as conn:
        records = fetch_roster(conn, july, july, august)
        columns = fetch_roster_columns(conn, july, july, august)
        assert columns is not None
        converted = RosterColumns.from_records(records)
        assert converted is not None
        expected = evaluate_records(records, policy, july, july, august, False)
        for cols in (columns, converted):
            got = evaluate_columns(cols, policy, july, july, august, False)
            assert repr(list(got.rows)) == repr(expected.rows)
            assert repr(got.summaries) == repr(expected.summaries)
            assert got.trace == expected.trace
            assert got.as_table() == expected.as_table()
        report = monthly_performance(conn, "2026-07", caller=Caller.operator(), policy=policy)
        assert repr(list(report.rows)) == repr(expected.rows)


def test_fraction_of_a_cent_falls_back_to_the_reference() -> None:
    records = []
    assert RosterColumns.from_records(records) is not None  # empty is representable
    records = [RosterRecord(1, "E1", "甲", None, 1, "一部", None, Decimal("1.005"), Decimal(2))]
    assert RosterColumns.from_records(records) is None
