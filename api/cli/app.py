"""The typer application and the helpers every command shares.

Start-up cost: every ``hrq`` invocation imports every command module (typer needs
each command's options for ``--help``), so a command module imports only typer and
rich at the top; the library a command uses (the assistant, the web stack, SQLAlchemy,
pydantic's settings) is imported inside the command that uses it.
``tests/api/test_cli_imports.py`` checks that ``hrq --help`` stays light.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, NoReturn, overload

import typer
from rich.console import Console

from schema.errors import HrqError

if TYPE_CHECKING:
    from sqlalchemy.exc import DBAPIError

    from schema.settings import Settings

#: Help is click's plain layout: typer's rich panels label every flag ``<bool>`` as if it
#: took a value (``--dry-run <bool>``), and loading them (markdown, pygments) costs ~0.1 s.
PLAIN_HELP = None
#: Help lines up to 100 columns (click's default, 80, cuts most commands' summary short).
CONTEXT = {"max_content_width": 100}

app = typer.Typer(
    name="hrq",
    help="hrq: ask the HR warehouse in Chinese or English.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=PLAIN_HELP,
    context_settings=CONTEXT,
)


def command_group(name: str, help: str) -> typer.Typer:
    """A group of subcommands (``hrq NAME ...``) registered on ``app``."""
    group = typer.Typer(
        help=help, no_args_is_help=True, rich_markup_mode=PLAIN_HELP, context_settings=CONTEXT
    )
    app.add_typer(group, name=name)
    return group


err_console = Console(stderr=True)


def settings() -> Settings:
    """The settings for this command invocation."""
    from pydantic import ValidationError

    from schema.settings import get_settings

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
