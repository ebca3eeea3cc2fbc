"""``hrq sql "SQL" [--user EMPLOYEE_NO] [--json]``: run one guarded statement and print its rows.

Without ``--user`` the caller is the local operator (admin). A refusal by the
guard (or a statement the warehouse cannot run) prints the reason and exits
with code 1; with ``--json`` it prints ``{"kind": "error", "reason": ..., "message": ...}``.
Every statement, run, refused or failed, is written to the audit log (surface
``cli-sql``) before anything is printed, like a question.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from api.cli.app import app, err_console, settings, user_errors

if TYPE_CHECKING:
    from assistant.audit import StatementKind
    from assistant.errors import AssistantError
    from assistant.execute import QueryResult
    from assistant.guard import GuardedSql

#: The audit surface of ``hrq sql``.
SURFACE = "cli-sql"


@app.command("sql")
def sql_command(
    statement: Annotated[str, typer.Argument(help="One SELECT statement to run on the warehouse.")],
    user: Annotated[
        str | None,
        typer.Option(
            "--user", help="Ask as this employee number (default: the local operator, admin)."
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the result or refusal as JSON.")
    ] = False,
) -> None:
    """Run guarded SQL: read-only, scoped to the caller, row-capped, with a timeout."""
    from assistant.audit import AuditLog, statement_content
    from assistant.callers import resolve_caller
    from assistant.errors import GuardError, QueryError
    from assistant.execute import Executor
    from assistant.guard import Catalog, guard
    from schema.caller import Caller
    from schema.db import app_engine, dialect_of, warehouse_engine

    cfg = settings()
    with user_errors():
        app_db = app_engine(cfg.app_db_url)
        audit = AuditLog(app_db, hmac_key=cfg.audit_hmac_key)
        engine = warehouse_engine(cfg.warehouse_url, read_only=True)
        executor = Executor.from_settings(engine, cfg).start()  # opens while the guard runs
        caller = (
            Caller.operator()
            if user is None
            else resolve_caller(user, warehouse=engine, app=app_db)
        )
        catalog = Catalog.from_contract(dialect_of(cfg.warehouse_url))
    started = time.perf_counter()
    guarded: GuardedSql | None = None
    try:
        guarded = guard(statement, caller, catalog, limit=cfg.sql_row_limit)
        result = executor.execute(guarded)
    except (GuardError, QueryError) as exc:
        kind: StatementKind = "refusal" if isinstance(exc, GuardError) else "error"
        with user_errors():
            audit.append(statement_content(
                statement, caller, SURFACE, kind=kind, reason=exc.reason,
                sql_guarded=guarded.sql if guarded else None,
                scopes=guarded.scopes if guarded else (), latency_ms=_ms(started),
            ))  # fmt: skip
        _refuse(exc, as_json)
    finally:
        engine.dispose()  # and the executor's worker with it
    with user_errors():  # no rows are shown unless their statement is in the audit log
        audit.append(statement_content(
            statement, caller, SURFACE, kind="answer", sql_guarded=guarded.sql,
            scopes=guarded.scopes, row_count=len(result.rows), latency_ms=_ms(started),
        ))  # fmt: skip
    if as_json:
        typer.echo(json.dumps(_payload(guarded, result), ensure_ascii=False, allow_nan=False))
    else:
        _render(guarded, result)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def _payload(guarded: GuardedSql, result: QueryResult) -> dict[str, object]:
    """The JSON shape of a successful run: values in their one JSON form (schema/jsonvalue.py),
    ``truncated_by`` ("rows", "bytes" or null) and ``notes`` saying how the rows were cut or shown."""
    converted = result.json_rows()
    return {
        "kind": "rows",
        "columns": list(result.columns),
        "rows": converted.rows,
        "truncated": result.truncated,
        "truncated_by": result.truncated_by,
        "notes": converted.notes,
        "sql": guarded.sql,
        "scopes": list(guarded.scopes),
    }


def _render(guarded: GuardedSql, result: QueryResult) -> None:
    """Rows as a rich table, then the scopes and the row cap if they mattered."""
    console = Console()
    converted = result.json_rows()
    table = Table(*result.columns, show_lines=False)
    for row in converted.rows:
        table.add_row(*("" if value is None else _cell(value) for value in row))
    console.print(table)
    console.print(f"{len(result.rows)} row(s)", style="dim")
    for note in converted.notes:
        console.print(note, style="yellow" if result.truncated else "dim")
    for scope in guarded.scopes:
        console.print(f"scope: {scope}", style="dim")


def _cell(value: object) -> str:
    """A cell as text: a list or object as its JSON."""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _refuse(exc: AssistantError, as_json: bool) -> NoReturn:
    """Print a refusal and exit 1."""
    if as_json:
        typer.echo(
            json.dumps(
                {"kind": "error", "reason": exc.reason, "message": str(exc)}, ensure_ascii=False
            )
        )
    else:
        err_console.print(
            f"[bold red]refused ({exc.reason}):[/] {exc}", highlight=False, soft_wrap=True
        )
    raise typer.Exit(1)
