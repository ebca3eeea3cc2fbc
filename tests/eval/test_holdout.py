"""The held-out set of the accuracy harness: its shape, and gold SQL that runs and is right.

``holdout.yaml`` was written independently of the planner, over another demo warehouse
(seed 23, end date 2026-10-20), to measure how the planner generalises. This file only
checks the set itself: the format shared with ``devset.yaml``, that every gold query runs
on that warehouse and returns rows (unless ``empty_ok``), and, for a sample of
dual-target questions, that the gold agrees with a recomputation from raw rows in plain
Python. It never runs the planner and never measures its accuracy.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.eval.test_devset import (
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

HOLDOUT = Path(__file__).with_name("holdout.yaml")
DEVSET = Path(__file__).with_name("devset.yaml")
SEED = 23
END_DATE = "2026-10-20"


ENTRIES = load_set(HOLDOUT)
BY_ID = {e["id"]: e for e in ENTRIES}


# --- the shape of the set ------------------------------------------------------------


def test_every_entry_has_the_required_keys_and_valid_values() -> None:
    # Held-out entries are all split 'dev': they never become retrieval examples.
    problems = [
        p
        for e in ENTRIES
        for p in entry_problems(
            e,
            id_pattern=r"ho(-[a-z0-9]+)+-\d{3}",
            splits={"dev"},
            last_day=date.fromisoformat(END_DATE),
        )
    ]
    assert not problems, "\n".join(problems)


def test_ids_are_unique_and_questions_are_not_repeated() -> None:
    check_ids_and_questions_unique(ENTRIES)


def test_the_set_is_disjoint_from_the_devset() -> None:
    dev = load_set(DEVSET)
    assert not {e["id"] for e in ENTRIES} & {d["id"] for d in dev}
    assert not {e["question"].strip() for e in ENTRIES} & {d["question"].strip() for d in dev}


def test_size_languages_and_coverage() -> None:
    langs = Counter(e["lang"] for e in ENTRIES)
    assert len(ENTRIES) >= 140
    assert langs["zh"] >= len(ENTRIES) / 2, langs
    assert langs["en"] >= len(ENTRIES) / 5, langs
    assert langs["mixed"] >= 10, langs
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
    assert kinds["clarification"] >= 8, kinds
    assert kinds["refusal"] >= 8, kinds
    assert len({e["as_of"] for e in ENTRIES}) >= 3, "the reference date must move sometimes"


def test_every_family_has_at_least_three_questions() -> None:
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


# --- the gold runs on the held-out warehouse ------------------------------------------------


@pytest.fixture(scope="session")
def holdout_warehouse(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Path of the held-out demo DuckDB file (seed 23, end date 2026-10-20), built once."""
    from schema.demodata import generate

    path = tmp_path_factory.mktemp("holdout-warehouse") / "holdout.duckdb"
    generate(f"duckdb:///{path}", seed=SEED, end_date=date.fromisoformat(END_DATE), scale="small")
    return str(path)


@pytest.fixture(scope="session")
def hcon(holdout_warehouse: str) -> Iterator[Any]:
    yield from open_read_only(holdout_warehouse)


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


# --- the dual-target gold recomputed from raw rows -----------------------------------------

ALL = lambda r: [m for rows in r.values() for m in rows]  # noqa: E731

# id -> (months back from as_of, expected rows from the recomputed roster)
RECOMPUTED: dict[str, tuple[int, Callable[[Roster], list[tuple[Any, ...]]]]] = {
    "ho-dt-median-001": (1, lambda r: [(r["华北销售部"][0]["median"],)]),
    "ho-dt-median-002": (2, lambda r: [(r["武汉销售部"][0]["median"],)]),
    "ho-dt-median-006": (1, lambda r: [(r["华东销售二部"][0]["median"],)]),
    "ho-dt-medmulti-001": (2, lambda r: [(d, rows[0]["median"]) for d, rows in r.items()]),
    "ho-dt-above-001": (1, lambda r: [(m["name"],) for m in r["成都销售组"] if m["above"]]),
    "ho-dt-above-004": (
        0,
        lambda r: [(m["name"],) for m in r["华北销售部"] if m["sales"] < m["median"]],
    ),
    "ho-dt-met-002": (0, lambda r: [(m["name"],) for m in r["华东销售二部"] if not m["met"]]),
    "ho-dt-metcnt-005": (0, lambda r: [(d, sum(m["met"] for m in rows)) for d, rows in r.items()]),
    "ho-dt-mixcond-003": (
        2,
        lambda r: [(m["name"],) for m in ALL(r) if m["met"] and not m["above"]],
    ),
    "ho-dt-bonus-002": (
        2,
        lambda r: [(m["name"], m["bonus"]) for m in r["成都销售组"] if m["met"] and m["above"]],
    ),
    "ho-dt-bonusp-004": (1, lambda r: [(m["bonus"],) for m in ALL(r) if m["id"] == 22]),
    "ho-dt-bonustot-002": (
        1,
        lambda r: [(d, sum(m["bonus"] for m in rows)) for d, rows in r.items()],
    ),
    "ho-dt-gap-003": (0, lambda r: [(m["gap"],) for m in ALL(r) if m["id"] == 24]),
    "ho-dt-att-006": (
        1,
        lambda r: [(m["name"], m["attainment"]) for m in r["华南销售部"] if m["attainment"] > 1.5],
    ),
    "ho-dt-board-004": (
        2,
        lambda r: sorted(
            ((m["name"], m["sales"], m["gap"]) for m in r["武汉销售部"]), key=lambda t: -t[1]
        ),
    ),
    "ho-dt-rank-003": (2, lambda r: [(m["rank"],) for m in ALL(r) if m["id"] == 66]),
}


@pytest.mark.parametrize("entry_id", sorted(RECOMPUTED))
def test_dual_target_gold_matches_a_recomputation(hcon: Any, entry_id: str) -> None:
    check_recomputation(hcon, BY_ID[entry_id], *RECOMPUTED[entry_id])


def test_half_cent_medians_are_kept(hcon: Any) -> None:
    """Even rosters in August 2026 give medians ending in half a cent; the gold keeps them."""
    _, gold = _run(hcon, BY_ID["ho-dt-median-002"]["gold_sql"])
    (median,) = gold[0]
    assert (median * 1000) % 10 == 5, median
