"""The intelligent robot's (智能机器人) callback-URL protocol: what WeCom posts, what hrq answers.

Each shape below follows WeCom's developer documentation, 企业内部开发 › 服务端API ›
消息接收与发送 › 智能机器人, as published in 2025:

- **接收消息** (document 100719, updated 2025/12/11): the decrypted callback is JSON with
  ``msgid`` (the dedupe key: "开发者需据此进行事件排重"), ``aibotid``, ``chatid`` (group chats
  only), ``chattype`` (``single`` | ``group``), ``from.userid``, ``response_url`` and
  ``msgtype``: ``text`` (``text.content``, with the @-mention), ``mixed``
  (``mixed.msg_item[]`` of text and image items), ``voice`` (``voice.content``, the
  transcript), ``image`` / ``file`` (single chats; a URL, not read here), ``stream``
  (**流式消息刷新**: ``stream.id``, WeCom asking for the stream's latest content, for at
  most 6 minutes from the user's message) and ``event`` (接收事件: ``event.eventtype``,
  e.g. ``enter_chat``; ``template_card_event`` with ``event.template_card_event``
  ``{card_type, event_key, task_id}`` when a card's button is pressed). "用户跟同一个智能机器人最多同时有三条消息交互中".
- **被动回复消息** (document 101031, updated 2025/10/21): the HTTP response to a callback.
  ``{"msgtype": "stream", "stream": {"id", "finish", "content", "msg_item"}}``: the id is
  set in the first reply; each reply replaces the content shown (up to 20,480 bytes of
  UTF-8 markdown); images (``msg_item`` of ``{"msgtype": "image", "image": {"base64",
  "md5"}}``, at most 10, JPG or PNG up to 10 MB each) only in the reply with ``finish`` true.
  ``{"msgtype": "text", "text": {"content"}}`` only answers ``enter_chat``.
- **回调和回复的加解密方案** (document 101033, updated 2025/07/23): the callback body is
  ``{"encrypt": ...}`` signed in the query exactly as the self-built app's callbacks, the
  receive id is the empty string; the reply is ``{"encrypt", "msgsignature", "timestamp",
  "nonce"}`` with the callback's own nonce.

Checked against a copy of those documents' text and against open-source clients of the
protocol (picoclaw's ``wecom_aibot``, samples on WeCom's ``WXBizJsonMsgCrypt`` that pass an
empty receive id); **not** against WeCom's servers, and WeCom publishes no test vector for
the robot (the JSON vector in ``callback-vectors.json`` is the app's). Not documented, so
not relied on: how often WeCom sends stream refreshes, and whether a group's @-mention is
always followed by a space (:func:`question_text` strips a leading mention either way).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.wecom.crypto import WeComCrypto
from api.wecom.errors import MessageFormatError
from api.wecom.messages import MAX_BODY_BYTES, WeComMessage

STREAM_CONTENT_LIMIT_BYTES = 20_480
"""A stream's content, UTF-8 bytes (被动回复消息, ``stream.content``)."""
STREAM_WINDOW_S = 360
"""WeCom asks for a stream's content for at most 6 minutes after the user's message."""
MAX_STREAM_IMAGES = 10
MAX_STREAM_IMAGE_BYTES = 10 * 1024 * 1024
IN_FLIGHT_PER_USER = 3
"""Messages one user may have in flight with one robot (接收消息)."""
MSG_ID_PREFIX = "robot:"
"""Robot msgids are kept in ``wecom_messages`` with this prefix, apart from the app's MsgIds."""

ChatType = Literal["single", "group"]


class RobotMessage(BaseModel):
    """One decrypted robot callback (a message, a stream refresh or an event)."""

    model_config = ConfigDict(frozen=True)

    msgid: str
    aibotid: str = ""
    chatid: str | None = None
    chattype: ChatType = "single"
    userid: str
    response_url: str | None = None
    msgtype: str
    content: str = ""
    """The text of a text, mixed or voice message (the @-mention included), else ''."""
    stream_id: str | None = None
    eventtype: str | None = None
    event_key: str | None = None
    """A pressed card button's key (``template_card_event.event_key``)."""
    task_id: str | None = None
    """The pressed card's task id (``template_card_event.task_id``)."""

    @property
    def in_group(self) -> bool:
        return self.chattype == "group" and bool(self.chatid)


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text_of(payload: dict[str, Any], msgtype: str) -> str:
    if msgtype in ("text", "voice"):
        return str(_object(payload.get(msgtype)).get("content") or "")
    if msgtype == "mixed":
        items = _object(payload.get("mixed")).get("msg_item")
        parts = [
            str(_object(item.get("text")).get("content") or "")
            for item in (items if isinstance(items, list) else [])
            if isinstance(item, dict) and item.get("msgtype") == "text"
        ]
        return " ".join(p for p in parts if p)
    return ""


