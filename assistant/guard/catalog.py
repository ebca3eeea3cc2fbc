"""The catalog the guard checks SQL against: the warehouse's tables and who owns their rows.

A :class:`Catalog` is plain data: the SQL dialect of the warehouse, the tables
and their columns (``{table: {column: type}}``, the shape sqlglot's
``MappingSchema`` takes), and the ownership facts row scoping needs (which
column ties a row to an employee or a department, which tables are HR-only,
which columns are personal data). Build it once per warehouse with
:meth:`Catalog.from_contract` (the contract in ``schema/warehouse.py``) or
:meth:`Catalog.from_metadata` (a deployment's own SQLAlchemy metadata) and pass
it to :func:`assistant.guard.guard`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from sqlalchemy import MetaData
from sqlglot.schema import MappingSchema

#: Schema qualifiers that name the warehouse's own tables, per dialect.
DEFAULT_SCHEMAS: Mapping[str, frozenset[str]] = {
    "duckdb": frozenset({"main"}),
    "postgres": frozenset({"public"}),
    "clickhouse": frozenset({"default"}),
}


@dataclass(frozen=True)
class Owner:
    """What ties a table's rows to the org: an employee column or a department column."""

    kind: Literal["employee", "department"]
    column: str


@dataclass(frozen=True, eq=False)
class Catalog:
    """The tables SQL may read, their columns, and the facts row scoping needs."""

    dialect: str
    tables: Mapping[str, Mapping[str, str]]
    #: Table -> the column that says whose row it is; tables without one are HR/admin only.
    owners: Mapping[str, Owner] = field(default_factory=dict)
    #: Tables only HR and admins read (a sales employee or employee reads their own rows).
    hr_only: frozenset[str] = frozenset({"payroll"})
    #: Personal-data columns: visible on the caller's own row only unless HR/admin.
    personal_columns: Mapping[str, frozenset[str]] = field(
        default_factory=lambda: {"employees": frozenset({"phone", "email"})}
    )
    #: The people table (one row per employee, keyed by ``employee_id``, with ``department_id``).
    people_table: str = "employees"
    #: The org tree table (keyed by ``department_id``).
    org_table: str = "departments"
    #: Schema qualifiers accepted in front of a table name (``main.employees``).
    schemas: frozenset[str] = frozenset()

    @classmethod
    def from_metadata(
        cls,
        metadata: MetaData,
        dialect: str,
        *,
        owners: Mapping[str, Owner] | None = None,
    ) -> Catalog:
        """A catalog of every table in ``metadata``; owners inferred from column names if not given."""
        tables = {
            table.name: {column.name: str(column.type) for column in table.columns}
            for table in metadata.sorted_tables
        }
        return cls(
            dialect=dialect,
            tables=tables,
            owners=dict(owners) if owners is not None else infer_owners(tables),
            schemas=DEFAULT_SCHEMAS.get(dialect, frozenset()),
        )

    @classmethod
    def from_contract(cls, dialect: str) -> Catalog:
        """The catalog of the warehouse contract (``schema/warehouse.py``) in ``dialect``."""
        from schema.warehouse import metadata

        return cls.from_metadata(metadata, dialect)

    @cached_property
    def mapping_schema(self) -> MappingSchema:
        """The tables as a sqlglot ``MappingSchema`` (built on first use, then reused)."""
        return MappingSchema(
            {name: dict(columns) for name, columns in self.tables.items()}, dialect=self.dialect
        )

    @cached_property
    def all_columns(self) -> frozenset[str]:
        """Every column name of every table."""
        return frozenset(column for columns in self.tables.values() for column in columns)


def infer_owners(tables: Mapping[str, Mapping[str, str]]) -> dict[str, Owner]:
    """Ownership by naming convention: ``employee_id``/``owner_employee_id`` or ``department_id``.

    The people table is owned by its own ``employee_id``; a table with none of
    these columns gets no owner, so only HR and admins can read it (fail closed).
    """
    owners: dict[str, Owner] = {}
    for name, columns in tables.items():
        if name == "departments" and "department_id" in columns:
            owners[name] = Owner("department", "department_id")
        elif "employee_id" in columns:
            owners[name] = Owner("employee", "employee_id")
        elif "owner_employee_id" in columns:
            owners[name] = Owner("employee", "owner_employee_id")
        elif "department_id" in columns:
            owners[name] = Owner("department", "department_id")
    return owners
