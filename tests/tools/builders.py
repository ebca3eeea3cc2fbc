"""Tiny fixture warehouses: the contract tables plus exactly the rows a case needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from schema import warehouse as w
from schema.db import warehouse_engine


@dataclass
class WarehouseBuilder:
    """Collects rows, then writes them into a fresh warehouse (DuckDB file or PostgreSQL)."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _next_order: int = 1

    def add(self, table: str, **values: Any) -> WarehouseBuilder:
        self.rows.setdefault(table, []).append(values)
        return self

    def department(
        self, department_id: int, name: str, name_en: str | None = None, *,
        parent_id: int | None = None, kind: str = "sales", city: str | None = None,
    ) -> WarehouseBuilder:  # fmt: skip
        return self.add(
            "departments", department_id=department_id, name=name, name_en=name_en,
            parent_id=parent_id, kind=kind, city=city,
        )  # fmt: skip

    def employee(
        self, employee_id: int, name: str, department_id: int, *, level: str = "mid",
        hire_date: date = date(2024, 1, 1), termination_date: date | None = None,
        title: str = "Sales Representative",
    ) -> WarehouseBuilder:  # fmt: skip
        if "customers" not in self.rows:
            self.add("customers", customer_id=1, name="C", city=None, source_channel="organic",
                     created_date=date(2020, 1, 1), owner_employee_id=None)  # fmt: skip
        return self.add(
            "employees", employee_id=employee_id, employee_no=f"E{employee_id:05d}", name=name,
            name_en=None, gender=None, department_id=department_id, manager_id=None, title=title,
            level=level, hire_date=hire_date, termination_date=termination_date,
            status="terminated" if termination_date else "active", wecom_userid=None,
            phone=None, email=None,
        )  # fmt: skip

    def target(self, employee_id: int, month: date, min_target: str | int) -> WarehouseBuilder:
        return self.add(
            "sales_targets",
            employee_id=employee_id,
            month=month,
            min_target=Decimal(str(min_target)),
        )

    def order(
        self, employee_id: int, order_date: date, amount: str | int, status: str = "paid"
    ) -> WarehouseBuilder:
        self._next_order += 1
        return self.add(
            "sales_orders", order_id=self._next_order, employee_id=employee_id, customer_id=1,
            order_date=order_date, amount=Decimal(str(amount)), product_line="SaaS",
            channel="online", status=status,
        )  # fmt: skip

    def spend(
        self, department_id: int, month: date, amount: str | int, leads: int
    ) -> WarehouseBuilder:
        return self.add(
            "marketing_spend", department_id=department_id, month=month, channel="online_ads",
            amount=Decimal(str(amount)), leads=leads,
        )  # fmt: skip

    def write(self, url: str) -> str:
        engine = warehouse_engine(url, read_only=False)
        w.metadata.create_all(engine)
        with engine.begin() as conn:
            for table in w.TABLES:
                rows = self.rows.get(table.name, [])
                if table.name == "departments":  # self-referencing: parents first, one by one
                    for row in rows:
                        conn.execute(sa.insert(table), row)
                elif rows:
                    conn.execute(sa.insert(table), rows)
        engine.dispose()
        return url

    def duckdb(self, tmp_path: Path, name: str = "wh.duckdb") -> str:
        return self.write(f"duckdb:///{tmp_path / name}")
