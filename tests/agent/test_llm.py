"""The one model factory, and ``hrq index rebuild``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_openai import ChatOpenAI
from typer.testing import CliRunner

from assistant.agent import Agent
from assistant.llm import NO_KEY, chat_model, model_configured
from schema.settings import Settings, get_settings


@pytest.mark.parametrize(("values", "configured"), [
    ({}, False),
    ({"llm_model": "deepseek-chat"}, False),
    ({"llm_base_url": "http://127.0.0.1:8080/v1"}, False),
    ({"llm_model": "qwen2.5", "llm_base_url": "http://127.0.0.1:8080/v1"}, True),
    ({"llm_model": "gpt-4o-mini", "llm_api_key": "sk-test"}, True),
])  # fmt: skip
def test_a_model_is_configured_only_with_a_name_and_a_place_to_reach_it(values: dict[str, str],
                                                                        configured: bool) -> None:  # fmt: skip
    settings = Settings(**values)  # type: ignore[arg-type]
    assert model_configured(settings) is configured
    assert (chat_model(settings) is not None) is configured
    assert (Agent.from_settings(settings) is not None) is configured


def test_the_factory_passes_every_setting_to_chatopenai() -> None:
    settings = Settings(llm_model="deepseek-chat", llm_base_url="https://api.deepseek.com/v1", llm_api_key="sk-x",
                        llm_timeout_s=12.5, llm_max_retries=4, llm_stream=True)  # type: ignore[arg-type]  # fmt: skip
    model = chat_model(settings)
    assert isinstance(model, ChatOpenAI)
    assert (model.model_name, model.openai_api_base, model.request_timeout, model.max_retries) == (
        "deepseek-chat",
        "https://api.deepseek.com/v1",
        12.5,
        4,
    )
    assert model.openai_api_key is not None and model.openai_api_key.get_secret_value() == "sk-x"
    assert model.temperature == 0 and model.streaming is True


def test_a_local_server_needs_no_key() -> None:
    model = chat_model(Settings(llm_model="qwen2.5", llm_base_url="http://127.0.0.1:11434/v1"))
    assert isinstance(model, ChatOpenAI) and model.openai_api_key is not None
    assert model.openai_api_key.get_secret_value() == NO_KEY


@pytest.fixture
def index_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("HRQ_INDEX_DIR", str(tmp_path / "index"))
    get_settings.cache_clear()
    yield tmp_path / "index"
    get_settings.cache_clear()


def test_hrq_index_rebuild_builds_the_index(index_env: Path) -> None:
    from api.cli import app

    result = CliRunner().invoke(app, ["index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert f"in {index_env}" in result.output and "indexed " in result.output
    assert any(index_env.iterdir())
