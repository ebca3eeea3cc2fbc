"""Every command's help shows boolean options as flags; traces print only with --trace."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import click
import pytest
import typer
from typer.testing import CliRunner

from api.cli import app
from schema.settings import get_settings

runner = CliRunner()


def _commands() -> list[tuple[list[str], Any]]:
    root = typer.main.get_command(app)
    found: list[tuple[list[str], Any]] = [([], root)]
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        found.append(([name], command))
        for sub, cmd in getattr(command, "commands", {}).items():
            found.append(([name, sub], cmd))
    return found


@pytest.mark.parametrize(
    ("path", "command"), _commands(), ids=lambda v: " ".join(v) if isinstance(v, list) else ""
)
def test_flags_show_as_flags(path: list[str], command: click.Command) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output
    flags = [p for p in command.params if isinstance(p, click.Option) and p.is_flag]
    for flag in [*flags, command.get_help_option(click.Context(command))]:
        assert flag is not None
        names = ", ".join(sorted(flag.opts, key=len))  # -v, --trace
        line = next(ln for ln in result.output.splitlines() if ln.strip().startswith(names))
        assert re.match(rf"\s+{re.escape(names)}\s{{2,}}\S", line), line  # no value after it


@pytest.fixture
def demo_env(
    demo_warehouse_url: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setenv("HRQ_WAREHOUSE_URL", demo_warehouse_url)
    monkeypatch.setenv("HRQ_APP_DB_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("HRQ_AS_OF", "2026-11-26")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


TRACED = [
    ["performance", "--month", "2026-10", "--department", "华东销售一部"],
    ["suggest-targets", "--department", "华东销售一部", "--month", "2026-12", "--spend", "50000"],
    ["forecast", "--as-of", "2026-11-16", "--department", "华东销售一部"],
]


@pytest.mark.parametrize("command", TRACED, ids=lambda c: c[0])
def test_the_trace_is_printed_only_with_trace(demo_env: None, command: list[str]) -> None:
    trace = json.loads(runner.invoke(app, [*command, "--json"]).stdout)["trace"]
    assert trace
    plain = runner.invoke(app, command)
    traced = runner.invoke(app, [*command, "-v"])
    assert plain.exit_code == traced.exit_code == 0, plain.output + traced.output
    shown = [ln.removeprefix("· ") for ln in traced.output.splitlines() if ln.startswith("· ")]
    assert [line[:30] for line in shown] == [line[:30] for line in trace]  # (long lines wrap)
    assert not any(ln.startswith("· ") for ln in plain.output.splitlines())
    assert traced.output.startswith(plain.output)
    assert runner.invoke(app, [*command, "--trace"]).output == traced.output


def test_ask_shows_sql_and_trace_only_with_trace(demo_env: None) -> None:
    question = "本月各销售部门业绩中位数是多少"
    answer = json.loads(runner.invoke(app, ["ask", question, "--json"]).stdout)
    assert answer["tool"] and answer["trace"][1:]
    plain = runner.invoke(app, ["ask", question])
    traced = runner.invoke(app, ["ask", question, "--trace"])
    assert plain.exit_code == traced.exit_code == 0
    assert "tool:" not in plain.output and all(
        line not in plain.output for line in answer["trace"][1:]
    )
    assert f"tool: {answer['tool']['name']}" in traced.output
