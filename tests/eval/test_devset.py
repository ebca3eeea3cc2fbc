"""The public development set of the accuracy harness: its shape, and gold SQL that is right.

Every gold query runs against the demo warehouse (seed 7, end date 2026-11-26).
A handful of dual-target answers are recomputed here from raw rows in plain
Python (``statistics.median``, ``Decimal`` half-up rounding), so the gold itself
is checked against RULES.md and not only against itself.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

DEVSET = Path(__file__).with_name("devset.yaml")
SEED = 7
END_DATE = "2026-11-26"

REQUIRED = (
    "id",
    "family",
    "lang",
    "question",
    "as_of",
    "user",
    "expect",
    "ordered",
    "gold_sql",
    "split",
)
OPTIONAL = ("empty_ok", "before")
LANGS = {"zh", "en", "mixed"}
EXPECTS = {"answer", "clarification", "refusal"}
SPLITS = {"dev", "train"}
CONTRACT_TABLES = {
    "departments",
    "employees",
    "customers",
    "sales_orders",
    "sales_targets",
    "marketing_spend",
    "customer_interactions",
    "payroll",
    "attendance",
    "leave_requests",
    "performance_reviews",
}


def load_set(path: Path) -> list[dict[str, Any]]:
    """A question set: a YAML list of entries."""
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, list), f"{path.name} must be a YAML list"
    return data


ENTRIES = load_set(DEVSET)
BY_ID = {e["id"]: e for e in ENTRIES}


# --- the shape of the set ------------------------------------------------------------


def entry_problems(
    e: dict[str, Any], *, id_pattern: str, splits: set[str], last_day: date | None = None
) -> list[str]:
    """What is wrong with one question entry (shared by the development and held-out sets)."""
    eid = e.get("id", "?")
    missing = [k for k in REQUIRED if k not in e]
    extra = [k for k in e if k not in REQUIRED + OPTIONAL]
    if missing or extra:
        return [f"{eid}: missing {missing} extra {extra}"]
    problems: list[str] = []
    if not re.fullmatch(id_pattern, e["id"]):
        problems.append(f"{eid}: id must match {id_pattern}")
    if not re.fullmatch(r"[a-z_]+(\.[a-z0-9_]+)+", e["family"]):
        problems.append(f"{eid}: family must look like area.name")
    if e["lang"] not in LANGS:
        problems.append(f"{eid}: lang {e['lang']!r}")
    if e["expect"] not in EXPECTS:
        problems.append(f"{eid}: expect {e['expect']!r}")
    if e["split"] not in splits:
        problems.append(f"{eid}: split {e['split']!r} (allowed: {sorted(splits)})")
    if not isinstance(e["ordered"], bool):
        problems.append(f"{eid}: ordered must be a boolean")
    if not isinstance(e["question"], str) or not e["question"].strip():
        problems.append(f"{eid}: empty question")
    if not isinstance(e["as_of"], str):
        problems.append(f"{eid}: as_of must be a quoted YYYY-MM-DD string")
    elif last_day is not None and date.fromisoformat(e["as_of"]) > last_day:
        problems.append(f"{eid}: as_of after the warehouse's last day")
    else:
        date.fromisoformat(e["as_of"])
    if e["user"] is not None and not re.fullmatch(r"E\d{5}", str(e["user"])):
        problems.append(f"{eid}: user must be null or an employee_no")
    if e["expect"] == "refusal":
        if e["gold_sql"] is not None:
            problems.append(f"{eid}: a refusal has no gold SQL")
    elif e["family"] in ("clarify.unknown", "clarify.vague") and e["gold_sql"] is None:
        pass  # a name the warehouse lacks, a question with nothing to pin: nothing to list
    elif not isinstance(e["gold_sql"], str) or not e["gold_sql"].strip():
        problems.append(f"{eid}: gold_sql required")
    if e["ordered"] and "ORDER BY" not in (e["gold_sql"] or "").upper():
        problems.append(f"{eid}: ordered gold must ORDER BY")
    if "empty_ok" in e and e["empty_ok"] is not True:
        problems.append(f"{eid}: empty_ok is only ever true")
    return problems


def test_every_entry_has_the_required_keys_and_valid_values() -> None:
    problems = [
        p
        for e in ENTRIES
        for p in entry_problems(e, id_pattern=r"[a-z0-9]+(-[a-z0-9]+)*-\d{3}", splits=SPLITS)
    ]
    assert not problems, "\n".join(problems)


def test_ids_are_unique_and_questions_are_not_repeated() -> None:
    check_ids_and_questions_unique(ENTRIES)


def test_size_languages_and_split() -> None:
    langs = Counter(e["lang"] for e in ENTRIES)
    assert len(ENTRIES) >= 200
    assert langs["zh"] >= len(ENTRIES) / 2, langs
    assert langs["en"] >= len(ENTRIES) / 5, langs
    assert langs["mixed"] >= 3, langs
    train = sum(e["split"] == "train" for e in ENTRIES) / len(ENTRIES)
    assert 0.25 <= train <= 0.35, f"train share {train:.0%}"


def test_every_family_has_at_least_three_paraphrases_with_different_wording() -> None:
    families: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in ENTRIES:
        families[e["family"]].append(e)
    small = {f: len(v) for f, v in families.items() if len(v) < 3}
    assert not small, small
    for family, items in families.items():
        assert len({e["question"] for e in items}) == len(items), family
        assert len({e["lang"] for e in items}) >= 2 or family.startswith(("clarify", "refuse")), (
            f"{family}: paraphrase in both languages"
        )
        assert {e["expect"] for e in items} == {items[0]["expect"]}, family


def test_the_dual_target_is_heavily_represented() -> None:
    share = sum(e["family"].startswith("dual_target.") for e in ENTRIES) / len(ENTRIES)
    assert 0.33 <= share <= 0.45, f"dual-target share {share:.0%}"


def test_clarifications_and_refusals_are_present() -> None:
    kinds = Counter(e["expect"] for e in ENTRIES)
    assert kinds["clarification"] >= 8, kinds
    assert kinds["refusal"] >= 8, kinds


def test_gold_reads_only_contract_tables() -> None:
    check_gold_reads_only_contract_tables(ENTRIES)


# --- the gold runs on the demo warehouse -----------------------------------------------


@pytest.fixture(scope="session")
def devset_warehouse(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """Path of the demo DuckDB file: the shared ``demo_warehouse_url`` fixture when present."""
    try:
        url = request.getfixturevalue("demo_warehouse_url")
    except pytest.FixtureLookupError:
        from schema.demodata import generate

        path = tmp_path_factory.mktemp("devset-warehouse") / "demo.duckdb"
        url = f"duckdb:///{path}"
        generate(url, seed=SEED, end_date=date.fromisoformat(END_DATE), scale="small")
    return str(url).removeprefix("duckdb:///")


@pytest.fixture(scope="session")
def con(devset_warehouse: str) -> Iterator[Any]:
    yield from open_read_only(devset_warehouse)


def _run(con: Any, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    cur = con.execute(sql)
    return [d[0] for d in cur.description], cur.fetchall()


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e["gold_sql"]], ids=lambda e: e["id"])
def test_gold_sql_runs(con: Any, entry: dict[str, Any]) -> None:
    check_gold_runs(con, entry)


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e["user"]], ids=lambda e: e["id"])
def test_askers_exist(con: Any, entry: dict[str, Any]) -> None:
    check_asker_is_active(con, entry)


def test_named_people_in_answer_questions_are_unique(con: Any) -> None:
    check_named_people_are_unique(con, ENTRIES)


# --- checks every question set runs (shared by the held-out sets' tests) -------------------


def open_read_only(path: str) -> Iterator[Any]:
    """A DuckDB connection on ``path`` through the product's read-only engine (DuckDB refuses,
    in one process, a second connection to one file with another configuration)."""
    from schema.db import warehouse_engine

    engine = warehouse_engine(f"duckdb:///{path}", read_only=True)
    raw = engine.raw_connection()
    yield raw.driver_connection
    raw.close()
    engine.dispose()


def check_gold_reads_only_contract_tables(entries: list[dict[str, Any]]) -> None:
    import sqlglot
    from sqlglot import exp

    for e in entries:
        if not e["gold_sql"]:
            continue
        tree = sqlglot.parse_one(e["gold_sql"], read="duckdb")
        ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
        tables = {t.name for t in tree.find_all(exp.Table)} - ctes
        assert tables <= CONTRACT_TABLES, (e["id"], tables - CONTRACT_TABLES)
        assert isinstance(tree, exp.Query), e["id"]


def check_gold_runs(con: Any, entry: dict[str, Any]) -> None:
    """The gold runs, has distinct columns, rows (unless empty_ok), no NULLs, no tie at a cut."""
    columns, rows = _run(con, entry["gold_sql"])
    assert len(set(columns)) == len(columns), f"duplicate column names {columns}"
    if entry["expect"] == "clarification":
        if entry["family"] == "clarify.unknown":
            return  # a name the warehouse lacks: the gold lists what exists, for information
        # two people of one name (in one department or two), or two departments
        assert len(set(map(tuple, rows))) >= 2, "a clarification needs two candidates"
        return
    if not entry.get("empty_ok"):
        assert rows, "gold returns no rows: mark empty_ok if the honest answer is empty"
    assert all(v is not None for row in rows for v in row), "gold returns NULLs"
    if entry["ordered"] and "LIMIT" in entry["gold_sql"].upper():
        # A top-N cut must not fall inside a tie, or two right answers would disagree.
        full = re.sub(r"\s+LIMIT\s+\d+\s*$", "", entry["gold_sql"].strip(), flags=re.I)
        _, all_rows = _run(con, full)
        if len(all_rows) > len(rows):
            assert all_rows[len(rows) - 1][-1] != all_rows[len(rows)][-1], "top-N cut inside a tie"


def check_asker_is_active(con: Any, entry: dict[str, Any]) -> None:
    _, rows = _run(con, f"SELECT status FROM employees WHERE employee_no = '{entry['user']}'")
    assert rows == [("active",)]


def check_named_people_are_unique(con: Any, entries: list[dict[str, Any]]) -> None:
    """Names quoted in gold (e.name = '...') must identify one person, else the question is ambiguous."""
    for e in entries:
        if e["expect"] != "answer" or not e["gold_sql"]:
            continue
        for name in re.findall(r"(?<!d\.)\bname = '([^']+)'", e["gold_sql"]):
            _, department = _run(con, f"SELECT COUNT(*) FROM departments WHERE name = '{name}'")
            if department != [(0,)]:
                continue  # a department under another alias than d
            _, rows = _run(con, f"SELECT COUNT(*) FROM employees WHERE name = '{name}'")
            assert rows == [(1,)], (e["id"], name)


# --- the dual-target gold recomputed from raw rows -----------------------------------------


def _month_bounds(as_of: str, back: int) -> tuple[date, date]:
    """(first day, last day measured) of the month ``back`` months before as_of's month."""
    a = date.fromisoformat(as_of)
    index = a.year * 12 + a.month - 1 - back
    start = date(index // 12, index % 12 + 1, 1)
    nxt = date((index + 1) // 12, (index + 1) % 12 + 1, 1)
    return start, min(nxt - timedelta(days=1), a)


def _roster(con: Any, start: date, end: date) -> dict[str, list[dict[str, Any]]]:
    """Per department: each roster member's name, id, min_target, sales, and the outcome per RULES.md."""
    _, members = _run(
        con,
        f"""SELECT t.employee_id, e.name, d.name, t.min_target
            FROM sales_targets t JOIN employees e USING (employee_id)
            JOIN departments d ON d.department_id = e.department_id
            WHERE t.month = DATE '{start}'""",
    )
    _, orders = _run(con, "SELECT employee_id, order_date, amount, status FROM sales_orders")
    sales: dict[int, Decimal] = defaultdict(Decimal)
    for employee_id, order_date, amount, status in orders:
        if status == "paid" and start <= order_date <= end:
            sales[employee_id] += amount
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for employee_id, name, dept, min_target in members:
        out[dept].append(
            {
                "id": employee_id,
                "name": name,
                "min_target": min_target,
                "sales": sales.get(employee_id, Decimal(0)),
            }
        )
    for rows in out.values():
        med = statistics.median([r["sales"] for r in rows])
        ranked = sorted((r["sales"] for r in rows), reverse=True)
        for r in rows:
            r["median"] = med
            r["gap"] = r["sales"] - med
            r["met"] = r["sales"] >= r["min_target"]
            r["above"] = r["sales"] > med
            r["attainment"] = r["sales"] / r["min_target"]
            r["bonus"] = (
                (Decimal("0.05") * (r["sales"] - med)).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                )
                if r["met"] and r["above"]
                else Decimal(0)
            )
            r["rank"] = 1 + sum(s > r["sales"] for s in ranked)
    return out


def _same(gold: list[tuple[Any, ...]], expected: list[tuple[Any, ...]], ordered: bool) -> bool:
    def norm(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(round(float(v), 2) if isinstance(v, (int, float, Decimal)) else v for v in row)

    g, x = [norm(r) for r in gold], [norm(r) for r in expected]
    if not ordered:
        g, x = sorted(g, key=repr), sorted(x, key=repr)
    if len(g) != len(x):
        return False
    for a, b in zip(g, x, strict=True):
        for u, v in zip(a, b, strict=True):
            if isinstance(u, float) and isinstance(v, float):
                if abs(u - v) > 0.01:
                    return False
            elif u != v:
                return False
    return True


def check_ids_and_questions_unique(entries: list[dict[str, Any]]) -> None:
    ids = Counter(e["id"] for e in entries)
    assert [i for i, n in ids.items() if n > 1] == []
    texts = Counter((e["question"], e["as_of"], e["user"]) for e in entries)
    assert [q for q, n in texts.items() if n > 1] == []


def check_clarified_names_are_shared(con: Any, entries: list[dict[str, Any]]) -> None:
    """A clarification about a person names someone two or more employees are called."""
    for e in entries:
        if e["family"] != "clarify.person":
            continue
        ((column, name),) = re.findall(r"\b(name|name_en) = '([^']+)'", e["gold_sql"])
        _, rows = _run(con, f"SELECT COUNT(*) FROM employees WHERE {column} = '{name}'")
        assert rows[0][0] >= 2, (e["id"], name)


def check_recomputation(
    con: Any, entry: dict[str, Any], back: int, expected: Callable[[Roster], list[tuple[Any, ...]]]
) -> None:
    """The gold equals the dual-target answer recomputed from raw rows ``back`` months before as_of."""
    roster = _roster(con, *_month_bounds(entry["as_of"], back))
    _, gold = _run(con, entry["gold_sql"])
    want = expected(roster)
    assert want, "the recomputation found nothing: the check would be vacuous"
    assert _same(gold, want, entry["ordered"]), f"gold {gold}\nrecomputed {want}"


Roster = dict[str, list[dict[str, Any]]]
ALL = lambda r: [m for rows in r.values() for m in rows]  # noqa: E731

# id -> (months back from as_of, expected rows from the recomputed roster)
RECOMPUTED: dict[str, tuple[int, Callable[[Roster], list[tuple[Any, ...]]]]] = {
    "dt-median-001": (0, lambda r: [(r["华东销售一部"][0]["median"],)]),
    "dt-medlm-001": (1, lambda r: [(r["华北销售部"][0]["median"],)]),
    "dt-medoct-001": (0, lambda r: [(r["华东销售二部"][0]["median"],)]),
    "dt-medsep-001": (2, lambda r: [(r["华南销售部"][0]["median"],)]),
    "dt-medbydept-001": (1, lambda r: [(d, rows[0]["median"]) for d, rows in r.items()]),
    "dt-above-001": (1, lambda r: [(m["name"],) for m in r["华东销售一部"] if m["above"]]),
    "dt-abovemtd-001": (0, lambda r: [(m["name"],) for m in r["华东销售二部"] if m["above"]]),
    "dt-below-001": (
        1,
        lambda r: [(m["name"],) for m in r["武汉销售部"] if m["sales"] < m["median"]],
    ),
    "dt-met-001": (1, lambda r: [(m["name"],) for m in r["华南销售部"] if m["met"]]),
    "dt-missed-001": (0, lambda r: [(m["name"],) for m in r["华东销售一部"] if not m["met"]]),
    "dt-missedcnt-001": (1, lambda r: [(sum(not m["met"] for m in ALL(r)),)]),
    "dt-bonus-001": (
        1,
        lambda r: [(m["name"], m["bonus"]) for m in r["华北销售部"] if m["met"] and m["above"]],
    ),
    "dt-bonusall-001": (
        1,
        lambda r: [(m["name"], m["bonus"]) for m in ALL(r) if m["met"] and m["above"]],
    ),
    "dt-bonusp-001": (1, lambda r: [(m["bonus"],) for m in ALL(r) if m["name"] == "谢琪"]),
    "dt-bonusp-004": (1, lambda r: [(m["bonus"],) for m in ALL(r) if m["name"] == "卢燕琳"]),
    "dt-bonustotal-001": (1, lambda r: [(sum(m["bonus"] for m in r["华南销售部"]),)]),
    "dt-bonusdept-001": (
        1,
        lambda r: [(d, sum(m["bonus"] for m in rows)) for d, rows in r.items()],
    ),
    "dt-gapp-001": (0, lambda r: [(m["gap"],) for m in ALL(r) if m["name"] == "梁峰天"]),
    "dt-attp-001": (1, lambda r: [(m["attainment"],) for m in ALL(r) if m["name"] == "罗浩轩"]),
    "dt-board-001": (
        1,
        lambda r: sorted(((m["name"], m["sales"]) for m in r["华东销售一部"]), key=lambda t: -t[1]),
    ),
    "dt-selfrank-001": (0, lambda r: [(m["rank"],) for m in ALL(r) if m["id"] == 48]),
    "dt-teammed-001": (0, lambda r: [(r["成都销售组"][0]["median"],)]),
    "dt-abovemiss-001": (
        1,
        lambda r: [(m["name"],) for m in ALL(r) if m["above"] and not m["met"]],
    ),
}


@pytest.mark.parametrize("entry_id", sorted(RECOMPUTED))
def test_dual_target_gold_matches_a_recomputation(con: Any, entry_id: str) -> None:
    check_recomputation(con, BY_ID[entry_id], *RECOMPUTED[entry_id])


def test_even_rosters_use_the_mean_of_the_two_middle_values(con: Any) -> None:
    """At least one checked median comes from an even roster with a half-cent result (no rounding)."""
    roster = _roster(con, *_month_bounds(END_DATE, 1))
    chengdu = roster["成都销售组"]
    assert len(chengdu) % 2 == 0
    _, gold = _run(con, BY_ID["dt-gapdept-001"]["gold_sql"])
    recomputed = {m["name"]: m["gap"] for m in chengdu}
    assert {name: Decimal(gap) for name, gap in gold} == recomputed
