"""The HR warehouse contract as SQLAlchemy Core tables.

These mirror ``schema/contract/schema.sql`` exactly: names, columns, types,
keys and nullability. ``tests/test_contract.py`` parses the SQL with sqlglot
and fails on any difference, so code and contract cannot drift apart.
"""

from __future__ import annotations

from sqlalchemy import (
    TIMESTAMP,
    Column,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
)

metadata = MetaData()


departments = Table(
    "departments",
    metadata,
    Column("department_id", Integer, primary_key=True, autoincrement=False),
    Column("name", String, nullable=False, unique=True),
    Column("name_en", String),
    Column("parent_id", Integer, ForeignKey("departments.department_id")),
    Column("kind", String, nullable=False),
    Column("city", String),
)

employees = Table(
    "employees",
    metadata,
    Column("employee_id", Integer, primary_key=True, autoincrement=False),
    Column("employee_no", String, nullable=False, unique=True),
    Column("name", String, nullable=False),
    Column("name_en", String),
    Column("gender", String),
    Column("department_id", Integer, ForeignKey("departments.department_id"), nullable=False),
    Column("manager_id", Integer, ForeignKey("employees.employee_id")),
    Column("title", String, nullable=False),
    Column("level", String, nullable=False),
    Column("hire_date", Date, nullable=False),
    Column("termination_date", Date),
    Column("status", String, nullable=False),
    Column("wecom_userid", String, unique=True),
    Column("phone", String),
    Column("email", String),
)

customers = Table(
    "customers",
    metadata,
    Column("customer_id", Integer, primary_key=True, autoincrement=False),
    Column("name", String, nullable=False),
    Column("city", String),
    Column("source_channel", String, nullable=False),
    Column("created_date", Date, nullable=False),
    Column("owner_employee_id", Integer, ForeignKey("employees.employee_id")),
)

sales_orders = Table(
    "sales_orders",
    metadata,
    Column("order_id", Integer, primary_key=True, autoincrement=False),
    Column("employee_id", Integer, ForeignKey("employees.employee_id"), nullable=False),
    Column("customer_id", Integer, ForeignKey("customers.customer_id"), nullable=False),
    Column("order_date", Date, nullable=False),
    Column("amount", Numeric(14, 2), nullable=False),
    Column("product_line", String, nullable=False),
    Column("channel", String, nullable=False),
    Column("status", String, nullable=False),
)

sales_targets = Table(
    "sales_targets",
    metadata,
    Column("employee_id", Integer, ForeignKey("employees.employee_id"), nullable=False),
    Column("month", Date, nullable=False),
    Column("min_target", Numeric(14, 2), nullable=False),
    PrimaryKeyConstraint("employee_id", "month"),
)

marketing_spend = Table(
    "marketing_spend",
    metadata,
    Column("department_id", Integer, ForeignKey("departments.department_id"), nullable=False),
    Column("month", Date, nullable=False),
    Column("channel", String, nullable=False),
    Column("amount", Numeric(14, 2), nullable=False),
    Column("leads", Integer, nullable=False),
    PrimaryKeyConstraint("department_id", "month", "channel"),
)

customer_interactions = Table(
    "customer_interactions",
    metadata,
    Column("interaction_id", Integer, primary_key=True, autoincrement=False),
    Column("employee_id", Integer, ForeignKey("employees.employee_id"), nullable=False),
    Column("customer_id", Integer, ForeignKey("customers.customer_id"), nullable=False),
    Column("occurred_at", TIMESTAMP, nullable=False),
    Column("kind", String, nullable=False),
    Column("message_count", Integer, nullable=False),
    Column("duration_minutes", Numeric(8, 1), nullable=False),
)

payroll = Table(
    "payroll",
    metadata,
    Column("employee_id", Integer, ForeignKey("employees.employee_id"), nullable=False),
    Column("month", Date, nullable=False),
    Column("base_salary", Numeric(12, 2), nullable=False),
    Column("commission", Numeric(12, 2), nullable=False),
    Column("bonus", Numeric(12, 2), nullable=False),
    Column("deductions", Numeric(12, 2), nullable=False),
    Column("net_pay", Numeric(12, 2), nullable=False),
    PrimaryKeyConstraint("employee_id", "month"),
)

attendance = Table(
    "attendance",
    metadata,
    Column("employee_id", Integer, ForeignKey("employees.employee_id"), nullable=False),
    Column("work_date", Date, nullable=False),
    Column("status", String, nullable=False),
    Column("check_in", TIMESTAMP),
    Column("check_out", TIMESTAMP),
    PrimaryKeyConstraint("employee_id", "work_date"),
)

leave_requests = Table(
    "leave_requests",
    metadata,
    Column("leave_id", Integer, primary_key=True, autoincrement=False),
    Column("employee_id", Integer, ForeignKey("employees.employee_id"), nullable=False),
    Column("leave_type", String, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("days", Numeric(4, 1), nullable=False),
    Column("status", String, nullable=False),
    Column("approver_id", Integer, ForeignKey("employees.employee_id")),
)

performance_reviews = Table(
    "performance_reviews",
    metadata,
    Column("employee_id", Integer, ForeignKey("employees.employee_id"), nullable=False),
    Column("period", String, nullable=False),
    Column("rating", String, nullable=False),
    Column("score", Numeric(5, 2), nullable=False),
    Column("reviewer_id", Integer, ForeignKey("employees.employee_id")),
    PrimaryKeyConstraint("employee_id", "period"),
)

#: Tables in dependency order (parents first), the order a loader fills them.
TABLES: tuple[Table, ...] = tuple(metadata.sorted_tables)
