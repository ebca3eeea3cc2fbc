"""The demo-data commands: bad input is one line, exit code 2, and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from schema.settings import get_settings

runner = CliRunner()


def assert_one_line_error(args: list[str], needle: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert needle in lines[0]
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


BAD_INPUT = [
    (["--scale", "huge"], "unknown scale 'huge'"),
    (["--end-date", "2026-13-01"], "--end-date must be a date"),
    (["--end-date", "yesterday"], "--end-date must be a date"),
    (["--seed", "seven"], "--seed must be an integer"),
    (["--url", "duckdb:///x.duckdb"], "either --out or --url"),
    (["--url", "postgresql+psycopg://nobody@127.0.0.1:1/none"], "cannot connect"),
    (["--url", "no url at all"], "not a database URL"),
]


@pytest.mark.parametrize(("args", "needle"), BAD_INPUT)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], needle: str) -> None:
    out = tmp_path / "demo.duckdb"
    extra = [] if "--url" in args and "either" not in needle else ["--out", str(out)]
    assert_one_line_error(["demo-data", *extra, *args], needle)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_path_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert_one_line_error(["demo-data", "--out", str(blocker / "demo.duckdb")], "is not a folder")
    assert_one_line_error(["demo-data", "--out", str(tmp_path)], "is a directory")
    assert [p.name for p in tmp_path.iterdir()] == ["a-file"]


def test_build_then_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "sub" / "demo.duckdb"
    result = runner.invoke(app, ["demo-data", "--out", str(out), "--end-date", "2026-11-26"])
    assert result.exit_code == 0, result.output
    assert "sales_orders" in result.stdout and "华东销售一部" in result.stdout
    assert [p.name for p in out.parent.iterdir()] == ["demo.duckdb"]
    assert_one_line_error(["demo-data", "--out", str(out)], "already exists")

    monkeypatch.setenv("HRQ_WAREHOUSE_URL", f"duckdb:///{out}")
    get_settings.cache_clear()
    try:
        summary = runner.invoke(app, ["demo-summary"])
    finally:
        get_settings.cache_clear()
    assert summary.exit_code == 0, summary.output
    assert "2024-12-01" in summary.stdout and "2026-11-26" in summary.stdout
    assert "East China Sales 1" in summary.stdout


def test_summary_of_a_missing_warehouse_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HRQ_WAREHOUSE_URL", f"duckdb:///{tmp_path / 'missing.duckdb'}")
    get_settings.cache_clear()
    try:
        assert_one_line_error(["demo-summary"], "does not exist")
    finally:
        get_settings.cache_clear()
    assert list(tmp_path.iterdir()) == []
