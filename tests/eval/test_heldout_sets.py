"""The held-out sets of the accuracy harness: their shape, and gold SQL that runs and is right.

Every check runs on every set described in ``heldout_sets.py`` (``holdout.yaml`` ...
``holdout6.yaml``), with that set's own thresholds: the format shared with ``devset.yaml``,
size, languages and coverage, disjointness from the development set and every other held-out
set, that the questions use only their own organisation's department and product-line names,
that every gold query runs read-only on the set's warehouse (built once per session, only
when a test needs it) and returns rows (unless ``empty_ok``), and, for a sample of
dual-target questions, that the gold agrees with a recomputation from raw rows in plain
Python. Nothing here runs the planner or measures its accuracy (``test_accuracy.py`` does).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.eval.heldout_sets import (
    DEMO_DEPARTMENTS,
    DEMO_PRODUCT_LINES,
    HELD_OUT_SETS,
    HERE,
    EvenRosterMedian,
    HeldOutSet,
)
from tests.eval.test_devset import (
    DEVSET,
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
)
from tests.eval.test_devset import open_read_only as _open_read_only

EACH_SET = pytest.mark.parametrize("held_out", HELD_OUT_SETS, ids=lambda s: s.key)


def _entry_params(keep: str) -> list[Any]:
    """(set, entry) for the entries with a value under ``keep``, as ``<set key>-<entry id>``."""
    return [
        pytest.param(s, e, id=f"{s.key}-{e['id']}")
        for s in HELD_OUT_SETS
        for e in s.entries()
        if e.get(keep)
    ]


# --- the descriptions ------------------------------------------------------------------------


def test_every_held_out_file_is_described() -> None:
    assert sorted(p.name for p in HERE.glob("holdout*.yaml")) == sorted(
        s.path.name for s in HELD_OUT_SETS
    )
    assert len({s.key for s in HELD_OUT_SETS}) == len(HELD_OUT_SETS)
    assert len({s.id_prefix for s in HELD_OUT_SETS}) == len(HELD_OUT_SETS)


@EACH_SET
def test_the_organisation_renames_every_generated_name(held_out: HeldOutSet) -> None:
    """A renamed organisation maps every generated department and product line."""
    if held_out.departments is not None:
        assert set(held_out.departments) == DEMO_DEPARTMENTS
    if held_out.product_lines is not None:
        assert set(held_out.product_lines) == DEMO_PRODUCT_LINES


# --- the shape of the set --------------------------------------------------------------------


@EACH_SET
def test_every_entry_has_the_required_keys_and_valid_values(held_out: HeldOutSet) -> None:
    # Held-out entries are all split 'dev': they never become retrieval examples.
    problems = [
        p
        for e in held_out.entries()
        for p in entry_problems(
            e, id_pattern=held_out.id_pattern, splits={"dev"}, last_day=held_out.end_date
        )
    ]
    assert not problems, "\n".join(problems)


@EACH_SET
def test_ids_are_unique_and_questions_are_not_repeated(held_out: HeldOutSet) -> None:
    check_ids_and_questions_unique(held_out.entries())


#: Questions two independently written sets may share word for word (about 3 % of a set:
#: everyday questions such as "headcount by department").
MAX_SHARED_QUESTIONS = 8


@EACH_SET
def test_the_set_is_disjoint_from_the_other_sets(held_out: HeldOutSet) -> None:
    """No id and no question is shared with the development set or any other held-out set."""
    entries = held_out.entries()
    others: list[Path] = [DEVSET, *(s.path for s in HELD_OUT_SETS if s is not held_out)]
    for other in others:
        theirs = load_set(other)
        assert not {e["id"] for e in entries} & {d["id"] for d in theirs}, other.name
        # Sets written blind share a few everyday questions by chance ("headcount by
        # department"); more than that, or a follow-up's words, would mean one was copied.
        shared = {e["question"].strip() for e in entries if not e.get("before")} & {
            d["question"].strip() for d in theirs if not d.get("before")
        }
        assert len(shared) <= MAX_SHARED_QUESTIONS, (other.name, shared)


def _other_organisations_names(held_out: HeldOutSet) -> set[str]:
    """Department and product-line names of every other organisation (the demo one included)."""
    names = set(DEMO_DEPARTMENTS | DEMO_PRODUCT_LINES) - held_out.names()
    for s in HELD_OUT_SETS:
        if s.organisation != held_out.organisation:
            names |= s.names()
    return names


@EACH_SET
def test_the_questions_use_this_organisations_names_only(held_out: HeldOutSet) -> None:
    """No department or product-line name of another organisation leaks into a question or gold."""
    ours = held_out.names()
    # another organisation's name inside one of ours (影像设备 in 天津影像设备部), or short for
    # one of ours (杭州一组 for 杭州门店一组), is ours too
    foreign = {
        n for n in _other_organisations_names(held_out) if not any(_shortens(n, o) for o in ours)
    }
    for e in held_out.entries():
        text = e["question"] + (e["gold_sql"] or "")
        assert not [n for n in foreign if n in text], e["id"]


def _shortens(name: str, ours: str) -> bool:
    """``name`` is ``ours`` with characters left out (a substring, or an abbreviation that
    keeps the first character and the order)."""
    if name in ours:
        return True
    rest = iter(ours)
    return name[:1] == ours[:1] and all(ch in rest for ch in name)


@EACH_SET
def test_the_organisation_names_are_its_own(held_out: HeldOutSet) -> None:
    """The organisation's department and product-line names are not another organisation's."""
    ours = held_out.names()
    others = set(DEMO_DEPARTMENTS | DEMO_PRODUCT_LINES)
    for s in HELD_OUT_SETS:
        if s.organisation != held_out.organisation:
            others |= s.names()
    if held_out.departments is None:
        others -= ours  # the demo organisation's own names
    else:
        assert not ours & DEMO_DEPARTMENTS, "demo names must all be renamed"
    assert not ours & others, sorted(ours & others)
    assert len(held_out.department_names()) == len(DEMO_DEPARTMENTS), "names must be distinct"


@EACH_SET
def test_size_languages_and_coverage(held_out: HeldOutSet) -> None:
    entries = held_out.entries()
    langs = Counter(e["lang"] for e in entries)
    assert len(entries) >= held_out.min_entries
    assert langs["zh"] >= len(entries) * held_out.min_zh_share, langs
    assert langs["en"] >= len(entries) * held_out.min_en_share, langs
    assert langs["mixed"] >= held_out.min_mixed, langs
    areas = {e["family"].split(".")[0] for e in entries}
    assert areas >= held_out.areas, areas
    share = sum(e["family"].startswith("dual_target.") for e in entries) / len(entries)
    low, high = held_out.dual_target_share
    assert low <= share <= high, f"dual-target share {share:.0%}"
    kinds = Counter(e["expect"] for e in entries)
    assert kinds["clarification"] >= held_out.min_clarifications, kinds
    assert kinds["refusal"] >= held_out.min_refusals, kinds
    as_of = {e["as_of"] for e in entries}
    assert as_of >= held_out.as_of_dates, sorted(held_out.as_of_dates - as_of)
    assert len(as_of) >= held_out.min_as_of_dates, "the reference date must move sometimes"
    assert sum(e["user"] is not None for e in entries) >= held_out.min_askers, (
        "askers who say 我/我们组"
    )


@EACH_SET
def test_every_family_has_enough_questions_in_both_languages(held_out: HeldOutSet) -> None:
    families: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in held_out.entries():
        families[e["family"]].append(e)
    small = {f: len(v) for f, v in families.items() if len(v) < held_out.min_per_family}
    assert not small, small
    for family, items in families.items():
        if held_out.families_in_both_languages:
            assert len({e["lang"] for e in items}) >= 2, f"{family}: ask it in both languages"
        assert {e["expect"] for e in items} == {items[0]["expect"]}, family


@EACH_SET
def test_gold_reads_only_contract_tables(held_out: HeldOutSet) -> None:
    check_gold_reads_only_contract_tables(held_out.entries())


# --- the gold runs on each set's warehouse -----------------------------------------------------


class Warehouses:
    """Each set's warehouse, built the first time a test asks for it and opened read-only."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._factory = tmp_path_factory
        self._connections: dict[str, Any] = {}
        self._openers: list[Iterator[Any]] = []

    def connection(self, held_out: HeldOutSet) -> Any:
        if held_out.key not in self._connections:
            path = self._factory.mktemp(f"{held_out.key}-warehouse") / f"{held_out.key}.duckdb"
            held_out.build(path)
            opener = _open_read_only(str(path))
            self._connections[held_out.key] = next(opener)
            self._openers.append(opener)
        return self._connections[held_out.key]

    def close(self) -> None:
        for opener in self._openers:
            next(opener, None)  # runs open_read_only's clean-up after its yield
        self._openers.clear()
        self._connections.clear()


