"""Asks answered by answering processes (HRQ_API_ASK_PROCESSES): same answers, same audit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.http.main import create_app
from assistant.audit import AuditLog
from assistant.keys import create_key
from schema.settings import Settings
from tests.api.conftest import Persona, bearer

AS_OF = "2026-09-15"


@pytest.fixture(scope="module")
def pooled(tmp_path_factory: pytest.TempPathFactory, warehouse_url: str) -> Iterator[TestClient]:
    settings = Settings(
        warehouse_url=warehouse_url,
        app_db_url=f"sqlite:///{tmp_path_factory.mktemp('pool') / 'app.db'}",
        api_rate_limit_per_minute=0,
        api_ask_processes=1,
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        assert client.app.state.services.ask_pool is not None  # type: ignore[attr-defined]
        yield client


def test_pooled_asks_are_answered_audited_and_kept_per_owner(
    pooled: TestClient, personas: dict[str, Persona]
) -> None:
    engine = pooled.app.state.services.app_engine  # type: ignore[attr-defined]
    hr, sales = (create_key(engine, personas[p].employee_no, p)[0] for p in ("hr", "sales"))
    first = pooled.post(
        "/v1/ask", json={"question": "上个月各部门销售额", "as_of": AS_OF}, headers=bearer(hr)
    )
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["kind"], body["path"]) == ("answer", "planner") and body["rows"]
    cid = body["conversation_id"]
    follow = pooled.post(
        "/v1/ask",
        json={"question": "那上上个月呢?", "as_of": AS_OF, "conversation_id": cid},
        headers=bearer(hr),
    )
    assert follow.status_code == 200 and follow.json()["conversation_id"] == cid
    hijack = pooled.post(
        "/v1/ask", json={"question": "那上个月呢?", "conversation_id": cid}, headers=bearer(sales)
    )
    assert (hijack.status_code, hijack.json()["error"]["code"]) == (404, "conversation_not_found")
    audit = AuditLog(engine)
    records = audit.tail(5)
    assert [(r.surface, r.employee_no, r.conversation_id) for r in records] == [
        ("http", personas["hr"].employee_no, cid),
        ("http", personas["hr"].employee_no, cid),
    ]
    assert audit.verify().ok
    assert pooled.post("/v1/ask", json={"question": "本月销售额"}).status_code == 401
