"""Bonus statements through WeCom on close: each roster member gets their own.

:func:`plan_statements` gives each roster member of a close their own statement
(markdown, their figures only: built as that person sees it), one notification per
person and version (kind ``statement_v<N>``), sent through :func:`api.wecom.notify.send`:
its ``notifications_sent`` record makes a rerun send nothing twice, and closing the
month again (the next version) sends again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from sqlalchemy import Engine

from api.wecom.dispute_notices import statement_markdown
from api.wecom.notify import Message, Notification
from schema.caller import Caller, Role
from schema.warehouse import employees
from tools.adjustment import Adjustment
from tools.snapshot import MonthSnapshot
from tools.statement import statement


def plan_statements(
    warehouse: Engine,
    snapshot: MonthSnapshot,
    adjustments: Callable[[str], Sequence[Adjustment]] = lambda _no: (),
) -> list[Notification]:
    """Each roster member's own statement of ``snapshot`` (active, with a WeCom userid),
    one notification per person and version."""
    e = employees
    with warehouse.connect() as conn:
        userids = dict(
            conn.execute(
                sa.select(e.c.employee_id, e.c.wecom_userid).where(
                    e.c.employee_id.in_(sorted(r.employee_id for r in snapshot.rows)),
                    e.c.status == "active",
                    e.c.wecom_userid.is_not(None),
                )  # fmt: skip
            ).all()
        )
    out = []
    for row in snapshot.rows:
        userid = userids.get(row.employee_id)
        if not userid:
            continue
        person = Caller(role=Role.SALES, employee_id=row.employee_id, employee_no=row.employee_no,
                        department_id=row.department_id)  # fmt: skip
        document = statement(
            snapshot, row.employee_no, caller=person, adjustments=adjustments(row.employee_no)
        )
        out.append(
            Notification(
                userid,
                row.name,
                f"statement_v{snapshot.version}",
                snapshot.label,
                [Message("markdown", statement_markdown(document))],
            )  # fmt: skip
        )
    return out
