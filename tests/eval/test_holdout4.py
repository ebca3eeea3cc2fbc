"""The fourth held-out set: questions over a warehouse of a fourth organisation.

``holdout4.yaml`` is written for 远景医疗 / Vista Medical, the demo warehouse (seed 67, last
day 2026-09-20) rewritten by ``tests/eval/org4.py`` with department names in a fourth style
(沈阳医院线, 武汉重点客户组, 重庆线上销售部, ...), other cities and product lines. It was
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
from tests.eval.org3 import DEPARTMENTS as ORG3_DEPARTMENTS
from tests.eval.org3 import PRODUCT_LINES as ORG3_PRODUCT_LINES
from tests.eval.org4 import DEPARTMENTS, END_DATE, PRODUCT_LINES, build_org4
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

HOLDOUT4 = Path(__file__).with_name("holdout4.yaml")
OTHER_SETS = (
    DEVSET,
    Path(__file__).with_name("holdout.yaml"),
    Path(__file__).with_name("holdout2.yaml"),
    Path(__file__).with_name("holdout3.yaml"),
)


ENTRIES = load_set(HOLDOUT4)
BY_ID = {e["id"]: e for e in ENTRIES}


# --- the shape of the set ------------------------------------------------------------


def test_every_entry_has_the_required_keys_and_valid_values() -> None:
    problems = [
        p
        for e in ENTRIES
        for p in entry_problems(
            e, id_pattern=r"o4(-[a-z0-9]+)+-\d{3}", splits={"dev"}, last_day=END_DATE
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
    """No department or product-line name of the demo organisation, Yunfan Group or Hengxing Retail."""
    old = [*DEPARTMENTS, *PRODUCT_LINES, *(v[0] for v in ORG2_DEPARTMENTS.values())]
    old += [v[0] for v in ORG3_DEPARTMENTS.values()] + list(ORG3_PRODUCT_LINES.values())
    old += ["云服务", "智能终端", "实施服务"]
    for e in ENTRIES:
        text = e["question"] + (e["gold_sql"] or "")
        assert not [n for n in old if n in text], e["id"]


def test_size_languages_and_coverage() -> None:
    langs = Counter(e["lang"] for e in ENTRIES)
    assert len(ENTRIES) >= 75
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
    assert kinds["clarification"] >= 4, kinds
    assert kinds["refusal"] >= 4, kinds
    assert {e["as_of"] for e in ENTRIES} >= {"2026-09-20", "2026-05-12"}


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


# --- the gold runs on the Vista Medical warehouse -------------------------------------------


@pytest.fixture(scope="session")
def org4_warehouse(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Path of the Vista Medical warehouse (demo seed 67, end 2026-09-20, renamed), built once."""
    path = tmp_path_factory.mktemp("org4-warehouse") / "org4.duckdb"
    build_org4(path)
    return str(path)


@pytest.fixture(scope="session")
def hcon(org4_warehouse: str) -> Iterator[Any]:
    yield from open_read_only(org4_warehouse)


def test_the_warehouse_is_the_fourth_organisation(hcon: Any) -> None:
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
    "o4-dt-median-001": (0, lambda r: [(r["沈阳医院线"][0]["median"],)]),
    "o4-dt-median-002": (1, lambda r: [(r["成都二线城市组"][0]["median"],)]),
    "o4-dt-median-004": (1, lambda r: [(d, rows[0]["median"]) for d, rows in r.items()]),
    "o4-dt-median-006": (1, lambda r: [(r["长沙零售一组"][0]["median"],)]),
    "o4-dt-above-001": (
        1,
        lambda r: [(m["name"],) for m in r["重庆线上销售部"] if m["sales"] > m["median"]],
    ),
    "o4-dt-above-002": (
        0,
        lambda r: [(m["name"],) for m in r["长沙零售一组"] if m["sales"] < m["median"]],
    ),
    "o4-dt-met-001": (
        1,
        lambda r: [(m["name"],) for m in r["大连代理商渠道部"] if not m["met"]],
    ),
    "o4-dt-met-002": (1, lambda r: [(d, sum(m["met"] for m in rows)) for d, rows in r.items()]),
    "o4-dt-bonus-001": (
        1,
        lambda r: [(m["name"], d, m["bonus"]) for d, rows in r.items() for m in rows if m["bonus"]],
    ),
    "o4-dt-bonus-002": (1, lambda r: [(d, sum(m["bonus"] for m in rows)) for d, rows in r.items()]),
    "o4-dt-gap-001": (1, lambda r: [(m["name"], m["gap"]) for m in r["成都二线城市组"]]),
    "o4-dt-att-001": (1, lambda r: [(m["attainment"],) for m in ALL(r) if m["name"] == "王雪"]),
    "o4-dt-board-001": (
        1,
        lambda r: sorted(((m["name"], m["sales"]) for m in r["沈阳医院线"]), key=lambda t: -t[1]),
    ),
    "o4-dt-count-003": (0, lambda r: [(sum(m["met"] for m in ALL(r)),)]),
}


@pytest.mark.parametrize("entry_id", sorted(RECOMPUTED))
def test_dual_target_gold_matches_a_recomputation(hcon: Any, entry_id: str) -> None:
    check_recomputation(hcon, BY_ID[entry_id], *RECOMPUTED[entry_id])


def test_even_rosters_keep_the_mean_of_the_two_middle_values(hcon: Any) -> None:
    """成都二线城市组 has twelve people on the August roster: the median is a mean of two."""
    roster = _roster(hcon, *_month_bounds("2026-09-20", 1))
    assert len(roster["成都二线城市组"]) % 2 == 0
    _, gold = _run(hcon, BY_ID["o4-dt-median-002"]["gold_sql"])
    assert _same(gold, [(roster["成都二线城市组"][0]["median"],)], False)
