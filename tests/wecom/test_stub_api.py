"""The stand-in's own HTTP API, spoken to directly: WeCom's JSON shapes and errcodes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.wecom.stub import StubConfig, WeComStub, running_stub

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture(scope="module")
def stub() -> Iterator[WeComStub]:
    with running_stub(StubConfig(webhook_keys=frozenset({"good-key"}))) as running:
        yield running


@pytest.fixture(scope="module")
def http(stub: WeComStub) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{stub.base_url}/cgi-bin", timeout=5) as client:
        yield client


@pytest.fixture(scope="module")
def token(stub: WeComStub, http: httpx.Client) -> str:
    answer = http.get(
        "/gettoken", params={"corpid": stub.config.corp_id, "corpsecret": "stub-app-secret"}
    )
    body = answer.json()
    assert set(body) == {"errcode", "errmsg", "access_token", "expires_in"}
    assert (body["errcode"], body["errmsg"], body["expires_in"]) == (0, "ok", 7200)
    return str(body["access_token"])


def _text(content: str = "hi", **overrides: Any) -> dict[str, Any]:
    return {
        "touser": "zhangsan",
        "msgtype": "text",
        "agentid": 1000002,
        "text": {"content": content},
        **overrides,
    }


GETTOKEN_ERRORS = [
    ({}, 41002),
    ({"corpid": "wwstub0000000000"}, 41004),
    ({"corpid": "wwother", "corpsecret": "stub-app-secret"}, 40013),
    ({"corpid": "wwstub0000000000", "corpsecret": "wrong"}, 40001),
]


@pytest.mark.parametrize(("params", "errcode"), GETTOKEN_ERRORS)
def test_gettoken_errors(http: httpx.Client, params: dict[str, str], errcode: int) -> None:
    body = http.get("/gettoken", params=params).json()
    assert body["errcode"] == errcode and "access_token" not in body


SEND_ERRORS: list[tuple[str, str | None, Any, int]] = [
    ("no token", None, _text(), 41001),
    ("unknown token", "bogus", _text(), 40014),
    ("bad msgtype", "T", _text(msgtype="voice"), 40008),
    ("wrong agent", "T", _text(agentid=1), 40056),
    ("empty content", "T", _text(""), 44004),
    ("no recipient", "T", _text(touser=""), 81013),
    (
        "markdown too long",
        "T",
        {**_text(msgtype="markdown"), "markdown": {"content": "x" * 2049}},
        45002,
    ),
    ("unknown media", "T", {**_text(msgtype="image"), "image": {"media_id": "nope"}}, 40007),
    ("not json", "T", "not json", 47001),
]


@pytest.mark.parametrize(
    ("label", "access_token", "body", "errcode"), SEND_ERRORS, ids=[c[0] for c in SEND_ERRORS]
)
def test_message_send_errors(
    http: httpx.Client, token: str, label: str, access_token: str | None, body: Any, errcode: int
) -> None:
    params = (
        {}
        if access_token is None
        else {"access_token": token if access_token == "T" else access_token}
    )
    content = body if isinstance(body, str) else None
    answer = http.post(
        "/message/send", params=params, json=None if content else body, content=content
    )
    assert answer.status_code == 200
    assert answer.json()["errcode"] == errcode


def test_message_send_success_shape(http: httpx.Client, token: str) -> None:
    body = http.post("/message/send", params={"access_token": token}, json=_text()).json()
    assert set(body) == {"errcode", "errmsg", "invaliduser", "msgid"}
    assert (body["errcode"], body["errmsg"]) == (0, "ok")


@pytest.mark.parametrize(
    ("media_type", "files", "errcode"),
    [
        ("image", {"media": ("a.png", PNG, "image/png")}, 0),
        ("sticker", {"media": ("a.png", PNG, "image/png")}, 40005),
        ("image", {"other": ("a.png", PNG, "image/png")}, 41005),
        ("image", {"media": ("a.png", b"\x89P", "image/png")}, 40009),
        ("image", {"media": ("a.gif", b"GIF89a....", "image/gif")}, 40004),
    ],
)
def test_media_upload(
    http: httpx.Client, token: str, media_type: str, files: dict[str, Any], errcode: int
) -> None:
    body = http.post(
        "/media/upload", params={"access_token": token, "type": media_type}, files=files
    ).json()
    assert body["errcode"] == errcode
    if errcode == 0:
        assert set(body) == {"errcode", "errmsg", "type", "media_id", "created_at"}
        assert body["type"] == "image" and isinstance(body["created_at"], str)


@pytest.mark.parametrize(
    ("key", "payload", "errcode"),
    [
        ("good-key", {"msgtype": "markdown", "markdown": {"content": "**ok**"}}, 0),
        ("bad-key", {"msgtype": "markdown", "markdown": {"content": "**ok**"}}, 93000),
        ("good-key", {"msgtype": "markdown"}, 40008),
        ("good-key", {"msgtype": "markdown", "markdown": {"content": "x" * 4097}}, 40058),
    ],
)
def test_webhook_send(http: httpx.Client, key: str, payload: dict[str, Any], errcode: int) -> None:
    assert (
        http.post("/webhook/send", params={"key": key}, json=payload).json()["errcode"] == errcode
    )


def test_message_send_by_get_is_refused(http: httpx.Client, token: str) -> None:
    assert http.get("/message/send", params={"access_token": token}).json()["errcode"] == 43002


def test_every_request_is_recorded(stub: WeComStub, http: httpx.Client) -> None:
    before = len(stub.state.calls())
    http.get("/gettoken", params={"corpid": "x"})
    (last,) = stub.state.calls()[before:]
    assert (last.method, last.path, last.query, last.status, last.errcode) == (
        "GET",
        "/cgi-bin/gettoken",
        {"corpid": "x"},
        200,
        41004,
    )
