"""Read-only: the statement is a query, and nothing in it writes, changes state or sets options.

The root must be a SELECT or a set operation (UNION / INTERSECT / EXCEPT) of
queries. Anywhere in the tree (CTE bodies, subqueries) every node that
belongs to sqlglot's DDL, DML, property or constraint families is refused, as
are ``SELECT ... INTO``, locking clauses (``FOR UPDATE``) and statement-like
query nodes. Statements sqlglot only knows as a ``Command`` (``CALL``, ``LOAD``,
``EXPLAIN ANALYZE ...``) are refused with the rest, and so are ClickHouse's
``SETTINGS`` clause (it could lift ``readonly`` or the limits the statement runs
under) and ``FORMAT`` clause (the driver chooses the wire format).
"""

from __future__ import annotations

from sqlglot import exp

from assistant.errors import GuardError
from assistant.guard.context import GuardContext

#: sqlglot expression modules whose every node is a write, DDL, session or storage form.
DENIED_MODULES = frozenset(
    {
        "sqlglot.expressions.ddl",
        "sqlglot.expressions.dml",
        "sqlglot.expressions.properties",
        "sqlglot.expressions.constraints",
    }
)

#: Query clauses that change how the engine runs the statement (ClickHouse).
DENIED_CLAUSES = ("settings", "format")

#: Nodes of other modules that write, lock, or are statements rather than expressions.
DENIED_NODES = frozenset(
    {
        "Into",
        "Lock",
        "LockingStatement",
        "Analyze",
        "Grant",
        "Revoke",
        "Put",
        "Get",
        "ListStage",
        "Block",
        "IfBlock",
        "WhileBlock",
        "LoopBlock",
        "RepeatBlock",
        "StoredProcedure",
        "Return",
        "MultitableInserts",
        "ConditionalInsert",
        "ColumnDef",
        "Cache",
        "Uncache",
        "Refresh",
        "Semicolon",
        "EndStatement",
    }
)


def read_only(tree: exp.Expression, ctx: GuardContext) -> exp.Expression:
    """Return the query unchanged (outer parentheses removed) or raise ``not_read_only``."""
    while isinstance(tree, exp.Subquery) and not tree.alias and _only_this(tree):
        tree = tree.this
    if not isinstance(tree, exp.Select | exp.SetOperation):
        raise GuardError(
            f"only SELECT queries can run; this is a {_describe(tree)} statement",
            reason="not_read_only",
        )
    for node in tree.walk():
        cls = type(node)
        if cls.__module__ in DENIED_MODULES or cls.__name__ in DENIED_NODES:
            raise GuardError(
                f"only reading is allowed; the query contains {_describe(node)}"
                f"{' (SELECT ... INTO writes a table)' if cls.__name__ == 'Into' else ''}",
                reason="not_read_only",
            )
        clause = next((name for name in DENIED_CLAUSES if node.args.get(name)), None)
        if clause is not None and isinstance(node, exp.Query):
            raise GuardError(
                f"a {clause.upper()} clause is not allowed: the limits and the read-only mode "
                "a query runs under are hrq's, not the query's",
                reason="not_read_only",
            )
    return tree


def _only_this(node: exp.Expression) -> bool:
    """Whether ``node`` has no argument but ``this`` (plain parentheses)."""
    return all(value is None or key == "this" for key, value in node.args.items())


def _describe(node: exp.Expr) -> str:
    """A short name for a statement or clause kind: ``DELETE``, ``COPY``, ``CALL``."""
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    names = {"Into": "SELECT ... INTO", "Lock": "a locking clause (FOR UPDATE/SHARE)"}
    return names.get(type(node).__name__, type(node).__name__.upper())
