"""The third held-out set: questions over a warehouse of a third organisation.

``holdout3.yaml`` is written for 恒星零售 / Hengxing Retail, the demo warehouse (seed 59, last
day 2026-07-15) rewritten by ``tests/eval/org3.py`` with department names in yet another
style (KA一部, 新零售事业部, 南京分公司销售部, ...), other cities and product lines. It was
written without running the planner. This file checks the set's shape and that every gold
query runs on that warehouse; it never runs the planner (accuracy is measured separately).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.eval.org2 import DEPARTMENTS as ORG2_DEPARTMENTS
from tests.eval.org3 import DEPARTMENTS, END_DATE, PRODUCT_LINES, build_org3
from tests.eval.test_devset import (
    DEVSET,
    Roster,
    _run,
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

HOLDOUT3 = Path(__file__).with_name("holdout3.yaml")
OTHER_SETS = (
    DEVSET,
    Path(__file__).with_name("holdout.yaml"),
    Path(__file__).with_name("holdout2.yaml"),
)


ENTRIES = load_set(HOLDOUT3)
BY_ID = {e["id"]: e for e in ENTRIES}


# --- the shape of the set ------------------------------------------------------------


def test_every_entry_has_the_required_keys_and_valid_values() -> None:
    problems = [
        p
        for e in ENTRIES
        for p in entry_problems(
            e, id_pattern=r"o3(-[a-z0-9]+)+-\d{3}", splits={"dev"}, last_day=END_DATE
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
    """No department or product-line name of the demo organisation or of Yunfan Group may leak in."""
    old = [*DEPARTMENTS, *PRODUCT_LINES, *(v[0] for v in ORG2_DEPARTMENTS.values())]
    old += ["云服务", "智能终端", "实施服务"]
    for e in ENTRIES:
        text = e["question"] + (e["gold_sql"] or "")
        assert not [n for n in old if n in text], e["id"]


def test_size_languages_and_coverage() -> None:
    langs = Counter(e["lang"] for e in ENTRIES)
    assert len(ENTRIES) >= 100
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
    assert {e["as_of"] for e in ENTRIES} >= {"2026-07-15", "2026-04-08"}


def test_every_family_has_at_least_three_questions_in_both_languages() -> None:
    families: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in ENTRIES:
        families[e["family"]].append(e)
    small = {f: len(v) for f, v in families.items() if len(v) < 3}
    assert not small, small
    for family, items in families.items():
        assert len({e["lang"] for e in items}) >= 2, f"{family}: ask it in both languages"
        assert {e["expect"] for e in items} == {items[0]["expect"]}, family


def test_gold_reads_only_contract_tables() -> None:
    check_gold_reads_only_contract_tables(ENTRIES)


# --- the gold runs on the Hengxing Retail warehouse -------------------------------------------


@pytest.fixture(scope="session")
def org3_warehouse(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Path of the Hengxing Retail warehouse (demo seed 59, end 2026-07-15, renamed), built once."""
    path = tmp_path_factory.mktemp("org3-warehouse") / "org3.duckdb"
    build_org3(path)
    return str(path)


@pytest.fixture(scope="session")
def hcon(org3_warehouse: str) -> Iterator[Any]:
    yield from open_read_only(org3_warehouse)


def test_the_warehouse_is_the_third_organisation(hcon: Any) -> None:
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
    "o3-dt-median-001": (0, lambda r: [(r["KA一部"][0]["median"],)]),
    "o3-dt-median-004": (1, lambda r: [(d, rows[0]["median"]) for d, rows in r.items()]),
    "o3-dt-median-007": (1, lambda r: [(r["天津渠道部"][0]["median"],)]),
    "o3-dt-above-002": (
        0,
        lambda r: [(m["name"],) for m in r["KA一部"] if m["sales"] < m["median"]],
    ),
    "o3-dt-met-003": (1, lambda r: [(d, sum(m["met"] for m in rows)) for d, rows in r.items()]),
    "o3-dt-bonus-001": (
        1,
        lambda r: [(m["name"], d, m["bonus"]) for d, rows in r.items() for m in rows if m["bonus"]],
    ),
    "o3-dt-bonus-002": (1, lambda r: [(d, sum(m["bonus"] for m in rows)) for d, rows in r.items()]),
    "o3-dt-gap-001": (1, lambda r: [(m["name"], m["gap"]) for m in r["天津渠道部"]]),
    "o3-dt-att-001": (0, lambda r: [(m["attainment"],) for m in ALL(r) if m["name"] == "王颖颖"]),
    "o3-dt-board-001": (
        1,
        lambda r: sorted(((m["name"], m["sales"]) for m in r["苏州门店组"]), key=lambda t: -t[1]),
    ),
    "o3-dt-count-002": (1, lambda r: [(sum(m["met"] for m in ALL(r)) / len(ALL(r)),)]),
}


@pytest.mark.parametrize("entry_id", sorted(RECOMPUTED))
def test_dual_target_gold_matches_a_recomputation(hcon: Any, entry_id: str) -> None:
    check_recomputation(hcon, BY_ID[entry_id], *RECOMPUTED[entry_id])


def test_half_cent_medians_are_kept(hcon: Any) -> None:
    """KA一部 has an even roster in July 2026: its median ends in half a cent."""
    _, gold = _run(hcon, BY_ID["o3-dt-median-001"]["gold_sql"])
    (median,) = gold[0]
    assert (median * 1000) % 10 == 5, median
