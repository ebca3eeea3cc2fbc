"""The people: heads of every department, staff hired and leaving over the period.

Each staff position is held by a chain of people: an occupant may leave (an
exponential time to leave), and a replacement is hired a few weeks later.
Heads of departments stay. Some names are shared on purpose (``SHARED_NAMES``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from schema.demodata.departments import EMAIL_DOMAIN, Department
from schema.demodata.names import SHARED_NAMES, Romaniser, person_names, unique_userids
from schema.demodata.period import Period
from schema.demodata.scales import ScaleSpec

NO_END = 10**7  # day number standing for "still employed"
LEVELS = ("junior", "mid", "senior", "lead")
TITLES: dict[str, tuple[str, str, str, str]] = {
    "sales": (
        "Sales Representative",
        "Sales Representative",
        "Senior Sales Representative",
        "Sales Manager",
    ),
    "marketing": (
        "Marketing Specialist",
        "Marketing Specialist",
        "Senior Marketing Specialist",
        "Marketing Manager",
    ),
    "hr": ("HR Specialist", "HR Specialist", "HR Business Partner", "HR Manager"),
    "operations": (
        "Operations Specialist",
        "Operations Specialist",
        "Senior Operations Specialist",
        "Operations Manager",
    ),
    "region": ("", "", "", "Regional Sales Director"),
    "company": ("", "", "", "Chief Executive Officer"),
}
#: Monthly base salary in CNY by kind and level.
BASE_SALARY: dict[str, tuple[int, int, int, int]] = {
    "sales": (6000, 8000, 11000, 18000),
    "marketing": (7000, 9500, 13000, 20000),
    "hr": (6500, 9000, 12500, 19000),
    "operations": (6500, 8500, 12000, 18500),
    "region": (0, 0, 0, 32000),
    "company": (0, 0, 0, 65000),
}
ANNUAL_ATTRITION = {"sales": 0.2, "marketing": 0.12, "hr": 0.1, "operations": 0.12}
LEVEL_SKILL = np.array([0.8, 1.0, 1.25, 1.0])


@dataclass
class Staff:
    """Employees as column arrays (index k is employee_id k + 1)."""

    department_id: np.ndarray
    manager_id: np.ndarray  # -1: none
    depth: np.ndarray  # 0 CEO, 1 region director, 2 department head, 3 staff
    level: np.ndarray  # index into LEVELS
    hire: np.ndarray  # day numbers
    term: np.ndarray  # day number or NO_END
    is_rep: np.ndarray  # a representative of a sales department (on the sales roster)
    skill: np.ndarray  # relative selling skill of reps (1.0 for others)
    base_salary: np.ndarray  # CNY per month
    names: list[str]
    genders: list[str]
    titles: list[str]

    def __len__(self) -> int:
        return len(self.hire)

    @property
    def employee_id(self) -> np.ndarray:
        return np.arange(1, len(self) + 1, dtype=np.int64)

    def columns(self, period: Period) -> dict[str, np.ndarray]:
        """The ``employees`` columns (strings as object arrays, dates as day numbers)."""
        romaniser = Romaniser()
        ids = self.employee_id
        userids = unique_userids([romaniser.userid(n) for n in self.names])
        phones = [f"1{'35789'[k % 5]}{(k * 733103 + 31415926) % 10**9:09d}" for k in ids]
        terminated = self.term <= period.end
        return {
            "employee_id": ids,
            "employee_no": _obj([f"E{k:05d}" for k in ids]),
            "name": _obj(self.names),
            "name_en": _obj([romaniser.english(n) for n in self.names]),
            "gender": _obj(self.genders),
            "department_id": self.department_id,
            "manager_id": self.manager_id,
            "title": _obj(self.titles),
            "level": _obj([LEVELS[v] for v in self.level]),
            "hire_date": self.hire,
            "termination_date": np.where(terminated, self.term, -1),
            "status": _obj(np.where(terminated, "terminated", "active").tolist()),
            "wecom_userid": _obj(userids),
            "phone": _obj(phones),
            "email": _obj([f"{u}@{EMAIL_DOMAIN}" for u in userids]),
        }


def _obj(values: list[str]) -> np.ndarray:
    return np.array(values, dtype=object)


def _kind_sizes(
    departments: list[Department], spec: ScaleSpec, rng: np.random.Generator
) -> dict[int, int]:
    sizes: dict[int, int] = {}
    for dept in departments:
        if dept.kind == "sales":
            sizes[dept.department_id] = max(
                4, round(spec.reps_per_department * rng.uniform(0.8, 1.2))
            )
        elif dept.kind in ("marketing", "hr", "operations"):
            sizes[dept.department_id] = getattr(spec, dept.kind)
    return sizes


def build_staff(
    departments: list[Department], spec: ScaleSpec, period: Period, rng: np.random.Generator
) -> Staff:
    """Heads and staff of every department, with hires and terminations over the period."""
    rows: list[tuple[int, int, int, int, int, str]] = []  # dept, depth, level, hire, term, kind
    start, end = period.start, period.end
    head_of: dict[int, int] = {}
    for dept in departments:  # heads first, parents before children
        depth = {"company": 0, "region": 1}.get(dept.kind, 2)
        head_of[dept.department_id] = len(rows)
        hire = start - int(rng.integers(400, 3600))
        rows.append((dept.department_id, depth, 3, hire, NO_END, dept.kind))
    staff_rows: list[tuple[int, int, int, int, int, str]] = []
    for dept_id, size in _kind_sizes(departments, spec, rng).items():
        kind = departments[dept_id - 1].kind
        rate = ANNUAL_ATTRITION[kind] / 365.0
        slots = size + max(1, size // 10)  # a few positions are opened during the period
        for slot in range(slots):
            hire = (
                start - int(rng.integers(20, 2400))
                if slot < size
                else int(rng.integers(start, end + 1))
            )
            while hire <= end:
                leave = max(hire, start) + int(rng.exponential(1 / rate))
                leave = max(leave, hire + 45)
                level = int(rng.choice(3, p=(0.4, 0.37, 0.23)))
                staff_rows.append(
                    (dept_id, 3, level, hire, leave if leave <= end else NO_END, kind)
                )
                if leave > end:
                    break
                hire = leave + int(rng.integers(7, 60))
    staff_rows.sort(key=lambda r: (r[3], r[0]))  # employee numbers follow hire dates
    rows.extend(staff_rows)

    dept_ids = np.array([r[0] for r in rows], dtype=np.int64)
    depths = np.array([r[1] for r in rows], dtype=np.int64)
    levels = np.array([r[2] for r in rows], dtype=np.int64)
    kinds = [r[5] for r in rows]
    parent = {d.department_id: d.parent_id for d in departments}
    manager = np.full(len(rows), -1, dtype=np.int64)
    for k, (row_dept, dep, *_rest) in enumerate(rows):
        if dep == 3:
            manager[k] = head_of[row_dept] + 1
        elif dep > 0:
            manager[k] = head_of[parent[row_dept] or 1] + 1
    is_rep = np.array([d == 3 and k == "sales" for d, k in zip(depths, kinds, strict=True)])
    skill = np.where(is_rep, rng.lognormal(0.0, 0.45, len(rows)) * LEVEL_SKILL[levels], 1.0)
    base = np.array(
        [BASE_SALARY[k][v] for k, v in zip(kinds, levels, strict=True)], dtype=np.float64
    )
    base = np.round(base * rng.uniform(0.92, 1.15, len(rows)) / 100) * 100
    genders = np.where(rng.random(len(rows)) < 0.52, "M", "F").tolist()
    names = person_names(rng, genders)
    _share_names(names, genders, dept_ids, depths, np.array([r[4] for r in rows]), departments)
    return Staff(
        department_id=dept_ids,
        manager_id=manager,
        depth=depths,
        level=levels,
        hire=np.array([r[3] for r in rows], dtype=np.int64),
        term=np.array([r[4] for r in rows], dtype=np.int64),
        is_rep=is_rep,
        skill=skill,
        base_salary=base.astype(np.int64),
        names=names,
        genders=genders,
        titles=[TITLES[k][v] for k, v in zip(kinds, levels, strict=True)],
    )


def _share_names(
    names: list[str],
    genders: list[str],
    dept_id: np.ndarray,
    depth: np.ndarray,
    term: np.ndarray,
    departments: list[Department],
) -> None:
    """Give each shared name to current staff of different departments (sales first)."""
    order = [d.department_id for d in departments if d.kind == "sales"]
    order += [d.department_id for d in departments if d.kind in ("marketing", "hr", "operations")]
    taken: set[int] = set()
    cursor = 0
    for name, gender, count in SHARED_NAMES:
        for _ in range(count):
            dept = order[cursor % len(order)]
            cursor += 1
            for k in np.flatnonzero((dept_id == dept) & (depth == 3) & (term == NO_END)):
                if int(k) not in taken:
                    taken.add(int(k))
                    names[k] = name
                    genders[k] = gender
                    break
