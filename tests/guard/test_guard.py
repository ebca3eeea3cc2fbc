"""The guard's pipeline, check by check, on hand-built callers (no database needed)."""

from __future__ import annotations

import pytest
import sqlglot

from assistant.errors import GuardError
from assistant.guard import CHECKS, Catalog, guard
from schema.caller import Caller, Role

CATALOG = Catalog.from_contract("duckdb")
ADMIN = Caller.operator()
MANAGER = Caller(
    role=Role.MANAGER, employee_id=3, department_id=4, department_ids=frozenset({4, 6})
)
SALES = Caller(role=Role.SALES, employee_id=4, department_id=4, department_ids=frozenset({4, 6}))


def reason(sql: str, caller: Caller = ADMIN, catalog: Catalog = CATALOG) -> str:
    with pytest.raises(GuardError) as info:
        guard(sql, caller, catalog)
    return info.value.reason


def test_checks_run_in_documented_order() -> None:
    assert [check.__name__ for check in CHECKS] == [
        "read_only",
        "known_tables",
        "allowed_functions",
        "qualify_columns",
        "scope_rows",
        "cap_limit",
    ]


def test_admin_statement_is_qualified_and_limited() -> None:
    guarded = guard("select name from employees where status = 'active'", ADMIN, CATALOG)
    assert guarded.sql == (
        'SELECT "employees"."name" AS "name" FROM "employees" AS "employees" '
        'WHERE "employees"."status" = \'active\' LIMIT 1000'
    )
    assert guarded.scopes == ()
    assert guarded.tables == ("employees",)
    assert guarded.dialect == "duckdb"


def test_manager_employees_become_a_scoped_subquery_with_masked_phone() -> None:
    guarded = guard("SELECT e.name, e.phone FROM employees e", MANAGER, CATALOG)
    assert 'FROM "employees" WHERE "department_id" IN (4, 6)) AS "e"' in guarded.sql, guarded.sql
    assert 'CASE WHEN "employee_id" = 3 THEN "phone" END AS "phone"' in guarded.sql
    assert guarded.scopes == (
        "employees: rows of departments 4, 6 (your department and those below it)",
        "employees.email/phone: your own row only",
    )


def test_manager_other_tables_scoped_through_their_employees() -> None:
    guarded = guard("SELECT sum(amount) FROM sales_orders", MANAGER, CATALOG)
    assert (
        'WHERE "employee_id" IN (SELECT "employee_id" FROM "employees" WHERE "department_id" IN (4, 6))'
        in guarded.sql
    )


def test_sales_sees_own_rows_and_own_payroll() -> None:
    guarded = guard("SELECT month, net_pay FROM payroll", SALES, CATALOG)
    assert 'FROM "payroll" WHERE "employee_id" = 4) AS "payroll"' in guarded.sql
    assert guarded.scopes == ("payroll: your own rows only",)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM payroll",
        "SELECT name FROM employees UNION SELECT CAST(net_pay AS VARCHAR) FROM payroll",
        "SELECT e.name, (SELECT max(p.net_pay) FROM payroll p WHERE p.employee_id = e.employee_id) FROM employees e",
    ],
)
def test_manager_payroll_is_denied_with_the_reason(sql: str) -> None:
    with pytest.raises(GuardError) as info:
        guard(sql, MANAGER, CATALOG)
    assert info.value.reason == "denied_payroll"
    assert "payroll is visible to HR only" in str(info.value)


def test_limit_kept_when_smaller_capped_when_larger() -> None:
    assert guard("SELECT name FROM employees LIMIT 5", ADMIN, CATALOG, limit=50).limit == 5
    capped = guard("SELECT name FROM employees LIMIT 5000", ADMIN, CATALOG, limit=50)
    assert capped.limit == 50 and capped.sql.endswith("LIMIT 50")
    assert guard("SELECT name FROM employees LIMIT ALL", ADMIN, CATALOG, limit=50).limit == 50


def test_unknown_column_message_names_it_and_suggests() -> None:
    with pytest.raises(GuardError) as info:
        guard("SELECT nmae FROM employees", ADMIN, CATALOG)
    assert info.value.reason == "unknown_column"
    assert str(info.value) == "unknown column 'nmae' in employees (did you mean name?)"


def test_unknown_table_message_suggests_closest() -> None:
    with pytest.raises(GuardError) as info:
        guard("SELECT * FROM employee", ADMIN, CATALOG)
    assert info.value.reason == "unknown_table"
    assert str(info.value).startswith("unknown table 'employee' (did you mean employees")


def test_transpile_to_postgres() -> None:
    guarded = guard("SELECT strftime(hire_date, '%Y-%m') AS m FROM employees", ADMIN, CATALOG)
    assert "TO_CHAR" in guarded.sql_for("postgres")
    pg = guard(
        "SELECT to_char(hire_date, 'YYYY-MM') AS m FROM employees",
        ADMIN,
        Catalog.from_contract("postgres"),
    )
    assert pg.dialect == "postgres"
    sqlglot.parse_one(pg.sql, read="postgres")


def test_read_dialect_can_differ_from_the_warehouse() -> None:
    pg = Catalog.from_contract("postgres")
    guarded = guard("SELECT name FROM employees LIMIT 3", ADMIN, pg, read="duckdb")
    assert guarded.sql.endswith("LIMIT 3")


def test_caller_without_employee_row_is_refused_unless_hr() -> None:
    assert reason("SELECT name FROM employees", Caller(role=Role.SALES)) == "no_scope"


def test_table_without_owner_is_hr_only() -> None:
    catalog = Catalog(
        dialect="duckdb",
        tables={**CATALOG.tables, "secrets": {"k": "TEXT"}},
        owners=CATALOG.owners,
    )
    assert guard("SELECT k FROM secrets", ADMIN, catalog).tables == ("secrets",)
    assert reason("SELECT k FROM secrets", MANAGER, catalog) == "denied_table"


def test_invalid_limit() -> None:
    with pytest.raises(GuardError) as info:
        guard("SELECT 1", ADMIN, CATALOG, limit=0)
    assert info.value.reason == "invalid_limit"
