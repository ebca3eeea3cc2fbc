"""A local stand-in for WeCom's side of the intelligent robot's callback-URL mode.

:class:`RobotStub` does what WeCom does (接收消息, document 100719; 被动回复消息, 101031;
回调和回复的加解密方案, 101033): it POSTs a user's message as an encrypted JSON callback
(``{"encrypt"}``, signed in the query, receive id ""), checks the encrypted reply
(``msgsignature`` over the reply's timestamp, *the callback's* nonce and ciphertext),
decrypts it and checks the stream frame (content within 20,480 bytes, images only in the
finished frame, at most 10, each with the md5 of its bytes), then keeps sending stream
refreshes for that stream id until a frame says ``finish`` or 6 minutes pass. Every frame
is recorded (and handed to ``on_frame`` as it arrives). A protocol violation raises
:class:`RobotProtocolError`. WeCom does not document its refresh interval; the stand-in's
is a parameter.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from api.wecom.crypto import WeComCrypto
from api.wecom.limits import utf8_len
from api.wecom.robot_messages import (
    MAX_STREAM_IMAGES,
    STREAM_CONTENT_LIMIT_BYTES,
    STREAM_WINDOW_S,
)
from api.wecom.stub import random_aes_key
from schema.errors import HrqError


class RobotProtocolError(HrqError):
    """hrq's reply to a robot callback broke the protocol (signature, nonce, frame shape)."""

    code = "wecom_robot_protocol"


@dataclass(frozen=True)
class RobotConfig:
    """The robot the stand-in plays WeCom for (throw-away test values by default)."""

    token: str = "stubrobottoken"
    aes_key: str = field(default_factory=random_aes_key)
    aibotid: str = "aibstub0001"
    response_base: str = "https://qyapi.weixin.qq.com/cgi-bin/aibot/response"
    """Where each message's response_url points (a stand-in's ``/cgi-bin/aibot/response``)."""
    clock: Callable[[], float] = time.time
    """WeCom's clock, which signs its callbacks (a test whose hrq runs in another process
    passes that process's clock)."""


@dataclass(frozen=True)
class Frame:
    """One decrypted reply: a stream frame (``msgtype`` stream) or another reply."""

    msgtype: str
    stream_id: str = ""
    finish: bool = False
    content: str = ""
    images: tuple[bytes, ...] = ()
    at_s: float = 0.0
    """Seconds since the user's message was sent."""


