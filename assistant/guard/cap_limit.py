"""Cost: the outermost query returns at most ``limit`` rows.

A ``LIMIT n`` with a plain integer ``n`` no larger than the cap is kept; any
other limit (larger, ``ALL``, ``NULL``, an expression, a percentage, a
``FETCH FIRST`` with ties) is replaced by the cap; a query without one gets
it. Limits inside subqueries are the query's own business: only the root's
limits the rows returned.
"""

from __future__ import annotations

from sqlglot import exp

from assistant.guard.context import GuardContext


def cap_limit(tree: exp.Expression, ctx: GuardContext) -> exp.Expression:
    """Set the root query's LIMIT to ``min(own limit, ctx.limit)``."""
    own = _own_limit(tree.args.get("limit"))
    applied = own if own is not None and own <= ctx.limit else ctx.limit
    tree.set("limit", exp.Limit(expression=exp.Literal.number(applied)))
    ctx.limit_applied = applied
    return tree


def _own_limit(node: exp.Expression | None) -> int | None:
    """The statement's own row limit if it is a plain non-negative integer, else None."""
    if isinstance(node, exp.Limit):
        if node.args.get("offset") is not None or node.args.get("expressions"):
            return None
        value = node.expression
    elif isinstance(node, exp.Fetch):
        value = node.args.get("count")
    else:
        return None
    options = node.args.get("limit_options")
    if options is not None and (options.args.get("percent") or options.args.get("with_ties")):
        return None
    if isinstance(value, exp.Literal) and not value.is_string and value.is_int:
        number = int(value.this)
        return number if number >= 0 else None
    return None
