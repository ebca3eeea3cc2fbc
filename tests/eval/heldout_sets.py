"""One description per held-out question set: its file, its warehouse and what it must satisfy.

Each held-out set (``holdout.yaml`` ... ``holdout7.yaml``) was written independently of the
planner over a warehouse of its own: the first over the demo organisation generated with
another seed and end date, the others over another organisation each (``org2.py`` ...
``org7.py``, built through :func:`tests.eval.orgs.build_renamed`). A :class:`HeldOutSet`
holds what is particular to one set (size, language and coverage floors, reference dates,
the organisation's names, the dual-target answers recomputed from raw rows, the even-roster
medians); ``test_heldout_sets.py`` runs every check on every set from these descriptions.
Nothing here runs the planner; ``test_accuracy.py`` measures accuracy on the same files.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from tests.eval import (
    org2,
    org3,
    org4,
    org5,
    org6,
    org7,
    org8,
    org9,
    org10,
    org11,
    org12,
    org13,
    org14,
    org15,
    org16,
    org17,
)
from tests.eval.test_devset import ALL, Roster, load_set

HERE = Path(__file__).parent

#: Family areas every held-out set covers.
AREAS = frozenset(
    {
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
    }
)

#: The demo generator's own department and product-line names (the keys every organisation
#: renames; ``build_renamed`` refuses a warehouse whose generated names differ).
DEMO_DEPARTMENTS = frozenset(org2.DEPARTMENTS)
DEMO_PRODUCT_LINES = frozenset(org2.PRODUCT_LINES)

#: months back from as_of, and the expected rows from the roster recomputed for that month
Recomputation = tuple[int, Callable[[Roster], list[tuple[Any, ...]]]]


@dataclass(frozen=True)
class EvenRosterMedian:
    """A median gold over an even roster: the mean of the two middle values, unrounded.

    The roster of ``department`` in the month ``back`` months before the entry's ``as_of`` has
    an even head count, and the gold returns exactly the recomputed mean of the two middle
    values; with ``half_cent`` that mean ends in half a cent (DuckDB's ``median()`` of a
    ``DECIMAL(_,2)`` would round it away).
    """

    entry_id: str
    department: str
    back: int
    half_cent: bool = True


@dataclass(frozen=True)
class HeldOutSet:
    """What one held-out set is, and the thresholds its own checks use."""

    #: test-id prefix (``test_gold_sql_runs[org5-o5-dt-median-001]``)
    key: str
    #: the organisation the questions are about (sets of one organisation share its names)
    organisation: str
    path: Path
    #: every id is ``<id_prefix>-<family words>-NNN``
    id_prefix: str
    seed: int
    #: the warehouse's last day; no ``as_of`` may come after it
    end_date: date
    #: writes the set's warehouse (a DuckDB file) at the given path, deterministically
    build: Callable[[Path], None]
    #: generated department name -> (name, name_en, city); None = the demo generator's names
    departments: Mapping[str, tuple[str, str, str]] | None
    #: generated product line -> its name here; None = the demo generator's names
    product_lines: Mapping[str, str] | None
    min_entries: int
    min_mixed: int
    min_clarifications: int
    min_refusals: int
    #: reference dates the set must use (at least)
    as_of_dates: frozenset[str]
    #: id -> recomputation of its dual-target gold from raw rows
    recomputed: Mapping[str, Recomputation]
    even_roster_medians: tuple[EvenRosterMedian, ...]
    #: how many distinct reference dates at least
    min_as_of_dates: int = 1
    #: how many entries with an asker (``user``) at least
    min_askers: int = 0
    #: how many questions every family has at least (each family in two languages)
    min_per_family: int = 3
    #: whether every family is asked in two languages at least
    families_in_both_languages: bool = True
    min_zh_share: float = 1 / 2
    min_en_share: float = 1 / 5
    dual_target_share: tuple[float, float] = (0.35, 0.45)
    areas: frozenset[str] = AREAS

    @property
    def id_pattern(self) -> str:
        return rf"{self.id_prefix}(-[a-z0-9]+)+-\d{{3}}"

    def entries(self) -> list[dict[str, Any]]:
        return _load(self.path)

    def by_id(self) -> dict[str, dict[str, Any]]:
        return {e["id"]: e for e in self.entries()}

    def department_names(self) -> frozenset[str]:
        if self.departments is None:
            return DEMO_DEPARTMENTS
        return frozenset(name for name, _, _ in self.departments.values())

    def product_line_names(self) -> frozenset[str]:
        if self.product_lines is None:
            return DEMO_PRODUCT_LINES
        return frozenset(self.product_lines.values())

    def names(self) -> frozenset[str]:
        """The organisation's department (Chinese) and product-line names."""
        return self.department_names() | self.product_line_names()


