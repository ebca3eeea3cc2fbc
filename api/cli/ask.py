"""``hrq ask``: the interface every later surface and the evaluation uses."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli.app import app, parse_date, settings, user_errors

if TYPE_CHECKING:
    from assistant.answer import Answer, ColumnFormat


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in Chinese or English.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Reference date YYYY-MM-DD (default: today).")
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Ask as this employee_no (default: local admin).")
    ] = None,
    conversation: Annotated[
        str | None, typer.Option("--conversation", help="Continue this conversation id.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the answer object as JSON.")
    ] = False,
    trace: Annotated[
        bool,
        typer.Option("--trace", "-v", help="Also print the SQL and how figures were computed."),
    ] = False,
    live: Annotated[
        bool,
        typer.Option("--live", help="A closed month from live data instead of its snapshot."),
    ] = False,
) -> None:
    """Answer a question about the HR warehouse."""
    from assistant.ask import Assistant
    from assistant.callers import resolve_caller
    from schema.caller import Caller

    reference = parse_date(as_of, "--as-of")
    with user_errors():
        assistant = Assistant.from_settings(settings())
        caller = (
            resolve_caller(user, warehouse=assistant.warehouse, app=assistant.conversations.engine
                           if assistant.conversations else None)
            if user else Caller.operator()
        )  # fmt: skip
        answer = assistant.ask(
            question, caller, as_of=reference, conversation_id=conversation, surface="cli",
            live=live,
        )  # fmt: skip
    if as_json:
        typer.echo(json.dumps(answer.public(), ensure_ascii=False))
    else:
        _print(answer, trace)
    if answer.kind in ("refusal", "error"):
        raise typer.Exit(1)


def _print(answer: Answer, trace: bool) -> None:
    console = Console()
    console.print(answer.answer, highlight=False)
    if answer.interpretation:
        console.print(f"[dim]{answer.interpretation}[/]", highlight=False)
    if answer.options:
        for i, option in enumerate(answer.options, 1):
            console.print(f"  {i}. {option}", highlight=False)
    if answer.examples:
        for example in answer.examples:
            console.print(f"  - {example}", highlight=False)
    if answer.rows:
        console.print(_table(answer))
        if len(answer.rows) > 50:
            console.print(f"... {len(answer.rows) - 50} more rows (use --json for all)")
    for note in answer.notes:
        console.print(f"[yellow]{note}[/]", highlight=False)
    if trace and answer.sql:
        console.print(f"[dim]SQL: {answer.sql}[/]", highlight=False)
    if trace and answer.tool:
        console.print(f"[dim]tool: {answer.tool.name} {answer.tool.arguments}[/]", highlight=False)
        for line in answer.trace[1:]:
            console.print(f"[dim]  {line}[/]", highlight=False)
    if answer.conversation_id:
        reply = "1" if answer.options else "…"
        hint = (
            f'继续对话：hrq ask "{reply}" --conversation {answer.conversation_id}'
            if answer.language == "zh"
            else f'continue: hrq ask "{reply}" --conversation {answer.conversation_id}'
        )
        console.print(f"[dim]{hint}[/]", highlight=False)


NUMERIC_KINDS = ("money", "count", "number", "percent")


def _table(answer: Answer) -> Table:
    """The first 50 rows as the web page and the XLSX show them: money to the cent with
    thousands separators, fractions as percentages, months and dates in words, coded
    values in the answer's language; a Chinese answer leaves out English twin columns."""
    from assistant.figures import cell

    language = answer.language
    formats: list[ColumnFormat | None] = [*answer.formats] or [None] * len(answer.columns)
    keep = [
        i
        for i, column in enumerate(answer.columns)
        if not (language == "zh" and column.endswith("_en"))
    ]
    shown = [[cell(row[i], formats[i], language) for i in keep] for row in answer.rows[:50]]
    table = Table()
    for j, i in enumerate(keep):
        fmt = formats[i]
        if fmt is not None and fmt.kind in NUMERIC_KINDS and not fmt.values:
            # A figure is never cut short: the column is as wide as its widest figure.
            widest = max((len(values[j]) for values in shown), default=0)
            table.add_column(answer.columns[i], justify="right", no_wrap=True, min_width=widest)
        else:
            table.add_column(answer.columns[i])
    for values in shown:
        table.add_row(*values)
    return table
