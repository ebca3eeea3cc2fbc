"""A local stand-in for WeCom: the API hrq calls, and the callbacks WeCom makes.

It serves ``GET /cgi-bin/gettoken``, ``POST /cgi-bin/message/send``,
``POST /cgi-bin/media/upload``, ``POST /cgi-bin/webhook/send`` and a robot message's
``response_url`` (``POST /cgi-bin/aibot/response?response_code=...``) with WeCom's JSON
shapes and errcodes (40001/40013 bad credentials, 41001 no token, 40014 unknown
token, 42001 expired token, 40008 bad msgtype, 40007 unknown media, 45002 markdown
too long, 40058 a template card that breaks its rules (:func:`card_problem`), 81013
no valid recipient, 45009 rate limit, 93000 bad robot key...). It
records every request, and can be told to expire tokens, rate-limit or fail the
next calls, hold the next sends (lost on the way, or taken with the answer
withheld, as when the sender crashes mid-send), or be stopped (connection refused) and
started again. It also sends signed, encrypted callbacks to a URL, exactly as
WeCom does, each with a fresh 64-bit MsgId (time and randomness, like WeCom's),
unique across runs, and the event of a card's button being pressed (:meth:`WeComStub.press_button`).

``message/send`` honours WeCom's duplicate check: with ``enable_duplicate_check``
1, a request identical (the whole JSON body) to one taken within
``duplicate_check_interval`` seconds (default 1,800) is answered as a success and
not delivered again (listed in ``StubState.duplicates``). WeCom documents the
check, not its answer to a dropped duplicate; the stand-in answers errcode 0
with the first message's msgid.

Use :func:`running_stub` in tests; ``hrq wecom stub`` runs one in the foreground.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import SecretStr

from api.wecom.crypto import WeComCrypto
from api.wecom.limits import MARKDOWN_LIMIT_BYTES, WEBHOOK_PER_MINUTE, Clock, SystemClock, utf8_len
from api.wecom.messages import callback_xml, text_message_xml, xml_document
from api.wecom.server import ServerThread
from schema.settings import Settings

WEBHOOK_MARKDOWN_LIMIT_BYTES = 4096
MAX_IMAGE_BYTES = 10 * 1024 * 1024
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
MESSAGE_TYPES = frozenset(
    {"text", "markdown", "image", "file", "news", "textcard", "mpnews", "template_card"}
)
CARD_TYPES = frozenset(
    {"text_notice", "news_notice", "button_interaction", "vote_interaction", "multiple_interaction"}
)
WEBHOOK_CARD_TYPES = frozenset({"text_notice", "news_notice"})
_TASK_ID = re.compile(r"^[0-9A-Za-z_@-]{1,128}$")


def card_problem(card: dict[str, Any], card_types: frozenset[str]) -> str | None:
    """What is wrong with a template card (发送应用消息 › 模板卡片消息; 群机器人配置说明), if
    anything: its type, title, task id, at most 6 horizontal items and buttons, a button's
    key, and a text notice's required card_action."""
    card_type = card.get("card_type")
    if card_type not in card_types:
        return f"card_type {card_type!r} not allowed here"
    title = card.get("main_title", {})
    if not isinstance(title, dict) or not title.get("title"):
        return "main_title.title missing"
    if card_type != "text_notice" and not _TASK_ID.match(str(card.get("task_id", ""))):
        return "invalid task_id"
    if len(card.get("horizontal_content_list", [])) > 6:
        return "more than 6 horizontal_content_list items"
    buttons = card.get("button_list", [])
    if card_type == "button_interaction" and not 1 <= len(buttons) <= 6:
        return "button_interaction needs 1 to 6 buttons"
    if any(not b.get("text") or not b.get("key") or len(b["key"]) > 1024 for b in buttons):
        return "a button lacks text or key"
    action = card.get("card_action")
    if card_type == "text_notice" and (not isinstance(action, dict) or not action.get("type")):
        return "text_notice needs card_action"
    return None


