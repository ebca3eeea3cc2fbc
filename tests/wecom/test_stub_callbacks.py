"""The stand-in sends callbacks as WeCom does: a receiver built on our crypto accepts them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI, Request, Response

from api.wecom.crypto import WeComCrypto
from api.wecom.errors import CallbackError
from api.wecom.messages import WeComMessage, parse_callback_xml, parse_message_xml
from api.wecom.server import ServerThread, serve_app
from api.wecom.stub import StubConfig, WeComStub, running_stub


@dataclass
class Receiver:
    """A minimal callback endpoint: what it accepted and why it refused."""

    server: ServerThread | None = None
    received: list[WeComMessage] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"{self.server.base_url}/wecom/callback"


def _receiver_app(crypto: WeComCrypto, receiver: Receiver) -> FastAPI:
    app = FastAPI()

    @app.get("/wecom/callback")
    def verify(msg_signature: str, timestamp: str, nonce: str, echostr: str) -> Response:
        try:
            return Response(crypto.verify_url(msg_signature, timestamp, nonce, echostr))
        except CallbackError as exc:
            receiver.refused.append(type(exc).__name__)
            return Response(status_code=exc.http_status)

    @app.post("/wecom/callback")
    async def callback(
        request: Request, msg_signature: str, timestamp: str, nonce: str
    ) -> Response:
        try:
            envelope = parse_callback_xml(await request.body())
            plaintext = crypto.decrypt_message(msg_signature, timestamp, nonce, envelope.encrypt)
            receiver.received.append(parse_message_xml(plaintext))
        except CallbackError as exc:
            receiver.refused.append(type(exc).__name__)
            return Response(status_code=exc.http_status)
        return Response(status_code=200)

    return app


@pytest.fixture
def stub() -> Iterator[WeComStub]:
    with running_stub(StubConfig(corp_id="wwcallbacktest01")) as running:
        yield running


def _serve(crypto: WeComCrypto) -> Iterator[Receiver]:
    receiver = Receiver()
    with serve_app(_receiver_app(crypto, receiver)) as server:
        receiver.server = server
        yield receiver


@pytest.fixture
def receiver(stub: WeComStub) -> Iterator[Receiver]:
    config = stub.config
    yield from _serve(WeComCrypto(config.callback_token, config.aes_key, config.corp_id))


def test_url_verification_echoes_the_plaintext(stub: WeComStub, receiver: Receiver) -> None:
    response, echo = stub.verify_url(receiver.url)
    assert (response.status_code, response.text) == (200, echo)


def test_text_callback_is_decrypted_and_parsed(stub: WeComStub, receiver: Receiver) -> None:
    response = stub.send_text(receiver.url, "zhangsan", "本月销售冠军是谁？<&]]>", msg_id=42)
    assert (response.status_code, response.text) == (200, "")
    (message,) = receiver.received
    assert (message.msg_type, message.from_user_name, message.content, message.msg_id) == (
        "text",
        "zhangsan",
        "本月销售冠军是谁？<&]]>",
        "42",
    )
    assert (message.to_user_name, message.agent_id) == ("wwcallbacktest01", stub.config.agent_id)
    assert abs(message.create_time - time.time()) < 60


def test_each_callback_gets_a_fresh_msg_id(stub: WeComStub, receiver: Receiver) -> None:
    stub.send_text(receiver.url, "lisi", "a")
    stub.send_text(receiver.url, "lisi", "b")
    ids = [m.msg_id for m in receiver.received]
    assert len(set(ids)) == 2 and all(ids)


def test_stale_callback_is_refused_by_the_window(stub: WeComStub, receiver: Receiver) -> None:
    response = stub.send_text(receiver.url, "lisi", "old", timestamp=int(time.time()) - 3600)
    assert response.status_code == 403
    assert (receiver.received, receiver.refused) == ([], ["ReplayError"])


def test_callback_signed_with_another_token_is_refused(stub: WeComStub) -> None:
    config = stub.config
    for receiver in _serve(WeComCrypto("another-token", config.aes_key, config.corp_id)):
        assert stub.send_text(receiver.url, "lisi", "x").status_code == 403
        assert stub.verify_url(receiver.url)[0].status_code == 403
        assert receiver.refused == ["SignatureError", "SignatureError"]


def test_callback_for_another_corp_is_refused(stub: WeComStub) -> None:
    config = stub.config
    for receiver in _serve(WeComCrypto(config.callback_token, config.aes_key, "wwsomeoneelse00")):
        assert stub.send_text(receiver.url, "lisi", "x").status_code == 403
        assert receiver.refused == ["ReceiveIdError"]
