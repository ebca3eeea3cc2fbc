"""The intelligent robot's long-connection mode (智能机器人 长连接): hrq connects out to WeCom.

Instead of WeCom calling ``/wecom/robot``, hrq opens a WebSocket to WeCom's endpoint
(``HRQ_WECOM_ROBOT_WS_URL``, ``wss://openws.work.weixin.qq.com``) and speaks WeCom's JSON
frame protocol. Sources: the command table ("WebSocket 命令协议": aibot_subscribe, ping,
aibot_respond_msg, aibot_respond_welcome_msg, aibot_msg_callback, aibot_event_callback) and
the stream reply (``reply_stream``: stream id, content, finish) of the public
``aibot-rust-sdk`` README, a port of WeCom's aibot SDK; the frame shapes (``cmd``,
``headers.req_id``, ``body``; acknowledgements with ``errcode``/``errmsg``, 853000 "invalid
bot_id or secret" for bad credentials) as public clients of ``openws.work.weixin.qq.com``
send and receive them:

- ``{"cmd": "aibot_subscribe", "headers": {"req_id"}, "body": {"bot_id", "secret"}}``
  first; WeCom acknowledges with ``{"headers": {"req_id"}, "errcode": 0}`` (a wrong bot id
  or secret: a non-zero ``errcode``, :class:`RobotConnectError`, no retry);
- ``{"cmd": "ping", "headers": {"req_id"}}`` every ``HRQ_WECOM_ROBOT_HEARTBEAT_S``;
- ``aibot_msg_callback`` brings a message (its body is the callback mode's decrypted JSON)
  and ``aibot_event_callback`` an event; hrq answers on the callback's ``req_id`` with
  ``aibot_respond_msg`` frames whose body is the callback mode's stream reply: "正在查询…"
  (``finish`` false) at once, then the answer (``finish`` true) when the worker finishes
  the stream (:mod:`api.wecom.streams`), and ``aibot_respond_welcome_msg`` for
  ``enter_chat``.

Messages go through :class:`~api.wecom.robot_callback.RobotService` exactly as callbacks
do, so a message WeCom pushes again (after a drop, or to another process) finds its stream
and is answered once. After a drop hrq reconnects with exponential backoff (1 s doubling to
30 s) and finishes, on the new connection, any stream it was still waiting for.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection, connect

from api.wecom.errors import WeComConfigError
from api.wecom.robot_callback import RobotService
from api.wecom.robot_messages import parse_robot_message
from schema.settings import Settings

log = logging.getLogger(__name__)

SUBSCRIBE, PING = "aibot_subscribe", "ping"
MSG_CALLBACK, EVENT_CALLBACK = "aibot_msg_callback", "aibot_event_callback"
RESPOND, RESPOND_WELCOME = "aibot_respond_msg", "aibot_respond_welcome_msg"


class RobotConnectError(WeComConfigError):
    """WeCom refused the subscription (a wrong bot id or secret): reconnecting cannot help."""


@dataclass(frozen=True)
class ConnectConfig:
    """Where and as whom to connect, and the connection's timings."""

    url: str
    bot_id: str
    secret: str
    heartbeat_s: float = 30.0
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    poll_s: float = 0.2

    @classmethod
    def from_settings(cls, settings: Settings) -> ConnectConfig:
        if settings.wecom_robot_bot_id is None or settings.wecom_robot_secret is None:
            raise WeComConfigError(
                "set HRQ_WECOM_ROBOT_BOT_ID and HRQ_WECOM_ROBOT_SECRET for the long connection"
            )
        return cls(
            url=settings.wecom_robot_ws_url,
            bot_id=settings.wecom_robot_bot_id,
            secret=settings.wecom_robot_secret.get_secret_value(),
            heartbeat_s=settings.wecom_robot_heartbeat_s,
        )


def _req_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("answering a robot frame failed", exc_info=task.exception())


