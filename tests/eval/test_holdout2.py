"""The second held-out set: questions over a warehouse of another organisation.

``holdout2.yaml`` is written for 云帆集团 / Yunfan Group, the demo warehouse (seed 41, last
day 2026-08-31) rewritten by ``tests/eval/org2.py`` with other department names, cities and
product lines, so that names and phrasings tuned on the demo organisation do not carry over.
This file checks the set's shape and that every gold query runs on that warehouse; it never
runs the planner (accuracy is measured separately with ``hrq eval``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.eval.org2 import DEPARTMENTS, END_DATE, PRODUCT_LINES, build_org2
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

HOLDOUT2 = Path(__file__).with_name("holdout2.yaml")
HOLDOUT = Path(__file__).with_name("holdout.yaml")


ENTRIES = load_set(HOLDOUT2)
BY_ID = {e["id"]: e for e in ENTRIES}


# --- the shape of the set ------------------------------------------------------------


def test_every_entry_has_the_required_keys_and_valid_values() -> None:
    problems = [
        p
        for e in ENTRIES
        for p in entry_problems(
            e, id_pattern=r"o2(-[a-z0-9]+)+-\d{3}", splits={"dev"}, last_day=END_DATE
        )
    ]
    assert not problems, "\n".join(problems)


def test_ids_are_unique_and_questions_are_not_repeated() -> None:
    check_ids_and_questions_unique(ENTRIES)


def test_the_set_is_disjoint_from_the_other_sets() -> None:
    for other in (DEVSET, HOLDOUT):
        entries = load_set(other)
        assert not {e["id"] for e in ENTRIES} & {d["id"] for d in entries}
        assert not {e["question"].strip() for e in ENTRIES} & {
            d["question"].strip() for d in entries
        }


def test_the_questions_use_this_organisations_names_only() -> None:
    """No department name of the demo organisation may leak into a question or its gold."""
    old = [*DEPARTMENTS, *PRODUCT_LINES]
    for e in ENTRIES:
        text = e["question"] + (e["gold_sql"] or "")
        assert not [n for n in old if n in text], e["id"]


def test_size_languages_and_coverage() -> None:
    langs = Counter(e["lang"] for e in ENTRIES)
    assert len(ENTRIES) >= 110
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
    assert kinds["clarification"] >= 6, kinds
    assert kinds["refusal"] >= 6, kinds
    assert {e["as_of"] for e in ENTRIES} >= {"2026-08-31", "2026-08-15", "2026-06-30"}


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


# --- the gold runs on the Yunfan Group warehouse --------------------------------------------


@pytest.fixture(scope="session")
def org2_warehouse(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Path of the Yunfan Group warehouse (demo seed 41, end 2026-08-31, renamed), built once."""
    path = tmp_path_factory.mktemp("org2-warehouse") / "org2.duckdb"
    build_org2(path)
    return str(path)


@pytest.fixture(scope="session")
def ocon(org2_warehouse: str) -> Iterator[Any]:
    yield from open_read_only(org2_warehouse)


def test_the_warehouse_is_the_other_organisation(ocon: Any) -> None:
    _, rows = _run(ocon, "SELECT name, name_en, city FROM departments")
    assert sorted(rows) == sorted(DEPARTMENTS.values())
    _, lines = _run(ocon, "SELECT DISTINCT product_line FROM sales_orders")
    assert {line for (line,) in lines} == set(PRODUCT_LINES.values())


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e["gold_sql"]], ids=lambda e: e["id"])
def test_gold_sql_runs(ocon: Any, entry: dict[str, Any]) -> None:
    check_gold_runs(ocon, entry)


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e["user"]], ids=lambda e: e["id"])
def test_askers_exist_and_are_active(ocon: Any, entry: dict[str, Any]) -> None:
    check_asker_is_active(ocon, entry)


def test_named_people_in_answer_questions_are_unique(ocon: Any) -> None:
    check_named_people_are_unique(ocon, ENTRIES)


def test_clarified_names_are_really_shared(ocon: Any) -> None:
    check_clarified_names_are_shared(ocon, ENTRIES)


# --- a few dual-target answers recomputed from raw rows ---------------------------------------

ALL = lambda r: [m for rows in r.values() for m in rows]  # noqa: E731

# id -> (months back from as_of, expected rows from the recomputed roster)
RECOMPUTED: dict[str, tuple[int, Callable[[Roster], list[tuple[Any, ...]]]]] = {
    "o2-dt-median-002": (0, lambda r: [(r["上海渠道二组"][0]["median"],)]),
    "o2-dt-median-005": (0, lambda r: [(d, rows[0]["median"]) for d, rows in r.items()]),
    "o2-dt-median-006": (0, lambda r: [(r["杭州一组"][0]["median"],)]),
    "o2-dt-above-003": (
        1,
        lambda r: [(m["name"],) for m in r["深圳直销中心"] if m["sales"] < m["median"]],
    ),
    "o2-dt-met-004": (1, lambda r: [(d, sum(m["met"] for m in rows)) for d, rows in r.items()]),
    "o2-dt-mixed-001": (
        0,
        lambda r: [
            (m["name"], d) for d, rows in r.items() for m in rows if m["above"] and not m["met"]
        ],
    ),
    "o2-dt-bonus-001": (
        1,
        lambda r: [(m["name"], d, m["bonus"]) for d, rows in r.items() for m in rows if m["bonus"]],
    ),
    "o2-dt-bonus-004": (0, lambda r: [(d, sum(m["bonus"] for m in rows)) for d, rows in r.items()]),
    "o2-dt-gap-004": (1, lambda r: [(m["name"], m["gap"]) for m in r["西安销售三部"]]),
    "o2-dt-att-002": (1, lambda r: [(m["attainment"],) for m in ALL(r) if m["name"] == "李轩轩"]),
    "o2-dt-board-002": (
        1,
        lambda r: sorted(((m["name"], m["sales"]) for m in r["北京大客户部"]), key=lambda t: -t[1]),
    ),
    "o2-dt-team-005": (
        0,
        lambda r: [(d, r[d][0]["median"]) for d in ("上海渠道二组", "杭州一组")],
    ),
}


@pytest.mark.parametrize("entry_id", sorted(RECOMPUTED))
def test_dual_target_gold_matches_a_recomputation(ocon: Any, entry_id: str) -> None:
    check_recomputation(ocon, BY_ID[entry_id], *RECOMPUTED[entry_id])


def test_half_cent_medians_are_kept(ocon: Any) -> None:
    """上海渠道二组 has an even roster in August 2026: its median ends in half a cent."""
    _, gold = _run(ocon, BY_ID["o2-dt-median-002"]["gold_sql"])
    (median,) = gold[0]
    assert (median * 1000) % 10 == 5, median
