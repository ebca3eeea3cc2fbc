"""Keys, limits and error bodies: every failure is JSON, with the right status."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.http.deps import get_caller
from api.http.main import create_app
from assistant.keys import create_key, revoke
from schema.settings import Settings
from tests.api.conftest import bearer

PROTECTED = [
    ("GET", "/v1/me", None),
    ("GET", "/v1/performance", None),
    ("GET", "/v1/leaderboard", None),
    ("GET", "/v1/conversations/abc", None),
    ("POST", "/v1/ask", {"question": "本月销售额"}),
    ("POST", "/v1/answers/abc/feedback", {"correct": True}),
    ("POST", "/v1/reports", {"question": "本月销售额", "format": "csv"}),
]


def _error(response, status: int, code: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    assert "Traceback" not in response.text
    return str(body["error"]["message"])


@pytest.mark.parametrize("method,path,body", PROTECTED)
def test_missing_wrong_and_revoked_keys_are_refused(
    client: TestClient, keys: dict[str, str], method: str, path: str, body: dict | None
) -> None:
    engine = client.app.state.services.app_engine  # type: ignore[attr-defined]
    revoked, record = create_key(engine, "E00021")
    revoke(engine, record.key_id)
    for headers in (
        {},
        {"Authorization": "Bearer hrq_nope_nope"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": keys["hr"]},
        bearer(keys["hr"][:-2]),
        bearer(revoked),
    ):
        response = client.request(method, path, json=body, headers=headers)
        _error(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"


def test_key_of_unknown_employee_is_forbidden(client: TestClient) -> None:
    engine = client.app.state.services.app_engine  # type: ignore[attr-defined]
    key, _ = create_key(engine, "E99999")
    response = client.get("/v1/performance", params={"month": "2026-08"}, headers=bearer(key))
    _error(response, 403, "caller")


def test_rate_limit_answers_429_with_retry_after(api_settings: Settings, personas) -> None:  # type: ignore[no-untyped-def]
    settings = api_settings.model_copy(update={"api_rate_limit_per_minute": 3})
    with TestClient(create_app(settings)) as client:
        engine = client.app.state.services.app_engine  # type: ignore[attr-defined]
        key, _ = create_key(engine, personas["hr"].employee_no)
        other, _ = create_key(engine, personas["hr"].employee_no)
        params = {"month": "2026-08", "department": "成都销售组"}
        codes = [
            client.get("/v1/performance", params=params, headers=bearer(key)).status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 200]
        limited = client.get("/v1/performance", params=params, headers=bearer(key))
        _error(limited, 429, "rate_limited")
        assert 1 <= int(limited.headers["retry-after"]) <= 20
        assert (
            client.get("/v1/performance", params=params, headers=bearer(other)).status_code == 200
        )


def test_question_length_and_body_size(client: TestClient, keys: dict[str, str]) -> None:
    message = _error(
        client.post("/v1/ask", json={"question": "谁" * 2001}, headers=bearer(keys["hr"])),
        422,
        "invalid_request",
    )
    assert "question" in message and "2000" in message
    _error(
        client.post("/v1/ask", json={"question": ""}, headers=bearer(keys["hr"])),
        422,
        "invalid_request",
    )
    _error(
        client.post("/v1/ask", json={"q": "x"}, headers=bearer(keys["hr"])), 422, "invalid_request"
    )
    _error(
        client.post(
            "/v1/ask",
            content=b"{not json",
            headers={**bearer(keys["hr"]), "Content-Type": "application/json"},
        ),
        422,
        "invalid_request",
    )
    big = {"question": "a", "pad": "x" * 70_000}
    _error(client.post("/v1/ask", json=big, headers=bearer(keys["hr"])), 413, "payload_too_large")

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b"x" * 10_000

    streamed = client.post("/v1/ask", content=chunks(), headers=bearer(keys["hr"]))
    _error(streamed, 413, "payload_too_large")


def test_unknown_route_and_method(client: TestClient) -> None:
    _error(client.get("/v1/nothing-here"), 404, "not_found")
    _error(client.delete("/healthz"), 405, "method_not_allowed")


def test_unexpected_errors_are_json_500_without_details(
    client: TestClient, keys: dict[str, str]
) -> None:
    def broken() -> None:
        raise RuntimeError("secret internals /etc/passwd")

    client.app.dependency_overrides[get_caller] = broken  # type: ignore[attr-defined]
    response = client.get("/v1/performance", headers=bearer(keys["hr"]))
    message = _error(response, 500, "internal")
    assert "secret" not in response.text and "passwd" not in message


def test_health_ready_and_metrics(client: TestClient, keys: dict[str, str]) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {"warehouse": "ok", "app_db": "ok"}}
    client.get("/v1/performance", params={"month": "2026-08"}, headers=bearer(keys["hr"]))
    client.get("/v1/performance", params={"month": "2026-08"})
    text = client.get("/metrics").text
    assert 'hrq_http_requests_total{method="GET",route="/v1/performance",status="200"} 1.0' in text
    assert 'hrq_http_requests_total{method="GET",route="/v1/performance",status="401"} 1.0' in text
    assert (
        'hrq_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/healthz"}' in text
    )
    assert "hrq_answers_total" in text or "# TYPE hrq_answers_total counter" in text


def test_readyz_reports_a_missing_warehouse(api_settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = api_settings.model_copy(
        update={"warehouse_url": f"duckdb:///{tmp_path / 'missing.duckdb'}"}
    )
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"] == {"warehouse": "unavailable", "app_db": "ok"}


def test_the_assistant_is_built_at_startup(api_settings: Settings) -> None:
    app = create_app(api_settings)
    services = app.state.services
    assert services.built_assistant() is None
    with TestClient(app):
        assert services.built_assistant() is not None


def test_two_apps_keep_separate_metrics(api_settings: Settings) -> None:
    with TestClient(create_app(api_settings)) as one, TestClient(create_app(api_settings)) as two:
        one.get("/healthz")
        assert 'route="/healthz"' in one.get("/metrics").text
        assert 'route="/healthz"' not in two.get("/metrics").text


def test_openapi_documents_every_route_with_examples(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/v1/ask",
        "/v1/me",
        "/v1/conversations/{conversation_id}",
        "/v1/answers/{answer_id}/feedback",
        "/v1/performance",
        "/v1/leaderboard",
        "/v1/reports",
        "/healthz",
        "/readyz",
        "/metrics",
    ):
        assert path in paths, path
    ask = paths["/v1/ask"]["post"]
    assert ask["requestBody"]["content"]["application/json"]["examples"]
    assert {"401", "422", "429"} <= set(ask["responses"])
    assert schema["components"]["schemas"]["AnswerPublic"]["examples"]
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
