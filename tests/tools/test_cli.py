"""The performance commands end to end on the small demo warehouse."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from api.cli import app
from schema.db import warehouse_engine
from schema.settings import get_settings
from tools.departments import load_departments

runner = CliRunner()


@pytest.fixture
def demo_env(demo_warehouse_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("HRQ_WAREHOUSE_URL", demo_warehouse_url)
    get_settings.cache_clear()
    yield demo_warehouse_url
    get_settings.cache_clear()


@pytest.fixture
def sales_departments(demo_warehouse_url: str) -> list[str]:
    with warehouse_engine(demo_warehouse_url).connect() as conn:
        return [d.name for d in load_departments(conn) if d.kind == "sales"]


def invoke(*args: str) -> dict[str, object]:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def one_line_error(args: list[str], fragment: str) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and fragment in lines[0], result.output
    return lines[0]


def test_performance_json_covers_the_whole_roster(demo_env: str) -> None:
    with warehouse_engine(demo_env).connect() as conn:
        roster = conn.execute(
            sa.text("SELECT count(*) FROM sales_targets WHERE month = DATE '2026-10-01'")
        ).scalar()
    table = invoke("performance", "--month", "2026-10", "--json")
    assert set(table) >= {"columns", "rows", "summary", "trace"}
    assert len(table["rows"]) == roster > 0  # type: ignore[arg-type]
    summary = table["summary"]
    assert sum(row[1] for row in summary["rows"]) == roster  # type: ignore[index]
    assert any("median of" in line for line in table["trace"])  # type: ignore[union-attr]


def test_performance_human_output(demo_env: str, sales_departments: list[str]) -> None:
    result = runner.invoke(
        app, ["performance", "--month", "2026-10", "--department", sales_departments[0]]
    )
    assert result.exit_code == 0, result.output
    assert sales_departments[0] in result.stdout and "median" in result.stdout


def test_performance_errors_are_one_line(demo_env: str) -> None:
    one_line_error(["performance", "--month", "2026-13"], "not a month")
    one_line_error(["performance", "--month", "2019-01"], "no sales roster for 2019-01")
    one_line_error(
        ["performance", "--month", "2026-10", "--department", "没有这个部门"], "candidates:"
    )
    one_line_error(
        ["performance", "--month", "2026-10", "--as-of", "yesterday"], "--as-of must be a date"
    )


def test_bad_policy_file_is_one_line(
    demo_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[default]\nrate = 0.05\ncap = -1\n", encoding="utf-8")
    monkeypatch.setenv("HRQ_BONUS_POLICY_PATH", str(policy))
    get_settings.cache_clear()
    one_line_error(["performance", "--month", "2026-10"], "line 3, default.cap")


def test_policy_file_changes_the_bonus(
    demo_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = invoke("performance", "--month", "2026-10", "--json")
    policy = tmp_path / "policy.toml"
    policy.write_text("[default]\nrate = 0.10\n", encoding="utf-8")
    monkeypatch.setenv("HRQ_BONUS_POLICY_PATH", str(policy))
    get_settings.cache_clear()
    after = invoke("performance", "--month", "2026-10", "--json")
    bonus = before["columns"].index("bonus")  # type: ignore[union-attr]
    pairs = [(b[bonus], a[bonus]) for b, a in zip(before["rows"], after["rows"], strict=True)]  # type: ignore[call-overload]
    assert any(b > 0 for b, _ in pairs)
    # Doubling the rate doubles every bonus, up to half-up rounding of each.
    assert all(abs(a - 2 * b) <= 0.011 for b, a in pairs)


def test_leaderboard_text_markdown_png(
    demo_env: str, sales_departments: list[str], tmp_path: Path
) -> None:
    name = sales_departments[0]
    text = runner.invoke(app, ["leaderboard", "--month", "2026-10", "--department", name])
    assert text.exit_code == 0 and text.stdout.startswith(f"{name} 2026-10 leaderboard")
    md = runner.invoke(
        app, ["leaderboard", "--month", "2026-10", "--department", name, "--markdown"]
    )
    assert "| # | name | sales | gap to median | |" in md.stdout
    png = tmp_path / "board.png"
    out = runner.invoke(
        app, ["leaderboard", "--month", "2026-10", "--department", name, "--png", str(png)]
    )
    assert out.exit_code == 0, out.output
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_suggest_targets_and_forecast(demo_env: str, sales_departments: list[str]) -> None:
    table = invoke("suggest-targets", "--department", sales_departments[0], "--month", "2026-12",
                   "--spend", "50,000", "--json")  # fmt: skip
    summary = table["summary"]
    assert summary["months_used"] >= 6 and 0 <= summary["r_squared"] <= 1  # type: ignore[index,operator]
    low, high = summary["interval_80"]  # type: ignore[index,misc]
    assert low <= summary["predicted_sales"] <= high  # type: ignore[index,operator]
    one_line_error(["suggest-targets", "--department", sales_departments[0], "--month", "2026-12",
                    "--spend", "lots"], "--spend")  # fmt: skip
    forecast = invoke("forecast", "--as-of", "2026-11-20", "--json")
    assert forecast["summary"]["as_of"] == "2026-11-20" and forecast["rows"]  # type: ignore[index]
