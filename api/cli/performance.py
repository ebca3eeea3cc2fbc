"""``hrq performance``, ``hrq leaderboard``, ``hrq suggest-targets``, ``hrq forecast``.

Thin commands over the performance engine in ``tools/``: they open the warehouse
read-only (``HRQ_WAREHOUSE_URL``), read the bonus policy (``HRQ_BONUS_POLICY_PATH``),
call one tool as the local operator and render the result: a rich table for people,
``--json`` for machines (``{columns, rows, summary, trace}``). Errors are one line,
exit code 2.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from api.cli.app import app, err_console, fail, parse_date, settings, user_errors
from schema.caller import Caller

if TYPE_CHECKING:
    from sqlalchemy import Connection

MonthOpt = Annotated[str, typer.Option("--month", help="Month, YYYY-MM.")]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print {columns, rows, summary, trace} as JSON.")
]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Reference date YYYY-MM-DD (default: today).")
]
LiveOpt = Annotated[
    bool, typer.Option("--live", help="A closed month from live data instead of its snapshot.")
]
TraceOpt = Annotated[
    bool, typer.Option("--trace", "-v", help="Also print how the figures were computed.")
]


@app.command("performance")
def performance(
    month: MonthOpt,
    department: Annotated[
        str | None, typer.Option("--department", help="Name, English name or id (default: all).")
    ] = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    live: LiveOpt = False,
    trace: TraceOpt = False,
) -> None:
    """Dual-target performance for a month: sales, minimum target, median, bonus, rank.

    A closed month comes from its latest snapshot unless --live."""
    from tools.performance import monthly_performance

    with user_errors(), _warehouse() as conn, _closes(live) as closes:
        report = monthly_performance(
            conn, month, caller=Caller.operator(), department=department,
            as_of=parse_date(as_of, "--as-of"), policy=_policy(), closes=closes,
        )  # fmt: skip
    table = report.as_table()
    if as_json:
        _print_json(table)
        return
    console = _console()
    for summary in report.summaries:
        console.print(_department_table(report, summary))
    if trace:
        _print_trace(console, report.trace)


@app.command("leaderboard")
def leaderboard(
    month: MonthOpt,
    department: Annotated[str, typer.Option("--department", help="Name, English name or id.")],
    png: Annotated[
        Path | None, typer.Option("--png", help="Also draw the chart to this PNG.")
    ] = None,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print markdown (for chat).")
    ] = False,
    as_json: JsonOpt = False,
    live: LiveOpt = False,
) -> None:
    """The ranked leaderboard of one sales department with gap to the median.

    A closed month comes from its latest snapshot unless --live."""
    from tools.leaderboard import leaderboard as build

    with user_errors(), _warehouse() as conn, _closes(live) as closes:
        board = build(
            conn, month, department, caller=Caller.operator(), policy=_policy(), closes=closes
        )
    if png is not None:
        from tools.chart import NO_CJK_FONT

        with user_errors(), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=re.escape(NO_CJK_FONT))  # said below
            try:
                board.render_png(png)
            except OSError as exc:
                fail(f"cannot write {png}: {exc.strerror}")
        if NO_CJK_FONT in board.trace:
            err_console.print(f"note: {NO_CJK_FONT}", highlight=False, soft_wrap=True)
    if as_json:
        _print_json(board.as_table())
    elif markdown:
        typer.echo(board.to_markdown())
    else:
        typer.echo(board.to_text())
    if png is not None and not as_json:
        typer.echo(f"chart written to {png}")


@app.command("suggest-targets")
def suggest_targets(
    department: Annotated[str, typer.Option("--department", help="Name, English name or id.")],
    month: Annotated[str, typer.Option("--month", help="Month to set targets for, YYYY-MM.")],
    spend: Annotated[str, typer.Option("--spend", help="Planned marketing spend, CNY.")],
    leads: Annotated[
        int | None, typer.Option("--leads", help="Planned leads (adds leads to the model).")
    ] = None,
    as_json: JsonOpt = False,
    trace: TraceOpt = False,
) -> None:
    """Suggest minimum targets from planned marketing spend (OLS, 80 % interval, ramp)."""
    from tools.targets import suggest_targets as suggest

    try:
        amount = Decimal(spend.replace(",", ""))
    except InvalidOperation:
        fail(f"--spend must be an amount in CNY, not {spend!r}")
    with user_errors(), _warehouse() as conn:
        result = suggest(
            conn, department, month, amount, caller=Caller.operator(),
            planned_leads=leads, policy=_policy(),
        )  # fmt: skip
    table = result.as_table()
    if as_json:
        _print_json(table)
        return
    console = _console()
    console.print(_rich_table(table, f"{result.department} targets {table['summary']['month']}"))  # type: ignore[index]
    if trace:
        _print_trace(console, result.trace)


@app.command("forecast")
def forecast(
    as_of: AsOfOpt = None,
    department: Annotated[
        str | None, typer.Option("--department", help="Name, English name or id (default: all).")
    ] = None,
    as_json: JsonOpt = False,
    trace: TraceOpt = False,
) -> None:
    """Project month-end sales for the month in progress; flag who is at risk."""
    from tools.forecast import forecast as project

    day = parse_date(as_of, "--as-of") or settings().today()
    with user_errors(), _warehouse() as conn:
        result = project(conn, day, caller=Caller.operator(), department=department)
    table = result.as_table()
    if as_json:
        _print_json(table)
        return
    console = _console()
    console.print(_rich_table(table, f"forecast as of {day.isoformat()}"))
    if trace:
        _print_trace(console, result.trace)


def _console() -> Console:
    """A console; piped output gets 140 columns instead of rich's default 80."""
    console = Console()
    return console if console.is_terminal else Console(width=140)


