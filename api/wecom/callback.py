"""``GET/POST /wecom/callback``: WeCom's URL verification and message callbacks.

- ``GET`` (URL verification): the decrypted ``echostr`` as plain text.
- ``POST`` (a message): verified (signature, time window), decrypted (receive
  id checked), parsed, recorded by MsgId, queued for the background worker and
  acknowledged at once with HTTP 200 and an empty body; the answer follows
  through ``message/send``. A retried MsgId is acknowledged and ignored.
- Rejections are clean JSON errors with the status the error carries: bad
  signature, stale timestamp or wrong receive id 403; malformed body or
  ciphertext 400; oversized body 413. Without WeCom settings: 503.

A MsgId is recorded under a lease of this process before the callback is
acknowledged (:mod:`api.wecom.inbox`): a retry of a message some live process is
answering is acknowledged and ignored; a retry of one whose process stopped
(lease expired) is taken over and answered.

The per-app :class:`WeComService` (crypto, inbox, outbox, channel, worker) is
built when the app starts, if WeCom is configured, so its worker recovers what a
stopped process left within seconds, callback or not (otherwise on the first
callback); it is closed when the app shuts down. With the robot's bot id and secret
set, the app also holds the robot's long connection (one process per bot,
:mod:`api.wecom.robot_runner`), and with ``HRQ_WECOM_DIGEST_AT`` it schedules the daily
digest (:mod:`api.wecom.digest`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse

from api.http.services import Services
from api.wecom.channel import WeComChannel
from api.wecom.crossings import crossings_scheduler, require_channel
from api.wecom.crypto import WeComCrypto
from api.wecom.digest import digest_scheduler
from api.wecom.errors import BodyTooLargeError, CallbackError, MessageFormatError, WeComConfigError
from api.wecom.inbox import Inbox
from api.wecom.leases import new_owner
from api.wecom.messages import (
    MAX_BODY_BYTES,
    WeComMessage,
    parse_callback_json,
    parse_callback_xml,
    parse_message_json,
    parse_message_xml,
)
from api.wecom.month_end import POLL_S, month_end_job
from api.wecom.outbox import Outbox
from api.wecom.schedule import JobLeases, Scheduler
from api.wecom.streams import Streams
from api.wecom.worker import CallbackWorker
from schema.db import app_engine
from schema.settings import Settings

QUERY_FIELDS = ("msg_signature", "timestamp", "nonce")

if TYPE_CHECKING:
    from api.wecom.robot_runner import RobotRunner

log = logging.getLogger(__name__)


class WeComService:
    """Everything the callback route needs for one app instance."""

    def __init__(self, services: Services) -> None:
        from api.wecom.robot import RobotChannel  # the robot modules build on this one
        from api.wecom.robot_callback import RobotService, robot_crypto

        settings = services.settings
        self.settings = settings
        app_callback = settings.wecom_token is not None or settings.wecom_aes_key is not None
        #: The self-built app's callback crypto (None: only the robot is configured).
        self.crypto = WeComCrypto.from_settings(settings) if app_callback else None
        robot = robot_crypto(settings)
        connected = (
            settings.wecom_robot_bot_id is not None and settings.wecom_robot_secret is not None
        )
        if self.crypto is None and robot is None and not connected:
            raise WeComConfigError(
                "set HRQ_WECOM_TOKEN and HRQ_WECOM_AES_KEY (the self-built app) or "
                "HRQ_WECOM_ROBOT_TOKEN and HRQ_WECOM_ROBOT_AES_KEY (the intelligent robot) or "
                "HRQ_WECOM_ROBOT_BOT_ID and HRQ_WECOM_ROBOT_SECRET (its long connection)"
            )
        self.inbox = Inbox(services.app_engine)
        self.outbox = Outbox(services.app_engine, settings, owner=new_owner())
        self.channel = WeComChannel(services.assistant, self.inbox, settings.public_base_url)
        composer = None
        if robot is not None or connected:
            private = bool(
                settings.wecom_corp_id and settings.wecom_agent_id and settings.wecom_secret
            )
            composer = RobotChannel(services.assistant, self.channel, settings.wecom_robot_groups,
                                    private=private,
                                    stream_window_s=settings.wecom_robot_stream_window_s)  # fmt: skip
        self.worker = CallbackWorker(
            self.channel,
            self.inbox,
            self.outbox,
            process_lease_s=settings.wecom_process_lease_s,
            poll_s=settings.wecom_recovery_poll_s,
            robot=composer,
        )
        #: The intelligent robot's callbacks (None: not configured).
        self.robot = (
            None
            if robot is None and not connected
            else RobotService(
                robot, Streams(services.app_engine), self.worker, settings.wecom_robot_id
            )  # fmt: skip
        )
        self.worker.start()  # recovers at once what a stopped process left

    def receive(self, query: dict[str, str], body: bytes, json_body: bool) -> bool:
        """Verify, decrypt and record a callback; True if it was new and is now queued."""
        if self.crypto is None:
            raise WeComConfigError("set HRQ_WECOM_TOKEN and HRQ_WECOM_AES_KEY for app callbacks")
        signature, timestamp, nonce = _query(query)
        envelope = parse_callback_json(body) if json_body else parse_callback_xml(body)
        plaintext = self.crypto.decrypt_message(signature, timestamp, nonce, envelope.encrypt)
        leased = self.worker.claim(_message(plaintext))
        if leased is None:
            return False
        self.worker.submit(leased)
        return True

    def close(self) -> None:
        """Stop the worker and close the WeCom client."""
        self.worker.close()
        self.outbox.close()


def _query(query: dict[str, str]) -> tuple[str, str, str]:
    missing = [name for name in QUERY_FIELDS if not query.get(name)]
    if missing:
        raise MessageFormatError(f"callback query lacks {', '.join(missing)}")
    return query["msg_signature"], query["timestamp"], query["nonce"]


def _message(plaintext: str) -> WeComMessage:
    stripped = plaintext.lstrip()
    if stripped.startswith("<"):
        return parse_message_xml(plaintext)
    return parse_message_json(plaintext)


def _robot_runner(service: object) -> RobotRunner | None:
    """The robot's long connection, started when its bot id and secret are set."""
    from api.wecom.robot_runner import RobotRunner  # the robot modules build on this one
    from api.wecom.robot_ws import ConnectConfig

    if not isinstance(service, WeComService) or service.robot is None:
        return None
    settings = service.settings
    if settings.wecom_robot_bot_id is None or settings.wecom_robot_secret is None:
        return None
    leases = JobLeases(service.inbox.engine, lease_s=3 * settings.wecom_process_lease_s)
    runner = RobotRunner(service.robot, ConnectConfig.from_settings(settings), leases,
                         poll_s=settings.wecom_recovery_poll_s)  # fmt: skip
    runner.start()
    return runner


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    services = getattr(app.state, "services", None)
    if isinstance(services, Services) and getattr(app.state, "wecom", None) is None:
        try:
            app.state.wecom = await run_in_threadpool(WeComService, services)
        except WeComConfigError:  # WeCom not configured: callbacks answer 503
            pass
    schedulers = _schedulers(services.settings) if isinstance(services, Services) else []
    for scheduler in schedulers:
        scheduler.start()
    runner = _robot_runner(getattr(app.state, "wecom", None))
    yield
    if runner is not None:
        runner.close()
    for scheduler in schedulers:
        scheduler.close()
    service = getattr(app.state, "wecom", None)
    if isinstance(service, WeComService):
        service.close()


