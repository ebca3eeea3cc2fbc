"""hrq served by a real uvicorn server on 127.0.0.1 next to a stand-in WeCom, for callback tests.

``HrqServer`` runs ``create_app(settings)`` with its lifespan (so the WeCom worker is
closed on shutdown); stopping and serving a new app on the same app database is a
restart. ``HrqProcess`` runs ``hrq serve`` in a child process, so a test can
``kill -9`` it. ``wait_for`` polls until the stand-in has received what a test waits for.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import httpx
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from api.http.main import create_app
from api.wecom.stub import StubConfig, WeComStub
from schema.settings import Settings
from tests.conftest import DEMO_END_DATE

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]


def child_clock() -> float:
    """The clock of a server started in another process: the real one, also when this
    suite runs with its own clock moved (``tests/moved_clock.py``), so a stand-in WeCom
    talking to ``HrqProcess`` signs with the time that process checks against."""
    import time_machine

    if time_machine.escape_hatch.is_travelling():
        return time_machine.escape_hatch.time.time()
    return time.time()


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
    """The text of a text or markdown message, a card's titles and items ('' for an image)."""
    part = message.get(message.get("msgtype", ""), {})
    if not isinstance(part, dict):
        return ""
    if message.get("msgtype") == "template_card":
        title = part.get("main_title", {})
        items = [f"{i['keyname']} {i['value']}" for i in part.get("horizontal_content_list", [])]
        return "\n".join([title.get("title", ""), title.get("desc", ""),
                          part.get("sub_title_text", ""), *items])  # fmt: skip
    return str(part.get("content", ""))


def environment(settings: Settings) -> dict[str, str]:
    """``settings`` as the ``HRQ_*`` variables of a child process."""
    env: dict[str, str] = {}
    for name, value in settings.model_dump(exclude_defaults=True).items():
        if isinstance(value, dict | list | tuple) or value is None:
            continue  # e.g. webhook keys: not needed by the callback tests
        plain = value.get_secret_value() if isinstance(value, SecretStr) else value
        env[f"HRQ_{name.upper()}"] = str(plain)
    return env


class HrqProcess:
    """``hrq serve`` (one worker: the server is this process) in a child process."""

    def __init__(self, settings: Settings, timeout_s: float = 60.0) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        env = {k: v for k, v in os.environ.items() if not k.startswith("HRQ_")}
        env |= environment(settings) | {"PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-c", "from api.cli import main; main()", "serve",
                   "--port", str(self.port), "--log-level", "warning"]  # fmt: skip
        self._log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout_s
        while not self._ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"hrq serve exited with {self.proc.returncode}: {self.log()}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError("hrq serve did not become ready")
            time.sleep(0.1)

    def _ready(self) -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/wecom/callback"

    def log(self) -> str:
        """What the server printed (the end of it)."""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-3000:]

    def kill(self) -> None:
        """``kill -9``: no shutdown, no cleanup."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        """A clean stop (SIGTERM), or a kill if it does not stop."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                pass
        self.kill()
