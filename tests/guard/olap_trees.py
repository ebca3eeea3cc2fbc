"""When a statement written for StarRocks or Doris means what the DuckDB statement means.

sqlglot transpiles a DuckDB tree to StarRocks or Doris; parsed back, the tree is
compared with the original after undoing the two spellings that differ without
changing the meaning:

- identifiers the MySQL-family dialects quote (``name``, ``status``, ``month``
  are keywords there) come back quoted;
- an ORDER BY term naming a column alias comes back as the aliased expression
  (sqlglot needs the expression for the next rule); both mean the same sort;
- ``a || b || c`` comes back as ``CONCAT(a, b, c)``; both give NULL when any part is
  NULL (``safe`` and ``coalesce`` must agree);
- StarRocks and Doris divide safely (``x / 0`` is NULL), so ``a / NULLIF(b, 0)``
  comes back as a safe division: with a divisor that cannot be 0 both are the same;
- DuckDB sorts NULLs last in an ascending ORDER BY, StarRocks and Doris first,
  so sqlglot writes ``ORDER BY CASE WHEN x IS NULL THEN 1 ELSE 0 END, x``: that
  pair is read back as ``x NULLS LAST``, which is what the CASE term spells.

Nothing else is forgiven: a changed function, cast, literal, join or filter
makes the trees differ.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp


def unquoted(tree: exp.Expression) -> exp.Expression:
    """The tree with every identifier unquoted."""

    def strip(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Identifier) and node.quoted:
            return exp.to_identifier(node.name, quoted=False)
        return node

    return tree.copy().transform(strip)


def _null_sort_key(term: exp.Expression) -> exp.Expression | None:
    """``x`` when ``term`` is sqlglot's ``CASE WHEN x IS NULL THEN 1 ELSE 0 END``."""
    case = term.this if isinstance(term, exp.Ordered) else term
    if not isinstance(case, exp.Case) or len(case.args.get("ifs") or []) != 1:
        return None
    when = case.args["ifs"][0]
    condition, then, default = when.this, when.args.get("true"), case.args.get("default")
    if (
        isinstance(condition, exp.Is)
        and isinstance(condition.expression, exp.Null)
        and then == exp.Literal.number(1)
        and default == exp.Literal.number(0)
    ):
        return condition.this
    return None


def without_null_emulation(tree: exp.Expression) -> exp.Expression:
    """The tree with each ``CASE WHEN x IS NULL ...`` sort term folded into ``x NULLS LAST``."""
    tree = tree.copy()
    for order in tree.find_all(exp.Order):
        terms = list(order.expressions)
        kept: list[exp.Expression] = []
        i = 0
        while i < len(terms):
            key = _null_sort_key(terms[i])
            following = terms[i + 1] if i + 1 < len(terms) else None
            if key is not None and isinstance(following, exp.Ordered) and following.this == key:
                following.set("nulls_first", False)
                kept.append(following)
                i += 2
                continue
            kept.append(terms[i])
            i += 1
        order.set("expressions", kept)
    return tree


def aliases_resolved(tree: exp.Expression) -> exp.Expression:
    """The tree with each ORDER BY term that names a projection's alias replaced by the
    projected expression."""
    tree = tree.copy()
    for select in tree.find_all(exp.Select):
        order = select.args.get("order")
        if order is None:
            continue
        named = {p.alias: p.this for p in select.expressions if isinstance(p, exp.Alias)}
        for term in order.expressions:
            column = term.this if isinstance(term, exp.Ordered) else None
            if isinstance(column, exp.Column) and not column.table and column.name in named:
                term.set("this", named[column.name].copy())
    return tree


def concat_and_division(tree: exp.Expression) -> exp.Expression:
    """``a || b || c`` as ``CONCAT(a, b, c)``; a division by ``NULLIF(x, 0)`` not marked safe."""

    def parts(node: exp.Expression) -> list[exp.Expression]:
        if isinstance(node, exp.DPipe):
            return parts(node.this) + parts(node.expression)
        return [node]

    def fold(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.DPipe) and not isinstance(node.parent, exp.DPipe):
            return exp.Concat(
                expressions=[p.copy() for p in parts(node)],
                safe=bool(node.args.get("safe")),
                coalesce=False,
            )
        if isinstance(node, exp.Div):
            divisor = node.expression
            if isinstance(divisor, exp.Nullif) and divisor.expression == exp.Literal.number(0):
                node.set("safe", False)
        return node

    return tree.copy().transform(fold)


def canonical(tree: exp.Expression) -> exp.Expression:
    """The tree with the spellings that do not change meaning undone."""
    return without_null_emulation(aliases_resolved(concat_and_division(unquoted(tree))))


def round_trip_problem(sql: str, read: str, dialect: str) -> str | None:
    """Why ``sql`` (in ``read``) written in ``dialect`` and parsed back means something else,
    or None when it parses back to an equivalent tree."""
    original = sqlglot.parse_one(sql, read=read)
    text = original.sql(dialect=dialect, comments=False)
    try:
        back = sqlglot.parse_one(text, read=dialect)
    except sqlglot.errors.ParseError as exc:
        return f"{dialect} cannot parse it back: {exc}: {text}"
    if canonical(back) != canonical(original):
        return (
            f"a different tree in {dialect}:\n  {canonical(original).sql(read)}\n"
            f"  {canonical(back).sql(read)}\n  ({text})"
        )
    return None
