"""What a warehouse holds: tables with row counts, the date range, the departments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from schema.errors import WarehouseError
from schema.warehouse import TABLES, departments, employees, sales_orders


@dataclass(frozen=True)
class DepartmentSummary:
    """One department and how many people work there now."""

    department_id: int
    name: str
    name_en: str | None
    kind: str
    city: str | None
    headcount: int


@dataclass(frozen=True)
class Summary:
    """Row counts per table, the span of the sales orders, and the org's departments."""

    tables: dict[str, int]
    date_from: date | None
    date_to: date | None
    departments: tuple[DepartmentSummary, ...]

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def summarize(engine: Engine) -> Summary:
    """Summarise the warehouse behind ``engine`` (read-only queries only)."""
    try:
        with engine.connect() as conn:
            present = set(sa.inspect(conn).get_table_names())
            missing = [t.name for t in TABLES if t.name not in present]
            if missing:
                raise WarehouseError(
                    f"the warehouse lacks the table(s) {', '.join(missing)}; build it with `hrq demo-data`"
                )
            counts = {
                t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
                for t in TABLES
            }
            first, last = conn.execute(
                sa.select(
                    sa.func.min(sales_orders.c.order_date), sa.func.max(sales_orders.c.order_date)
                )
            ).one()
            active = (
                sa.select(employees.c.department_id, sa.func.count().label("n"))
                .where(employees.c.status == "active")
                .group_by(employees.c.department_id)
                .subquery()
            )
            rows = conn.execute(
                sa.select(departments, sa.func.coalesce(active.c.n, 0))
                .outerjoin(active, active.c.department_id == departments.c.department_id)
                .order_by(departments.c.department_id)
            ).all()
    except SQLAlchemyError as exc:
        raise WarehouseError(f"cannot read the warehouse: {_first_line(exc)}") from exc
    return Summary(
        tables=counts,
        date_from=first,
        date_to=last,
        departments=tuple(
            DepartmentSummary(r.department_id, r.name, r.name_en, r.kind, r.city, int(r[-1]))
            for r in rows
        ),
    )


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
