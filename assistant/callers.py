"""Who is asking: resolve a :class:`~schema.caller.Caller` from an employee number.

The role is the app database's override (``hrq users grant``) if there is
one, else the warehouse default, in this order:

1. the employee's department is of kind ``hr`` -> ``hr``;
2. someone reports to them (``employees.manager_id``) -> ``manager``;
3. they have a ``sales_targets`` row (the sales roster) -> ``sales``;
4. otherwise -> ``employee``.

Every caller carries their department subtree (their department and every
department below it), which the guard uses to scope a manager.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy import Engine

from assistant.errors import CallerError
from schema.app import create_app_schema, role_grants
from schema.caller import Caller, Role
from schema.warehouse import departments, employees, sales_targets


def resolve_caller(employee_no: str, *, warehouse: Engine, app: Engine | None = None) -> Caller:
    """The caller for ``employee_no``; ``CallerError`` if no such (current) employee exists."""
    with warehouse.connect() as conn:
        row = conn.execute(
            sa.select(
                employees.c.employee_id,
                employees.c.employee_no,
                employees.c.name,
                employees.c.department_id,
                employees.c.status,
                departments.c.kind,
            )
            .join_from(
                employees, departments, employees.c.department_id == departments.c.department_id
            )
            .where(employees.c.employee_no == employee_no)
        ).first()
        if row is None:
            raise CallerError(f"no employee with number {employee_no!r}", reason="unknown_employee")
        if row.status != "active":
            raise CallerError(
                f"employee {employee_no} is not active ({row.status}) and cannot ask questions",
                reason="inactive_employee",
            )
        tree = conn.execute(sa.select(departments.c.department_id, departments.c.parent_id)).all()
        role = granted_role(app, employee_no) if app is not None else None
        if role is None:
            role = _default_role(conn, row.employee_id, row.kind)
    return Caller(
        role=role,
        employee_id=row.employee_id,
        employee_no=row.employee_no,
        name=row.name,
        department_id=row.department_id,
        department_ids=subtree(row.department_id, [(d, p) for d, p in tree]),
    )


def subtree(root: int, edges: list[tuple[int, int | None]]) -> frozenset[int]:
    """``root`` and every department below it, given ``(department_id, parent_id)`` pairs."""
    children: dict[int, list[int]] = defaultdict(list)
    for department_id, parent_id in edges:
        if parent_id is not None:
            children[parent_id].append(department_id)
    seen = {root}
    stack = [root]
    while stack:
        for child in children[stack.pop()]:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return frozenset(seen)


def _default_role(conn: sa.Connection, employee_id: int, department_kind: str) -> Role:
    """The role the warehouse implies for an employee (see the module docstring)."""
    if department_kind == "hr":
        return Role.HR
    reports = conn.execute(
        sa.select(sa.func.count())
        .select_from(employees)
        .where(employees.c.manager_id == employee_id)
    ).scalar_one()
    if reports:
        return Role.MANAGER
    targets = conn.execute(
        sa.select(sa.func.count())
        .select_from(sales_targets)
        .where(sales_targets.c.employee_id == employee_id)
    ).scalar_one()
    return Role.SALES if targets else Role.EMPLOYEE


def parse_role(value: str) -> Role:
    """A :class:`Role` from its name; ``CallerError`` listing the roles otherwise."""
    try:
        return Role(value.strip().lower())
    except ValueError as exc:
        roles = ", ".join(role.value for role in Role)
        raise CallerError(
            f"unknown role {value!r}; the roles are: {roles}", reason="unknown_role"
        ) from exc


def grant_role(app_engine: Engine, employee_no: str, role: Role | str) -> Role:
    """Record ``role`` as ``employee_no``'s role in the app database (replacing any earlier grant)."""
    chosen = role if isinstance(role, Role) else parse_role(role)
    create_app_schema(app_engine)
    with app_engine.begin() as conn:
        conn.execute(sa.delete(role_grants).where(role_grants.c.employee_no == employee_no))
        conn.execute(sa.insert(role_grants).values(employee_no=employee_no, role=chosen.value))
    return chosen


def revoke_role(app_engine: Engine, employee_no: str) -> Role:
    """Remove ``employee_no``'s granted role (the warehouse's role applies again); returns it.

    Raises ``CallerError`` when the employee has no granted role.
    """
    create_app_schema(app_engine)
    with app_engine.begin() as conn:
        value = conn.execute(
            sa.delete(role_grants)
            .where(role_grants.c.employee_no == employee_no)
            .returning(role_grants.c.role)
        ).scalar_one_or_none()
    if value is None:
        raise CallerError(
            f"{employee_no} has no granted role (see hrq users list)", reason="no_grant"
        )
    return parse_role(value)


def granted_roles(app_engine: Engine) -> list[tuple[str, Role]]:
    """Every granted role, as (employee_no, role), by employee number."""
    create_app_schema(app_engine)
    with app_engine.connect() as conn:
        rows = conn.execute(
            sa.select(role_grants.c.employee_no, role_grants.c.role).order_by(
                role_grants.c.employee_no
            )
        ).all()
    return [(number, parse_role(role)) for number, role in rows]


def granted_role(app_engine: Engine, employee_no: str) -> Role | None:
    """The role granted to ``employee_no`` in the app database, if any."""
    create_app_schema(app_engine)
    with app_engine.connect() as conn:
        value = conn.execute(
            sa.select(role_grants.c.role).where(role_grants.c.employee_no == employee_no)
        ).scalar_one_or_none()
    return parse_role(value) if value is not None else None
