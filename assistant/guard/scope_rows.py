"""Row and column scope: every warehouse table reference becomes a scoped subquery.

Per RULES.md "Who may see what", by the caller's role:

- ``admin``, ``hr``: everything; table references are left as they are.
- ``manager``: the people table restricted to the caller's department subtree;
  tables owned by an employee restricted to employees of that subtree; tables
  owned by a department restricted to the subtree; ``phone``/``email`` (the
  catalog's personal columns) replaced by NULL on every row but the caller's
  own. HR-only tables (``payroll``) are refused outright: RULES.md gives
  managers "no payroll rows", and that includes their own (a manager asks HR).
- ``sales`` and ``employee``: their own rows of every employee-owned table
  (``payroll`` included: "anyone may ask about themselves"), their own
  department's row of the org table, nothing of other department-owned tables
  (``marketing_spend``). A sales employee's department leaderboard comes from
  the performance tool, not from SQL.

A table without an owner in the catalog is HR/admin only (fail closed). The
rewrite replaces the ``Table`` node itself, so joins, subqueries, set
operations, aliases and correlated references all read the scoped rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from assistant.errors import GuardError
from assistant.guard.context import GuardContext
from assistant.guard.sources import real_tables
from schema.caller import Role

#: Table-reference arguments that survive the rewrite (anything else is refused).
KEPT_ARGS = frozenset({"this", "db", "catalog", "alias", "only", "pivots"})


@dataclass(frozen=True)
class Restriction:
    """How one table is narrowed for the caller: a row predicate and masked columns."""

    predicate: exp.Expression
    masked: frozenset[str]
    notes: tuple[str, ...]


def scope_rows(tree: exp.Expression, ctx: GuardContext) -> exp.Expression:
    """Replace each warehouse table reference by the caller's scoped view of it."""
    tables = [table for table in real_tables(tree) if isinstance(table.this, exp.Identifier)]
    for table in tables:
        if set(table.args) - KEPT_ARGS and any(
            table.args[key] for key in set(table.args) - KEPT_ARGS
        ):
            raise GuardError(
                f"this form of table reference is not supported: {table.sql(dialect=ctx.catalog.dialect)}",
                reason="unsupported",
            )
        if ctx.caller.role.sees_everything:
            table.set("db", None)
            table.set("catalog", None)
            continue
        restriction = _restriction(table.name, ctx)
        for note in restriction.notes:
            if note not in ctx.scopes:
                ctx.scopes.append(note)
        replacement = _scoped_source(table, restriction, ctx)
        if table is tree:
            return replacement
        table.replace(replacement)
    return tree


def _restriction(name: str, ctx: GuardContext) -> Restriction:
    """The caller's restriction on table ``name``, or ``GuardError`` when none of it is visible."""
    catalog, caller = ctx.catalog, ctx.caller
    me = caller.employee_id
    subtree = sorted(
        caller.department_ids or ({caller.department_id} if caller.department_id else set())
    )
    if me is None or (caller.role is Role.MANAGER and not subtree):
        raise GuardError(
            f"no warehouse rows are in scope for this caller (role {caller.role.value} without an "
            "employee record)",
            reason="no_scope",
        )
    if name in catalog.hr_only and caller.role is Role.MANAGER:
        raise GuardError(
            f"{name} is visible to HR only; managers see no {name} rows, not even their own "
            "(ask HR for your own)",
            reason="denied_payroll" if name == "payroll" else "denied_table",
        )
    owner = catalog.owners.get(name)
    if owner is None:
        raise GuardError(f"{name} is visible to HR only", reason="denied_table")
    column = _col(owner.column)
    if caller.role is Role.MANAGER:
        masked = catalog.personal_columns.get(name, frozenset())
        depts = ", ".join(str(d) for d in subtree)
        whose = (
            "employees in departments"
            if owner.kind == "employee" and name != catalog.people_table
            else "departments"
        )
        notes = [f"{name}: rows of {whose} {depts} (your department and those below it)"]
        if masked:
            notes.append(f"{name}.{'/'.join(sorted(masked))}: your own row only")
        if name == catalog.people_table:
            predicate: exp.Expression = _in(_col("department_id"), subtree)
        elif owner.kind == "department":
            predicate = _in(column, subtree)
        else:
            people = (
                exp.Select()
                .select(_col("employee_id"), copy=False)
                .from_(_table(catalog.people_table), copy=False)
                .where(_in(_col("department_id"), subtree), copy=False)
            )
            predicate = exp.In(this=column, query=exp.Subquery(this=people))
        return Restriction(predicate, masked, tuple(notes))
    if owner.kind == "employee":
        return Restriction(
            exp.EQ(this=column, expression=exp.Literal.number(me)),
            frozenset(),
            (f"{name}: your own rows only",),
        )
    if name == catalog.org_table and caller.department_id is not None:
        return Restriction(
            exp.EQ(this=column, expression=exp.Literal.number(caller.department_id)),
            frozenset(),
            (f"{name}: your own department only",),
        )
    raise GuardError(
        f"{name} is kept by department and visible to managers and HR; with the "
        f"{caller.role.value} role you see your own rows only",
        reason="denied_table",
    )


def _scoped_source(table: exp.Table, restriction: Restriction, ctx: GuardContext) -> exp.Subquery:
    """``(SELECT <columns> FROM <table> WHERE <predicate>) AS <alias>`` for ``table``."""
    name = table.name
    owner = ctx.catalog.owners[name]
    me = ctx.caller.employee_id
    columns: list[exp.Expression] = []
    for column in ctx.catalog.tables[name]:
        if column in restriction.masked and me is not None:
            own_row = exp.EQ(this=_col(owner.column), expression=exp.Literal.number(me))
            masked = exp.Case(ifs=[exp.If(this=own_row, true=_col(column))])
            columns.append(exp.Alias(this=masked, alias=exp.to_identifier(column, quoted=True)))
        else:
            columns.append(_col(column))
    select = (
        exp.Select()
        .select(*columns, copy=False)
        .from_(_table(name), copy=False)
        .where(restriction.predicate, copy=False)
    )
    alias = table.args.get("alias") or exp.TableAlias(this=exp.to_identifier(name, quoted=True))
    subquery = exp.Subquery(this=select, alias=alias)
    if table.args.get("pivots"):
        subquery.set("pivots", table.args["pivots"])
    return subquery


def _col(name: str) -> exp.Column:
    """A quoted column reference."""
    return exp.Column(this=exp.to_identifier(name, quoted=True))


def _table(name: str) -> exp.Table:
    """A quoted table reference."""
    return exp.Table(this=exp.to_identifier(name, quoted=True))


def _in(column: exp.Expression, values: list[int]) -> exp.In:
    """``column IN (v1, v2, ...)``."""
    return exp.In(this=column, expressions=[exp.Literal.number(value) for value in values])
