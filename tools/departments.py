"""Departments: read from the warehouse, resolved from what a person types.

Names are always read from the warehouse; nothing here knows a department by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection

from schema.warehouse import departments as departments_table
from tools.errors import AmbiguousDepartmentError, UnknownDepartmentError

MAX_CANDIDATES = 12


class Department(BaseModel):
    """One department of the org tree."""

    model_config = ConfigDict(frozen=True)

    department_id: int
    name: str
    name_en: str | None = None
    parent_id: int | None = None
    kind: str
    city: str | None = None

    @property
    def label(self) -> str:
        """``'华东销售一部 (East China Sales 1, id 12)'``."""
        english = f"{self.name_en}, " if self.name_en else ""
        return f"{self.name} ({english}id {self.department_id})"


def load_departments(conn: Connection) -> list[Department]:
    """Every department of the warehouse, ordered by id."""
    t = departments_table
    rows = conn.execute(
        sa.select(
            t.c.department_id, t.c.name, t.c.name_en, t.c.parent_id, t.c.kind, t.c.city
        ).order_by(t.c.department_id)
    )
    return [Department.model_validate(dict(row._mapping)) for row in rows]


def resolve_department(
    departments: Sequence[Department], text: str | int, kinds: Iterable[str] | None = None
) -> Department:
    """The one department ``text`` names: its id, Chinese name, English name, or a clear
    unique abbreviation (a substring, or the characters of the name in order, e.g. 华东一部).

    ``kinds`` narrows the candidates (e.g. ``{"sales"}``). Unknown or ambiguous text
    raises an error that lists the candidates.
    """
    wanted = set(kinds) if kinds is not None else None
    pool = [d for d in departments if wanted is None or d.kind in wanted]
    query = str(text).strip()
    if not query:
        raise UnknownDepartmentError("no department given", _labels(pool))
    if query.isdigit():
        by_id = [d for d in departments if d.department_id == int(query)]
        if by_id:
            return by_id[0]
    folded = query.casefold()
    for stage in (_exact, _substring, _subsequence):
        matches = [d for d in pool if stage(folded, d)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise AmbiguousDepartmentError(f"department {query!r} is ambiguous", _labels(matches))
    raise UnknownDepartmentError(f"no department matches {query!r}", _labels(pool))


def subtree_ids(departments: Sequence[Department], root_id: int) -> set[int]:
    """``root_id`` and the id of every department below it in the tree."""
    children: dict[int, list[int]] = {}
    for d in departments:
        if d.parent_id is not None:
            children.setdefault(d.parent_id, []).append(d.department_id)
    found = {root_id}
    frontier = [root_id]
    while frontier:
        for child in children.get(frontier.pop(), []):
            if child not in found:
                found.add(child)
                frontier.append(child)
    return found


def _names(d: Department) -> list[str]:
    return [n.casefold() for n in (d.name, d.name_en) if n]


def _exact(query: str, d: Department) -> bool:
    return query in _names(d)


def _substring(query: str, d: Department) -> bool:
    return any(query in name for name in _names(d))


def _subsequence(query: str, d: Department) -> bool:
    if len(query) < 2:
        return False
    for name in _names(d):
        chars = iter(name)
        if all(ch in chars for ch in query if not ch.isspace()):
            return True
    return False


def _labels(departments: Sequence[Department]) -> list[str]:
    labels = [d.label for d in departments[:MAX_CANDIDATES]]
    if len(departments) > MAX_CANDIDATES:
        labels.append(f"... {len(departments) - MAX_CANDIDATES} more")
    return labels
