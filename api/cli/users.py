"""``hrq users grant EMPLOYEE_NO ROLE`` and ``hrq users show EMPLOYEE_NO``: callers and their roles.

A grant is stored in the app database and overrides the role the warehouse
implies (HR department -> hr, direct reports -> manager, sales roster -> sales).
"""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.app import app, settings, user_errors
from assistant.callers import grant_role, parse_role, resolve_caller
from schema.db import app_engine, warehouse_engine

users_app = typer.Typer(help="Callers and their roles.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("grant")
def grant(
    employee_no: Annotated[str, typer.Argument(help="Employee number, e.g. E00123.")],
    role: Annotated[str, typer.Argument(help="admin, hr, manager, sales or employee.")],
) -> None:
    """Give an employee a role, overriding the one the warehouse implies."""
    cfg = settings()
    with user_errors():
        chosen = parse_role(role)
        warehouse = warehouse_engine(cfg.warehouse_url, read_only=True)
        try:
            resolve_caller(employee_no, warehouse=warehouse)
        finally:
            warehouse.dispose()
        grant_role(app_engine(cfg.app_db_url), employee_no, chosen)
    typer.echo(f"{employee_no} is now {chosen.value}")


@users_app.command("show")
def show(employee_no: Annotated[str, typer.Argument(help="Employee number, e.g. E00123.")]) -> None:
    """Show an employee's role and the departments their questions are scoped to."""
    cfg = settings()
    with user_errors():
        warehouse = warehouse_engine(cfg.warehouse_url, read_only=True)
        try:
            caller = resolve_caller(
                employee_no, warehouse=warehouse, app=app_engine(cfg.app_db_url)
            )
        finally:
            warehouse.dispose()
    departments = ", ".join(str(d) for d in sorted(caller.department_ids))
    typer.echo(f"{caller.employee_no} {caller.name}: role {caller.role.value}")
    typer.echo(f"department {caller.department_id}; subtree: {departments}")
