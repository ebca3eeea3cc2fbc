"""Monthly performance on tiny fixture warehouses: table-driven edge cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from schema.caller import Caller
from schema.db import warehouse_engine
from tests.tools.builders import WarehouseBuilder
from tools.errors import InvalidArgumentError, NoRosterError
from tools.performance import PerformanceReport, monthly_performance
from tools.policy import parse_policy

JULY = date(2026, 7, 1)
D = Decimal


@dataclass
class Member:
    name: str
    min_target: str
    orders: list[tuple[str, str]] = field(default_factory=list)  # (amount, status), dated mid-July
    terminated: date | None = None


@dataclass
class Case:
    id: str
    members: list[Member]
    median: str
    # name -> (sales, rank, above_median, bonus_eligible, bonus)
    expected: dict[str, tuple[str, int, bool, bool, str]]


CASES = [
    Case(
        "one-person roster",
        [Member("甲", "100", [("150", "paid")])],
        "150",
        {"甲": ("150", 1, False, False, "0")},
    ),
    Case(
        "odd roster",
        [
            Member("甲", "100", [("300", "paid")]),
            Member("乙", "100", [("200", "paid")]),
            Member("丙", "100", [("100", "paid")]),
        ],
        "200",
        {
            "甲": ("300", 1, True, True, "5.00"),
            "乙": ("200", 2, False, False, "0"),
            "丙": ("100", 3, False, False, "0"),
        },
    ),
    Case(
        "even roster: mean of middle two, exact",
        [
            Member("甲", "100", [("400.00", "paid")]),
            Member("乙", "100", [("300.01", "paid")]),
            Member("丙", "100", [("200.00", "paid")]),
            Member("丁", "100", [("50", "paid")]),
        ],
        "250.005",
        # 5 % of (400 - 250.005) = 7.49975 -> 7.50; 5 % of 50.005 = 2.50025 -> 2.50
        {
            "甲": ("400.00", 1, True, True, "7.50"),
            "乙": ("300.01", 2, True, True, "2.50"),
            "丙": ("200.00", 3, False, False, "0"),
            "丁": ("50", 4, False, False, "0"),
        },
    ),
    Case(
        "ties at the median are not above it",
        [
            Member("甲", "100", [("200", "paid")]),
            Member("乙", "100", [("200", "paid")]),
            Member("丙", "100", [("200", "paid")]),
            Member("丁", "100", [("500", "paid")]),
        ],
        "200",
        {
            "丁": ("500", 1, True, True, "15.00"),
            "甲": ("200", 2, False, False, "0"),
            "乙": ("200", 2, False, False, "0"),
            "丙": ("200", 2, False, False, "0"),
        },
    ),
    Case(
        "everyone at zero",
        [Member("甲", "100"), Member("乙", "0")],
        "0",
        {"甲": ("0", 1, False, False, "0"), "乙": ("0", 1, False, False, "0")},
    ),
    Case(
        "member with no orders counts as zero in the median",
        [
            Member("甲", "100", [("900", "paid")]),
            Member("乙", "100", [("100", "paid")]),
            Member("丙", "100"),
        ],
        "100",
        {
            "甲": ("900", 1, True, True, "40.00"),
            "乙": ("100", 2, False, False, "0"),
            "丙": ("0", 3, False, False, "0"),
        },
    ),
    Case(
        "refunded and cancelled orders excluded",
        [
            Member("甲", "100", [("300", "paid"), ("5000", "refunded")]),
            Member("乙", "100", [("100", "paid"), ("7000", "cancelled")]),
            Member("丙", "100", [("200", "paid")]),
        ],
        "200",
        {
            "甲": ("300", 1, True, True, "5.00"),
            "丙": ("200", 2, False, False, "0"),
            "乙": ("100", 3, False, False, "0"),
        },
    ),
    Case(
        "above median but below minimum gets no bonus",
        [
            Member("甲", "1000", [("300", "paid")]),
            Member("乙", "100", [("200", "paid")]),
            Member("丙", "100", [("100", "paid")]),
        ],
        "200",
        {
            "甲": ("300", 1, True, False, "0"),
            "乙": ("200", 2, False, False, "0"),
            "丙": ("100", 3, False, False, "0"),
        },
    ),
    Case(
        "terminated mid-month stays on the roster with sales until leaving",
        [
            Member("甲", "100", [("300", "paid")], terminated=date(2026, 7, 20)),
            Member("乙", "100", [("100", "paid")]),
        ],
        "200",
        {"甲": ("300", 1, True, True, "5.00"), "乙": ("100", 2, False, False, "0")},
    ),
]


def build(members: list[Member], tmp_path: Path, *, month: date = JULY) -> str:
    b = WarehouseBuilder().department(1, "测试销售一部", "Test Sales 1")
    for i, m in enumerate(members, start=1):
        b.employee(i, m.name, 1, termination_date=m.terminated)
        b.target(i, month, m.min_target)
        for amount, status in m.orders:
            b.order(i, date(month.year, month.month, 15), amount, status)
    # Noise that must not count: an order in June and one in August for employee 1.
    if members:
        b.order(1, date(2026, 6, 30), "99999")
        b.order(1, date(2026, 8, 1), "99999")
    return b.duckdb(tmp_path)


def run(url: str, month: str = "2026-07", **kwargs: object) -> PerformanceReport:
    engine = warehouse_engine(url)
    with engine.connect() as conn:
        kwargs.setdefault("caller", Caller.operator())
        return monthly_performance(conn, month, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_edge_cases(case: Case, tmp_path: Path) -> None:
    report = run(build(case.members, tmp_path))
    assert [s.median for s in report.summaries] == [D(case.median)]
    got = {
        r.name: (r.sales, r.rank, r.above_median, r.bonus_eligible, r.bonus) for r in report.rows
    }
    expected = {
        name: (D(s), rank, above, eligible, D(bonus))
        for name, (s, rank, above, eligible, bonus) in case.expected.items()
    }
    assert got == expected
    assert [r.name for r in report.rows] == list(case.expected)  # ranked order
    summary = report.summaries[0]
    assert summary.roster_size == len(case.members)
    assert summary.total_bonus == sum((v[4] for v in expected.values()), D(0))
    assert report.trace and any("median of" in line for line in report.trace)


def test_trace_shows_even_median_arithmetic(tmp_path: Path) -> None:
    report = run(build(CASES[2].members, tmp_path))
    assert (
        "测试销售一部: median of 4 roster members = (200.00 + 300.01) / 2 = 250.005" in report.trace
    )


def test_attainment_and_met_minimum(tmp_path: Path) -> None:
    report = run(build([Member("甲", "400", [("300", "paid")]), Member("乙", "0")], tmp_path))
    rows = {r.name: r for r in report.rows}
    assert rows["甲"].attainment == D("0.7500") and rows["甲"].met_minimum is False
    assert rows["乙"].attainment is None and rows["乙"].met_minimum is True  # 0 >= 0


def test_no_roster_is_a_clear_error(tmp_path: Path) -> None:
    url = build([Member("甲", "100", [("1", "paid")])], tmp_path)
    with pytest.raises(NoRosterError, match="no sales roster for 2026-09"):
        run(url, "2026-09")


def test_empty_department_is_a_clear_error(tmp_path: Path) -> None:
    b = WarehouseBuilder().department(1, "测试销售一部").department(2, "测试销售二部")
    b.employee(1, "甲", 1).target(1, JULY, 100)
    with pytest.raises(NoRosterError, match="no sales roster for 2026-07 in 测试销售二部"):
        run(b.duckdb(tmp_path), department="二部")


def test_month_to_date_with_as_of(tmp_path: Path) -> None:
    b = WarehouseBuilder().department(1, "测试销售一部").employee(1, "甲", 1).target(1, JULY, 100)
    b.order(1, date(2026, 7, 10), "100").order(1, date(2026, 7, 11), "50")
    url = b.duckdb(tmp_path)
    report = run(url, as_of=date(2026, 7, 10))
    assert report.month_to_date and report.period_end == date(2026, 7, 10)
    assert report.rows[0].sales == D("100")
    assert run(url, as_of=date(2026, 8, 5)).rows[0].sales == D("150")
    with pytest.raises(InvalidArgumentError, match="has not started"):
        run(url, as_of=date(2026, 6, 30))


def test_policy_change_changes_bonus(tmp_path: Path) -> None:
    url = build(CASES[1].members, tmp_path)  # 甲 300 vs median 200
    assert run(url).rows[0].bonus == D("5.00")
    policy = parse_policy('[default]\nrate = "10%"\n[department."Test Sales 1"]\ncap = 7\n')
    report = run(url, policy=policy)
    assert report.rows[0].bonus == D("7.00")  # 10 % of 100 = 10, capped at 7
    assert report.summaries[0].policy == 'rate 10 %, cap 7.00 (department "Test Sales 1")'
    other = parse_policy('[department."1"]\nrate = 0.02\n')
    assert run(url, policy=other).rows[0].bonus == D("2.00")


def test_departments_get_their_own_median_and_region_filter(tmp_path: Path) -> None:
    b = WarehouseBuilder().department(10, "测试大区", kind="region")
    b.department(1, "测试销售一部", parent_id=10).department(2, "测试销售二部", parent_id=10)
    b.department(3, "别的销售部")
    for emp, dept, sales in [(1, 1, "100"), (2, 1, "300"), (3, 2, "1000"), (4, 3, "5")]:
        b.employee(emp, f"人{emp}", dept).target(emp, JULY, 0).order(emp, date(2026, 7, 2), sales)
    url = b.duckdb(tmp_path)
    report = run(url)
    assert [(s.department, s.median) for s in report.summaries] == [
        ("测试销售一部", D("200")),
        ("测试销售二部", D("1000")),
        ("别的销售部", D("5")),
    ]
    region = run(url, department="测试大区")
    assert [s.department for s in region.summaries] == ["测试销售一部", "测试销售二部"]
    assert run(url, department=2).rows[0].name == "人3"


def test_as_table_is_json_safe(tmp_path: Path) -> None:
    import json

    table = run(build(CASES[1].members, tmp_path)).as_table()
    text = json.dumps(table, ensure_ascii=False)
    assert table["columns"][0] == "rank"
    assert json.loads(text)["rows"][0][:5] == [1, "E00001", "甲", "测试销售一部", 300.0]
