"""The sixth held-out set: questions over a warehouse of a sixth organisation.

``holdout6.yaml`` is written for 鲁通汽车 / Lutong Auto, the demo warehouse (seed 101, last day
2026-04-27) rewritten by ``tests/eval/org6.py`` with department names in a sixth style
(青岛新车零售一科, 烟台大客户中心, 淄博二手车事业部, 临沂汽车金融科, 济宁置换业务组, 德州网销直播组
under the 胶东/鲁中/鲁南/鲁西/鲁北 大区 regions), other cities and product lines (整车, 精品配件,
延保服务). It was written without running the planner. This file checks the set's shape and that
every gold query runs on that warehouse; it never runs the planner (accuracy is measured
separately).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.eval.org2 import DEPARTMENTS as ORG2_DEPARTMENTS
from tests.eval.org2 import PRODUCT_LINES as ORG2_PRODUCT_LINES
from tests.eval.org3 import DEPARTMENTS as ORG3_DEPARTMENTS
from tests.eval.org3 import PRODUCT_LINES as ORG3_PRODUCT_LINES
from tests.eval.org4 import DEPARTMENTS as ORG4_DEPARTMENTS
from tests.eval.org4 import PRODUCT_LINES as ORG4_PRODUCT_LINES
from tests.eval.org5 import DEPARTMENTS as ORG5_DEPARTMENTS
from tests.eval.org5 import PRODUCT_LINES as ORG5_PRODUCT_LINES
from tests.eval.org6 import DEPARTMENTS, END_DATE, PRODUCT_LINES, build_org6
from tests.eval.test_devset import (
    DEVSET,
    Roster,
    _month_bounds,
    _roster,
    _run,
    _same,
    check_asker_is_active,
    check_clarified_names_are_shared,
    check_gold_reads_only_contract_tables,
    check_gold_runs,
    check_ids_and_questions_unique,
    check_named_people_are_unique,
    check_recomputation,
    entry_problems,
    load_set,
    open_read_only,
)

HOLDOUT6 = Path(__file__).with_name("holdout6.yaml")
OTHER_SETS = (
    DEVSET,
    Path(__file__).with_name("holdout.yaml"),
    Path(__file__).with_name("holdout2.yaml"),
    Path(__file__).with_name("holdout3.yaml"),
    Path(__file__).with_name("holdout4.yaml"),
    Path(__file__).with_name("holdout5.yaml"),
)


ENTRIES = load_set(HOLDOUT6)
BY_ID = {e["id"]: e for e in ENTRIES}


# --- the shape of the set ------------------------------------------------------------


def test_every_entry_has_the_required_keys_and_valid_values() -> None:
    problems = [
        p
        for e in ENTRIES
        for p in entry_problems(
            e, id_pattern=r"o6(-[a-z0-9]+)+-\d{3}", splits={"dev"}, last_day=END_DATE
        )
    ]
    assert not problems, "\n".join(problems)


def test_ids_are_unique_and_questions_are_not_repeated() -> None:
    check_ids_and_questions_unique(ENTRIES)


def test_the_set_is_disjoint_from_the_other_sets() -> None:
    for other in OTHER_SETS:
        entries = load_set(other)
        assert not {e["id"] for e in ENTRIES} & {d["id"] for d in entries}, other.name
        assert not {e["question"].strip() for e in ENTRIES} & {
            d["question"].strip() for d in entries
        }, other.name


def test_the_questions_use_this_organisations_names_only() -> None:
    """No department or product-line name of the demo organisation or of organisations 2-5."""
    old = [*DEPARTMENTS, *PRODUCT_LINES]
    for departments in (ORG2_DEPARTMENTS, ORG3_DEPARTMENTS, ORG4_DEPARTMENTS, ORG5_DEPARTMENTS):
        old += [v[0] for v in departments.values()]
    for lines in (ORG2_PRODUCT_LINES, ORG3_PRODUCT_LINES, ORG4_PRODUCT_LINES, ORG5_PRODUCT_LINES):
        old += list(lines.values())
    for e in ENTRIES:
        text = e["question"] + (e["gold_sql"] or "")
        assert not [n for n in old if n in text], e["id"]


def test_size_languages_and_coverage() -> None:
    langs = Counter(e["lang"] for e in ENTRIES)
    assert len(ENTRIES) >= 95
    assert langs["zh"] >= len(ENTRIES) / 2, langs
    assert langs["en"] >= len(ENTRIES) / 5, langs
    assert langs["mixed"] >= 5, langs
    areas = {e["family"].split(".")[0] for e in ENTRIES}
    assert areas >= {
        "dual_target",
        "sales",
        "orders",
        "refunds",
        "marketing",
        "people",
        "payroll",
        "attendance",
        "leave",
        "interactions",
        "reviews",
        "customers",
        "clarify",
        "refuse",
    }, areas
    share = sum(e["family"].startswith("dual_target.") for e in ENTRIES) / len(ENTRIES)
    assert 0.35 <= share <= 0.45, f"dual-target share {share:.0%}"
    kinds = Counter(e["expect"] for e in ENTRIES)
    assert kinds["clarification"] >= 5, kinds
    assert kinds["refusal"] >= 5, kinds
    assert {e["as_of"] for e in ENTRIES} >= {"2026-04-27", "2026-02-03", "2026-01-20"}
    assert sum(e["user"] is not None for e in ENTRIES) >= 15, "askers who say 我/我们组"


def test_every_family_has_at_least_two_questions_in_both_languages() -> None:
    families: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in ENTRIES:
        families[e["family"]].append(e)
    small = {f: len(v) for f, v in families.items() if len(v) < 2}
    assert not small, small
    for family, items in families.items():
        assert len({e["lang"] for e in items}) >= 2, f"{family}: ask it in both languages"
        assert {e["expect"] for e in items} == {items[0]["expect"]}, family


def test_gold_reads_only_contract_tables() -> None:
    check_gold_reads_only_contract_tables(ENTRIES)


# --- the gold runs on the Lutong Auto warehouse --------------------------------------------


@pytest.fixture(scope="session")
def org6_warehouse(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Path of the Lutong Auto warehouse (demo seed 101, end 2026-04-27, renamed), built once."""
    path = tmp_path_factory.mktemp("org6-warehouse") / "org6.duckdb"
    build_org6(path)
    return str(path)