def parse_robot_message(plaintext: str, max_bytes: int = MAX_BODY_BYTES) -> RobotMessage:
    """A decrypted robot callback as a typed model; MessageFormatError when malformed."""
    raw = plaintext.encode("utf-8", "replace")
    if len(raw) > max_bytes:
        raise MessageFormatError(f"robot callback larger than {max_bytes} bytes")
    try:
        payload: Any = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise MessageFormatError("malformed JSON in robot callback") from exc
    if not isinstance(payload, dict):
        raise MessageFormatError("robot callback must be a JSON object")
    msgid, msgtype = payload.get("msgid"), payload.get("msgtype")
    userid = _object(payload.get("from")).get("userid")
    if not isinstance(msgid, str) or not msgid or not isinstance(msgtype, str) or not msgtype:
        raise MessageFormatError("robot callback lacks msgid or msgtype")
    if not isinstance(userid, str) or not userid:
        raise MessageFormatError("robot callback lacks from.userid")
    chattype = payload.get("chattype") if payload.get("chattype") in ("single", "group") else None
    chatid = payload.get("chatid")
    stream_id = _object(payload.get("stream")).get("id")
    event = _object(payload.get("event"))
    eventtype = event.get("eventtype")
    card_event = _object(event.get("template_card_event"))
    event_key, card_task = card_event.get("event_key"), card_event.get("task_id")
    return RobotMessage(
        msgid=msgid[:100],
        aibotid=str(payload.get("aibotid") or ""),
        chatid=chatid if isinstance(chatid, str) and chatid else None,
        chattype=chattype or "single",
        userid=userid[:64],
        response_url=payload.get("response_url") or None,
        msgtype=msgtype[:32],
        content=_text_of(payload, msgtype),
        stream_id=stream_id if isinstance(stream_id, str) and stream_id else None,
        eventtype=eventtype if isinstance(eventtype, str) else None,
        event_key=event_key[:1024] if isinstance(event_key, str) else None,
        task_id=card_task[:128] if isinstance(card_task, str) else None,
    )


_MENTION = re.compile(r"^\s*(?:@\S+\s+)+")


def question_text(content: str, in_group: bool) -> str:
    """The question of a message: in a group, without the leading @-mention(s) of the robot."""
    return (_MENTION.sub("", content) if in_group else content).strip()


def inbox_message(
    message: RobotMessage, question: str, transport: str = "callback"
) -> WeComMessage:
    """The robot message as the inbox keeps it (so leases and recovery work as for the app);
    ``transport`` is how it came: ``callback`` (the callback URL) or ``ws`` (the long
    connection)."""
    fields = {
        "channel": "robot",
        "transport": transport,
        "chattype": message.chattype,
        "chatid": message.chatid or "",
        "aibotid": message.aibotid,
        "response_url": message.response_url or "",
    }
    return WeComMessage(
        msg_type=message.msgtype,
        from_user_name=message.userid,
        create_time=int(time.time()),
        content=question,
        msg_id=MSG_ID_PREFIX + message.msgid,
        fields=fields,
    )


def card_event_message(message: RobotMessage) -> WeComMessage:
    """A pressed card button as the inbox keeps it: an app-style ``template_card_event``
    (its ``EventKey`` and ``TaskId``), answered one to one by the app channel, deduplicated
    by the robot's msgid."""
    fields = {
        "Event": "template_card_event",
        "EventKey": message.event_key or "",
        "TaskId": message.task_id or "",
        "chattype": message.chattype,
        "chatid": message.chatid or "",
        "response_url": message.response_url or "",
    }
    return WeComMessage(
        msg_type="event",
        from_user_name=message.userid,
        create_time=int(time.time()),
        msg_id=MSG_ID_PREFIX + message.msgid,
        event="template_card_event",
        fields=fields,
    )


def is_robot(message: WeComMessage) -> bool:
    """Whether an inbox message came from the robot channel."""
    return message.fields.get("channel") == "robot"


class StreamImage(BaseModel):
    """An image of a stream's final frame (the PNG as base64, as the frame carries it)."""

    base64: str
    md5: str

    @classmethod
    def of(cls, png: bytes) -> StreamImage:
        return cls(
            base64=base64.b64encode(png).decode("ascii"),
            md5=hashlib.md5(png).hexdigest(),  # noqa: S324 (WeCom's checksum)
        )


class StreamFrame(BaseModel):
    """One passive stream reply (被动回复消息, 流式消息回复)."""

    id: str
    finish: bool = False
    content: str = ""
    images: list[StreamImage] = Field(default_factory=list)

    def plaintext(self) -> dict[str, Any]:
        """The reply's JSON before encryption; images only in the finished frame."""
        stream: dict[str, Any] = {"id": self.id, "finish": self.finish, "content": self.content}
        if self.finish and self.images:
            stream["msg_item"] = [
                {"msgtype": "image", "image": {"base64": i.base64, "md5": i.md5}}
                for i in self.images[:MAX_STREAM_IMAGES]
            ]
        return {"msgtype": "stream", "stream": stream}


def text_reply(content: str) -> dict[str, Any]:
    """A text reply (only to ``enter_chat``: the welcome)."""
    return {"msgtype": "text", "text": {"content": content}}


def encrypted_reply(
    crypto: WeComCrypto, plaintext: dict[str, Any], nonce: str, timestamp: int | None = None
) -> dict[str, Any]:
    """The HTTP body of a passive reply: ``{"encrypt", "msgsignature", "timestamp", "nonce"}``,
    signed with the callback's nonce."""
    ts = int(time.time()) if timestamp is None else timestamp
    body = json.dumps(plaintext, ensure_ascii=False, separators=(",", ":"))
    encrypted, signature = crypto.encrypt_message(body, nonce, ts)
    return {"encrypt": encrypted, "msgsignature": signature, "timestamp": ts, "nonce": nonce}


def fits_image(png: bytes) -> bool:
    """Whether an image may go in a stream frame (PNG or JPG, at most 10 MB)."""
    return len(png) <= MAX_STREAM_IMAGE_BYTES and png.startswith(
        (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
    )


def stream_id_for(msg_id: str) -> str:
    """The stream id of a message: derived from its msgid, so every retry (or a restarted
    process) answers on the same stream."""
    return "hrq" + hashlib.sha256(msg_id.encode("utf-8")).hexdigest()[:29]
