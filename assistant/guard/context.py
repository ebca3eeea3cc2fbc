"""What every check of the guard sees besides the tree: catalog, caller, limit, findings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlglot import exp

from assistant.guard.catalog import Catalog
from schema.caller import Caller


@dataclass
class GuardContext:
    """One guard run's inputs and what its checks found (for the audit log).

    Created fresh by :func:`assistant.guard.guard` for each statement; checks
    append to ``scopes`` and ``tables`` and set ``limit_applied``.
    """

    catalog: Catalog
    caller: Caller
    limit: int
    sql: str
    #: Human-readable scopes applied ("employees: departments 4, 6"), in order.
    scopes: list[str] = field(default_factory=list)
    #: Warehouse tables the statement reads (catalog names, first-seen order).
    tables: list[str] = field(default_factory=list)
    #: The row limit the rewritten statement carries.
    limit_applied: int = 0

    def add_table(self, name: str) -> None:
        """Record that the statement reads warehouse table ``name``."""
        if name not in self.tables:
            self.tables.append(name)


#: A check takes the tree and the context and returns the (possibly rewritten) tree or raises.
Check = Callable[[exp.Expression, GuardContext], exp.Expression]
