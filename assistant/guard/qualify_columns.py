"""Columns: resolve every column against the catalog with sqlglot's ``qualify``.

``qualify`` normalises and quotes identifiers, gives every table an alias,
expands ``*`` and qualifies every column with its source, and (validating)
raises on a column it cannot resolve. That error is turned into a message that
names the column and suggests the closest real names, which is what a model
needs to correct itself.
"""

from __future__ import annotations

import re

from sqlglot import exp
from sqlglot.errors import OptimizeError, SqlglotError
from sqlglot.optimizer.qualify import qualify

from assistant.errors import GuardError
from assistant.guard.context import GuardContext
from assistant.guard.suggest import did_you_mean

_UNRESOLVED = re.compile(
    r"Column '(?P<column>[^']+)' could not be resolved(?: for table: '(?P<table>[^']+)')?"
)
_AMBIGUOUS = re.compile(r"Ambiguous column '(?P<column>[^']+)'")
_UNKNOWN = re.compile(r"Unknown (?:output )?column: (?P<column>\S+)")


def qualify_columns(tree: exp.Expression, ctx: GuardContext) -> exp.Expression:
    """The qualified tree, or ``GuardError`` (``unknown_column``, ``ambiguous_column``, ``unsupported``)."""
    try:
        return qualify(
            tree,
            dialect=ctx.catalog.dialect,
            schema=ctx.catalog.mapping_schema,
            validate_qualify_columns=True,
            identify=True,
        )
    except OptimizeError as exc:
        raise _column_error(str(exc), tree, ctx) from exc
    except (SqlglotError, RecursionError) as exc:
        raise GuardError(
            f"the query's columns could not be checked: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
            reason="unsupported",
        ) from exc


def _column_error(message: str, tree: exp.Expression, ctx: GuardContext) -> GuardError:
    """A ``GuardError`` naming the unresolved column and the closest real names."""
    match = _UNRESOLVED.search(message) or _AMBIGUOUS.search(message) or _UNKNOWN.search(message)
    if match is None:
        return GuardError(
            f"the query's columns could not be resolved: {message.splitlines()[0]}",
            reason="unsupported",
        )
    column = match.group("column")
    source = match.groupdict().get("table")
    tables = [_table_of(source, tree)] if source else list(ctx.tables)
    tables = [name for name in tables if name in ctx.catalog.tables]
    having = [name for name in ctx.tables if column in ctx.catalog.tables[name]]
    if not source and len(having) > 1:
        return GuardError(
            f"the column {column!r} is ambiguous: it is in {', '.join(having)}; "
            f"qualify it with a table or alias (e.g. {having[0]}.{column})",
            reason="ambiguous_column",
        )
    candidates = {col for name in tables for col in ctx.catalog.tables[name]}
    candidates |= {alias.alias for alias in tree.find_all(exp.Alias) if alias.alias}
    candidates.discard(column)
    where = f" in {tables[0]}" if source and tables else ""
    if not where and len(tables) == 1:
        where = f" in {tables[0]}"
    hint = did_you_mean(column, candidates)
    if not hint and tables:
        hint = (
            f"; its columns are: {', '.join(ctx.catalog.tables[tables[0]])}"
            if len(tables) == 1
            else ""
        )
    return GuardError(f"unknown column {column!r}{where}{hint}", reason="unknown_column")


def _table_of(alias: str, tree: exp.Expression) -> str:
    """The catalog table behind ``alias`` in ``tree`` (the alias itself if none)."""
    for table in tree.find_all(exp.Table):
        if table.alias_or_name == alias:
            return table.name
    return alias
