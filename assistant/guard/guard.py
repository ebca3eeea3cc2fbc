"""The guard: every SQL statement hrq runs against the warehouse passes through here.

Shaped like sqlglot's optimizer: :data:`CHECKS` is an explicit tuple of small
checks, one module each, run in order over the parsed tree; each returns the
(possibly rewritten) tree or raises :class:`~assistant.errors.GuardError`.
Anything unexpected inside a check is also a refusal (reason
``internal_error``): the guard fails closed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from assistant.errors import GuardError
from assistant.guard.allowed_functions import allowed_functions
from assistant.guard.cap_limit import cap_limit
from assistant.guard.catalog import Catalog
from assistant.guard.context import Check, GuardContext
from assistant.guard.known_tables import known_tables
from assistant.guard.parse_statement import parse_statement
from assistant.guard.qualify_columns import qualify_columns
from assistant.guard.read_only import read_only
from assistant.guard.scope_rows import scope_rows
from schema.caller import Caller

#: The checks, in order. Each is ``check(tree, ctx) -> tree`` and raises GuardError to refuse.
CHECKS: tuple[Check, ...] = (
    read_only,
    known_tables,
    allowed_functions,
    qualify_columns,
    scope_rows,
    cap_limit,
)

#: Rows a statement returns when the caller does not say (``Settings.sql_row_limit``'s default).
DEFAULT_LIMIT = 1000


@dataclass(frozen=True)
class GuardedSql:
    """A statement the guard accepted, rewritten to be safe for its caller.

    ``sql`` is in ``dialect`` (the warehouse's); ``scopes`` lists what row and
    column scopes were applied (empty for HR/admin), for the audit log and for
    the answer's "only data you may see" note; ``tables`` the warehouse tables
    read; ``limit`` the row limit the statement carries.
    """

    sql: str
    dialect: str
    scopes: tuple[str, ...]
    tables: tuple[str, ...]
    limit: int
    tree: exp.Expression = field(repr=False, compare=False)

    def sql_for(self, dialect: str) -> str:
        """The same guarded statement transpiled to another dialect."""
        return self.tree.sql(dialect=dialect, comments=False)


def guard(
    sql: str,
    caller: Caller,
    catalog: Catalog,
    *,
    limit: int = DEFAULT_LIMIT,
    read: str | None = None,
) -> GuardedSql:
    """Validate ``sql`` and rewrite it to be read-only, scoped to ``caller`` and row-capped.

    ``limit`` is the most rows the statement may return (a smaller LIMIT in the
    statement is kept); ``read`` is the dialect the SQL is written in (default:
    the catalog's). Raises :class:`~assistant.errors.GuardError` with a
    user-facing message and a ``reason`` code when the statement is refused.
    """
    if limit < 1:
        raise GuardError(f"the row limit must be at least 1, not {limit}", reason="invalid_limit")
    ctx = GuardContext(catalog=catalog, caller=caller, limit=limit, sql=sql)
    try:
        tree = parse_statement(sql, read or catalog.dialect)
        for check in CHECKS:
            tree = check(tree, ctx)
        text = tree.sql(dialect=catalog.dialect, comments=False)
    except GuardError:
        raise
    except RecursionError as exc:
        raise GuardError("the SQL is nested too deeply to check", reason="unsupported") from exc
    except Exception as exc:  # fail closed: an unexpected error is a refusal, never a pass
        raise GuardError(
            f"the SQL could not be checked ({type(exc).__name__}); rephrase it more simply",
            reason="internal_error",
        ) from exc
    return GuardedSql(
        sql=text,
        dialect=catalog.dialect,
        scopes=tuple(ctx.scopes),
        tables=tuple(ctx.tables),
        limit=ctx.limit_applied,
        tree=tree,
    )
