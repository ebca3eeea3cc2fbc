"""Disputes over HTTP: a rep opens theirs once, sees only their own, cannot resolve; HR resolves;
the statement shows the adjustment; the OpenAPI document lists the routes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.http.main import create_app
from assistant.ask import Assistant
from assistant.keys import create_key
from schema.settings import Settings
from tests.api.conftest import DEMO_END, Persona, assistant_for, bearer

MONTH = "2026-08"


@pytest.fixture
def disputing(
    api_settings: Settings, shared_assistant: Assistant, personas: dict[str, Persona]
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """August closed by HR; an API key per persona."""
    settings = api_settings.model_copy(update={"as_of": DEMO_END})
    app = create_app(settings, assistant=assistant_for(shared_assistant, settings))
    with TestClient(app, raise_server_exceptions=False) as client:
        engine = client.app.state.services.app_engine  # type: ignore[attr-defined]
        keys = {n: create_key(engine, p.employee_no, p.role)[0] for n, p in personas.items()}
        closed = client.post("/v1/closes", json={"month": MONTH}, headers=bearer(keys["hr"]))
        assert closed.status_code == 201, closed.text
        yield client, keys


def test_a_dispute_over_http(
    disputing: tuple[TestClient, dict[str, str]], personas: dict[str, Persona]
) -> None:
    client, keys = disputing
    rep = personas["sales"].employee_no
    opened = client.post("/v1/disputes", json={"reason": "8月20日的订单没算"},
                         headers=bearer(keys["sales"]))  # fmt: skip
    assert opened.status_code == 201, opened.text
    body = opened.json()
    assert {k: body[k] for k in ("month", "version", "employee_no", "status", "reason", "created")} == {
        "month": MONTH, "version": 1, "employee_no": rep, "status": "open",
        "reason": "8月20日的订单没算", "created": True,
    }  # fmt: skip
    dispute_id = body["dispute_id"]
    again = client.post("/v1/disputes", json={"month": MONTH}, headers=bearer(keys["sales"]))
    assert (again.status_code, again.json()["dispute_id"], again.json()["created"]) == (
        200, dispute_id, False,
    )  # fmt: skip
    never = client.post("/v1/disputes", json={"month": "2026-07"}, headers=bearer(keys["sales"]))
    assert never.status_code == 404 and never.json()["error"]["code"] == "not_closed"
    assert "has not been closed yet" in never.json()["error"]["message"]

    def listed(who: str) -> list[int]:
        response = client.get("/v1/disputes", headers=bearer(keys[who]))
        assert response.status_code == 200, response.text
        return [d["dispute_id"] for d in response.json()]

    assert listed("sales") == [dispute_id] == listed("manager") == listed("hr")
    assert listed("sales_wuhan") == []  # another department's rep
    other = client.get(f"/v1/disputes/{dispute_id}", headers=bearer(keys["sales_wuhan"]))
    assert other.status_code == 404 and other.json()["error"]["code"] == "dispute_not_found"

    decision = {"decision": "accept", "adjustment": "250.00", "reason": "订单漏算"}
    for who in ("sales", "manager"):
        refused = client.post(f"/v1/disputes/{dispute_id}/resolve", json=decision,
                              headers=bearer(keys[who]))  # fmt: skip
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "dispute_forbidden"
    done = client.post(
        f"/v1/disputes/{dispute_id}/resolve", json=decision, headers=bearer(keys["hr"])
    )
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["adjustment"]) == ("accepted", 250.0)
    twice = client.post(
        f"/v1/disputes/{dispute_id}/resolve", json=decision, headers=bearer(keys["hr"])
    )
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "dispute_resolved"

    mine = client.get(f"/v1/statements/{rep}/{MONTH}", headers=bearer(keys["sales"])).json()
    assert mine["statement_version"] == 2 and mine["adjustment"] == 250.0
    assert mine["final_bonus"] == round(mine["bonus"] + 250.0, 2)
    assert [a["dispute_id"] for a in mine["adjustments"]] == [dispute_id]
    resolved = client.get("/v1/disputes?status=resolved", headers=bearer(keys["sales"])).json()
    assert [d["dispute_id"] for d in resolved] == [dispute_id]


def test_the_routes_are_in_the_openapi_document(
    disputing: tuple[TestClient, dict[str, str]],
) -> None:
    client, _ = disputing
    paths = client.get("/openapi.json").json()["paths"]
    assert {"post", "get"} <= set(paths["/v1/disputes"])
    assert "get" in paths["/v1/disputes/{dispute_id}"]
    assert "post" in paths["/v1/disputes/{dispute_id}/resolve"]
