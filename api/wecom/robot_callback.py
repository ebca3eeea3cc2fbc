"""``GET/POST /wecom/robot``: the intelligent robot's callback URL (API mode, callback).

- ``GET``: URL verification, as for the app (the decrypted ``echostr``, in plain text).
- ``POST``: an encrypted JSON callback (接收消息, document 100719), answered in the HTTP
  response with an encrypted passive reply (被动回复消息, 101031; envelope as in 101033):

  - a user's message: its stream is opened and the message leased and queued for the
    worker, exactly as an app message is (:mod:`api.wecom.inbox`); the reply is the first
    stream frame, "正在查询…" (``finish`` false). A retry of the msgid (or one another
    process received) gets the same stream's current frame, never a second answer;
  - a stream refresh: the stream's current frame: the placeholder while the answer is
    computed, then the answer (markdown, the chart as the final image, ``finish`` true);
  - ``enter_chat``: a welcome text; a pressed "查看我的排名" button (``template_card_event``):
    an empty reply, and the presser's rank sent one to one through the app (queued as an
    event under the msgid, :func:`~api.wecom.robot_messages.card_event_message`); other
    events: an empty reply;
  - a user with three messages in flight (WeCom's limit) is told to wait, finished at once.

Rejections are the app callback's (403 signature, stale timestamp or another robot's
aibotid; 400 malformed; 413 too large; 503 robot not configured).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse

from api.wecom.callback import _query, _rejected, _service, _unconfigured, read_body, verified_echo
from api.wecom.channel import CARD_EVENT
from api.wecom.crypto import WeComCrypto
from api.wecom.errors import CallbackError, ReceiveIdError, WeComConfigError
from api.wecom.messages import parse_callback_json
from api.wecom.render import HELP_TEXT
from api.wecom.robot_messages import (
    IN_FLIGHT_PER_USER,
    STREAM_WINDOW_S,
    RobotMessage,
    StreamFrame,
    card_event_message,
    encrypted_reply,
    inbox_message,
    parse_robot_message,
    question_text,
    stream_id_for,
    text_reply,
)
from api.wecom.streams import Streams
from api.wecom.worker import CallbackWorker
from schema.settings import Settings

BUSY = "你还有 3 个问题正在查询，请等它们回答后再问。"


def robot_crypto(settings: Settings) -> WeComCrypto | None:
    """The robot's callback crypto, None when the robot is not configured."""
    token, key = settings.wecom_robot_token, settings.wecom_robot_aes_key
    if token is None and key is None:
        return None
    if token is None or key is None:
        raise WeComConfigError("set both HRQ_WECOM_ROBOT_TOKEN and HRQ_WECOM_ROBOT_AES_KEY")
    return WeComCrypto.for_robot(
        token.get_secret_value(), key.get_secret_value(), settings.wecom_max_skew_s
    )


class RobotService:
    """The robot's callbacks for one app instance (the worker is the app channel's)."""

    def __init__(
        self,
        crypto: WeComCrypto | None,
        streams: Streams,
        worker: CallbackWorker,
        robot_id: str | None,
    ) -> None:
        self.crypto = crypto
        self.streams = streams
        self.worker = worker
        self.robot_id = robot_id

    def receive(self, query: dict[str, str], body: bytes) -> dict[str, Any] | None:
        """Verify and decrypt a callback; the encrypted reply, or None for an empty one."""
        if self.crypto is None:
            raise WeComConfigError("set HRQ_WECOM_ROBOT_TOKEN and HRQ_WECOM_ROBOT_AES_KEY")
        signature, timestamp, nonce = _query(query)
        envelope = parse_callback_json(body)
        plaintext = self.crypto.decrypt_message(signature, timestamp, nonce, envelope.encrypt)
        message = parse_robot_message(plaintext)
        if self.robot_id and message.aibotid != self.robot_id:
            raise ReceiveIdError("callback for another robot (aibotid)")
        reply = self.reply(message)
        return None if reply is None else encrypted_reply(self.crypto, reply, nonce)

    def reply(self, message: RobotMessage, transport: str = "callback") -> dict[str, Any] | None:
        """The plaintext passive reply to a decrypted callback (or a long connection's frame,
        ``transport`` ``ws``)."""
        if message.msgtype == "stream":
            stream = self.streams.get(message.stream_id or "")
            if stream is None:  # not ours (or forgotten): stop WeCom asking
                return StreamFrame(id=message.stream_id or "", finish=True).plaintext()
            return stream.frame().plaintext()
        if message.msgtype == "event":
            if message.eventtype == CARD_EVENT and message.event_key:
                pressed = self.worker.claim(card_event_message(message))
                if pressed is not None:  # answered one to one by the app channel
                    self.worker.submit(pressed)
                return None
            return text_reply(HELP_TEXT) if message.eventtype == "enter_chat" else None
        question = question_text(message.content, message.in_group)
        leased_message = inbox_message(message, question, transport)
        msg_id = leased_message.msg_id or ""
        existing = self.streams.of_message(msg_id)
        if existing is not None:  # a retry: the same stream, one answer
            return existing.frame().plaintext()
        if self.streams.in_flight(message.userid, STREAM_WINDOW_S) >= IN_FLIGHT_PER_USER:
            return StreamFrame(id=stream_id_for(msg_id), finish=True, content=BUSY).plaintext()
        stream = self.streams.open(msg_id, message.userid, message.chatid)
        leased = self.worker.claim(leased_message)
        if leased is not None:
            self.worker.submit(leased)
        return stream.frame().plaintext()


router = APIRouter(tags=["wecom"], include_in_schema=False)


def _robot(request: Request) -> RobotService:
    robot = _service(request).robot
    if robot is None or robot.crypto is None:
        raise WeComConfigError("set HRQ_WECOM_ROBOT_TOKEN and HRQ_WECOM_ROBOT_AES_KEY")
    return robot


@router.get("/wecom/robot", response_class=PlainTextResponse)
async def verify_robot_url(request: Request) -> Response:
    """The robot's URL verification: answer the decrypted ``echostr``."""
    try:
        crypto = _robot(request).crypto
        assert crypto is not None
        echo = verified_echo(crypto, dict(request.query_params))
    except WeComConfigError as exc:
        return _unconfigured(exc)
    except CallbackError as exc:
        return _rejected(exc)
    return PlainTextResponse(echo)


@router.post("/wecom/robot")
async def receive_robot_message(request: Request) -> Response:
    """A robot callback, answered in the response (an encrypted stream frame or nothing)."""
    try:
        robot = _robot(request)
        body = await read_body(request)
        reply = await run_in_threadpool(robot.receive, dict(request.query_params), body)
    except WeComConfigError as exc:
        return _unconfigured(exc)
    except CallbackError as exc:
        return _rejected(exc)
    if reply is None:
        return Response(status_code=200)
    return JSONResponse(reply)
