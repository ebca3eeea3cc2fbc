"""``hrq wecom simulate``: a question through a stand-in WeCom and an in-process hrq."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from schema.settings import get_settings
from tests.conftest import DEMO_END_DATE


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_simulate_prints_the_reply_and_the_chart(
    tmp_path: Path, demo_warehouse_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HRQ_WAREHOUSE_URL", demo_warehouse_url)
    monkeypatch.setenv("HRQ_APP_DB_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("HRQ_AS_OF", DEMO_END_DATE)
    result = CliRunner().invoke(
        app, ["wecom", "simulate", "上个月华东销售一部排行榜", "--userid", "guopingshi"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "[markdown]" and "2026年10月" in lines[1]
    assert "[image]" in lines


def test_simulate_works_again_and_again_on_one_app_database(
    tmp_path: Path, demo_warehouse_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HRQ_WAREHOUSE_URL", demo_warehouse_url)
    monkeypatch.setenv("HRQ_APP_DB_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("HRQ_AS_OF", DEMO_END_DATE)
    for question, month in (("上个月的业绩", "2026年10月"), ("本月的业绩", "2026年11月")):
        result = CliRunner().invoke(
            app, ["wecom", "simulate", question, "--userid", "guopingshi", "--timeout", "15"]
        )
        assert result.exit_code == 0, result.output
        assert result.output.startswith("[markdown]\n" + month), result.output


def test_simulate_refuses_an_unknown_userid_at_once(
    tmp_path: Path, demo_warehouse_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HRQ_WAREHOUSE_URL", demo_warehouse_url)
    monkeypatch.setenv("HRQ_APP_DB_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("HRQ_AS_OF", DEMO_END_DATE)
    result = CliRunner().invoke(
        app, ["wecom", "simulate", "本月业绩", "--userid", "guopingsh", "--timeout", "15"]
    )
    assert result.exit_code != 0
    assert "no employee has the WeCom userid 'guopingsh'" in result.output
    assert "did you mean guopingshi" in result.output
    assert not (tmp_path / "app.db").exists()  # refused before anything was sent


def test_simulate_robot_prints_each_stream_frame(
    tmp_path: Path, demo_warehouse_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HRQ_WAREHOUSE_URL", demo_warehouse_url)
    monkeypatch.setenv("HRQ_APP_DB_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("HRQ_AS_OF", DEMO_END_DATE)
    result = CliRunner().invoke(
        app, ["wecom", "simulate", "上个月华东销售一部排行榜", "--userid", "guopingshi", "--robot"]
    )
    assert result.exit_code == 0, result.output
    heads = [line for line in result.output.splitlines() if line.startswith("[stream ")]
    assert heads[0].endswith("streaming]") and heads[-1].endswith("finish, 1 image(s)]")
    lines = result.output.splitlines()
    assert lines[1] == "正在查询…" and "2026年10月" in lines[lines.index(heads[-1]) + 1]
    refused = CliRunner().invoke(
        app, ["wecom", "simulate", "排行榜", "--userid", "guopingshi", "--group", "g1"]
    )
    assert refused.exit_code == 2 and "--group needs --robot" in refused.output
