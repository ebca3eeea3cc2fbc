"""Which table references in a tree name a real table and which name a CTE.

The resolution under-approximates what the database sees as a CTE reference,
so an ambiguity always ends as "a real table" (which is then either a catalog
table that gets scoped, or an unknown table that is refused), never as an
unscoped read:

- a CTE is visible in the query it is attached to (and its subqueries), and in
  the bodies of the CTEs defined *after* it in the same ``WITH``;
- in ``WITH RECURSIVE`` a CTE is also visible in its own body;
- a qualified name (``main.employees``) is always a real table.

Identifiers must already be normalised the way the database normalises them
(``sqlglot.optimizer.normalize_identifiers``), so names compare exactly.
"""

from __future__ import annotations

from sqlglot import exp


def cte_names(tree: exp.Expression) -> list[str]:
    """The names of every CTE defined anywhere in ``tree``."""
    return [cte.alias_or_name for cte in tree.find_all(exp.CTE)]


def real_tables(tree: exp.Expression) -> list[exp.Table]:
    """Every ``Table`` node in ``tree`` that does not resolve to a visible CTE."""
    found: list[exp.Table] = []
    _visit(tree, frozenset(), found)
    return found


def _visit(node: exp.Expression, visible: frozenset[str], found: list[exp.Table]) -> None:
    """Walk ``node`` with the CTE names ``visible`` at this point, collecting real tables."""
    if isinstance(node, exp.Table):
        plain = isinstance(node.this, exp.Identifier) and not node.args.get("db")
        if not (plain and not node.args.get("catalog") and node.name in visible):
            found.append(node)
        for key, value in node.args.items():
            if key != "this" or not isinstance(value, exp.Identifier):
                _visit_value(value, visible, found)
        return
    with_ = node.args.get("with_")
    inner = visible
    if isinstance(with_, exp.With):
        recursive = bool(with_.args.get("recursive"))
        defined = set(visible)
        for cte in with_.expressions:
            name = cte.alias_or_name
            _visit(
                cte.this, frozenset(defined | {name}) if recursive else frozenset(defined), found
            )
            for key, value in cte.args.items():
                if key != "this":
                    _visit_value(value, visible, found)
            defined.add(name)
        for key, value in with_.args.items():
            if key != "expressions":
                _visit_value(value, visible, found)
        inner = frozenset(defined)
    for key, value in node.args.items():
        if key != "with_":
            _visit_value(value, inner, found)


def _visit_value(value: object, visible: frozenset[str], found: list[exp.Table]) -> None:
    """Visit an argument value: an expression, a list of them, or a plain value."""
    if isinstance(value, exp.Expression):
        _visit(value, visible, found)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, exp.Expression):
                _visit(item, visible, found)
