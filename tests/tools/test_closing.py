"""The pure parts of a close: when a month may close, the diff between versions and why,
the statement's median explanation, the snapshot hash."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from schema.caller import Caller, Role
from tools.closing import OrderFact, check_closable, diff_close
from tools.errors import InvalidArgumentError, MonthInProgressError, OutOfScopeError
from tools.policy import BonusPolicy, RatePolicy
from tools.snapshot import MonthSnapshot, SnapshotRow
from tools.statement import statement

OCT = date(2026, 10, 1)
D = Decimal


def _row(no: int, sales: str, median: str, orders: tuple[int, ...], dept: int = 1) -> SnapshotRow:
    s, m = D(sales), D(median)
    return SnapshotRow(
        no, f"E{no:05d}", f"员工{no}", f"Person {no}", dept, f"部门{dept}", f"Dept {dept}", s,
        D("100.00"), m, s - m, s >= 100, s > m, s >= 100 and s > m,
        ((s - m) * D("0.05")).quantize(D("0.01")) if s > m and s >= 100 else D("0.00"), 1, orders,
    )  # fmt: skip


def _snapshot(rows: list[SnapshotRow], version: int = 1) -> MonthSnapshot:
    return MonthSnapshot(OCT, version, "h" * 64, "2026-11-02T00:00:00Z", None, date(2026, 11, 2),
                         BonusPolicy(), tuple(rows))  # fmt: skip


@pytest.mark.parametrize(
    ("today", "closable"),
    [(date(2026, 10, 15), False), (date(2026, 10, 31), False), (date(2026, 11, 1), True),
     (date(2026, 9, 30), False), (date(2027, 3, 1), True)],
)  # fmt: skip
def test_a_month_closes_once_its_last_day_is_over(today: date, closable: bool) -> None:
    if closable:
        check_closable(OCT, today)
    else:
        with pytest.raises(
            MonthInProgressError, match="2026-10 (is still in progress|has not started)"
        ):
            check_closable(OCT, today)


def test_the_diff_says_what_became_of_every_order_and_who_moved() -> None:
    before = [_row(1, "500.00", "300.00", (11, 12, 13, 14, 15)), _row(2, "300.00", "300.00", (21,)),
              _row(3, "200.00", "300.00", (31,)), _row(4, "50.00", "50.00", (41,), dept=2)]  # fmt: skip
    # 12 refunded, 13 cancelled, 14 re-dated into November, 15 reassigned to E00002, 16 new;
    # 31 deleted from the warehouse
    after = [_row(1, "150.00", "200.00", (11, 16)), _row(2, "400.00", "200.00", (15, 21)),
             _row(3, "0.00", "200.00", ()), _row(4, "50.00", "50.00", (41,), dept=2)]  # fmt: skip
    facts = {
        12: OrderFact(12, "E00001", date(2026, 10, 3), D("100.00"), "refunded"),
        13: OrderFact(13, "E00001", date(2026, 10, 4), D("100.00"), "cancelled"),
        14: OrderFact(14, "E00001", date(2026, 11, 4), D("50.00"), "paid"),
        15: OrderFact(15, "E00002", date(2026, 10, 5), D("100.00"), "paid"),
        16: OrderFact(16, "E00001", date(2026, 10, 6), D("100.00"), "paid"),
    }
    diff = diff_close(_snapshot(before), after, BonusPolicy(), facts)
    assert [(o["order_id"], o["now"]) for o in diff["orders_removed"]] == [
        (12, "refunded"), (13, "cancelled"), (14, "re-dated 2026-11-04"),
        (15, "reassigned to E00002"), (31, "deleted"),
    ]  # fmt: skip
    assert [(o["order_id"], o["employee_no"]) for o in diff["orders_appeared"]] == [
        (15, "E00002"),
        (16, "E00001"),
    ]
    assert diff["medians"] == [{"department": "部门1", "from": "300.00", "to": "200.00"}]
    people = {p["employee_no"]: p for p in diff["people"]}
    assert set(people) == {"E00001", "E00002", "E00003"}  # department 2 did not move
    assert people["E00001"]["changes"]["sales"] == ["500.00", "150.00"]
    assert people["E00001"]["changes"]["eligible"] == [True, False]
    assert "order 12 (100.00) refunded" in people["E00001"]["why"]
    assert "order 16 (100.00) appeared" in people["E00001"]["why"]
    assert "部门1 median 300.00 -> 200.00" in people["E00002"]["why"]
    assert people["E00003"]["why"][0] == "order 31 deleted"
    assert diff["policy_changed"] is False


def test_a_policy_change_and_roster_changes_are_named() -> None:
    before = [_row(1, "500.00", "300.00", (1,)), _row(2, "100.00", "300.00", (2,))]
    after = [_row(1, "500.00", "300.00", (1,)), _row(3, "100.00", "300.00", (3,))]
    policy = BonusPolicy(default=RatePolicy(rate=D("0.06")))
    diff = diff_close(
        _snapshot(before), after, policy, {3: OrderFact(3, "E00003", OCT, D(1), "paid")}
    )
    people = {p["employee_no"]: p for p in diff["people"]}
    assert diff["policy_changed"] is True
    assert "left the roster (no sales target for the month now)" in people["E00002"]["why"]
    assert "joined the roster" in people["E00003"]["why"]
    assert "E00001" not in people  # same figures (the bonus is the snapshot's, not recomputed)


@pytest.mark.parametrize(
    ("sales", "middle"),
    [
        (("100.00", "200.00", "300.00"), [200.0]),
        (("100.00", "200.00", "300.00", "450.00"), [200.0, 300.0]),
    ],
)
def test_the_statement_explains_the_median_with_the_middle_values(
    sales: tuple[str, ...], middle: list[float]
) -> None:
    median = str(sum(D(m) for m in map(str, middle)) / len(middle))
    rows = [_row(i + 1, s, median, (i,)) for i, s in enumerate(sales)]
    snapshot = _snapshot(rows)
    top = rows[-1]
    zh = statement(snapshot, top.employee_no, caller=Caller.operator(), language="zh")
    assert zh["median"] == {
        "value": float(D(median)),
        "roster_size": len(sales),
        "middle_values": middle,
    }
    assert (zh["sales"], zh["bonus"], zh["version"], zh["hash"]) == (
        float(top.sales),
        float(top.bonus),
        1,
        "h" * 64,
    )
    assert any(f"在册 {len(sales)} 人" in line for line in zh["lines"])
    en = statement(snapshot, top.employee_no, caller=Caller.operator(), language="en")
    assert en["name"] == top.name_en and any("Bonus: 5 % x" in line for line in en["lines"])


def test_a_statement_is_a_personal_document() -> None:
    rows = [_row(1, "500.00", "300.00", (1,)), _row(2, "300.00", "300.00", (2,)),
            _row(3, "50.00", "50.00", (3,), dept=2)]  # fmt: skip
    snapshot = _snapshot(rows)
    rep = Caller(role=Role.SALES, employee_id=2, employee_no="E00002", department_id=1)
    manager = Caller(role=Role.MANAGER, employee_id=9, employee_no="E00009", department_id=1,
                     department_ids=frozenset({1}))  # fmt: skip
    assert statement(snapshot, "E00002", caller=rep)["employee_no"] == "E00002"
    for caller, other in (
        (rep, "E00001"),
        (rep, "E00404"),
        (manager, "E00003"),
        (manager, "E00404"),
    ):
        with pytest.raises(OutOfScopeError):
            statement(snapshot, other, caller=caller)
    assert statement(snapshot, "E00001", caller=manager)["bonus"] == float(rows[0].bonus)
    with pytest.raises(InvalidArgumentError, match="not on the sales roster"):
        statement(snapshot, "E00404", caller=Caller.operator())


def test_the_hash_covers_every_row_and_the_header() -> None:
    snapshot = _snapshot([_row(1, "500.00", "300.00", (1, 2)), _row(2, "300.00", "300.00", (3,))])
    digest = snapshot.computed_hash()
    edited = replace(snapshot, rows=(replace(snapshot.rows[0], bonus=D("99.99")), snapshot.rows[1]))
    assert edited.computed_hash() != digest
    assert replace(snapshot, version=2).computed_hash() != digest
    assert replace(snapshot, rows=tuple(reversed(snapshot.rows))).computed_hash() == digest


@pytest.mark.parametrize("text", ["0000-01", "9999-12", "2026-13", "2026-00"])
def test_months_outside_the_calendar_are_not_months(text: str) -> None:
    from tools.period import parse_month

    with pytest.raises(InvalidArgumentError, match="not a month"):
        parse_month(text)