@pytest.fixture(scope="session")
def hcon(org6_warehouse: str) -> Iterator[Any]:
    yield from open_read_only(org6_warehouse)


def test_the_warehouse_is_the_sixth_organisation(hcon: Any) -> None:
    _, rows = _run(hcon, "SELECT name, name_en, city FROM departments")
    assert sorted(rows) == sorted(DEPARTMENTS.values())
    _, lines = _run(hcon, "SELECT DISTINCT product_line FROM sales_orders")
    assert {line for (line,) in lines} == set(PRODUCT_LINES.values())
    _, last = _run(hcon, "SELECT MAX(order_date) FROM sales_orders")
    assert last == [(END_DATE,)]


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e["gold_sql"]], ids=lambda e: e["id"])
def test_gold_sql_runs(hcon: Any, entry: dict[str, Any]) -> None:
    check_gold_runs(hcon, entry)


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e["user"]], ids=lambda e: e["id"])
def test_askers_exist_and_are_active(hcon: Any, entry: dict[str, Any]) -> None:
    check_asker_is_active(hcon, entry)


def test_named_people_in_answer_questions_are_unique(hcon: Any) -> None:
    check_named_people_are_unique(hcon, ENTRIES)


def test_clarified_names_are_really_shared(hcon: Any) -> None:
    check_clarified_names_are_shared(hcon, ENTRIES)


# --- a few dual-target answers recomputed from raw rows ---------------------------------------

ALL = lambda r: [m for rows in r.values() for m in rows]  # noqa: E731

