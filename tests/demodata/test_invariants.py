"""Invariants of the small demo warehouse: keys, employment, money arithmetic, calendars."""

from __future__ import annotations

import re
from datetime import date

import chinese_calendar
import duckdb
import pytest

from schema.warehouse import TABLES
from tests.demodata.conftest import END_DATE, scalar

# Each query counts rows that break a rule; every count must be 0.
VIOLATIONS = {
    "order without employee": """
        SELECT count(*) FROM sales_orders o ANTI JOIN employees e USING (employee_id)""",
    "order without customer": """
        SELECT count(*) FROM sales_orders o ANTI JOIN customers c USING (customer_id)""",
    "order outside employment": """
        SELECT count(*) FROM sales_orders o JOIN employees e USING (employee_id)
        WHERE o.order_date < e.hire_date
           OR (e.termination_date IS NOT NULL AND o.order_date >= e.termination_date)""",
    "order by someone off the roster that month": """
        SELECT count(*) FROM sales_orders o ANTI JOIN sales_targets t
        ON t.employee_id = o.employee_id AND t.month = date_trunc('month', o.order_date)""",
    "order amount not positive": "SELECT count(*) FROM sales_orders WHERE amount <= 0",
    "net_pay is not base + commission + bonus - deductions": """
        SELECT count(*) FROM payroll
        WHERE net_pay <> base_salary + commission + bonus - deductions""",
    "payroll outside employment": """
        SELECT count(*) FROM payroll p JOIN employees e USING (employee_id)
        WHERE e.hire_date > last_day(p.month)
           OR (e.termination_date IS NOT NULL AND e.termination_date <= p.month)""",
    "target for someone outside a sales department": """
        SELECT count(*) FROM sales_targets t JOIN employees e USING (employee_id)
        JOIN departments d USING (department_id)
        WHERE d.kind <> 'sales' OR e.title = 'Sales Manager'""",
    "target in a month not employed": """
        SELECT count(*) FROM sales_targets t JOIN employees e USING (employee_id)
        WHERE e.hire_date > last_day(t.month)
           OR (e.termination_date IS NOT NULL AND e.termination_date <= t.month)""",
    "sales rep employed in a month without a target": """
        SELECT count(*) FROM employees e JOIN departments d USING (department_id)
        JOIN (SELECT DISTINCT month FROM sales_targets) m
          ON e.hire_date <= last_day(m.month)
         AND (e.termination_date IS NULL OR e.termination_date > m.month)
        ANTI JOIN sales_targets t ON t.employee_id = e.employee_id AND t.month = m.month
        WHERE d.kind = 'sales' AND e.title <> 'Sales Manager'""",
    "status disagrees with termination_date": """
        SELECT count(*) FROM employees
        WHERE (status = 'active') <> (termination_date IS NULL)""",
    "termination before hire": "SELECT count(*) FROM employees WHERE termination_date <= hire_date",
    "manager missing or in another branch": """
        SELECT count(*) FROM employees e LEFT JOIN employees m ON m.employee_id = e.manager_id
        WHERE (e.manager_id IS NULL) <> (e.department_id = 1)
           OR (m.employee_id IS NULL AND e.manager_id IS NOT NULL)""",
    "attendance outside employment": """
        SELECT count(*) FROM attendance a JOIN employees e USING (employee_id)
        WHERE a.work_date < e.hire_date
           OR (e.termination_date IS NOT NULL AND a.work_date >= e.termination_date)""",
    "check-in on a day off or missing on a working one": """
        SELECT count(*) FROM attendance
        WHERE (status IN ('absent', 'leave')) <> (check_in IS NULL)""",
    "messages on a call or visit, none in a chat": """
        SELECT count(*) FROM customer_interactions
        WHERE (kind = 'chat') <> (message_count > 0)""",
    "leave ending before it starts": "SELECT count(*) FROM leave_requests WHERE end_date < start_date",
    "attendance 'leave' without approved leave": """
        SELECT count(*) FROM attendance a ANTI JOIN leave_requests l
        ON l.employee_id = a.employee_id AND a.work_date BETWEEN l.start_date AND l.end_date
           AND l.status = 'approved'
        WHERE a.status = 'leave'""",
    "review score outside 0..100": """
        SELECT count(*) FROM performance_reviews WHERE score < 0 OR score > 100""",
}


