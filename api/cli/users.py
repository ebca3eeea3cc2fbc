"""``hrq users grant|revoke|list|show``: callers and their roles.

A grant is stored in the app database and overrides the role the warehouse
implies (HR department -> hr, direct reports -> manager, sales roster -> sales);
revoking it lets the warehouse's role apply again. A running server picks a change
up within ``HRQ_API_CALLER_CACHE_S`` seconds.
"""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.app import command_group, settings, user_errors

users_app = command_group("users", "Callers and their roles.")


@users_app.command("grant")
def grant(
    employee_no: Annotated[str, typer.Argument(help="Employee number, e.g. E00123.")],
    role: Annotated[str, typer.Argument(help="admin, hr, manager, sales or employee.")],
) -> None:
    """Give an employee a role, overriding the one the warehouse implies."""
    from assistant.callers import grant_role, parse_role, resolve_caller
    from schema.db import app_engine, warehouse_engine

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


@users_app.command("revoke")
def revoke(
    employee_no: Annotated[str, typer.Argument(help="Employee number, e.g. E00123.")],
) -> None:
    """Remove an employee's granted role; the role the warehouse implies applies again."""
    from assistant.callers import resolve_caller, revoke_role
    from assistant.errors import CallerError
    from schema.db import app_engine, warehouse_engine

    cfg = settings()
    with user_errors():
        removed = revoke_role(app_engine(cfg.app_db_url), employee_no)
    now = "not an active employee"
    warehouse = warehouse_engine(cfg.warehouse_url, read_only=True)
    try:
        now = f"role now {resolve_caller(employee_no, warehouse=warehouse).role.value}"
    except CallerError as exc:
        now = str(exc)
    finally:
        warehouse.dispose()
    typer.echo(f"{employee_no}: grant of {removed.value} removed; {now}")


@users_app.command("list")
def list_grants() -> None:
    """The granted roles (employees whose role is not the one the warehouse implies)."""
    from assistant.callers import granted_roles
    from schema.db import app_engine

    cfg = settings()
    with user_errors():
        grants = granted_roles(app_engine(cfg.app_db_url))
    if not grants:
        typer.echo("no granted roles")
    for number, role in grants:
        typer.echo(f"{number}\t{role.value}")


@users_app.command("show")
def show(employee_no: Annotated[str, typer.Argument(help="Employee number, e.g. E00123.")]) -> None:
    """Show an employee's role and the departments their questions are scoped to."""
    from assistant.callers import resolve_caller
    from schema.db import app_engine, warehouse_engine

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
