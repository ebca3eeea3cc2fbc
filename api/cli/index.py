"""``hrq index rebuild``: rebuild the agent's retrieval index (Chroma) with a progress bar.

The index is also rebuilt automatically when the semantic model, the rules or
the examples change; this command forces it (e.g. after upgrading the embedder).
"""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.cli.app import command_group, settings, user_errors

index_app = command_group("index", "The agent's retrieval index (tables, rules, examples).")


@index_app.command("rebuild")
def rebuild_command() -> None:
    """Rebuild the retrieval index from the semantic model, the rules and the examples."""
    from assistant.retrieval import index_path, open_index  # chromadb: loaded only for this command
    from schema.semantic import load_semantic_model

    cfg = settings()
    with user_errors():
        model = load_semantic_model()
        columns = (TextColumn("indexing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, transient=False) as bar:
            task = bar.add_task("index", total=None)
            retriever = open_index(cfg, model, force=True,
                                   progress=lambda done, total: bar.update(task, completed=done, total=total))  # fmt: skip
    typer.echo(f"indexed {retriever.count()} documents in {index_path(cfg)}")
