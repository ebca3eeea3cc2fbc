"""``hrq warehouse copy``: copy the contract tables between warehouse engines.

The library does the work (``schema.transfer``); this command turns options
into one call, shows a progress bar on stderr and renders the report: per
table the rows and the checksum on each side. Exit codes: 0 exact copy, 1 the
copy finished but a table does not match, 2 bad input or a failed copy
(nothing kept), 130 interrupted (nothing kept).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli.app import command_group, fail
from schema.errors import HrqError

if TYPE_CHECKING:
    from schema.transfer import CopyReport

#: Columns the report needs to show table names and checksums unwrapped.
REPORT_WIDTH = 100

warehouse = command_group("warehouse", "Work with warehouses: copy one engine's tables to another.")


@warehouse.command("copy")
def copy(
    source: Annotated[str, typer.Argument(help="URL of the warehouse to copy from (read-only).")],
    destination: Annotated[str, typer.Argument(help="URL of the warehouse to copy to.")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace the contract tables if they hold rows.")
    ] = False,
    batch_rows: Annotated[
        int, typer.Option("--batch-rows", help="Rows per batch read and written.")
    ] = 50_000,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON (source, tables, exact).")
    ] = False,
) -> None:
    """Copy every contract table from SOURCE to DESTINATION and compare checksums."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )

    from schema.transfer import CopyInterrupted, copy_warehouse

    columns = (
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    console = Console(stderr=True)
    bar = Progress(*columns, console=console, transient=True, disable=not console.is_terminal)
    tasks: dict[str, TaskID] = {}

    def report(table: str, done: int, total: int) -> None:
        if table not in tasks:
            tasks[table] = bar.add_task(table, total=total)
        bar.update(tasks[table], completed=done)

    try:
        with bar:
            result = copy_warehouse(
                source, destination, replace=replace, batch_rows=batch_rows, progress=report
            )
    except CopyInterrupted as exc:
        fail(str(exc), 130)
    except KeyboardInterrupt:
        fail("copy interrupted before it started; nothing was written", 130)
    except HrqError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    else:
        print_report(result, Console(width=max(REPORT_WIDTH, Console().width)))
    if not result.exact:
        bad = ", ".join(t.table for t in result.tables if not t.exact)
        fail(f"the copy is not exact: {bad} differ between source and destination", 1)


def print_report(result: CopyReport, console: Console) -> None:
    """Rows and checksums per table on both sides."""
    table = Table(title=f"{result.source} -> {result.destination}")
    for name, justify in (
        ("table", "left"),
        ("src rows", "right"),
        ("dst rows", "right"),
        ("src checksum", "left"),
        ("dst checksum", "left"),
        ("match", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for t in result.tables:
        table.add_row(
            t.table,
            f"{t.source_rows:,}",
            f"{t.destination_rows:,}",
            t.source_checksum,
            t.destination_checksum,
            "ok" if t.exact else "DIFFERS",
        )
    console.print(table)
    rows = sum(t.destination_rows for t in result.tables)
    verdict = "exact" if result.exact else "NOT exact"
    console.print(f"{len(result.tables)} tables, {rows:,} rows copied; copy {verdict}")
