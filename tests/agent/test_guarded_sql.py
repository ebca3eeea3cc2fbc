"""The agent's guarded SQL: odd values through the HTTP API, and bombs from the model.

- ``POST /v1/ask`` answered by the agent: the model (the local stand-in server) sends one
  ``run_sql`` with every DuckDB value type of ``tests/guard/test_values.py``; the reply must
  be strict JSON (no NaN, no Infinity) with each value in its one JSON form and the notes
  that say so.
- A statement that would exhaust the machine is stopped at its memory limit, and the
  model is told why, as for any statement the guard stops.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.main import create_app
from assistant.ask import Assistant
from assistant.keys import create_key
from assistant.retrieval import Retriever
from schema.caller import Role
from schema.jsonvalue import NOTES
from schema.settings import Settings
from tests.agent.conftest import AS_OF, caller_of
from tests.agent.fake_openai import FakeOpenAI, reply, serve, tool
from tests.agent.test_http import KIND_SQL, OUT_OF_SCOPE, hrq_with_model
from tests.guard.test_values import assert_form, cases_for, strict_json

CASES = cases_for("duckdb")
ODD_SQL = "SELECT " + ", ".join(f"{c.sql} AS {c.name}" for c in CASES)
SALES_REP = (
    "SELECT employee_no FROM employees WHERE title = 'Sales Representative' "
    "AND status = 'active' ORDER BY employee_id LIMIT 1"
)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    state = FakeOpenAI()
    server, thread = serve(state)
    yield state
    server.should_exit = True
    thread.join(timeout=5)


def test_every_value_type_through_the_api(
    agent_assistant: Assistant, fake: FakeOpenAI, index_dir: Path, retriever: Retriever,
    tmp_path: Path,
) -> None:  # fmt: skip
    hrq = hrq_with_model(agent_assistant, fake, index_dir)
    settings = Settings(warehouse_url=hrq.settings.warehouse_url, app_db_url=f"sqlite:///{tmp_path / 'app.db'}",
                        data_dir=tmp_path, api_rate_limit_per_minute=0)  # fmt: skip
    sales = caller_of(hrq, SALES_REP)
    assert sales.role is Role.SALES
    with TestClient(create_app(settings, assistant=hrq)) as client:
        services: Any = client.app.state.services  # type: ignore[attr-defined]
        key, _ = create_key(services.app_engine, sales.employee_no, None)
        fake.script(tool("run_sql", sql=ODD_SQL), reply("已查到。"))
        response = client.post(
            "/v1/ask",
            json={"question": OUT_OF_SCOPE, "as_of": AS_OF.isoformat()},
            headers={"Authorization": f"Bearer {key}"},
        )
    assert response.status_code == 200, response.text
    payload = strict_json(response.text)
    assert (payload["kind"], payload["path"]) == ("answer", "llm")
    assert payload["columns"] == [c.name for c in CASES]
    for case, form in zip(CASES, payload["rows"][0], strict=True):
        assert_form(case, form)
    notes = set().union(*(c.notes for c in CASES))
    assert payload["notes"] == [NOTES[k] for k in sorted(notes)]
    json.dumps(payload, allow_nan=False)


@pytest.mark.slow
def test_a_bomb_from_the_model_is_stopped_and_the_model_told(
    agent_assistant: Assistant, fake: FakeOpenAI, index_dir: Path, retriever: Retriever
) -> None:
    hrq = hrq_with_model(agent_assistant, fake, index_dir)
    sales = caller_of(hrq, SALES_REP)
    bomb = "SELECT count(*) FROM unnest(range(1000000000))"
    fake.script(tool("run_sql", sql=bomb), tool("run_sql", sql=KIND_SQL), reply("ok"))
    started = time.monotonic()
    answer = hrq.ask(OUT_OF_SCOPE, sales, as_of=AS_OF)
    assert time.monotonic() - started < 30
    correction = fake.requests[1]["messages"][-1]["content"]
    assert "memory_limit" in correction and "1024 MB" in correction
    assert answer.kind == "answer" and answer.columns == ["kind", "avg_minutes"]
    assert [s.get("reason") for s in answer.statements] == ["memory_limit", None]
