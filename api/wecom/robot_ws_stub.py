"""A stand-in for WeCom's robot long-connection endpoint, over 127.0.0.1 (tests, local runs).

It speaks the frames :mod:`api.wecom.robot_ws` documents: it expects ``aibot_subscribe``
first and refuses a wrong bot id or secret as WeCom does (``errcode`` 853000, "invalid
bot_id or secret", then closes); it acknowledges each ``ping``; :meth:`RobotWsStub.push`
sends a message as an ``aibot_msg_callback`` on the current connection and the stand-in
records every ``aibot_respond_msg`` by the callback's ``req_id``; :meth:`RobotWsStub.drop`
closes the connection as a network drop would.

It runs its own event loop in a daemon thread, so synchronous code (a test, the CLI) drives
it with plain calls.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from websockets import ConnectionClosed
from websockets.asyncio.server import Server, ServerConnection, serve

from api.wecom.robot_ws import MSG_CALLBACK, PING, RESPOND, RESPOND_WELCOME, SUBSCRIBE

BAD_CREDENTIALS = 853000


@dataclass(frozen=True)
class WsStubConfig:
    bot_id: str = "aibstubbot0001"
    secret: str = "stub-robot-secret"


class RobotWsStub:
    """The stand-in endpoint; :meth:`start` it, then point ``HRQ_WECOM_ROBOT_WS_URL`` at ``url``."""

    def __init__(self, config: WsStubConfig | None = None) -> None:
        self.config = config or WsStubConfig()
        self.subscriptions = 0
        self.refusals = 0
        self.pings = 0
        #: Every respond frame's body, by the callback's req_id.
        self.responses: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._current: ServerConnection | None = None
        self._subscribed = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: Server | None = None
        self.url = ""

    def start(self) -> RobotWsStub:
        self._thread.start()
        self._server = self._call(self._serve())
        port = next(iter(self._server.sockets)).getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}"
        return self

    async def _serve(self) -> Server:
        return await serve(self._handle, "127.0.0.1", 0)

    def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._call(self._server.wait_closed())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _call(self, coro: Any) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(10)

    async def _handle(self, ws: ServerConnection) -> None:
        first = json.loads(await ws.recv())
        headers = first.get("headers", {})
        body = first.get("body", {})
        if first.get("cmd") != SUBSCRIBE or (body.get("bot_id"), body.get("secret")) != (
            self.config.bot_id,
            self.config.secret,
        ):
            self.refusals += 1
            refusal = {"headers": headers, "errcode": BAD_CREDENTIALS,
                       "errmsg": "invalid bot_id or secret"}  # fmt: skip
            await ws.send(json.dumps(refusal))
            await ws.close()
            return
        await ws.send(json.dumps({"headers": headers, "errcode": 0, "errmsg": "ok"}))
        self.subscriptions += 1
        self._current = ws
        self._subscribed.set()
        try:
            await self._answer_frames(ws)
        except ConnectionClosed:
            pass  # a drop

    async def _answer_frames(self, ws: ServerConnection) -> None:
        async for raw in ws:
            frame = json.loads(raw)
            cmd, headers = frame.get("cmd"), frame.get("headers", {})
            if cmd == PING:
                self.pings += 1
            elif cmd in (RESPOND, RESPOND_WELCOME):
                self.responses[str(headers.get("req_id"))].append(frame.get("body", {}))
            await ws.send(json.dumps({"headers": headers, "errcode": 0, "errmsg": "ok"}))

    def wait_subscribed(self, count: int = 1, timeout: float = 20.0) -> None:
        """Wait until hrq has subscribed ``count`` times in all."""
        deadline = time.monotonic() + timeout
        while self.subscriptions < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.subscriptions} subscriptions, wanted {count}")
            time.sleep(0.02)

    def push(self, payload: dict[str, Any], cmd: str = MSG_CALLBACK, req_id: str = "") -> str:
        """Send a callback frame on the current connection; its req_id."""
        req_id = req_id or f"req_{uuid.uuid4().hex}"
        frame = {"cmd": cmd, "headers": {"req_id": req_id}, "body": payload}
        ws = self._current
        assert ws is not None, "nobody subscribed"
        self._call(ws.send(json.dumps(frame, ensure_ascii=False)))
        return req_id

    def drop(self) -> None:
        """Close the current connection abruptly (hrq sees a drop)."""
        self._call(self._drop())

    async def _drop(self) -> None:
        ws, self._current = self._current, None
        if ws is not None:
            ws.transport.abort()

    def final(self, req_id: str, timeout: float = 60.0) -> dict[str, Any]:
        """The finished stream frame answered on ``req_id`` (waits for it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for body in list(self.responses.get(req_id, [])):
                if body.get("stream", {}).get("finish"):
                    return body
            time.sleep(0.05)
        raise TimeoutError(f"no final frame on {req_id}: {self.responses.get(req_id)}")
