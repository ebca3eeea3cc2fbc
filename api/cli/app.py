"""The typer application and the helpers every command shares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import NoReturn, overload

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.exc import DBAPIError

from schema.errors import HrqError
from schema.settings import Settings, get_settings

app = typer.Typer(
    name="hrq",
    help="hrq: ask the HR warehouse in Chinese or English.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

err_console = Console(stderr=True)


def settings() -> Settings:
    """The settings for this command invocation."""
    try:
        return get_settings()
    except ValidationError as exc:  # one readable line naming the variable
        first = exc.errors()[0]
        name = "HRQ_" + "_".join(str(p) for p in first["loc"]).upper()
        fail(f"invalid setting {name}: {first['msg'].removeprefix('Value error, ')}")


def database_error(exc: DBAPIError) -> str:
    """One line for a database that cannot be reached or refuses a statement."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
    return f"database error: {reason}"


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a one-line error to stderr and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn library errors into a one-line message and exit code 2."""
    try:
        yield
    except HrqError as exc:
        fail(str(exc))


@overload
def parse_date(value: str, option: str) -> date: ...
@overload
def parse_date(value: None, option: str) -> None: ...
def parse_date(value: str | None, option: str) -> date | None:
    """A YYYY-MM-DD option, or a one-line error naming the option (exit 2)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} must be a date like 2026-11-26, not {value!r}")
