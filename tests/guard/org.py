"""A small org for the guard's tests, with the ground truth of who may see what.

Every identifying value (names, phones, amounts, scores) is unique, so a row
that leaks out of a caller's scope is recognisable in any output cell, even
inside an aggregate-free expression like ``name || phone``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import sqlalchemy as sa

from schema import warehouse as wh

# (department_id, name, parent_id, kind)
DEPARTMENTS = [
    (1, "总公司", None, "company"),
    (2, "华东区", 1, "region"),
    (3, "华北区", 1, "region"),
    (4, "华东销售一部", 2, "sales"),
    (5, "华东销售二部", 2, "sales"),
    (6, "一部A组", 4, "sales"),
    (7, "华北销售一部", 3, "sales"),
    (8, "人力资源部", 1, "hr"),
    (9, "市场部", 1, "marketing"),
]
# (employee_id, department_id, manager_id, title, status)
EMPLOYEES = [
    (1, 1, None, "CEO", "active"),
    (2, 2, 1, "Regional Director", "active"),
    (3, 4, 2, "Sales Manager", "active"),
    (4, 4, 3, "Sales Representative", "active"),
    (5, 4, 3, "Sales Representative", "active"),
    (6, 6, 3, "Team Lead", "active"),
    (7, 6, 6, "Sales Representative", "active"),
    (8, 5, 2, "Sales Manager", "active"),
    (9, 5, 8, "Sales Representative", "active"),
    (10, 7, 1, "Sales Manager", "active"),
    (11, 7, 10, "Sales Representative", "active"),
    (12, 8, 1, "HR Director", "active"),
    (13, 8, 12, "HR Specialist", "active"),
    (14, 9, 1, "Marketing Specialist", "active"),
    (15, 4, 3, "Sales Representative", "terminated"),
]
REPS = [4, 5, 6, 7, 9, 11, 15]
MONTHS = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]

#: Who the tests ask as: fixture name -> employee_no (None: the local operator).
CALLERS = {
    "admin": None,
    "hr": "E013",
    "manager": "E003",
    "submanager": "E006",
    "region": "E002",
    "sales": "E004",
    "employee": "E014",
}


def employee_no(employee_id: int) -> str:
    return f"E{employee_id:03d}"


def build_rows() -> dict[str, list[dict[str, Any]]]:
    """The rows of every contract table."""
    money = count(1)

    def unique(base: int) -> Decimal:
        k = next(money)
        return Decimal(f"{base + k * 7}.{(k * 37) % 89 + 10:02d}")

    rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in wh.TABLES}
    for department_id, name, parent_id, kind in DEPARTMENTS:
        rows["departments"].append(
            dict(
                department_id=department_id,
                name=name,
                name_en=f"Dept {department_id}",
                parent_id=parent_id,
                kind=kind,
                city="上海",
            )
        )
    for employee_id, department_id, manager_id, title, status in EMPLOYEES:
        rows["employees"].append(
            dict(
                employee_id=employee_id,
                employee_no=employee_no(employee_id),
                name=f"员工{employee_id:02d}",
                name_en=f"Person{employee_id:02d}x",
                gender="F" if employee_id % 2 else "M",
                department_id=department_id,
                manager_id=manager_id,
                title=title,
                level="mid",
                hire_date=date(2020, 1, employee_id),
                termination_date=date(2026, 2, 15) if status == "terminated" else None,
                status=status,
                wecom_userid=f"wx{employee_id:03d}",
                phone=f"1380000{employee_id:04d}",
                email=f"e{employee_id:03d}@corp.example",
            )
        )
    order_id = count(1)
    for rep in REPS:
        rows["customers"].append(
            dict(
                customer_id=rep,
                name=f"客户{rep:02d}",
                city="上海",
                source_channel="referral",
                created_date=date(2025, 1, 1),
                owner_employee_id=rep,
            )
        )
        for month in MONTHS:
            rows["sales_targets"].append(
                dict(employee_id=rep, month=month, min_target=unique(50000))
            )
            for day, status in ((3, "paid"), (9, "paid"), (20, "refunded")):
                rows["sales_orders"].append(
                    dict(
                        order_id=next(order_id),
                        employee_id=rep,
                        customer_id=rep,
                        order_date=month + timedelta(days=day),
                        amount=unique(10000),
                        product_line="SaaS",
                        channel="online",
                        status=status,
                    )
                )
        for i in range(2):
            rows["customer_interactions"].append(
                dict(
                    interaction_id=rep * 10 + i,
                    employee_id=rep,
                    customer_id=rep,
                    occurred_at=datetime(2026, 1, 5 + i, 10),
                    kind="chat",
                    message_count=5 + i,
                    duration_minutes=Decimal(f"{rep * 3 + i}.7"),
                )
            )
    for employee_id, *_ in EMPLOYEES:
        for month in MONTHS:
            base, commission, bonus, deductions = (
                unique(20000),
                unique(30000),
                unique(40000),
                unique(1000),
            )
            rows["payroll"].append(
                dict(
                    employee_id=employee_id,
                    month=month,
                    base_salary=base,
                    commission=commission,
                    bonus=bonus,
                    deductions=deductions,
                    net_pay=base + commission + bonus - deductions,
                )
            )
        for day in (5, 6):
            rows["attendance"].append(
                dict(
                    employee_id=employee_id,
                    work_date=date(2026, 1, day),
                    status="present",
                    check_in=datetime(2026, 1, day, 9),
                    check_out=datetime(2026, 1, day, 18),
                )
            )
        rows["performance_reviews"].append(
            dict(
                employee_id=employee_id,
                period="2026-Q1",
                rating="A",
                score=Decimal(f"{60 + employee_id}.{employee_id + 10}"),
                reviewer_id=None,
            )
        )
        rows["leave_requests"].append(
            dict(
                leave_id=employee_id,
                employee_id=employee_id,
                leave_type="annual",
                start_date=date(2026, 2, 2),
                end_date=date(2026, 2, 3),
                days=Decimal("2.0"),
                status="approved",
                approver_id=None,
            )
        )
    for department_id in (4, 5, 7):
        for month in MONTHS[:2]:
            rows["marketing_spend"].append(
                dict(
                    department_id=department_id,
                    month=month,
                    channel="online_ads",
                    amount=unique(60000),
                    leads=10 + department_id,
                )
            )
    return rows


def build_warehouse(url: str) -> None:
    """Create the contract tables at ``url`` and fill them with the org."""
    engine = sa.create_engine(url)
    try:
        wh.metadata.create_all(engine)
        rows = build_rows()
        with engine.begin() as conn:
            for table in wh.TABLES:
                if table.name in ("departments", "employees"):  # rows refer to earlier rows
                    for row in rows[table.name]:
                        conn.execute(table.insert(), row)
                elif rows[table.name]:
                    conn.execute(table.insert(), rows[table.name])
    finally:
        engine.dispose()


# --- ground truth -------------------------------------------------------------------

#: Columns whose values identify a row (strings by substring, decimals by value).
MARKERS = {
    "employees": ("employee_no", "name", "name_en", "phone", "email", "wecom_userid"),
    "departments": ("name", "name_en"),
    "customers": ("name",),
    "sales_orders": ("amount",),
    "sales_targets": ("min_target",),
    "marketing_spend": ("amount",),
    "customer_interactions": ("duration_minutes",),
    "payroll": ("base_salary", "commission", "bonus", "deductions", "net_pay"),
    "performance_reviews": ("score",),
}
PERSONAL = ("phone", "email")


@dataclass(frozen=True)
class Truth:
    """What one caller may see in the org."""

    role: str
    employee_id: int | None
    employees: frozenset[int]
    departments: frozenset[int]


def truth(
    role: str, employee_id: int | None, department_ids: frozenset[int], department_id: int | None
) -> Truth:
    if role in ("admin", "hr"):
        return Truth(
            role,
            employee_id,
            frozenset(e[0] for e in EMPLOYEES),
            frozenset(d[0] for d in DEPARTMENTS),
        )
    if role == "manager":
        return Truth(
            role,
            employee_id,
            frozenset(e[0] for e in EMPLOYEES if e[1] in department_ids),
            department_ids,
        )
    return Truth(
        role,
        employee_id,
        frozenset({employee_id}) if employee_id else frozenset(),
        frozenset({department_id}) if department_id else frozenset(),
    )


def forbidden(t: Truth) -> list[str]:
    """Marker values (as text) that must never appear in this caller's results."""
    rows = build_rows()
    out: list[str] = []

    def add(row: dict[str, Any], columns: tuple[str, ...]) -> None:
        out.extend(str(row[c]) for c in columns if row[c] is not None)

    everything = t.role in ("admin", "hr")
    for table, columns in MARKERS.items():
        for row in rows[table]:
            if table == "departments":
                visible = everything or row["department_id"] in t.departments
            elif table == "marketing_spend":
                visible = everything or (
                    t.role == "manager" and row["department_id"] in t.departments
                )
            elif table == "customers":
                visible = everything or row["owner_employee_id"] in t.employees
            elif table == "payroll":
                visible = everything or (
                    t.role != "manager" and row["employee_id"] == t.employee_id
                )
            else:
                visible = everything or row["employee_id"] in t.employees
            if not visible:
                add(row, columns)
            elif table == "employees" and not everything and row["employee_id"] != t.employee_id:
                add(row, PERSONAL)
    return out


def leaks(
    result_rows: list[tuple[Any, ...]] | tuple[tuple[Any, ...], ...], markers: list[str]
) -> list[tuple[str, Any]]:
    """(marker, cell) pairs where a forbidden value shows up in a result."""
    found = []
    numbers = {Decimal(m) for m in markers if _is_number(m)}
    for row in result_rows:
        for cell in row:
            if cell is None or isinstance(cell, bool | int):
                continue
            if isinstance(cell, Decimal | float):
                value = Decimal(str(round(cell, 2))) if isinstance(cell, float) else cell
                if value in numbers:
                    found.append((str(value), cell))
                continue
            text = str(cell)
            found.extend((marker, cell) for marker in markers if _shows(marker, text))
    return found


def _shows(marker: str, text: str) -> bool:
    """Whether ``marker`` is in ``text``; a number as a whole number, not as digits of a
    longer one (15.7 is not in 50315.73, an in-scope figure)."""
    if not _is_number(marker):
        return marker in text
    return re.search(rf"(?<![\d.]){re.escape(marker)}(?!\d)", text) is not None


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True
