"""The SQL guard: the only door to the warehouse for generated SQL.

Public API: :func:`guard` (SQL + caller + catalog -> :class:`GuardedSql` or
:class:`~assistant.errors.GuardError`) and :class:`Catalog`.

Refusal reasons (``GuardError.reason``):

=========================  =====================================================
``empty``                  no statement
``too_long``               longer than ``MAX_SQL_CHARS``
``parse_error``            not valid SQL in the dialect
``multiple_statements``    more than one statement
``not_read_only``          anything but a query; a write, DDL, COPY, ATTACH,
                           PRAGMA, SET, CALL, SELECT ... INTO, FOR UPDATE, a
                           SETTINGS or FORMAT clause (ClickHouse), also
                           inside CTEs and subqueries
``function_not_allowed``   a function (or table function) outside the allowlist
``parameter_not_allowed``  a bind parameter or session variable
``system_catalog``         information_schema, pg_catalog, duckdb_*(), sqlite_master
``unknown_table``          not a warehouse table (message suggests close names)
``cte_shadows_table``      a CTE named like a warehouse table
``unknown_column``         not a column of the tables read (suggests close names)
``ambiguous_column``       a column in several joined tables, unqualified
``denied_payroll``         payroll for a role that may not read it (managers)
``denied_table``           a table the role may not read at all
``no_scope``               a non-HR caller without an employee record
``unsupported``            a construct the guard cannot check
``internal_error``         an unexpected failure inside the guard (refused)
``invalid_limit``          the caller passed a row limit below 1
``timeout``                (execution) the statement ran past its timeout
=========================  =====================================================
"""

from __future__ import annotations

import schema.clickhouse.sql  # noqa: F401  (registers hrq's "clickhouse" sqlglot dialect)
from assistant.guard.catalog import Catalog, Owner
from assistant.guard.guard import CHECKS, DEFAULT_LIMIT, GuardedSql, guard

__all__ = ["CHECKS", "DEFAULT_LIMIT", "Catalog", "GuardedSql", "Owner", "guard"]