@pytest.fixture(scope="session")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouses]:
    built = Warehouses(tmp_path_factory)
    yield built
    built.close()


@EACH_SET
def test_the_warehouse_is_the_sets_organisation(
    warehouses: Warehouses, held_out: HeldOutSet
) -> None:
    con = warehouses.connection(held_out)
    _, rows = _run(con, "SELECT name, name_en, city FROM departments")
    if held_out.departments is None:
        assert {name for name, _, _ in rows} == DEMO_DEPARTMENTS
    else:
        assert sorted(rows) == sorted(held_out.departments.values())
    _, lines = _run(con, "SELECT DISTINCT product_line FROM sales_orders")
    assert {line for (line,) in lines} == set(held_out.product_line_names())
    _, last = _run(con, "SELECT MAX(order_date) FROM sales_orders")
    assert last == [(held_out.end_date,)]


@pytest.mark.parametrize(("held_out", "entry"), _entry_params("gold_sql"))
def test_gold_sql_runs(warehouses: Warehouses, held_out: HeldOutSet, entry: dict[str, Any]) -> None:
    check_gold_runs(warehouses.connection(held_out), entry)


@pytest.mark.parametrize(("held_out", "entry"), _entry_params("user"))
def test_askers_exist_and_are_active(
    warehouses: Warehouses, held_out: HeldOutSet, entry: dict[str, Any]
) -> None:
    check_asker_is_active(warehouses.connection(held_out), entry)


