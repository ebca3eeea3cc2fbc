"""``hrq feedback list``: what askers said about answers (wrong ones to review)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli.app import command_group, settings

feedback_app = command_group("feedback", "Feedback on answers.")


@feedback_app.command("list")
def list_feedback(
    wrong: Annotated[bool, typer.Option("--wrong", help="Only answers marked wrong.")] = False,
    correct: Annotated[
        bool, typer.Option("--correct", help="Only answers marked correct.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines.")] = False,
) -> None:
    """Feedback, oldest first: the question, the verdict, the comment and the SQL."""
    from assistant.conversations import ConversationStore
    from schema.db import app_engine

    verdict = None if wrong == correct else correct
    records = ConversationStore(app_engine(settings().app_db_url)).list_feedback(verdict)
    if as_json:
        for r in records:
            typer.echo(json.dumps(r.model_dump(mode="json"), ensure_ascii=False))
        return
    table = Table("when", "user", "verdict", "question", "comment", "SQL")
    for r in records:
        table.add_row(
            r.created_at.strftime("%Y-%m-%d %H:%M"),
            r.employee_no,
            "correct" if r.correct else "wrong",
            r.question,
            r.comment or "",
            (r.sql or "")[:80],
        )
    Console().print(table)