@functools.cache
def _load(path: Path) -> list[dict[str, Any]]:
    return load_set(path)


# --- the first held-out set: the demo organisation, another seed and end date -------------

HOLDOUT_SEED = 23
HOLDOUT_END_DATE = date(2026, 10, 20)


def build_holdout(path: Path) -> None:
    """The demo warehouse of the first held-out set (seed 23, end date 2026-10-20)."""
    from schema.demodata import generate

    generate(f"duckdb:///{path}", seed=HOLDOUT_SEED, end_date=HOLDOUT_END_DATE, scale="small")


HOLDOUT_RECOMPUTED: dict[str, Recomputation] = {
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

# --- the second set: 云帆集团 / Yunfan Group (org2.py) -------------------------------------

ORG2_RECOMPUTED: dict[str, Recomputation] = {
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

# --- the third set: 恒星零售 / Hengxing Retail (org3.py) ------------------------------------

ORG3_RECOMPUTED: dict[str, Recomputation] = {
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

# --- the fourth set: 远景医疗 / Vista Medical (org4.py) -------------------------------------

ORG4_RECOMPUTED: dict[str, Recomputation] = {
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

# --- the fifth set: 鲜禾食品 / Xianhe Foods (org5.py) ---------------------------------------

ORG5_RECOMPUTED: dict[str, Recomputation] = {
    "o5-dt-median-001": (0, lambda r: [(r["苏州商超KA部"][0]["median"],)]),
    "o5-dt-median-002": (1, lambda r: [(r["洛阳餐饮渠道组"][0]["median"],)]),
    "o5-dt-median-004": (1, lambda r: [(d, rows[0]["median"]) for d, rows in r.items()]),
    "o5-dt-median-005": (1, lambda r: [(r["南昌批发二部"][0]["median"],)]),
    "o5-dt-median-009": (0, lambda r: [(r["合肥便利店渠道组"][0]["median"],)]),
    "o5-dt-above-001": (1, lambda r: [(m["name"],) for m in r["合肥便利店渠道组"] if m["above"]]),
    "o5-dt-above-002": (
        0,
        lambda r: [(m["name"],) for m in r["苏州商超KA部"] if m["sales"] < m["median"]],
    ),
    "o5-dt-above-007": (
        1,
        lambda r: [
            (m["name"], d) for d, rows in r.items() for m in rows if m["above"] and not m["met"]
        ],
    ),
    "o5-dt-met-003": (1, lambda r: [(d, sum(m["met"] for m in rows)) for d, rows in r.items()]),
    "o5-dt-bonus-001": (
        1,
        lambda r: [(m["name"], d, m["bonus"]) for d, rows in r.items() for m in rows if m["bonus"]],
    ),
    "o5-dt-bonus-002": (1, lambda r: [(d, sum(m["bonus"] for m in rows)) for d, rows in r.items()]),
    "o5-dt-bonus-008": (
        1,
        lambda r: sorted(((m["name"], m["bonus"]) for m in ALL(r)), key=lambda t: -t[1])[:1],
    ),
    "o5-dt-gap-002": (1, lambda r: [(m["name"], m["gap"]) for m in r["福州团购业务组"]]),
    "o5-dt-att-001": (1, lambda r: [(m["attainment"],) for m in ALL(r) if m["name"] == "唐振鑫"]),
    "o5-dt-board-001": (
        1,
        lambda r: sorted(((m["name"], m["sales"]) for m in r["南昌批发二部"]), key=lambda t: -t[1]),
    ),
    "o5-dt-board-003": (0, lambda r: [(m["rank"],) for m in ALL(r) if m["name"] == "徐宏峰"]),
    "o5-dt-count-002": (1, lambda r: [(sum(bool(m["bonus"]) for m in ALL(r)),)]),
}

# --- the sixth set: 鲁通汽车 / Lutong Auto (org6.py) ----------------------------------------

ORG6_RECOMPUTED: dict[str, Recomputation] = {
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


# --- the seventh set: 悦肤美妆 / Yuefu Beauty (org7.py) --------------------------------------

ORG7_RECOMPUTED: dict[str, Recomputation] = {
    "o7-dt-median-001": (0, lambda r: [(r["珠海门店二组"][0]["median"],)]),
    "o7-dt-median-002": (1, lambda r: [(r["惠州社群运营小组"][0]["median"],)]),
    "o7-dt-median-004": (0, lambda r: [(d, rows[0]["median"]) for d, rows in r.items()]),
    "o7-dt-above-001": (1, lambda r: [(m["name"],) for m in r["广州天河门店组"] if m["above"]]),
    "o7-dt-above-002": (
        0,
        lambda r: [(m["name"],) for m in r["汕头经销商组"] if m["sales"] < m["median"]],
    ),
    "o7-dt-met-002": (1, lambda r: [(d, sum(m["met"] for m in rows)) for d, rows in r.items()]),
    "o7-dt-met-005": (
        1,
        lambda r: [
            (m["name"], d) for d, rows in r.items() for m in rows if m["met"] and not m["above"]
        ],
    ),
    "o7-dt-bonus-001": (
        1,
        lambda r: [(m["name"], d, m["bonus"]) for d, rows in r.items() for m in rows if m["bonus"]],
    ),
    "o7-dt-bonus-002": (0, lambda r: [(d, sum(m["bonus"] for m in rows)) for d, rows in r.items()]),
    "o7-dt-bonus-003": (1, lambda r: [(m["bonus"],) for m in ALL(r) if m["id"] == 20]),
    "o7-dt-gap-004": (
        0,
        lambda r: [(m["name"], m["gap"]) for m in r["珠海门店二组"] if m["sales"] < m["median"]],
    ),
    "o7-dt-att-002": (0, lambda r: [(m["name"], m["attainment"]) for m in r["东莞加盟拓展部"]]),
    "o7-dt-board-004": (
        1,
        lambda r: sorted(
            ((m["name"], m["sales"], m["gap"]) for m in r["珠海门店二组"]), key=lambda t: -t[1]
        ),
    ),
    "o7-dt-count-003": (0, lambda r: [(sum(m["above"] and not m["met"] for m in ALL(r)),)]),
}


# --- the descriptions ----------------------------------------------------------------------

ORG8_RECOMPUTED: dict[str, Recomputation] = {
    "o8-dt-001": (0, lambda r: [(r["杭州线上"][0]["median"],)]),
    "o8-dt-002": (1, lambda r: [(r["上海大客户部"][0]["median"],)]),
    "o8-dt-004": (0, lambda r: [(d, rows[0]["median"]) for d, rows in r.items()]),
    "o8-dt-060": (0, lambda r: [(r["武汉工程销售组"][0]["median"],)]),
}
ORG9_RECOMPUTED: dict[str, Recomputation] = {
    "o9-dt-001": (0, lambda r: [(r["西安工程直销部"][0]["median"],)]),
    "o9-dt-003": (1, lambda r: [(r["兰州经销商办事处"][0]["median"],)]),
    "o9-dt-004": (1, lambda r: [(d, rows[0]["median"]) for d, rows in r.items()]),
}

ORG10_RECOMPUTED: dict[str, Recomputation] = {}
ORG11_RECOMPUTED: dict[str, Recomputation] = {}
ORG12_RECOMPUTED: dict[str, Recomputation] = {}
ORG13_RECOMPUTED: dict[str, Recomputation] = {}
ORG14_RECOMPUTED: dict[str, Recomputation] = {}
ORG15_RECOMPUTED: dict[str, Recomputation] = {}
ORG16_RECOMPUTED: dict[str, Recomputation] = {}
ORG17_RECOMPUTED: dict[str, Recomputation] = {}

HELD_OUT_SETS: tuple[HeldOutSet, ...] = (
    HeldOutSet(
        key="holdout",
        organisation="星河科技 (demo generator)",
        path=HERE / "holdout.yaml",
        id_prefix="ho",
        seed=HOLDOUT_SEED,
        end_date=HOLDOUT_END_DATE,
        build=build_holdout,
        departments=None,
        product_lines=None,
        min_entries=140,
        min_mixed=10,
        min_clarifications=8,
        min_refusals=8,
        as_of_dates=frozenset({"2026-10-20", "2026-01-12", "2026-04-03", "2026-07-08"}),
        min_as_of_dates=3,
        min_per_family=3,
        recomputed=HOLDOUT_RECOMPUTED,
        # Even rosters in August 2026 give medians ending in half a cent.
        even_roster_medians=(EvenRosterMedian("ho-dt-median-002", "武汉销售部", back=2),),
    ),
    HeldOutSet(
        key="org2",
        organisation="云帆集团 / Yunfan Group",
        path=HERE / "holdout2.yaml",
        id_prefix="o2",
        seed=org2.SEED,
        end_date=org2.END_DATE,
        build=org2.build_org2,
        departments=org2.DEPARTMENTS,
        product_lines=org2.PRODUCT_LINES,
        min_entries=110,
        min_mixed=5,
        min_clarifications=6,
        min_refusals=6,
        as_of_dates=frozenset({"2026-08-31", "2026-08-15", "2026-06-30"}),
        min_per_family=3,
        recomputed=ORG2_RECOMPUTED,
        even_roster_medians=(EvenRosterMedian("o2-dt-median-002", "上海渠道二组", back=0),),
    ),
    HeldOutSet(
        key="org3",
        organisation="恒星零售 / Hengxing Retail",
        path=HERE / "holdout3.yaml",
        id_prefix="o3",
        seed=org3.SEED,
        end_date=org3.END_DATE,
        build=org3.build_org3,
        departments=org3.DEPARTMENTS,
        product_lines=org3.PRODUCT_LINES,
        min_entries=100,
        min_mixed=5,
        min_clarifications=5,
        min_refusals=5,
        as_of_dates=frozenset({"2026-07-15", "2026-04-08"}),
        min_per_family=3,
        recomputed=ORG3_RECOMPUTED,
        even_roster_medians=(EvenRosterMedian("o3-dt-median-001", "KA一部", back=0),),
    ),
    HeldOutSet(
        key="org4",
        organisation="远景医疗 / Vista Medical",
        path=HERE / "holdout4.yaml",
        id_prefix="o4",
        seed=org4.SEED,
        end_date=org4.END_DATE,
        build=org4.build_org4,
        departments=org4.DEPARTMENTS,
        product_lines=org4.PRODUCT_LINES,
        min_entries=75,
        min_mixed=5,
        min_clarifications=4,
        min_refusals=4,
        as_of_dates=frozenset({"2026-09-20", "2026-05-12"}),
        min_per_family=2,
        recomputed=ORG4_RECOMPUTED,
        # Twelve people on the August roster: the median is a mean of two (not a half cent).
        even_roster_medians=(
            EvenRosterMedian("o4-dt-median-002", "成都二线城市组", back=1, half_cent=False),
        ),
    ),
    HeldOutSet(
        key="org5",
        organisation="鲜禾食品 / Xianhe Foods",
        path=HERE / "holdout5.yaml",
        id_prefix="o5",
        seed=org5.SEED,
        end_date=org5.END_DATE,
        build=org5.build_org5,
        departments=org5.DEPARTMENTS,
        product_lines=org5.PRODUCT_LINES,
        min_entries=95,
        min_mixed=5,
        min_clarifications=5,
        min_refusals=5,
        as_of_dates=frozenset({"2026-06-18", "2026-03-09"}),
        min_askers=15,
        min_per_family=2,
        recomputed=ORG5_RECOMPUTED,
        # Eight people on these rosters.
        even_roster_medians=(
            EvenRosterMedian("o5-dt-median-001", "苏州商超KA部", back=0),
            EvenRosterMedian("o5-dt-median-002", "洛阳餐饮渠道组", back=1),
        ),
    ),
    HeldOutSet(
        key="org6",
        organisation="鲁通汽车 / Lutong Auto",
        path=HERE / "holdout6.yaml",
        id_prefix="o6",
        seed=org6.SEED,
        end_date=org6.END_DATE,
        build=org6.build_org6,
        departments=org6.DEPARTMENTS,
        product_lines=org6.PRODUCT_LINES,
        min_entries=95,
        min_mixed=5,
        min_clarifications=5,
        min_refusals=5,
        as_of_dates=frozenset({"2026-04-27", "2026-02-03", "2026-01-20"}),
        min_askers=15,
        min_per_family=2,
        recomputed=ORG6_RECOMPUTED,
        # Twelve and eight people on these rosters.
        even_roster_medians=(
            EvenRosterMedian("o6-dt-median-001", "淄博二手车事业部", back=1),
            EvenRosterMedian("o6-dt-median-005", "济宁置换业务组", back=1),
        ),
    ),
    HeldOutSet(
        key="org7",
        organisation="悦肤美妆 / Yuefu Beauty",
        path=HERE / "holdout7.yaml",
        id_prefix="o7",
        seed=org7.SEED,
        end_date=org7.END_DATE,
        build=org7.build_org7,
        departments=org7.DEPARTMENTS,
        product_lines=org7.PRODUCT_LINES,
        min_entries=85,
        min_mixed=5,
        min_clarifications=5,
        min_refusals=5,
        as_of_dates=frozenset({"2026-07-31", "2026-07-08", "2026-04-01"}),
        min_askers=15,
        min_per_family=2,
        recomputed=ORG7_RECOMPUTED,
        # Twelve people on the July rosters of 珠海门店二组 (the full month and 1-8 July: half a
        # cent) and 广佛直营一队 (a mean of two, not a half cent).
        even_roster_medians=(
            EvenRosterMedian("o7-dt-median-001", "珠海门店二组", back=0),
            EvenRosterMedian("o7-dt-median-007", "珠海门店二组", back=0),
            EvenRosterMedian("o7-dt-median-003", "广佛直营一队", back=0, half_cent=False),
        ),
    ),
    # The eighth and ninth sets were written blind (from the contract, the rules and the
    # warehouse only) and measured once before any change: 70.6 % and 75.0 % right, 19.9 % and
    # 17.5 % answered wrongly.
    HeldOutSet(
        key="org8",
        organisation="澜庭家电 / Lanting Appliances",
        path=HERE / "holdout8.yaml",
        id_prefix="o8",
        seed=org8.SEED,
        end_date=org8.END_DATE,
        build=org8.build_org8,
        departments=org8.DEPARTMENTS,
        product_lines=org8.PRODUCT_LINES,
        min_entries=200,
        min_mixed=15,
        min_clarifications=10,
        min_refusals=10,
        as_of_dates=frozenset({"2026-09-10", "2026-08-31", "2026-06-30"}),
        min_askers=30,
        min_per_family=3,
        recomputed=ORG8_RECOMPUTED,
        even_roster_medians=(),
    ),
    HeldOutSet(
        key="org9",
        organisation="秦岳建材集团 / Qinyue Building Materials Group",
        path=HERE / "holdout9.yaml",
        id_prefix="o9",
        seed=org9.SEED,
        end_date=org9.END_DATE,
        build=org9.build_org9,
        departments=org9.DEPARTMENTS,
        product_lines=org9.PRODUCT_LINES,
        min_entries=150,
        min_mixed=15,
        min_clarifications=10,
        min_refusals=10,
        as_of_dates=frozenset({"2026-03-31", "2026-03-18", "2026-01-15"}),
        min_askers=25,
        min_per_family=1,
        families_in_both_languages=False,
        recomputed=ORG9_RECOMPUTED,
        even_roster_medians=(),
    ),
    # The tenth and eleventh sets were written blind and sealed until measured once, after
    # the accounting changes: 67.7 % and 72.7 % right, 8.0 % and 4.7 % wrong (the planner
    # before those changes: 64.2 % / 21.4 % and 76.2 % / 15.7 %).
    HeldOutSet(
        key="org10",
        organisation="汇安保险经纪 / Huian Insurance Brokers",
        path=HERE / "holdout10.yaml",
        id_prefix="s10",
        seed=org10.SEED,
        end_date=org10.END_DATE,
        build=org10.build_org10,
        departments=org10.DEPARTMENTS,
        product_lines=org10.PRODUCT_LINES,
        min_entries=200,
        min_mixed=15,
        min_clarifications=10,
        min_refusals=10,
        as_of_dates=frozenset({"2026-11-20", "2026-10-31"}),
        min_askers=20,
        min_per_family=3,
        recomputed=ORG10_RECOMPUTED,
        even_roster_medians=(),
    ),
    HeldOutSet(
        key="org11",
        organisation="青藤教育集团 / Qingteng Education Group",
        path=HERE / "holdout11.yaml",
        id_prefix="s11",
        seed=org11.SEED,
        end_date=org11.END_DATE,
        build=org11.build_org11,
        departments=org11.DEPARTMENTS,
        product_lines=org11.PRODUCT_LINES,
        min_entries=170,
        min_mixed=15,
        min_clarifications=10,
        min_refusals=10,
        as_of_dates=frozenset({"2026-05-31", "2026-02-10"}),
        min_askers=20,
        min_per_family=3,
        recomputed=ORG11_RECOMPUTED,
        even_roster_medians=(),
    ),
    # The twelfth set was written blind and sealed until measured once: 70.9 % right, 7.7 %
    # wrong (the planner before the accounting changes: 63.8 % / 23.5 %).
    HeldOutSet(
        key="org12",
        organisation="博瑞医疗器械 / Borui Medical Devices",
        path=HERE / "holdout12.yaml",
        id_prefix="s12",
        seed=org12.SEED,
        end_date=org12.END_DATE,
        build=org12.build_org12,
        departments=org12.DEPARTMENTS,
        product_lines=org12.PRODUCT_LINES,
        min_entries=190,
        min_mixed=15,
        min_clarifications=10,
        min_refusals=10,
        as_of_dates=frozenset({"2026-08-19", "2026-07-31", "2026-06-05"}),
        min_askers=20,
        min_per_family=3,
        recomputed=ORG12_RECOMPUTED,
        even_roster_medians=(),
        min_zh_share=0.43,  # written with more English and mixed questions than the others
    ),
    # The thirteenth set was written blind and sealed until measured once: 83.3 % right,
    # 5.8 % wrong.
    HeldOutSet(
        key="org13",
        organisation="凌云家居 / Lingyun Home Furnishings",
        path=HERE / "holdout13.yaml",
        id_prefix="s13",
        seed=org13.SEED,
        end_date=org13.END_DATE,
        build=org13.build_org13,
        departments=org13.DEPARTMENTS,
        product_lines=org13.PRODUCT_LINES,
        min_entries=130,
        min_mixed=12,
        min_clarifications=10,
        min_refusals=10,
        as_of_dates=frozenset({"2026-09-24", "2026-08-31", "2026-06-12"}),
        min_askers=10,
        min_per_family=3,
        recomputed=ORG13_RECOMPUTED,
        even_roster_medians=(),
    ),
    # The fourteenth set was written blind and sealed until measured once: 82.2 % right,
    # 3.7 % wrong.
    HeldOutSet(
        key="org14",
        organisation="齐鲁鲜达食品 / Qilu Xianda Foods",
        path=HERE / "holdout14.yaml",
        id_prefix="s14",
        seed=org14.SEED,
        end_date=org14.END_DATE,
        build=org14.build_org14,
        departments=org14.DEPARTMENTS,
        product_lines=org14.PRODUCT_LINES,
        min_entries=130,
        min_mixed=10,
        min_clarifications=10,
        min_refusals=10,
        as_of_dates=frozenset({"2026-10-13", "2026-09-30", "2026-07-15"}),
        min_askers=10,
        min_per_family=3,
        recomputed=ORG14_RECOMPUTED,
        even_roster_medians=(),
    ),
    # The fifteenth set was written blind and sealed until measured once: 89.0 % right,
    # 1.3 % wrong.
    HeldOutSet(
        key="org15",
        organisation="江南云织服饰 / Jiangnan Yunzhi Apparel",
        path=HERE / "holdout15.yaml",
        id_prefix="s15",
        seed=org15.SEED,
        end_date=org15.END_DATE,
        build=org15.build_org15,
        departments=org15.DEPARTMENTS,
        product_lines=org15.PRODUCT_LINES,
        min_entries=150,
        min_mixed=10,
        min_clarifications=10,
        min_refusals=10,
        as_of_dates=frozenset({"2026-11-19", "2026-10-31", "2026-08-12"}),
        min_askers=10,
        min_per_family=3,
        recomputed=ORG15_RECOMPUTED,
        even_roster_medians=(),
    ),
    # The sixteenth set was written blind and sealed until measured once: 90.6 % right,
    # 2.4 % wrong.
    HeldOutSet(
        key="org16",
        organisation="北辰汽车服务 / Beichen Auto Services",
        path=HERE / "holdout16.yaml",
        id_prefix="s16",
        seed=org16.SEED,
        end_date=org16.END_DATE,
        build=org16.build_org16,
        departments=org16.DEPARTMENTS,
        product_lines=org16.PRODUCT_LINES,
        min_entries=120,
        min_mixed=10,
        min_clarifications=10,
        min_refusals=10,
        as_of_dates=frozenset({"2026-09-08", "2026-08-31", "2026-06-17"}),
        min_askers=10,
        min_per_family=3,
        recomputed=ORG16_RECOMPUTED,
        even_roster_medians=(),
    ),
    # The seventeenth set was written blind and sealed until measured once: 92.5 % right,
    # 0.8 % wrong.
    HeldOutSet(
        key="org17",
        organisation="南粤齿科连锁 / Nanyue Dental Group",
        path=HERE / "holdout17.yaml",
        id_prefix="s17",
        seed=org17.SEED,
        end_date=org17.END_DATE,
        build=org17.build_org17,
        departments=org17.DEPARTMENTS,
        product_lines=org17.PRODUCT_LINES,
        min_entries=115,
        min_mixed=7,
        min_clarifications=10,
        min_refusals=10,
        as_of_dates=frozenset({"2026-07-22", "2026-06-30", "2026-04-15"}),
        min_askers=10,
        min_per_family=3,
        recomputed=ORG17_RECOMPUTED,
        even_roster_medians=(),
    ),
)
