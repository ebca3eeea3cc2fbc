"""``hrq wecom stub``: serves the stand-in and prints the settings that point hrq at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from api.cli import app
from schema.settings import get_settings


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """Each command reads the environment of its own test."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _environment(output: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in output.splitlines() if line.startswith("HRQ_"))


def test_stub_prints_test_settings_and_stops() -> None:
    result = CliRunner().invoke(app, ["wecom", "stub", "--for", "0.1"])
    assert result.exit_code == 0, result.output
    env = _environment(result.output)
    assert env["HRQ_WECOM_API_BASE"].startswith("http://127.0.0.1:")
    assert env["HRQ_WECOM_CORP_ID"] == "wwstub0000000000"
    assert len(env["HRQ_WECOM_AES_KEY"]) == 43
    assert result.output.rstrip().endswith("stand-in WeCom stopped")


def test_stub_plays_the_configured_app_without_printing_its_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HRQ_WECOM_CORP_ID", "wwconfigured0001")
    monkeypatch.setenv("HRQ_WECOM_SECRET", "real-secret-value")
    result = CliRunner().invoke(app, ["wecom", "stub", "--for", "0.1"])
    assert result.exit_code == 0, result.output
    env = _environment(result.output)
    assert env["HRQ_WECOM_CORP_ID"] == "wwconfigured0001"
    assert env["HRQ_WECOM_SECRET"] == "(as configured)"
    assert "real-secret-value" not in result.output