@contextmanager
def _warehouse() -> Iterator[Connection]:
    from schema.db import warehouse_engine

    engine = warehouse_engine(settings().warehouse_url, read_only=True)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


@contextmanager
def _closes(live: bool) -> Iterator[Any]:
    """The closed months of the app database, as the performance engine reads them."""
    from assistant.closes import CloseBook

    book = CloseBook.from_settings(settings())
    try:
        yield book.source(live)
    finally:
        book.engine.dispose()


def _policy() -> Any:
    from tools.policy import load_policy

    return load_policy(settings().bonus_policy_path)


def _print_json(table: dict[str, Any]) -> None:
    typer.echo(json.dumps(table, ensure_ascii=False, indent=2))


def _department_table(report: Any, summary: Any) -> Table:
    """One department's month: a compact table with the summary in its title."""
    from tools.money import fmt_money
    from tools.performance_rows import select_rows
    from tools.period import month_label

    title = (
        f"{summary.department} {month_label(report.month)}"
        + (" (month to date)" if report.month_to_date else "")
        + f" · roster {summary.roster_size} · median {fmt_money(summary.median)}"
        + f" · met minimum {summary.met_minimum_count} · above median {summary.above_median_count}"
        + f" · bonus {fmt_money(summary.total_bonus)} ({summary.policy})"
    )
    out = Table(title=title, title_justify="left")
    for name in (
        "#",
        "name",
        "sales",
        "min target",
        "attain",
        "gap to median",
        "met",
        "above",
        "bonus",
    ):
        out.add_column(name, justify="left" if name == "name" else "right")
    for r in select_rows(report.rows, department_ids={summary.department_id}):
        out.add_row(
            str(r.rank), r.name, fmt_money(r.sales), fmt_money(r.min_target),
            f"{r.attainment * 100:.1f} %" if r.attainment is not None else "-",
            fmt_money(r.gap_to_median), _cell(r.met_minimum), _cell(r.above_median),
            fmt_money(r.bonus),
        )  # fmt: skip
    return out


def _rich_table(table: dict[str, Any], title: str) -> Table:
    out = Table(title=title, title_justify="left")
    for column in table["columns"]:
        out.add_column(
            column,
            justify="left"
            if column in {"name", "department", "basis", "policy", "employee_no", "level"}
            else "right",
        )
    for row in table["rows"]:
        out.add_row(*(_cell(value) for value in row))
    return out


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) >= 10 or value == int(value) else f"{value:,.4f}"
    return str(value)


def _print_trace(console: Console, trace: list[str]) -> None:
    for line in trace:
        console.print(f"[dim]· {line}[/]", highlight=False)
