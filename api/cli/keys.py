"""``hrq keys create|revoke|list``: API keys for the HTTP API and the web page."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli.app import command_group, fail, settings, user_errors

keys_app = command_group("keys", "API keys: create (shown once), revoke, list.")


@keys_app.command("create")
def create(
    user: Annotated[str, typer.Option("--user", help="Employee number of the key's user.")],
    role: Annotated[
        str | None,
        typer.Option("--role", help="Force a role (admin, hr, manager, sales, employee)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help='Print {"key","user","role"}.')] = False,
) -> None:
    """Create a key for an employee; the key is printed once and stored only as a hash."""
    from assistant import keys as api_keys
    from schema.caller import Role
    from schema.db import app_engine

    chosen: Role | None = None
    if role is not None:
        try:
            chosen = Role(role.strip().lower())
        except ValueError:
            fail(f"unknown role {role!r}; the roles are: {', '.join(r.value for r in Role)}")
    engine = app_engine(settings().app_db_url)
    with user_errors():
        key, record = api_keys.create_key(engine, user, chosen)
    engine.dispose()
    role_text = record.role.value if record.role else None
    if as_json:
        typer.echo(json.dumps({"key": key, "user": record.employee_no, "role": role_text}))
        return
    typer.echo(key)
    Console(stderr=True).print(
        f"key {record.key_id} for {record.employee_no} "
        f"(role: {role_text or 'from the warehouse'}); it is shown only this once"
    )


@keys_app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (see `hrq keys list`).")],
) -> None:
    """Revoke a key: it stops working at once."""
    from assistant import keys as api_keys
    from schema.db import app_engine

    engine = app_engine(settings().app_db_url)
    with user_errors():
        record = api_keys.revoke(engine, api_keys.key_id_of(key_id) or key_id)
    engine.dispose()
    typer.echo(f"revoked {record.key_id} ({record.employee_no})")


@keys_app.command("list")
def list_keys(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """Every key: id, user, role, created, revoked (never the secret)."""
    from assistant import keys as api_keys
    from schema.db import app_engine

    engine = app_engine(settings().app_db_url)
    records = api_keys.list_keys(engine)
    engine.dispose()
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in records], ensure_ascii=False))
        return
    table = Table("id", "user", "role", "created", "revoked")
    for r in records:
        table.add_row(
            r.key_id,
            r.employee_no,
            r.role.value if r.role else "(warehouse)",
            r.created_at.strftime("%Y-%m-%d %H:%M"),
            r.revoked_at.strftime("%Y-%m-%d %H:%M") if r.revoked_at else "",
        )
    Console().print(table)