# id -> (months back from as_of, expected rows from the recomputed roster)
RECOMPUTED: dict[str, tuple[int, Callable[[Roster], list[tuple[Any, ...]]]]] = {
    "o6-dt-median-001": (1, lambda r: [(r["淄博二手车事业部"][0]["median"],)]),
    "o6-dt-median-002": (0, lambda r: [(r["烟台大客户中心"][0]["median"],)]),
    "o6-dt-median-004": (1, lambda r: [(d, rows[0]["median"]) for d, rows in r.items()]),
    "o6-dt-median-005": (1, lambda r: [(r["济宁置换业务组"][0]["median"],)]),
    "o6-dt-median-007": (1, lambda r: [(r["德州网销直播组"][0]["median"],)]),
    "o6-dt-above-001": (1, lambda r: [(m["name"],) for m in r["烟台大客户中心"] if m["above"]]),
    "o6-dt-above-002": (
        0,
        lambda r: [(m["name"],) for m in r["青岛新车零售一科"] if m["sales"] < m["median"]],
    ),
    "o6-dt-above-004": (
        1,
        lambda r: [
            (m["name"], d) for d, rows in r.items() for m in rows if m["above"] and not m["met"]
        ],
    ),
    "o6-dt-above-007": (0, lambda r: [(m["name"],) for m in r["烟台大客户中心"] if m["above"]]),
    "o6-dt-met-004": (2, lambda r: [(d, sum(not m["met"] for m in rows)) for d, rows in r.items()]),
    "o6-dt-bonus-001": (
        1,
        lambda r: [(m["name"], d, m["bonus"]) for d, rows in r.items() for m in rows if m["bonus"]],
    ),
    "o6-dt-bonus-002": (1, lambda r: [(d, sum(m["bonus"] for m in rows)) for d, rows in r.items()]),
    "o6-dt-bonus-009": (
        1,
        lambda r: sorted(((m["name"], m["bonus"]) for m in ALL(r)), key=lambda t: -t[1])[:5],
    ),
    "o6-dt-gap-001": (1, lambda r: [(m["name"], m["gap"]) for m in r["淄博二手车事业部"]]),
    "o6-dt-att-001": (1, lambda r: [(m["attainment"],) for m in ALL(r) if m["name"] == "孙鑫天"]),
    "o6-dt-board-001": (
        1,
        lambda r: sorted(
            ((m["name"], m["sales"]) for m in r["济宁置换业务组"]), key=lambda t: -t[1]
        ),
    ),
    "o6-dt-board-003": (0, lambda r: [(m["rank"],) for m in ALL(r) if m["id"] == 121]),
    "o6-dt-count-001": (1, lambda r: [(sum(bool(m["bonus"]) for m in ALL(r)),)]),
    "o6-dt-count-003": (1, lambda r: [(d, sum(m["above"] for m in rows)) for d, rows in r.items()]),
}


@pytest.mark.parametrize("entry_id", sorted(RECOMPUTED))
def test_dual_target_gold_matches_a_recomputation(hcon: Any, entry_id: str) -> None:
    check_recomputation(hcon, BY_ID[entry_id], *RECOMPUTED[entry_id])


@pytest.mark.parametrize(
    ("entry_id", "department", "back"),
    [("o6-dt-median-001", "淄博二手车事业部", 1), ("o6-dt-median-005", "济宁置换业务组", 1)],
)
def test_even_rosters_keep_the_half_cent_of_the_two_middle_values(
    hcon: Any, entry_id: str, department: str, back: int
) -> None:
    """Twelve and eight people on these rosters: the median is a mean of two and ends in half a cent."""
    entry = BY_ID[entry_id]
    roster = _roster(hcon, *_month_bounds(entry["as_of"], back))
    members = roster[department]
    assert len(members) % 2 == 0
    median = members[0]["median"]
    assert median * 100 % 1 != 0, "expected a half-cent median"
    _, gold = _run(hcon, entry["gold_sql"])
    assert gold == [(median,)]
    assert _same(gold, [(median,)], False)


def test_the_organisation_names_are_its_own() -> None:
    """The sixth organisation's department and product-line names are new (none reused)."""
    ours = [v[0] for v in DEPARTMENTS.values()] + list(PRODUCT_LINES.values())
    others: list[str] = []
    for departments in (ORG2_DEPARTMENTS, ORG3_DEPARTMENTS, ORG4_DEPARTMENTS, ORG5_DEPARTMENTS):
        others += [v[0] for v in departments.values()]
    for lines in (ORG2_PRODUCT_LINES, ORG3_PRODUCT_LINES, ORG4_PRODUCT_LINES, ORG5_PRODUCT_LINES):
        others += list(lines.values())
    assert not set(ours) & set(others)
    assert not set(ours) & set(DEPARTMENTS), "demo names must all be renamed"