def random_aes_key() -> str:
    """A fresh 43-character EncodingAESKey."""
    return base64.b64encode(os.urandom(32)).decode("ascii")[:43]


@dataclass(frozen=True)
class StubConfig:
    """The app the stand-in plays WeCom for (defaults are throw-away test values)."""

    corp_id: str = "wwstub0000000000"
    secret: str = "stub-app-secret"
    agent_id: int = 1000002
    callback_token: str = "stubcallbacktoken"
    aes_key: str = field(default_factory=random_aes_key)
    token_ttl_s: int = 7200
    users: frozenset[str] | None = None
    """Known userids; None accepts every userid."""
    webhook_keys: frozenset[str] | None = None
    """Known robot keys; None accepts every non-empty key."""
    cards: bool = True
    """Whether ``message/send`` and webhooks take template cards (False: 40008, as a WeCom
    that has no such message type)."""
    clock: Callable[[], float] = time.time
    """WeCom's clock, which signs its callbacks (a test whose hrq runs in another process
    passes that process's clock)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> StubConfig:
        """Play WeCom for the configured app: its ids and secrets where set, test values otherwise."""
        defaults = cls()
        return cls(
            corp_id=settings.wecom_corp_id or defaults.corp_id,
            secret=_secret(settings.wecom_secret) or defaults.secret,
            agent_id=settings.wecom_agent_id or defaults.agent_id,
            callback_token=_secret(settings.wecom_token) or defaults.callback_token,
            aes_key=_secret(settings.wecom_aes_key) or defaults.aes_key,
        )

    def environment(self, base_url: str, show_secrets: bool) -> dict[str, str]:
        """The ``HRQ_WECOM_*`` settings that point hrq at a stand-in serving ``base_url``."""
        hidden = "(as configured)"
        return {
            "HRQ_WECOM_API_BASE": base_url,
            "HRQ_WECOM_CORP_ID": self.corp_id,
            "HRQ_WECOM_AGENT_ID": str(self.agent_id),
            "HRQ_WECOM_SECRET": self.secret if show_secrets else hidden,
            "HRQ_WECOM_TOKEN": self.callback_token if show_secrets else hidden,
            "HRQ_WECOM_AES_KEY": self.aes_key if show_secrets else hidden,
        }


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


@dataclass(frozen=True)
class RecordedRequest:
    """One request the stand-in received and what it answered."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    media: tuple[str, str, int] | None
    """(filename, content type, size) of an uploaded file."""
    status: int
    errcode: int | None


def _error(errcode: int, errmsg: str) -> dict[str, Any]:
    return {"errcode": errcode, "errmsg": f"{errmsg}, hint: [stub]"}


