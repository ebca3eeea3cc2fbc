"""``hrq demo-data`` and ``hrq demo-summary``: build the demo warehouse and show what it holds.

The library does the work (``schema.demodata``); these commands only turn
options into a call and render the result. Bad input is a one-line error with
exit code 2 and nothing written.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli.app import app, fail, parse_date, settings, user_errors

if TYPE_CHECKING:
    from schema.demodata import Summary

DEFAULT_OUT = Path("data/demo.duckdb")


@app.command("demo-data")
def demo_data(
    out: Annotated[
        str | None, typer.Option("--out", help="DuckDB file to write (default data/demo.duckdb).")
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="SQLAlchemy URL of a database to load instead.")
    ] = None,
    seed: Annotated[str, typer.Option("--seed", help="Random seed; same seed, same data.")] = "7",
    end_date: Annotated[
        str | None,
        typer.Option("--end-date", help="Last day with data, YYYY-MM-DD (default: today)."),
    ] = None,
    scale: Annotated[
        str,
        typer.Option("--scale", help="small (~100 people), medium (~1M orders) or large (10M+)."),
    ] = "small",
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing warehouse file or its tables.")
    ] = False,
) -> None:
    """Build the deterministic demo warehouse and print its summary."""
    from schema.demodata import SCALES, generate

    if out is not None and url is not None:
        fail("give either --out or --url, not both")
    if scale not in SCALES:
        fail(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    try:
        seed_value = int(seed)
    except ValueError:
        fail(f"--seed must be an integer, not {seed!r}")
    end = _end_date(end_date)
    target = url if url is not None else f"duckdb:///{Path(out) if out else DEFAULT_OUT}"
    with user_errors():
        if scale == "small":
            summary = generate(target, seed=seed_value, end_date=end, scale=scale, force=force)
        else:
            summary = _with_progress_bar(target, seed_value, end, scale, force)
    print_summary(summary, Console())


@app.command("demo-summary")
def demo_summary() -> None:
    """Summarise the warehouse at HRQ_WAREHOUSE_URL (opened read-only)."""
    from schema.db import warehouse_engine
    from schema.demodata import summarize

    with user_errors():
        engine = warehouse_engine(settings().warehouse_url, read_only=True)
        try:
            summary = summarize(engine)
        finally:
            engine.dispose()
    print_summary(summary, Console())


def _end_date(value: str | None) -> date:
    if value is None:
        return settings().today()
    return parse_date(value, "--end-date")


def _with_progress_bar(target: str, seed: int, end: date, scale: str, force: bool) -> Summary:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from schema.demodata import generate

    columns = (TextColumn("{task.description:<28}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(f"{scale} demo data", total=None)

        def report(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)

        return generate(target, seed=seed, end_date=end, scale=scale, force=force, progress=report)


def print_summary(summary: Summary, console: Console) -> None:
    """Render a summary: row counts, date range, departments."""
    counts = Table(title="Warehouse tables", show_lines=False)
    counts.add_column("table")
    counts.add_column("rows", justify="right")
    for name, rows in summary.tables.items():
        counts.add_row(name, f"{rows:,}")
    console.print(counts)
    console.print(f"Sales orders from {summary.date_from} to {summary.date_to}")
    depts = Table(title="Departments")
    for column in ("id", "name", "name_en", "kind", "city", "headcount"):
        depts.add_column(column, justify="right" if column in ("id", "headcount") else "left")
    for d in summary.departments:
        depts.add_row(
            str(d.department_id), d.name, d.name_en or "", d.kind, d.city or "", str(d.headcount)
        )
    console.print(depts)
