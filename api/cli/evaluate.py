"""``hrq eval``: run the accuracy harness against a warehouse."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from api.cli.app import app, fail, settings, user_errors

EVAL_SEED = 7
EVAL_END_DATE = date(2026, 11, 26)


@app.command("eval")
def evaluate(
    file: Annotated[
        Path | None, typer.Argument(help="Question set (YAML); default: the development set.")
    ] = None,
    warehouse: Annotated[
        str | None,
        typer.Option("--warehouse", help="Warehouse URL; default: a fresh demo (seed 7)."),
    ] = None,
    report: Annotated[
        Path, typer.Option("--report", help="Where to write the JSON report.")
    ] = Path("data/eval-report.json"),
    minimum: Annotated[
        float, typer.Option("--min", help="Exit 1 when accuracy is below this share.")
    ] = 0.0,
) -> None:
    """Run the question set and print accuracy overall and per family, and the failures."""
    from assistant.ask import Assistant
    from assistant.evaluate import Harness, load_cases, write_report
    from schema.db import warehouse_engine
    from schema.demodata import generate

    with user_errors():
        cases = load_cases(file)
        with tempfile.TemporaryDirectory() as tmp:
            url = warehouse
            if url is None:
                url = f"duckdb:///{Path(tmp) / 'eval.duckdb'}"
                generate(url, seed=EVAL_SEED, end_date=EVAL_END_DATE, scale="small")
            config = settings().model_copy(update={"warehouse_url": url})
            assistant = Assistant.from_settings(config, app_state=False)
            with Progress(transient=True) as bar:
                task = bar.add_task("questions", total=len(cases))
                harness = Harness(
                    assistant,
                    warehouse_engine(url),
                    progress=lambda i, n: bar.update(task, completed=i),
                )
                result = harness.run(cases)
            assistant.warehouse.dispose()
    write_report(result, report)
    console = Console()
    table = Table("family", "passed", "wrong", "asked back", "total")
    for family, (passed, total) in result.by_family.items():
        outcomes = result.outcomes_by_family[family]
        style = "red" if outcomes["wrong"] else None if passed == total else "yellow"
        table.add_row(
            family, str(passed), str(outcomes["wrong"]), str(outcomes["clarified"]), str(total),
            style=style,
        )  # fmt: skip
    console.print(table)
    for failure in result.failures:
        console.print(
            f"[red]{failure.outcome.upper()}[/] {failure.id} {failure.question}\n"
            f"     {failure.detail[:300]}",
            highlight=False,
        )
    console.print(
        f"accuracy {result.accuracy:.1%} ({result.passed}/{result.total}); "
        f"wrong answers {result.wrong_rate:.1%} ({result.wrong}); "
        f"asked back {result.clarified}; report: {report}"
    )
    if result.accuracy < minimum:
        fail(f"accuracy {result.accuracy:.1%} is below the minimum {minimum:.0%}", code=1)