class RobotConnection:
    """One long connection at a time, reconnected after drops until :meth:`stop`."""

    def __init__(self, service: RobotService, config: ConnectConfig) -> None:
        self.service = service
        self.config = config
        self.subscriptions = 0
        self._stopping = asyncio.Event()
        #: Streams answered on a connection that dropped before their final frame: the
        #: callback's req_id by stream id, finished on the next connection.
        self._waiting: dict[str, str] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def stop(self) -> None:
        """Disconnect and return from :meth:`run` (from any thread)."""
        if self._loop is None:
            self._stopping.set()
        else:
            self._loop.call_soon_threadsafe(self._stopping.set)

    async def run(self) -> None:
        """Connect, subscribe and answer until stopped; reconnect with backoff after a drop."""
        self._loop = asyncio.get_running_loop()
        delay = self.config.backoff_s
        while not self._stopping.is_set():
            try:
                async with connect(self.config.url, ping_interval=None) as ws:
                    await self._subscribe(ws)
                    delay = self.config.backoff_s
                    await self._serve(ws)
            except RobotConnectError:
                raise
            except (TimeoutError, OSError, websockets.ConnectionClosed) as exc:
                log.warning("robot long connection dropped (%s); reconnecting in %.1fs", exc, delay)
            if self._stopping.is_set():
                return
            try:
                await asyncio.wait_for(self._stopping.wait(), delay)
            except TimeoutError:
                pass
            delay = min(delay * 2, self.config.max_backoff_s)

    async def _subscribe(self, ws: ClientConnection) -> None:
        req_id = _req_id(SUBSCRIBE)
        body = {"bot_id": self.config.bot_id, "secret": self.config.secret}
        await ws.send(json.dumps({"cmd": SUBSCRIBE, "headers": {"req_id": req_id}, "body": body}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if ack.get("errcode", 0) != 0:
            raise RobotConnectError(
                f"WeCom refused the robot's subscription ({ack.get('errcode')} "
                f"{ack.get('errmsg', '')}): check HRQ_WECOM_ROBOT_BOT_ID and HRQ_WECOM_ROBOT_SECRET"
            )
        self.subscriptions += 1

    async def _serve(self, ws: ClientConnection) -> None:
        tasks = {asyncio.create_task(self._heartbeat(ws))}
        for stream_id, req_id in list(self._waiting.items()):
            tasks.add(asyncio.create_task(self._finish(ws, req_id, stream_id)))
        stop = asyncio.create_task(self._stopping.wait())
        try:
            while True:
                receive = asyncio.create_task(ws.recv())
                done, _ = await asyncio.wait({receive, stop}, return_when=asyncio.FIRST_COMPLETED)
                if stop in done:
                    receive.cancel()
                    return
                frame = json.loads(receive.result())
                if frame.get("cmd") in (MSG_CALLBACK, EVENT_CALLBACK):
                    task = asyncio.create_task(self._answer(ws, frame))
                    task.add_done_callback(_log_failure)
                    tasks.add(task)
        finally:
            stop.cancel()
            for task in tasks:
                task.cancel()

    async def _heartbeat(self, ws: ClientConnection) -> None:
        while True:
            await asyncio.sleep(self.config.heartbeat_s)
            await ws.send(json.dumps({"cmd": PING, "headers": {"req_id": _req_id(PING)}}))

    async def _answer(self, ws: ClientConnection, frame: dict[str, Any]) -> None:
        req_id = str(frame.get("headers", {}).get("req_id", ""))
        message = parse_robot_message(json.dumps(frame.get("body", {}), ensure_ascii=False))
        reply = await asyncio.to_thread(self.service.reply, message, "ws")
        if reply is None:
            return
        cmd = RESPOND_WELCOME if frame.get("cmd") == EVENT_CALLBACK else RESPOND
        await self._send(ws, cmd, req_id, reply)
        stream = reply.get("stream")
        if isinstance(stream, dict) and not stream.get("finish"):
            stream_id = str(stream.get("id", ""))
            self._waiting[stream_id] = req_id
            await self._finish(ws, req_id, stream_id)

    async def _finish(self, ws: ClientConnection, req_id: str, stream_id: str) -> None:
        """Send the stream's final frame once the worker has finished it."""
        while True:
            stream = await asyncio.to_thread(self.service.streams.get, stream_id)
            if stream is not None and stream.finished:
                await self._send(ws, RESPOND, req_id, stream.frame().plaintext())
                self._waiting.pop(stream_id, None)
                return
            await asyncio.sleep(self.config.poll_s)

    @staticmethod
    async def _send(ws: ClientConnection, cmd: str, req_id: str, body: dict[str, Any]) -> None:
        frame = {"cmd": cmd, "headers": {"req_id": req_id}, "body": body}
        await ws.send(json.dumps(frame, ensure_ascii=False))
