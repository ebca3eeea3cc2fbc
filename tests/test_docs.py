"""Every user-facing setting and command is documented (in the README), and has help text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer

from api.cli import app
from schema.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands() -> list[tuple[str, Any]]:
    root = typer.main.get_command(app)
    found: list[tuple[str, Any]] = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        if hasattr(command, "commands"):  # a group
            found.extend((f"{name} {sub}", cmd) for sub, cmd in command.commands.items())
        else:
            found.append((name, command))
    return found


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_setting_is_documented(name: str) -> None:
    field = Settings.model_fields[name]
    assert field.description, f"setting {name} has no description"
    assert f"HRQ_{name.upper()}" in README, f"HRQ_{name.upper()} is not in README.md"


@pytest.mark.parametrize(
    ("name", "command"), _commands(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_command_is_documented(name: str, command: Any) -> None:
    assert (command.help or "").strip(), f"hrq {name} has no help text"
    assert f"hrq {name}" in README, f"`hrq {name}` is not in README.md"
