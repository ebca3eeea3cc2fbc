"""Whom a dispute's notices go to: HR on opening, the person on resolving.

HR is every active employee of a department of kind ``hr`` and anyone granted ``hr``
or ``admin`` (``hrq users grant``), less those granted another role, who has a WeCom
userid; the person only when they are active and have one.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Engine

from assistant.dispute_records import Recipient
from schema.app import role_grants
from schema.caller import Role
from schema.warehouse import departments, employees


def hr_recipients(app: Engine, warehouse: Engine) -> list[Recipient]:
    """Active HR staff with a WeCom userid: the HR department's people and anyone granted
    hr or admin (``hrq users grant``), less those granted another role."""
    with app.connect() as conn:
        grants = dict(conn.execute(sa.select(role_grants.c.employee_no, role_grants.c.role)).all())
    e, d = employees, departments
    hr = {r for r, role in grants.items() if Role(role).sees_everything}
    query = (
        sa.select(e.c.employee_no, e.c.name, e.c.wecom_userid)
        .join(d, d.c.department_id == e.c.department_id)
        .where(e.c.status == "active", e.c.wecom_userid.is_not(None))
        .where(sa.or_(d.c.kind == "hr", e.c.employee_no.in_(sorted(hr))))
        .order_by(e.c.employee_no)
    )
    with warehouse.connect() as conn:
        rows = conn.execute(query).all()
    return [
        Recipient(employee_no=r.employee_no, name=r.name, wecom_userid=r.wecom_userid)
        for r in rows
        if r.employee_no not in grants or r.employee_no in hr
    ]


def the_person(warehouse: Engine, employee_no: str) -> list[Recipient]:
    """The person themselves, when they are active and have a WeCom userid."""
    e = employees
    with warehouse.connect() as conn:
        row = conn.execute(
            sa.select(e.c.employee_no, e.c.name, e.c.wecom_userid).where(
                e.c.employee_no == employee_no,
                e.c.status == "active",
                e.c.wecom_userid.is_not(None),
            )  # fmt: skip
        ).first()
    return [] if row is None else [Recipient.model_validate(dict(row._mapping))]