def _schedulers(settings: Settings) -> list[Scheduler]:
    """The scheduled pushes this server runs (with other processes, one run per slot): the
    live crossings (``HRQ_WECOM_CROSSINGS_EVERY_S``) and the month-end notifications
    (``HRQ_WECOM_MONTH_END_DAY``), if set and the self-built app is configured, and the
    daily digest to the team groups (``HRQ_WECOM_DIGEST_AT``, through their webhooks)."""
    schedulers: list[Scheduler] = []
    if settings.wecom_digest_at:
        if settings.wecom_group_webhooks:
            schedulers.append(digest_scheduler(settings, settings.wecom_digest_at))
        else:
            log.warning("daily digest not scheduled: set HRQ_WECOM_GROUP_WEBHOOKS")
    if settings.wecom_crossings_every_s <= 0 and settings.wecom_month_end_day <= 0:
        return schedulers
    try:
        require_channel(settings)
    except WeComConfigError as exc:
        log.warning("scheduled pushes not scheduled: %s", exc)
        return schedulers
    if settings.wecom_crossings_every_s > 0:
        schedulers.append(crossings_scheduler(settings, settings.wecom_crossings_every_s))
    if settings.wecom_month_end_day > 0:
        leases = JobLeases(app_engine(settings.app_db_url))
        schedulers.append(Scheduler(leases, [month_end_job(settings)], poll_s=POLL_S))
    return schedulers


