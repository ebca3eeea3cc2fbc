"""Security headers on every response of the page and the API, and ``GET /v1/me``."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.http.deps import get_caller
from assistant.keys import create_key
from tests.api.conftest import Persona, bearer

PAGE_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
}


def policy(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    parts = [
        p.strip().split(" ", 1) for p in response.headers["content-security-policy"].split(";")
    ]
    return {p[0]: p[1] if len(p) > 1 else "" for p in parts}


def assert_secured(response) -> None:  # type: ignore[no-untyped-def]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers.get_list("content-security-policy") == [
        response.headers["content-security-policy"]
    ]


@pytest.mark.parametrize("path", ["/", "/static/app.js", "/static/app.css", "/healthz",
                                  "/readyz", "/metrics", "/openapi.json", "/v1/me", "/v1/nowhere",
                                  "/static/nothing.js", "/docs", "/docs/assets/swagger-ui.css"])  # fmt: skip
def test_every_page_and_api_response_is_secured(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert_secured(response)
    written = policy(response)
    assert {k: written.get(k) for k in PAGE_CSP} == PAGE_CSP
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]


def test_errors_413_and_500_are_secured_too(client: TestClient, keys: dict[str, str]) -> None:
    too_big = client.post("/v1/ask", content=b"x" * 70_000, headers=bearer(keys["hr"]))
    assert too_big.status_code == 413
    assert_secured(too_big)

    def broken() -> None:
        raise RuntimeError("boom")

    client.app.dependency_overrides[get_caller] = broken  # type: ignore[attr-defined]
    failed = client.get("/v1/me", headers=bearer(keys["hr"]))
    assert failed.status_code == 500
    assert_secured(failed)
    assert policy(failed)["script-src"] == "'self'"


def test_the_page_has_no_inline_script_or_style(client: TestClient) -> None:
    html = client.get("/").text
    assert "<style" not in html and " style=" not in html and "javascript:" not in html
    scripts = html.count("<script")
    assert scripts == html.count('<script src="/static/') == 1


def test_me_names_the_caller_of_a_key(
    client: TestClient, keys: dict[str, str], personas: dict[str, Persona]
) -> None:
    me = client.get("/v1/me", headers=bearer(keys["manager"]))
    assert me.status_code == 200
    body = me.json()
    assert (body["employee_no"], body["role"]) == (personas["manager"].employee_no, "manager")
    assert body["name"] and body["name"] != "operator"
    assert client.get("/v1/me", headers=bearer("hrq_nope_nope")).status_code == 401
    engine = client.app.state.services.app_engine  # type: ignore[attr-defined]
    stranger, _ = create_key(engine, "E99999")
    refused = client.get("/v1/me", headers=bearer(stranger))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "caller"
