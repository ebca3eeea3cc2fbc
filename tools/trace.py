"""A calculation trace cut by the same rule as the rows it explains.

A trace names departments' medians, counts and totals; counts of who met the minimum
or earned a bonus, with a colleague's sales, make that colleague's bonus computable, so
they are data like the rows. Each department's lines are kept apart (``DepartmentTrace``)
and shown at the caller's level for that department (``tools.scope.visible_department``):
``all`` shows every line, ``leaderboard`` only what the department's leaderboard shows
anyway (its median), ``none`` nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

Level = Literal["all", "leaderboard", "none"]


@dataclass(frozen=True)
class DepartmentTrace:
    """The trace lines of one department."""

    department_id: int
    department: str
    #: lines anyone who sees the department's leaderboard may read (its median)
    public: tuple[str, ...]
    #: counts and totals derived from members' targets and bonuses
    private: tuple[str, ...] = ()

    @classmethod
    def of_roster(cls, department_id: int, department: str, lines: list[str]) -> DepartmentTrace:
        """A roster outcome's trace (``tools.dualtarget``): its first line is the median."""
        return cls(department_id, department, tuple(lines[:1]), tuple(lines[1:]))

    def lines(self, level: Level) -> list[str]:
        shown = () if level == "none" else self.public + (self.private if level == "all" else ())
        return [f"{self.department}: {line}" for line in shown]


def department_lines(
    sections: Iterable[DepartmentTrace], levels: Mapping[int, Level], shown: Iterable[int]
) -> list[str]:
    """The lines of the departments ``shown``, each at its level (default ``all``)."""
    wanted = set(shown)
    return [
        line
        for section in sections
        if section.department_id in wanted
        for line in section.lines(levels.get(section.department_id, "all"))
    ]
