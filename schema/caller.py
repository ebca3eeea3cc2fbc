"""Who is asking: the caller every query and tool result is scoped to.

Roles follow RULES.md "Who may see what":

- ``admin``, ``hr``: everything.
- ``manager``: their department and every department below it; no payroll,
  no phone/email of anyone but themselves.
- ``sales``: their own rows; of others only the leaderboard of their own
  department (name, rank, sales, gap to median).
- ``employee``: anyone else (no roster, no reports): their own rows only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    HR = "hr"
    MANAGER = "manager"
    SALES = "sales"
    EMPLOYEE = "employee"

    @property
    def sees_everything(self) -> bool:
        return self in (Role.ADMIN, Role.HR)


@dataclass(frozen=True)
class Caller:
    """An asker. ``employee_id`` is None only for the local operator (admin on the CLI)."""

    role: Role
    employee_id: int | None = None
    employee_no: str | None = None
    name: str = "operator"
    department_id: int | None = None
    #: Departments whose rows a manager may see (their own and every one below it).
    department_ids: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def operator(cls) -> Caller:
        """The local operator on the CLI: admin rights, no employee row."""
        return cls(role=Role.ADMIN)