@pytest.mark.parametrize("rule", sorted(VIOLATIONS))
def test_no_row_breaks_the_rule(wh: duckdb.DuckDBPyConnection, rule: str) -> None:
    assert scalar(wh, VIOLATIONS[rule]) == 0, rule


@pytest.mark.parametrize("table", [t.name for t in TABLES])
def test_every_table_is_populated(wh: duckdb.DuckDBPyConnection, table: str) -> None:
    assert scalar(wh, f"SELECT count(*) FROM {table}") > 0  # type: ignore[operator]


def test_nothing_after_the_end_date_and_the_current_month_is_month_to_date(
    wh: duckdb.DuckDBPyConnection,
) -> None:
    latest = {
        "orders": "SELECT max(order_date) FROM sales_orders",
        "attendance": "SELECT max(work_date) FROM attendance",
        "interactions": "SELECT max(occurred_at)::DATE FROM customer_interactions",
        "customers": "SELECT max(created_date) FROM customers",
        "hires": "SELECT max(hire_date) FROM employees",
        "leavers": "SELECT max(termination_date) FROM employees",
    }
    for what, sql in latest.items():
        assert scalar(wh, sql) <= END_DATE, what  # type: ignore[operator]
    assert scalar(wh, "SELECT max(order_date) FROM sales_orders") >= date(2026, 11, 20)  # type: ignore[operator]
    assert scalar(wh, "SELECT max(month) FROM sales_targets") == date(2026, 11, 1)
    assert scalar(wh, "SELECT min(order_date) FROM sales_orders") == date(2024, 12, 1)


def test_attendance_only_on_chinese_working_days(wh: duckdb.DuckDBPyConnection) -> None:
    days = [r[0] for r in wh.execute("SELECT DISTINCT work_date FROM attendance").fetchall()]
    assert days and all(chinese_calendar.is_workday(d) for d in days)
    # The National Day holiday is off, and its make-up Saturday is a working day.
    assert date(2025, 10, 1) not in days and date(2025, 9, 28) in days


def test_payroll_covers_every_completed_employee_month(wh: duckdb.DuckDBPyConnection) -> None:
    missing = scalar(
        wh,
        """
        SELECT count(*) FROM employees e
        JOIN (SELECT DISTINCT month FROM sales_targets WHERE last_day(month) <= DATE '2026-11-26') m
          ON e.hire_date <= last_day(m.month)
         AND (e.termination_date IS NULL OR e.termination_date > m.month)
        ANTI JOIN payroll p ON p.employee_id = e.employee_id AND p.month = m.month""",
    )
    assert missing == 0
    assert scalar(wh, "SELECT count(*) FROM payroll WHERE month = DATE '2026-11-01'") == 0


def test_identities_are_unique_and_well_formed(wh: duckdb.DuckDBPyConnection) -> None:
    rows = wh.execute("SELECT employee_no, name_en, wecom_userid, email FROM employees").fetchall()
    assert len({r[0] for r in rows}) == len({r[2] for r in rows}) == len(rows)
    assert all(r[0][0] == "E" and len(r[0]) == 6 for r in rows)
    assert all(re.fullmatch(r"[A-Z][a-zü]+ [A-Z][a-zü]+", r[1]) for r in rows)
    assert all(r[3] == f"{r[2]}@xinghetech.com" for r in rows)


def test_some_people_share_a_name_across_departments(wh: duckdb.DuckDBPyConnection) -> None:
    shared = wh.execute(
        """SELECT name FROM employees WHERE status = 'active' GROUP BY name
           HAVING count(DISTINCT department_id) > 1"""
    ).fetchall()
    assert {"张伟", "王芳", "李娜", "刘洋"} <= {r[0] for r in shared}


def test_org_tree_has_sales_departments_under_regions(wh: duckdb.DuckDBPyConnection) -> None:
    kinds = dict(wh.execute("SELECT kind, count(*) FROM departments GROUP BY kind").fetchall())
    assert kinds["company"] == 1 and 4 <= kinds["sales"] <= 8
    assert {"region", "marketing", "hr", "operations"} <= set(kinds)
    orphans = scalar(
        wh,
        """SELECT count(*) FROM departments d JOIN departments p ON p.department_id = d.parent_id
           WHERE d.kind = 'sales' AND p.kind <> 'region'""",
    )
    assert orphans == 0
