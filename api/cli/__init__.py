"""The ``hrq`` command line: a thin layer that turns options into library calls.

Each command group lives in its own module and registers itself on ``app``; a
command module imports its library inside the command (see ``api/cli/app.py``), so
``hrq --help`` and ``hrq ask`` load only what they use.
Errors from the library (``HrqError``) are printed as one line and exit 2
(bad input or environment) or 1 (a refusal), never as a traceback.
"""

from __future__ import annotations

import gc

from api.cli import ask as _ask  # noqa: F401  (registers commands)
from api.cli import audit as _audit  # noqa: F401  (registers commands)
from api.cli import close as _close  # noqa: F401  (registers commands)
from api.cli import demo as _demo  # noqa: F401  (registers commands)
from api.cli import demo_key as _demo_key  # noqa: F401  (registers commands)
from api.cli import disputes as _disputes  # noqa: F401  (registers commands)
from api.cli import evaluate as _evaluate  # noqa: F401  (registers commands)
from api.cli import feedback as _feedback  # noqa: F401  (registers commands)
from api.cli import index as _index  # noqa: F401  (registers commands)
from api.cli import keys as _keys  # noqa: F401  (registers commands)
from api.cli import notify as _notify  # noqa: F401  (registers commands)
from api.cli import performance as _performance  # noqa: F401  (registers commands)
from api.cli import serve as _serve  # noqa: F401  (registers commands)
from api.cli import sql as _sql  # noqa: F401  (registers commands)
from api.cli import users as _users  # noqa: F401  (registers commands)
from api.cli import warehouse as _warehouse  # noqa: F401  (registers commands)
from api.cli import wecom as _wecom  # noqa: F401  (registers commands)
from api.cli.app import app, database_error, err_console


def main() -> None:
    """Console-script entry point: any command's database failure is one line, exit 2."""
    try:
        app()
    except Exception as exc:
        from sqlalchemy.exc import DBAPIError  # SQLAlchemy is loaded only by commands using it

        if not isinstance(exc, DBAPIError):
            raise
        err_console.print(
            f"[bold red]error:[/] {database_error(exc)}", highlight=False, soft_wrap=True
        )
        raise SystemExit(2) from None
    finally:
        # The process ends here: keep the interpreter's shutdown from walking every object the
        # command loaded (semantic model, gazetteer, SQLAlchemy, sqlglot) for reference cycles
        # again; the operating system frees the memory. It was a quarter of ``hrq ask``'s CPU time.
        gc.freeze()
