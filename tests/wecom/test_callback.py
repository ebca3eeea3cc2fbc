"""``/wecom/callback`` over real HTTP: the published vectors, and every rejection answered cleanly."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.wecom.crypto import WeComCrypto
from api.wecom.messages import callback_xml, text_message_xml
from api.wecom.stub import StubConfig, WeComStub, running_stub
from schema.settings import Settings
from tests.wecom.live import HrqServer, sent_to, serve, wait_for, wecom_settings


@pytest.fixture
def stub() -> Iterator[WeComStub]:
    with running_stub(StubConfig()) as running:
        yield running


@pytest.fixture
def hrq(tmp_path: Path, demo_warehouse_url: str, stub: WeComStub) -> Iterator[HrqServer]:
    server = serve(wecom_settings(tmp_path, demo_warehouse_url, stub))
    yield server
    server.stop()


def _post(url: str, query: dict[str, str], body: bytes | str) -> httpx.Response:
    content = body.encode("utf-8") if isinstance(body, str) else body
    return httpx.post(url, params=query, content=content, timeout=5)


def _signed(stub: WeComStub, encrypted: str, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {"msg_signature": stub.crypto.signature(ts, "42", encrypted), "timestamp": ts,
            "nonce": "42"}  # fmt: skip


def _message(stub: WeComStub, content: str = "本月业绩", msg_id: int = 1) -> str:
    return text_message_xml(
        to_user=stub.config.corp_id, from_user="nobody", content=content, msg_id=msg_id,
        agent_id=stub.config.agent_id, create_time=int(time.time()),
    )  # fmt: skip


def _assert_rejected(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert "Traceback" not in response.text


# --- the published vectors through the route ----------------------------------------------


@pytest.fixture
def vector_stub(vectors: dict[str, Any]) -> Iterator[WeComStub]:
    config = StubConfig(
        corp_id=vectors["corp_id"], callback_token=vectors["token"],
        aes_key=vectors["encoding_aes_key"],
    )  # fmt: skip
    with running_stub(config) as running:
        yield running


@pytest.fixture
def vector_hrq(
    tmp_path: Path, demo_warehouse_url: str, vector_stub: WeComStub
) -> Iterator[HrqServer]:
    settings = wecom_settings(tmp_path, demo_warehouse_url, vector_stub, wecom_max_skew_s=0)
    server = serve(settings)
    yield server
    server.stop()


def test_url_verification_vector_echoes_the_plaintext(
    vector_hrq: HrqServer, vectors: dict[str, Any]
) -> None:
    case = vectors["url_verification"]
    query = {k: case[k] for k in ("msg_signature", "timestamp", "nonce", "echostr")}
    response = httpx.get(vector_hrq.url, params=query, timeout=5)
    assert response.status_code == 200
    assert response.text == case["plaintext"]


def test_xml_vector_is_acknowledged_empty_and_its_unknown_sender_refused_politely(
    vector_hrq: HrqServer, vector_stub: WeComStub, vectors: dict[str, Any]
) -> None:
    case = vectors["xml_message"]
    body = callback_xml(to_user=vectors["corp_id"], encrypted=case["encrypt"],
                        agent_id=case["agent_id"])  # fmt: skip
    query = {k: case[k] for k in ("msg_signature", "timestamp", "nonce")}
    response = _post(vector_hrq.url, query, body)
    assert (response.status_code, response.content) == (200, b"")
    (reply,) = wait_for(lambda: sent_to(vector_stub, "ChenJiaShun"))
    assert reply["msgtype"] == "text"
    assert "没有关联到员工档案" in reply["text"]["content"]


def test_json_vector_with_malformed_plaintext_is_a_clean_400(
    vector_hrq: HrqServer, vectors: dict[str, Any]
) -> None:
    case = vectors["json_message"]
    query = {k: case[k] for k in ("msg_signature", "timestamp", "nonce")}
    body = json.dumps(
        {"ToUserName": vectors["corp_id"], "Encrypt": case["encrypt"], "AgentID": "1"}
    )
    response = httpx.post(vector_hrq.url, params=query, content=body,
                          headers={"Content-Type": "application/json"}, timeout=5)  # fmt: skip
    _assert_rejected(response, 400, "wecom_format")


def test_the_vectors_are_stale_under_the_default_window(
    tmp_path: Path, demo_warehouse_url: str, vector_stub: WeComStub, vectors: dict[str, Any]
) -> None:
    server = serve(wecom_settings(tmp_path, demo_warehouse_url, vector_stub))
    try:
        case = vectors["url_verification"]
        query = {k: case[k] for k in ("msg_signature", "timestamp", "nonce", "echostr")}
        _assert_rejected(httpx.get(server.url, params=query, timeout=5), 403, "wecom_replay")
    finally:
        server.stop()


# --- rejections ---------------------------------------------------------------------------


def test_stand_in_url_verification_round_trip(hrq: HrqServer, stub: WeComStub) -> None:
    response, expected = stub.verify_url(hrq.url)
    assert (response.status_code, response.text) == (200, expected)


def test_bad_signature_is_403(hrq: HrqServer, stub: WeComStub) -> None:
    encrypted = stub.crypto.encrypt(_message(stub))
    query = _signed(stub, encrypted) | {"msg_signature": "0" * 40}
    body = callback_xml(to_user=stub.config.corp_id, encrypted=encrypted, agent_id=1)
    _assert_rejected(_post(hrq.url, query, body), 403, "wecom_signature")


def test_stale_timestamp_is_403(hrq: HrqServer, stub: WeComStub) -> None:
    encrypted = stub.crypto.encrypt(_message(stub))
    query = _signed(stub, encrypted, timestamp=int(time.time()) - 3600)
    body = callback_xml(to_user=stub.config.corp_id, encrypted=encrypted, agent_id=1)
    _assert_rejected(_post(hrq.url, query, body), 403, "wecom_replay")


def test_wrong_receive_id_is_403(hrq: HrqServer, stub: WeComStub) -> None:
    other = WeComCrypto(stub.config.callback_token, stub.config.aes_key, "wwsomeoneelse000", 0)
    encrypted = other.encrypt(_message(stub))
    body = callback_xml(to_user=stub.config.corp_id, encrypted=encrypted, agent_id=1)
    _assert_rejected(_post(hrq.url, _signed(stub, encrypted), body), 403, "wecom_receive_id")


def _tampered(stub: WeComStub, how: str) -> str:
    raw = base64.b64decode(stub.crypto.encrypt(_message(stub)))
    if how == "truncated":
        raw = raw[:-5]
    elif how == "whole_blocks_cut":
        raw = raw[:-16]
    elif how == "bad_base64":
        return "!!not base64!!"
    return base64.b64encode(raw).decode()


@pytest.mark.parametrize("how", ["truncated", "whole_blocks_cut", "bad_base64"])
def test_truncated_or_badly_padded_ciphertext_is_400(
    hrq: HrqServer, stub: WeComStub, how: str
) -> None:
    encrypted = _tampered(stub, how)
    body = callback_xml(to_user=stub.config.corp_id, encrypted=encrypted, agent_id=1)
    _assert_rejected(_post(hrq.url, _signed(stub, encrypted), body), 400, "wecom_decrypt")


@pytest.mark.parametrize(
    "body",
    [
        "<xml><Encrypt>abc</Encrypt>",  # unclosed
        "<!DOCTYPE x [<!ENTITY a 'b'>]><xml><Encrypt>&a;</Encrypt></xml>",  # entities
        "<xml><ToUserName>x</ToUserName></xml>",  # no Encrypt
        "not xml at all",
        "",
    ],
)
def test_malformed_xml_is_400(hrq: HrqServer, stub: WeComStub, body: str) -> None:
    _assert_rejected(_post(hrq.url, _signed(stub, "abc"), body), 400, "wecom_format")


def test_missing_query_parameters_are_400(hrq: HrqServer) -> None:
    _assert_rejected(_post(hrq.url, {}, "<xml/>"), 400, "wecom_format")
    _assert_rejected(httpx.get(hrq.url, timeout=5), 400, "wecom_format")


def test_oversized_body_is_413_and_the_server_keeps_serving(
    hrq: HrqServer, stub: WeComStub
) -> None:
    body = "<xml><Encrypt>" + "A" * 300_000 + "</Encrypt></xml>"
    response = _post(hrq.url, _signed(stub, "A"), body)
    assert response.status_code == 413
    verified, expected = stub.verify_url(hrq.url)
    assert (verified.status_code, verified.text) == (200, expected)


def test_decrypted_message_that_is_not_a_message_is_400(hrq: HrqServer, stub: WeComStub) -> None:
    encrypted = stub.crypto.encrypt("<xml><Content>hi</Content></xml>")
    body = callback_xml(to_user=stub.config.corp_id, encrypted=encrypted, agent_id=1)
    _assert_rejected(_post(hrq.url, _signed(stub, encrypted), body), 400, "wecom_format")


def test_without_wecom_settings_the_routes_answer_503(
    tmp_path: Path, demo_warehouse_url: str
) -> None:
    settings = Settings(warehouse_url=demo_warehouse_url,
                        app_db_url=f"sqlite:///{tmp_path / 'app.db'}")  # fmt: skip
    server = serve(settings)
    try:
        for response in (httpx.get(server.url, timeout=5),
                         httpx.post(server.url, content=b"<xml/>", timeout=5)):  # fmt: skip
            _assert_rejected(response, 503, "wecom_not_configured")
            assert "HRQ_WECOM" in response.json()["error"]["message"]
    finally:
        server.stop()


def test_aes_key_setting_is_never_echoed(hrq: HrqServer, stub: WeComStub) -> None:
    encrypted = stub.crypto.encrypt(_message(stub))
    response = _post(hrq.url, _signed(stub, encrypted) | {"msg_signature": "x"}, "<xml/>")
    assert stub.config.aes_key not in response.text
    assert stub.config.callback_token not in response.text
