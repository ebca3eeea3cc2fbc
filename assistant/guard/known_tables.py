"""Known tables: only the catalog's tables, never system catalogs, files or table functions.

Identifiers are first normalised the way the database does (so ``"EMPLOYEES"``
on DuckDB is ``employees``, on PostgreSQL a different, unknown table). A CTE
whose name matches a warehouse table (case-insensitively) is refused, so a
CTE can never stand in for, or hide, a table that row scoping must rewrite.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from assistant.errors import GuardError
from assistant.guard.context import GuardContext
from assistant.guard.sources import cte_names, real_tables
from assistant.guard.suggest import did_you_mean

#: Schemas that hold the database's own catalog (PostgreSQL, DuckDB, StarRocks, Doris).
SYSTEM_SCHEMAS = frozenset(
    {"information_schema", "pg_catalog", "pg_toast", "system", "temp"}
    | {"sys", "_statistics_", "__internal_schema", "mysql"}
)
#: Name prefixes of system tables, views and table functions.
SYSTEM_PREFIXES = ("pg_", "duckdb_", "sqlite_", "information_schema")
#: Table functions that only generate values (they read nothing).
GENERATOR_FUNCTIONS = frozenset({"generate_series", "range", "unnest", "numbers"})
#: The same generators as typed sqlglot nodes (the name depends on the dialect read).
GENERATOR_NODES = frozenset({"GenerateSeries", "ExplodingGenerateSeries", "Unnest", "Explode"})


def known_tables(tree: exp.Expression, ctx: GuardContext) -> exp.Expression:
    """Normalise identifiers and check every table reference; record the tables read."""
    tree = normalize_identifiers(tree, dialect=ctx.catalog.dialect)
    catalog_names = {name.casefold(): name for name in ctx.catalog.tables}
    for name in cte_names(tree):
        if name.casefold() in catalog_names:
            raise GuardError(
                f"the CTE name {name!r} is the name of the warehouse table "
                f"{catalog_names[name.casefold()]!r}; give the CTE another name",
                reason="cte_shadows_table",
            )
    for table in real_tables(tree):
        _check_table(table, ctx)
    return tree


def _check_table(table: exp.Table, ctx: GuardContext) -> None:
    """Accept a catalog table (recording it) or raise with the right reason."""
    if not isinstance(table.this, exp.Identifier):
        _check_table_function(table)
        return
    name, schema, database = table.name, table.db, table.catalog
    if _is_system(name) or _is_system(schema) or _is_system(database):
        raise GuardError(
            f"{table.sql(dialect=ctx.catalog.dialect)} is a system catalog; only the warehouse "
            f"tables can be read: {', '.join(ctx.catalog.tables)}",
            reason="system_catalog",
        )
    if database or (schema and schema not in ctx.catalog.schemas):
        raise GuardError(
            f"unknown table {table.sql(dialect=ctx.catalog.dialect)}: only the warehouse's own "
            f"tables can be read, without a database or schema prefix{did_you_mean(name, ctx.catalog.tables)}",
            reason="unknown_table",
        )
    if name not in ctx.catalog.tables:
        raise GuardError(
            f"unknown table {name!r}{did_you_mean(name, ctx.catalog.tables)}; "
            f"the tables are: {', '.join(ctx.catalog.tables)}",
            reason="unknown_table",
        )
    ctx.add_table(name)


def _check_table_function(table: exp.Table) -> None:
    """Allow generator table functions; refuse file, system and any other table function."""
    function = table.this
    name = function.name.lower() if isinstance(function, exp.Anonymous) else function.key
    sql_names = getattr(type(function), "sql_names", None)
    label = name if isinstance(function, exp.Anonymous) or not sql_names else sql_names()[0].lower()
    if label in GENERATOR_FUNCTIONS or type(function).__name__ in GENERATOR_NODES:
        return
    if _is_system(label):
        raise GuardError(
            f"{label}() reads the system catalog; only the warehouse tables can be read",
            reason="system_catalog",
        )
    raise GuardError(
        f"the table function {label}() is not allowed: only the warehouse tables can be read",
        reason="function_not_allowed",
    )


def _is_system(name: str) -> bool:
    """Whether ``name`` names a system schema, table or table function."""
    folded = name.casefold()
    return bool(folded) and (folded in SYSTEM_SCHEMAS or folded.startswith(SYSTEM_PREFIXES))