class StubState:
    """What the stand-in knows and has received; every method is thread-safe.

    ``clock`` measures token lifetimes and the robots' per-minute window; tests
    share a fake one with the client so that waiting a minute takes no time.
    """

    def __init__(self, config: StubConfig, clock: Clock | None = None) -> None:
        self.config = config
        self.clock: Clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._tokens: dict[str, float] = {}
        self._media: dict[str, bytes] = {}
        self._webhook_sent: dict[str, list[float]] = {}
        self._rate_limit_next = 0
        self._fail_next = 0
        self._fail_status = 500
        self._hold_next = 0
        self._hold_after = False
        self._held = 0
        self._released = threading.Event()
        self._taken: dict[str, tuple[float, str]] = {}
        self.requests: list[RecordedRequest] = []
        self.messages: list[dict[str, Any]] = []
        self.duplicates: list[dict[str, Any]] = []
        """``message/send`` bodies dropped by WeCom's duplicate check."""
        self.webhook_messages: list[tuple[str, dict[str, Any]]] = []
        #: Replies posted to robot messages' response_url: (response_code, body).
        self.robot_responses: list[tuple[str, dict[str, Any]]] = []
        self._response_codes: set[str] = set()

    # -- control ----------------------------------------------------------------

    def expire_tokens(self) -> None:
        """Every token issued so far is now expired (errcode 42001)."""
        with self._lock:
            self._tokens = dict.fromkeys(self._tokens, 0.0)

    def rate_limit_next(self, calls: int) -> None:
        """The next ``calls`` API calls answer errcode 45009."""
        with self._lock:
            self._rate_limit_next = calls

    def fail_next(self, calls: int, status: int = 500) -> None:
        """The next ``calls`` API calls answer HTTP ``status`` with no JSON."""
        with self._lock:
            self._fail_next, self._fail_status = calls, status

    def hold_sends(self, calls: int = 1, *, after_taking: bool = False) -> None:
        """Hold the next ``calls`` ``message/send`` requests until :meth:`release`: lost on
        the way (never delivered; answered 503 once released) or, ``after_taking``, with the
        message delivered and only the answer withheld (the sender never learns WeCom took
        it)."""
        with self._lock:
            self._hold_next, self._hold_after = calls, after_taking
            self._released.clear()

    def held(self) -> int:
        """How many requests are being held now."""
        with self._lock:
            return self._held

    def release(self) -> None:
        """Let held requests go (their senders may be gone; the answer is then lost)."""
        with self._lock:
            self._hold_next = 0
        self._released.set()

    def take_hold(self) -> tuple[bool, bool]:
        """Whether to hold this ``message/send`` request, and whether after taking it."""
        with self._lock:
            if self._hold_next <= 0:
                return False, False
            self._hold_next -= 1
            self._held += 1
            return True, self._hold_after

    async def hold(self) -> None:
        """Wait (without blocking the server) until :meth:`release`."""
        while not self._released.is_set():
            await asyncio.sleep(0.01)
        with self._lock:
            self._held -= 1

    def record(self, entry: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(entry)

    def calls(self, path: str | None = None) -> list[RecordedRequest]:
        """The requests received so far (to ``/cgi-bin/<path>`` if given), oldest first."""
        with self._lock:
            return [r for r in self.requests if path is None or r.path == f"/cgi-bin/{path}"]

    def media(self, media_id: str) -> bytes | None:
        with self._lock:
            return self._media.get(media_id)

    # -- injected faults --------------------------------------------------------

    def injected_fault(self) -> tuple[int, dict[str, Any] | None] | None:
        """An HTTP failure or a 45009 to answer instead of the real result, if one is due."""
        with self._lock:
            if self._fail_next > 0:
                self._fail_next -= 1
                return self._fail_status, None
            if self._rate_limit_next > 0:
                self._rate_limit_next -= 1
                return 200, _error(45009, "api freq out of limit")
        return None

    # -- the API ---------------------------------------------------------------

    def gettoken(self, corpid: str | None, corpsecret: str | None) -> dict[str, Any]:
        if not corpid:
            return _error(41002, "corpid missing")
        if not corpsecret:
            return _error(41004, "corpsecret missing")
        if corpid != self.config.corp_id:
            return _error(40013, "invalid corpid")
        if corpsecret != self.config.secret:
            return _error(40001, "invalid credential")
        token = secrets.token_urlsafe(48)
        with self._lock:
            self._tokens[token] = self.clock.now() + self.config.token_ttl_s
        return {
            "errcode": 0,
            "errmsg": "ok",
            "access_token": token,
            "expires_in": self.config.token_ttl_s,
        }

    def token_error(self, token: str | None) -> dict[str, Any] | None:
        if not token:
            return _error(41001, "access_token missing")
        with self._lock:
            expires = self._tokens.get(token)
        if expires is None:
            return _error(40014, "invalid access_token")
        if self.clock.now() >= expires:
            return _error(42001, "access_token expired")
        return None

    def message_send(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            return _error(47001, "data format error")
        msgtype = body.get("msgtype")
        if msgtype not in MESSAGE_TYPES or not isinstance(body.get(msgtype), dict):
            return _error(40008, "invalid message type")
        if msgtype == "template_card" and not self.config.cards:
            return _error(40008, "invalid message type")
        if body.get("agentid") != self.config.agent_id:
            return _error(40056, "invalid agentid")
        problem = self._content_problem(msgtype, body[msgtype])
        if problem:
            return problem
        users = [u for u in str(body.get("touser", "")).split("|") if u]
        known = self.config.users
        invalid = [u for u in users if known is not None and u != "@all" and u not in known]
        if not users or len(invalid) == len(users):
            return _error(81013, "user & party & tag all invalid")
        msgid = secrets.token_hex(16)
        key = json.dumps(body, sort_keys=True, ensure_ascii=False)
        with self._lock:
            if body.get("enable_duplicate_check") == 1:
                now = self.clock.now()
                interval = body.get("duplicate_check_interval", 1800)
                earlier = self._taken.get(key)
                if earlier is not None and now - earlier[0] < interval:
                    self.duplicates.append(body)
                    return {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": earlier[1]}
                self._taken[key] = (now, msgid)
            self.messages.append(body)
        return {"errcode": 0, "errmsg": "ok", "invaliduser": "|".join(invalid), "msgid": msgid}

    def _content_problem(self, msgtype: str, part: dict[str, Any]) -> dict[str, Any] | None:
        if msgtype in ("text", "markdown"):
            content = part.get("content")
            if not isinstance(content, str) or not content:
                return _error(44004, "empty content")
            if msgtype == "markdown" and utf8_len(content) > MARKDOWN_LIMIT_BYTES:
                return _error(45002, "content size out of limit")
        if msgtype == "image" and self.media(str(part.get("media_id"))) is None:
            return _error(40007, "invalid media_id")
        if msgtype == "template_card":
            problem = card_problem(part, CARD_TYPES)
            if problem:
                return _error(40058, f"template_card: {problem}")
        return None

    def media_upload(
        self, media_type: str | None, upload: tuple[str, str, bytes] | None
    ) -> dict[str, Any]:
        if media_type not in ("image", "voice", "video", "file"):
            return _error(40005, "invalid file type")
        if upload is None:
            return _error(41005, "media data missing")
        _, _, data = upload
        if media_type == "image":
            if not 5 <= len(data) <= MAX_IMAGE_BYTES:
                return _error(40009, "invalid image size")
            if not data.startswith(IMAGE_MAGIC):
                return _error(40004, "invalid media type")
        media_id = "3" + secrets.token_urlsafe(40)
        with self._lock:
            self._media[media_id] = data
        return {
            "errcode": 0,
            "errmsg": "",
            "type": media_type,
            "media_id": media_id,
            "created_at": str(int(self.config.clock())),
        }

    def aibot_response(self, code: str | None, body: Any) -> dict[str, Any]:
        """A reply to a robot message's response_url: markdown (at most 20,480 bytes) or a
        card, once per response_code (the stand-in refuses a second use with 40058)."""
        if not code:
            return _error(40058, "response_code missing")
        if not isinstance(body, dict) or body.get("msgtype") not in ("markdown", "template_card"):
            return _error(40008, "invalid message type")
        part = body.get(body["msgtype"])
        if not isinstance(part, dict):
            return _error(47001, "data format error")
        if body["msgtype"] == "markdown":
            content = part.get("content")
            if not isinstance(content, str) or not content:
                return _error(44004, "empty content")
            if utf8_len(content) > 20_480:
                return _error(45002, "content size out of limit")
        with self._lock:
            if code in self._response_codes:
                return _error(40058, "response_code already used")
            self._response_codes.add(code)
            self.robot_responses.append((code, body))
        return {"errcode": 0, "errmsg": "ok"}

    def webhook_send(self, key: str | None, body: Any) -> dict[str, Any]:
        keys = self.config.webhook_keys
        if not key or (keys is not None and key not in keys):
            return _error(93000, "invalid webhook url")
        if not isinstance(body, dict) or not isinstance(body.get(body.get("msgtype", "")), dict):
            return _error(40008, "invalid message type")
        part = body[body["msgtype"]]
        if body["msgtype"] == "template_card":
            if not self.config.cards:
                return _error(40008, "invalid message type")
            problem = card_problem(part, WEBHOOK_CARD_TYPES)
            if problem:
                return _error(40058, f"template_card: {problem}")
        if body["msgtype"] == "markdown" and utf8_len(str(part.get("content", ""))) > (
            WEBHOOK_MARKDOWN_LIMIT_BYTES
        ):
            return _error(40058, "markdown.content exceed max length 4096")
        now = self.clock.now()
        with self._lock:
            recent = [t for t in self._webhook_sent.get(key, []) if t > now - 60]
            if len(recent) >= WEBHOOK_PER_MINUTE:
                self._webhook_sent[key] = recent
                return _error(45009, "api freq out of limit")
            self._webhook_sent[key] = [*recent, now]
            self.webhook_messages.append((key, body))
        return {"errcode": 0, "errmsg": "ok"}


def _multipart_file(content_type: str, body: bytes, name: str) -> tuple[str, str, bytes] | None:
    """(filename, content type, bytes) of the form field ``name`` of a multipart body."""
    if not content_type.startswith("multipart/form-data"):
        return None
    message = BytesParser().parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        return None
    for part in message.get_payload():
        if (
            isinstance(part, Message)
            and part.get_param("name", header="content-disposition") == name
        ):
            payload = part.get_payload(decode=True)
            filename = part.get_filename() or ""
            if isinstance(payload, bytes):
                return filename, part.get_content_type(), payload
    return None


def _json_body(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def create_stub_app(state: StubState) -> FastAPI:
    """The stand-in's HTTP API over ``state``."""
    app = FastAPI(title="WeCom stand-in", docs_url=None, redoc_url=None, openapi_url=None)

    @app.api_route("/cgi-bin/{api:path}", methods=["GET", "POST"])
    async def cgi_bin(api: str, request: Request) -> JSONResponse:
        query = dict(request.query_params)
        raw = await request.body()
        body = _json_body(raw) if request.method == "POST" and api != "media/upload" else None
        upload = None
        if api == "media/upload":
            upload = _multipart_file(request.headers.get("content-type", ""), raw, "media")
        media = (upload[0], upload[1], len(upload[2])) if upload else None
        fault = state.injected_fault()
        hold, after_taking = state.take_hold() if api == "message/send" else (False, False)
        if hold and not after_taking:  # lost on the way: never taken
            await state.hold()
            fault = (503, None)
        if fault is not None:
            status, answer = fault
        else:
            status, answer = 200, _dispatch(state, request.method, api, query, body, upload)
        if hold and after_taking:
            await state.hold()
        state.record(
            RecordedRequest(
                method=request.method,
                path=request.url.path,
                query=query,
                json=body,
                media=media,
                status=status,
                errcode=None if answer is None else answer.get("errcode"),
            )
        )
        if answer is None:
            return JSONResponse({"detail": "stand-in failure"}, status_code=status)
        return JSONResponse(answer, status_code=status)

    return app


def _dispatch(
    state: StubState,
    method: str,
    api: str,
    query: dict[str, str],
    body: Any,
    upload: tuple[str, str, bytes] | None,
) -> dict[str, Any]:
    if api == "gettoken":
        return state.gettoken(query.get("corpid"), query.get("corpsecret"))
    if api == "aibot/response":
        return (
            state.aibot_response(query.get("response_code"), body)
            if method == "POST"
            else _error(43002, "require POST method")
        )
    if api == "webhook/send":
        return (
            state.webhook_send(query.get("key"), body)
            if method == "POST"
            else _error(43002, "require POST method")
        )
    if api not in ("message/send", "media/upload"):
        return _error(404, "api not found (stand-in)")
    if method != "POST":
        return _error(43002, "require POST method")
    problem = state.token_error(query.get("access_token"))
    if problem is not None:
        return problem
    if api == "message/send":
        return state.message_send(body)
    return state.media_upload(query.get("type"), upload)


class WeComStub:
    """A running stand-in: its base URL, its state, and the callbacks it can send."""

    def __init__(
        self,
        config: StubConfig,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock | None = None,
    ) -> None:
        self.config = config
        self.state = StubState(config, clock)
        self.crypto = WeComCrypto(config.callback_token, config.aes_key, config.corp_id, 0)
        self._server = ServerThread(create_stub_app(self.state), host, port)
        self._last_msg_id = 0
        self._msg_id_lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return self._server.base_url

    def start(self) -> None:
        """Serve (again) on the same port."""
        self._server.start()

    def stop(self) -> None:
        """Stop serving: calls now fail with connection refused (held requests are let go)."""
        self.state.release()
        self._server.stop()

    def new_msg_id(self) -> int:
        """A fresh 64-bit MsgId: milliseconds since the epoch, 20 random bits, and larger than
        the last one; unique across runs and stand-ins, as WeCom's are."""
        candidate = (time.time_ns() // 1_000_000) << 20 | secrets.randbits(20)
        with self._msg_id_lock:
            self._last_msg_id = max(candidate, self._last_msg_id + 1)
            return self._last_msg_id

    # -- callbacks, as WeCom sends them -------------------------------------------

    def _signed_query(
        self, encrypted: str, timestamp: int | None, nonce: str | None
    ) -> dict[str, str]:
        ts = str(int(self.config.clock()) if timestamp is None else timestamp)
        nonce = nonce or str(secrets.randbelow(10**10))
        return {
            "msg_signature": self.crypto.signature(ts, nonce, encrypted),
            "timestamp": ts,
            "nonce": nonce,
        }

    def verify_url(self, url: str, timeout_s: float = 5.0) -> tuple[httpx.Response, str]:
        """Send WeCom's URL verification GET; returns the response and the expected echo."""
        echo = str(secrets.randbelow(10**19))
        echostr = self.crypto.encrypt(echo)
        params = {**self._signed_query(echostr, None, None), "echostr": echostr}
        return httpx.get(url, params=params, timeout=timeout_s), echo

    def send_callback(
        self,
        url: str,
        plaintext: str,
        *,
        timestamp: int | None = None,
        nonce: str | None = None,
        timeout_s: float = 5.0,
    ) -> httpx.Response:
        """POST ``plaintext`` (a message XML) encrypted and signed, as WeCom does."""
        encrypted = self.crypto.encrypt(plaintext)
        body = callback_xml(
            to_user=self.config.corp_id, encrypted=encrypted, agent_id=self.config.agent_id
        )
        return httpx.post(
            url,
            params=self._signed_query(encrypted, timestamp, nonce),
            content=body.encode("utf-8"),
            headers={"Content-Type": "text/xml"},
            timeout=timeout_s,
        )

    def press_button(
        self, url: str, from_user: str, event_key: str, task_id: str, **options: Any
    ) -> httpx.Response:
        """Send the event of ``from_user`` pressing a card's button (模板卡片事件推送)."""
        plaintext = xml_document(
            {
                "ToUserName": self.config.corp_id,
                "FromUserName": from_user,
                "CreateTime": int(self.config.clock()),
                "MsgType": "event",
                "Event": "template_card_event",
                "EventKey": event_key,
                "TaskId": task_id,
                "CardType": "button_interaction",
                "ResponseCode": secrets.token_hex(16),
                "AgentID": self.config.agent_id,
            }
        )
        return self.send_callback(url, plaintext, **options)

    def send_text(
        self, url: str, from_user: str, content: str, msg_id: int | None = None, **options: Any
    ) -> httpx.Response:
        """Send a user's text message to ``url`` as a callback (a fresh MsgId unless given)."""
        plaintext = text_message_xml(
            to_user=self.config.corp_id,
            from_user=from_user,
            content=content,
            msg_id=self.new_msg_id() if msg_id is None else msg_id,
            agent_id=self.config.agent_id,
            create_time=int(self.config.clock()),
        )
        return self.send_callback(url, plaintext, **options)


@contextmanager
def running_stub(
    config: StubConfig | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    clock: Clock | None = None,
) -> Iterator[WeComStub]:
    """Start a stand-in WeCom in a background thread; yields it (``stub.base_url``)."""
    stub = WeComStub(config or StubConfig(), host, port, clock)
    stub.start()
    try:
        yield stub
    finally:
        stub.stop()