router = APIRouter(tags=["wecom"], include_in_schema=False, lifespan=_lifespan)


def _service(request: Request) -> WeComService:
    """The app's WeCom service, built on first use (on the event loop thread, so once)."""
    service = getattr(request.app.state, "wecom", None)
    if service is None:
        service = WeComService(request.app.state.services)
        request.app.state.wecom = service
    assert isinstance(service, WeComService)
    return service


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def verified_echo(crypto: WeComCrypto, query: dict[str, str]) -> str:
    """The decrypted ``echostr`` of a URL verification (app and robot alike)."""
    signature, timestamp, nonce = _query(query)
    echostr = query.get("echostr")
    if not echostr:
        raise MessageFormatError("URL verification lacks echostr")
    return crypto.verify_url(signature, timestamp, nonce, echostr)


def _rejected(exc: CallbackError) -> JSONResponse:
    return _error(exc.http_status, exc.code, str(exc))


def _unconfigured(exc: WeComConfigError) -> JSONResponse:
    return _error(503, "wecom_not_configured", f"WeCom is not configured: {exc}")


async def read_body(request: Request) -> bytes:
    """The request body, refused (BodyTooLargeError) beyond :data:`MAX_BODY_BYTES`."""
    declared = request.headers.get("content-length", "0")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BodyTooLargeError(f"callback body larger than {MAX_BODY_BYTES} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise BodyTooLargeError(f"callback body larger than {MAX_BODY_BYTES} bytes")
    return bytes(body)


@router.get("/wecom/callback", response_class=PlainTextResponse)
async def verify_url(request: Request) -> Response:
    """WeCom's URL verification: answer the decrypted ``echostr``."""
    try:
        service = _service(request)
        if service.crypto is None:
            raise WeComConfigError("set HRQ_WECOM_TOKEN and HRQ_WECOM_AES_KEY for app callbacks")
        echo = verified_echo(service.crypto, dict(request.query_params))
    except WeComConfigError as exc:
        return _unconfigured(exc)
    except CallbackError as exc:
        return _rejected(exc)
    return PlainTextResponse(echo)


@router.post("/wecom/callback")
async def receive_message(request: Request) -> Response:
    """A message from WeCom: acknowledged at once (200, empty body), answered in the background."""
    try:
        service = _service(request)
        body = await read_body(request)
        content_type = request.headers.get("content-type", "")
        json_body = "json" in content_type or body.lstrip().startswith(b"{")
        await run_in_threadpool(service.receive, dict(request.query_params), body, json_body)
    except WeComConfigError as exc:
        return _unconfigured(exc)
    except CallbackError as exc:
        return _rejected(exc)
    return Response(status_code=200)
