"""``hrq demo-key``: the demo's admin key, created once and reused from ``data/``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from api.cli.app import app, fail, settings, user_errors


def _hr_employee_no(warehouse_url: str) -> str:
    """The first active employee of an HR department: the demo's admin user."""
    import sqlalchemy as sa

    from schema.db import warehouse_engine
    from schema.warehouse import departments, employees

    engine = warehouse_engine(warehouse_url, read_only=True)
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(employees.c.employee_no)
            .join(departments, departments.c.department_id == employees.c.department_id)
            .where(departments.c.kind == "hr", employees.c.status == "active")
            .order_by(employees.c.employee_id)
            .limit(1)
        ).first()
    engine.dispose()
    if row is None:
        fail("the warehouse has no active HR employee to own the demo key")
    return str(row.employee_no)


@app.command("demo-key")
def demo_key(
    url: Annotated[
        str, typer.Option("--url", help="Where the server will listen.")
    ] = "http://127.0.0.1:8000",
) -> None:
    """Print the demo admin key (created on first use, kept in data/demo-key.json)."""
    from assistant import keys
    from schema.caller import Role
    from schema.db import app_engine

    config = settings()
    path = config.data_dir / "demo-key.json"
    with user_errors():
        engine = app_engine(config.app_db_url)
        saved = _read(path)
        if saved is None or keys.authenticate(engine, saved["key"]) is None:
            key, record = keys.create_key(engine, _hr_employee_no(config.warehouse_url), Role.ADMIN)
            saved = {"key": key, "user": record.employee_no, "role": "admin"}
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(saved), encoding="utf-8")
            os.chmod(path, 0o600)
        engine.dispose()
    typer.echo(f"web page:  {url}/")
    typer.echo(f"admin key: {saved['key']}  (user {saved['user']}; kept in {path})")
    typer.echo(
        f"try:       curl -s -H 'Authorization: Bearer {saved['key']}' -H 'Content-Type: application/json' "
        f'-d \'{{"question": "本月各销售部门业绩中位数是多少"}}\' {url}/v1/ask'
    )


def _read(path: Path) -> dict[str, str] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and "key" in data else None