class RobotStub:
    """Sends robot callbacks to hrq and follows the stream to its end."""

    def __init__(self, config: RobotConfig | None = None) -> None:
        self.config = config or RobotConfig()
        self.crypto = WeComCrypto.for_robot(self.config.token, self.config.aes_key, 0)
        self.frames: list[Frame] = []

    def new_msgid(self) -> str:
        """A fresh msgid (WeCom's look like base64 of about 24 bytes)."""
        return base64.b64encode(secrets.token_bytes(24)).decode("ascii")

    def callback(self, url: str, payload: dict[str, Any], timeout_s: float = 10.0) -> Frame | None:
        """POST one callback; the decrypted reply (None for an empty one)."""
        encrypted = self.crypto.encrypt(json.dumps(payload, ensure_ascii=False))
        ts, nonce = str(int(self.config.clock())), str(secrets.randbelow(10**10))
        query = {"msg_signature": self.crypto.signature(ts, nonce, encrypted),
                 "timestamp": ts, "nonce": nonce}  # fmt: skip
        response = httpx.post(url, params=query, json={"encrypt": encrypted}, timeout=timeout_s)
        if response.status_code != 200:
            raise RobotProtocolError(f"hrq answered HTTP {response.status_code}: {response.text}")
        if not response.content.strip():
            return None
        return self._frame(response.json(), nonce)

    def _frame(self, reply: Any, nonce: str) -> Frame:
        if not isinstance(reply, dict) or not {
            "encrypt",
            "msgsignature",
            "timestamp",
            "nonce",
        } <= set(reply):
            raise RobotProtocolError(f"reply is not an encrypted envelope: {reply!r}"[:300])
        if reply["nonce"] != nonce:
            raise RobotProtocolError("reply nonce is not the callback's")
        expected = self.crypto.signature(str(reply["timestamp"]), nonce, reply["encrypt"])
        if reply["msgsignature"] != expected:
            raise RobotProtocolError("reply signature mismatch")
        plain = json.loads(self.crypto.decrypt(reply["encrypt"]))
        msgtype = plain.get("msgtype", "")
        if msgtype != "stream":
            return Frame(msgtype, content=str(plain.get(msgtype, {}).get("content", "")))
        stream = plain["stream"]
        content, finish = str(stream.get("content", "")), bool(stream.get("finish"))
        if utf8_len(content) > STREAM_CONTENT_LIMIT_BYTES:
            raise RobotProtocolError("stream content over 20,480 bytes")
        items = stream.get("msg_item") or []
        if items and not finish:
            raise RobotProtocolError("images in a stream frame that does not finish")
        if len(items) > MAX_STREAM_IMAGES:
            raise RobotProtocolError("more than 10 images in a stream frame")
        images = []
        for item in items:
            image = item["image"]
            data = base64.b64decode(image["base64"])
            if hashlib.md5(data).hexdigest() != image["md5"]:  # noqa: S324 (WeCom's checksum)
                raise RobotProtocolError("stream image md5 mismatch")
            images.append(data)
        if not stream.get("id"):
            raise RobotProtocolError("stream frame without an id")
        return Frame("stream", stream["id"], finish, content, tuple(images))

    def message(self, userid: str, text: str, *, chatid: str | None = None,
                msgid: str | None = None) -> dict[str, Any]:  # fmt: skip
        """A text message's callback payload (in a group when ``chatid`` is given)."""
        payload: dict[str, Any] = {
            "msgid": msgid or self.new_msgid(), "aibotid": self.config.aibotid,
            "chattype": "group" if chatid else "single", "from": {"userid": userid},
            "response_url": f"{self.config.response_base}?response_code={secrets.token_hex(16)}",
            "msgtype": "text", "text": {"content": text},
        }  # fmt: skip
        if chatid:
            payload["chatid"] = chatid
        return payload

    def press(self, userid: str, event_key: str, task_id: str, *,
              chatid: str | None = None) -> dict[str, Any]:  # fmt: skip
        """The event of ``userid`` pressing a card's button (接收事件 › 模板卡片事件)."""
        payload = self.message(userid, "", chatid=chatid)
        del payload["text"]
        return payload | {
            "msgtype": "event",
            "event": {
                "eventtype": "template_card_event",
                "template_card_event": {"card_type": "button_interaction",
                                        "event_key": event_key, "task_id": task_id},
            },
        }  # fmt: skip

    def refresh(self, message: dict[str, Any], stream_id: str) -> dict[str, Any]:
        """The stream-refresh callback for ``message``'s stream (its own msgid)."""
        payload = {
            k: v for k, v in message.items() if k in ("aibotid", "chatid", "chattype", "from")
        }
        return payload | {
            "msgid": self.new_msgid(),
            "msgtype": "stream",
            "stream": {"id": stream_id},
        }

    def converse(
        self,
        url: str,
        message: dict[str, Any],
        *,
        interval_s: float = 0.05,
        window_s: float = STREAM_WINDOW_S,
        on_frame: Callable[[Frame], object] | None = None,
        stream_id: str | None = None,
    ) -> list[Frame]:
        """Send ``message`` and refresh its stream until it finishes; every frame, in order.
        With ``stream_id`` (the message was sent before), only refresh that stream."""
        start = time.monotonic()
        frames: list[Frame] = []

        def seen(frame: Frame | None) -> Frame:
            if frame is None or frame.msgtype != "stream":
                raise RobotProtocolError(f"expected a stream frame, got {frame!r}"[:300])
            stamped = Frame(frame.msgtype, frame.stream_id, frame.finish, frame.content,
                            frame.images, round(time.monotonic() - start, 4))  # fmt: skip
            frames.append(stamped)
            self.frames.append(stamped)
            if on_frame is not None:
                on_frame(stamped)
            return stamped

        frame = seen(self.callback(url, message)) if stream_id is None else None
        current = stream_id or (frame.stream_id if frame else "")
        while frame is None or not frame.finish:
            if time.monotonic() - start > window_s:
                raise RobotProtocolError(f"the stream did not finish within {window_s:g} s")
            if frame is not None:
                time.sleep(interval_s)
            frame = seen(self.callback(url, self.refresh(message, current)))
            if frame.stream_id != current:
                raise RobotProtocolError("a refresh answered another stream")
        return frames

    def verify_url(self, url: str) -> tuple[httpx.Response, str]:
        """WeCom's URL verification GET; the response and the echo it must carry."""
        echo = str(secrets.randbelow(10**19))
        echostr = self.crypto.encrypt(echo)
        ts, nonce = str(int(self.config.clock())), str(secrets.randbelow(10**10))
        params = {"msg_signature": self.crypto.signature(ts, nonce, echostr),
                  "timestamp": ts, "nonce": nonce, "echostr": echostr}  # fmt: skip
        return httpx.get(url, params=params, timeout=10), echo
