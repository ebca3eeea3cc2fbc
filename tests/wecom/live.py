"""hrq served by a real uvicorn server on 127.0.0.1 next to a stand-in WeCom, for callback tests.

``HrqServer`` runs ``create_app(settings)`` with its lifespan (so the WeCom worker is
closed on shutdown); stopping and serving a new app on the same app database is a
restart. ``wait_for`` polls until the stand-in has received what a test waits for.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from api.http.main import create_app
from api.wecom.stub import StubConfig, WeComStub
from schema.settings import Settings
from tests.conftest import DEMO_END_DATE

T = TypeVar("T")


class HrqServer:
    """One hrq app served in a daemon thread, with its lifespan."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", 0))
        self._socket = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("hrq did not start")
            time.sleep(0.005)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/wecom/callback"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._socket.close()


def wecom_settings(
    tmp_path: Path, warehouse_url: str, stub: WeComStub, **overrides: Any
) -> Settings:
    """Settings pointing hrq at ``stub``: fast retries, a short outbox backoff, and questions
    answered as of the demo warehouse's last day (whatever today is)."""
    config: StubConfig = stub.config
    values: dict[str, Any] = {
        "warehouse_url": warehouse_url,
        "as_of": date.fromisoformat(DEMO_END_DATE),
        "app_db_url": f"sqlite:///{tmp_path / 'app.db'}",
        "data_dir": tmp_path,
        "api_rate_limit_per_minute": 0,
        "wecom_corp_id": config.corp_id,
        "wecom_agent_id": config.agent_id,
        "wecom_secret": SecretStr(config.secret),
        "wecom_token": SecretStr(config.callback_token),
        "wecom_aes_key": SecretStr(config.aes_key),
        "wecom_api_base": stub.base_url,
        "wecom_send_retries": 2,
        "wecom_retry_base_s": 0.01,
        "wecom_outbox_backoff_s": 0.2,
        "public_base_url": "https://hrq.example.com",
    }
    values.update(overrides)
    return Settings(**values)


def serve(settings: Settings, **options: Any) -> HrqServer:
    """Serve a fresh hrq app for ``settings``."""
    return HrqServer(create_app(settings, **options))


def wait_for(probe: Callable[[], T], timeout_s: float = 10.0, interval_s: float = 0.01) -> T:
    """The first truthy value of ``probe()``; AssertionError after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {probe}")
        time.sleep(interval_s)


def sent_to(stub: WeComStub, userid: str) -> list[dict[str, Any]]:
    """The ``message/send`` bodies the stand-in accepted for ``userid``."""
    return [m for m in list(stub.state.messages) if userid in str(m.get("touser", "")).split("|")]


def content_of(message: dict[str, Any]) -> str:
    """The text of a text or markdown message ('' for an image)."""
    part = message.get(message.get("msgtype", ""), {})
    return str(part.get("content", "")) if isinstance(part, dict) else ""
