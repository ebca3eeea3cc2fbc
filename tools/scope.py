"""Cut a tool result to what the caller may see (RULES.md "Who may see what").

Tools compute over the whole population a rule needs (a median needs the whole
roster, whoever asks) and only then cut their output here:

- admin, hr: everything;
- manager: rows of their department and every department below it
  (``Caller.department_ids``), plus their own row;
- sales: their own row in full; of colleagues in their own department only the
  leaderboard columns (name, rank, sales, gap to median); nothing of other departments;
- anyone else: their own row only.

A cut result says so (``scoped`` and ``scope_note``); when nothing is left, the tool
refuses with OutOfScopeError rather than answering with an empty table.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from schema.caller import Caller, Role
from tools.errors import OutOfScopeError
from tools.performance_rows import select_rows
from tools.report import SCOPE_NOTE
from tools.trace import Level

if TYPE_CHECKING:
    from tools.performance import PerformanceReport

#: Columns of a colleague's row a salesperson may not see (the leaderboard shows the rest).
SALES_HIDDEN = (
    "employee_id", "employee_no", "name_en", "min_target", "attainment", "met_minimum",
    "bonus_eligible", "bonus",
)  # fmt: skip
#: Department counts a salesperson may not see (they derive from colleagues' targets).
SALES_HIDDEN_SUMMARY = ("met_minimum_count", "bonus_eligible_count", "total_bonus", "policy")

Row = TypeVar("Row")


def visible_rows(
    rows: Iterable[Row], caller: Caller, hidden: tuple[str, ...] = SALES_HIDDEN
) -> list[Row]:
    """The rows ``caller`` may see, colleagues' rows reduced to leaderboard columns for sales.

    Rows (pydantic models or dataclasses) need ``employee_id`` and ``department_id``.
    """
    if caller.role.sees_everything:
        return list(rows)
    kept: list[Row] = []
    for row in rows:
        own = caller.employee_id is not None and row.employee_id == caller.employee_id  # type: ignore[attr-defined]
        dept = row.department_id  # type: ignore[attr-defined]
        if own:
            kept.append(row)
        elif caller.role is Role.MANAGER and dept in caller.department_ids:
            kept.append(row)
        elif caller.role is Role.SALES and dept == caller.department_id:
            kept.append(_blank(row, hidden))
    return kept


def visible_department(caller: Caller, department_id: int) -> Level:
    """How much of a department's aggregates ``caller`` sees: 'all', 'leaderboard' or 'none'."""
    if caller.role.sees_everything:
        return "all"
    if caller.role is Role.MANAGER and department_id in caller.department_ids:
        return "all"
    if caller.role is Role.SALES and department_id == caller.department_id:
        return "leaderboard"
    return "none"


def cut_performance(report: PerformanceReport, caller: Caller) -> PerformanceReport:
    """``report`` as ``caller`` may see it; raises OutOfScopeError when nothing is visible."""
    if caller.role.sees_everything:
        return report
    levels = {
        s.department_id: visible_department(caller, s.department_id) for s in report.summaries
    }
    seen = {department for department, level in levels.items() if level != "none"}
    own = () if caller.employee_id is None else (caller.employee_id,)
    # Only the rows that can be visible are built (a large report's rows are built on access).
    rows = visible_rows(select_rows(report.rows, department_ids=seen, employee_ids=own), caller)
    summaries = [
        summary if levels[summary.department_id] == "all" else _blank(summary, SALES_HIDDEN_SUMMARY)
        for summary in report.summaries
        if summary.department_id in seen
    ]
    if not rows:
        raise OutOfScopeError(
            "you may not see this performance result: it covers no one in your scope"
        )
    rates = {d: rate for d, rate in report.rates.items() if levels.get(d) == "all"}
    return dataclasses.replace(
        report, rows=rows, summaries=summaries, levels=levels, rates=rates, scoped=True,
        scope_note=SCOPE_NOTE,
    )  # fmt: skip


def _blank(model: Row, fields: tuple[str, ...]) -> Row:
    """A copy of ``model`` (pydantic model or dataclass) with ``fields`` set to None."""
    if dataclasses.is_dataclass(model):
        names = {f.name for f in dataclasses.fields(model)}
        return dataclasses.replace(model, **{f: None for f in fields if f in names})  # type: ignore[type-var]
    assert isinstance(model, BaseModel)
    update: dict[str, Any] = {f: None for f in fields if f in type(model).model_fields}
    return model.model_copy(update=update)


def personal_rows(rows: Iterable[Row], caller: Caller) -> list[Row]:
    """Rows of a personal document (a closed month's rows, a bonus statement): HR and admins
    see all; a manager their department subtree and themselves; anyone else only their own."""
    return [
        row
        for row in rows
        if may_see_person(caller, row.employee_id, row.department_id)  # type: ignore[attr-defined]
    ]


def may_see_person(caller: Caller, employee_id: int | None, department_id: int | None) -> bool:
    """Whether ``caller`` may see one person's personal figures (bonus, target, a what-if):
    HR and admins anyone's; a manager those of their department subtree and their own;
    anyone else only their own. ``department_id`` is the person's department."""
    if caller.role.sees_everything:
        return True
    if caller.employee_id is not None and employee_id == caller.employee_id:
        return True
    return caller.role is Role.MANAGER and department_id in caller.department_ids


#: The name of a room's caller (a group chat): it is nobody, so it has no rows of its own.
ROOM_NAME = "本群"


def shared_scope(callers: Iterable[Caller]) -> Caller:
    """One caller who may see exactly what every one of ``callers`` may see (a group chat's
    members): the intersection of their scopes under the rule above.

    - one person: that person;
    - everyone HR or admin: everything (``hr``);
    - managers (and HR): the departments in every manager's subtree (subtrees nest, so
      this is the deepest manager's subtree), full rows;
    - salespeople of one department, with managers (and HR) who see that department:
      that department's leaderboard columns;
    - anything else (salespeople of two departments, an employee outside the roster):
      nothing but what everyone may see.

    The room caller has no employee row (``employee_id`` -1), so no one's own rows, bonus or
    payroll are in its scope.
    """
    people = list(callers)
    nobody = Caller(role=Role.EMPLOYEE, employee_id=-1, name=ROOM_NAME)
    if not people:
        return nobody
    if len({(c.employee_id, c.role) for c in people}) == 1:
        return people[0]
    limited = [c for c in people if not c.role.sees_everything]
    if not limited:
        return Caller(role=Role.HR, employee_id=-1, name=ROOM_NAME)
    if any(c.role not in (Role.MANAGER, Role.SALES) for c in limited):
        return nobody
    managers = [c for c in limited if c.role is Role.MANAGER]
    shared = frozenset.intersection(*(c.department_ids for c in managers)) if managers else None
    sales_departments = {c.department_id for c in limited if c.role is Role.SALES}
    if not sales_departments:
        if not shared:
            return nobody
        deepest = min(managers, key=lambda c: len(c.department_ids))
        return Caller(role=Role.MANAGER, employee_id=-1, name=ROOM_NAME,
                      department_id=deepest.department_id, department_ids=shared)  # fmt: skip
    if len(sales_departments) != 1:
        return nobody
    (department,) = sales_departments
    if department is None or (shared is not None and department not in shared):
        return nobody
    return Caller(role=Role.SALES, employee_id=-1, name=ROOM_NAME, department_id=department,
                  department_ids=frozenset({department}))  # fmt: skip
