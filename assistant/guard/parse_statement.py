"""Parse: exactly one statement in the warehouse's dialect, comments and hints stripped."""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, TokenError

from assistant.errors import GuardError

#: Longer statements are refused before parsing (a planner or model never needs more).
MAX_SQL_CHARS = 20_000


def parse_statement(sql: str, dialect: str) -> exp.Expression:
    """The one statement in ``sql`` as a sqlglot tree, without comments or optimizer hints.

    Raises ``GuardError`` with reason ``empty``, ``too_long``, ``parse_error`` or
    ``multiple_statements``.
    """
    if len(sql) > MAX_SQL_CHARS:
        raise GuardError(
            f"the statement is {len(sql)} characters long; at most {MAX_SQL_CHARS} are accepted",
            reason="too_long",
        )
    if "\x00" in sql:
        raise GuardError("the statement contains a NUL character", reason="parse_error")
    try:
        statements = [
            statement
            for statement in sqlglot.parse(sql, read=dialect, error_level=ErrorLevel.RAISE)
            if statement is not None and not isinstance(statement, exp.Semicolon)
        ]
    except (ParseError, TokenError) as exc:
        raise GuardError(
            f"the SQL could not be parsed: {_first_line(exc)}", reason="parse_error"
        ) from exc
    except RecursionError as exc:
        raise GuardError("the SQL is nested too deeply to check", reason="parse_error") from exc
    except Exception as exc:  # sqlglot's parser can crash on garbage ('?[/'): still not SQL
        raise GuardError(
            f"the SQL could not be parsed ({type(exc).__name__})", reason="parse_error"
        ) from exc
    if not statements:
        raise GuardError("there is no SQL statement to run", reason="empty")
    if len(statements) > 1:
        raise GuardError(
            f"exactly one statement is allowed; found {len(statements)} (remove the ';'-separated extras)",
            reason="multiple_statements",
        )
    tree = statements[0]
    assert isinstance(tree, exp.Expression)
    for node in list(tree.walk()):
        if isinstance(node, exp.Hint):
            node.pop()
        elif node.comments:
            node.comments = None
    return tree


def _first_line(exc: Exception) -> str:
    """The first line of a sqlglot error, without terminal colour codes."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text.replace("\x1b[4m", "").replace("\x1b[0m", "")