@EACH_SET
def test_named_people_in_answer_questions_are_unique(
    warehouses: Warehouses, held_out: HeldOutSet
) -> None:
    check_named_people_are_unique(warehouses.connection(held_out), held_out.entries())


@EACH_SET
def test_clarified_names_are_really_shared(warehouses: Warehouses, held_out: HeldOutSet) -> None:
    check_clarified_names_are_shared(warehouses.connection(held_out), held_out.entries())


# --- a few dual-target answers recomputed from raw rows ------------------------------------------


@pytest.mark.parametrize(
    ("held_out", "entry_id"),
    [
        pytest.param(s, entry_id, id=f"{s.key}-{entry_id}")
        for s in HELD_OUT_SETS
        for entry_id in sorted(s.recomputed)
    ],
)
def test_dual_target_gold_matches_a_recomputation(
    warehouses: Warehouses, held_out: HeldOutSet, entry_id: str
) -> None:
    con = warehouses.connection(held_out)
    check_recomputation(con, held_out.by_id()[entry_id], *held_out.recomputed[entry_id])


@pytest.mark.parametrize(
    ("held_out", "median"),
    [
        pytest.param(s, m, id=f"{s.key}-{m.entry_id}")
        for s in HELD_OUT_SETS
        for m in s.even_roster_medians
    ],
)
def test_even_rosters_keep_the_mean_of_the_two_middle_values(
    warehouses: Warehouses, held_out: HeldOutSet, median: EvenRosterMedian
) -> None:
    """The roster is even, the gold is the unrounded mean of the two middle values (a half cent
    where the description says so)."""
    con = warehouses.connection(held_out)
    entry = held_out.by_id()[median.entry_id]
    roster = _roster(con, *_month_bounds(entry["as_of"], median.back))
    members = roster[median.department]
    assert len(members) % 2 == 0, f"{median.department}: {len(members)} on the roster"
    expected = members[0]["median"]
    _, gold = _run(con, entry["gold_sql"])
    assert _same(gold, [(expected,)], False), f"gold {gold}, recomputed {expected}"
    if median.half_cent:
        assert expected * 100 % 1 != 0, f"expected a half-cent median, recomputed {expected}"
        (value,) = gold[0]
        assert (value * 1000) % 10 == 5, value
        assert gold == [(expected,)]


def test_recomputed_and_median_ids_name_entries_of_their_set() -> None:
    for s in HELD_OUT_SETS:
        ids = set(s.by_id())
        assert set(s.recomputed) <= ids, s.key
        assert {m.entry_id for m in s.even_roster_medians} <= ids, s.key
        assert all(re.fullmatch(s.id_pattern, i) for i in s.recomputed), s.key
