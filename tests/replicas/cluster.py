"""Several real ``hrq serve`` processes on 127.0.0.1 sharing one app database.

:class:`Cluster` starts the replicas in parallel (each a child process on a free port,
with the same ``HRQ_*`` settings), picks one at random per request as a load
balancer would, passes a request refused by a stopped replica on to another (a
balancer's retry of a connection that never reached a server) and kills one with
SIGKILL. A request cut off after it reached a replica is not retried: it is a
visible failure, reported to the caller as :class:`Outcome` with no response.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Replica:
    """One ``hrq serve`` child process (one worker)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        full = {k: v for k, v in os.environ.items() if not k.startswith("HRQ_")}
        full |= env | {"PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-c", "from api.cli import main; main()", "serve",
                   "--port", str(self.port), "--log-level", "warning"]  # fmt: skip
        self._log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=full, stdout=self._log, stderr=subprocess.STDOUT
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def callback_url(self) -> str:
        return f"{self.base}/wecom/callback"

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-3000:]

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup."""
        if self.alive:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.alive:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Outcome:
    """What became of one request: the replica that took it and its response, or the error
    that cut it off (``response`` None)."""

    replica: int
    response: httpx.Response | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.response is not None and self.response.status_code == 200

    def what(self) -> str:
        """The error, or the response's status and body."""
        if self.response is None:
            return self.error or "no response"
        return f"{self.response.status_code} {self.response.text[:200]}"


class Cluster:
    """``size`` replicas of ``hrq serve`` with the same settings."""

    def __init__(self, env: dict[str, str], size: int = 3, timeout_s: float = 120.0) -> None:
        self.replicas = [Replica(env) for _ in range(size)]
        self.random = random.Random(int(os.environ.get("HRQ_TEST_SEED", "17")))
        deadline = time.monotonic() + timeout_s
        waiting = list(self.replicas)
        while waiting:
            for replica in list(waiting):
                if not replica.alive:
                    self.close()
                    raise RuntimeError(f"hrq serve exited: {replica.log()}")
                if replica.ready():
                    waiting.remove(replica)
            if time.monotonic() > deadline:
                self.close()
                raise RuntimeError("the replicas did not become ready")
            time.sleep(0.2)

    def live(self) -> list[int]:
        return [i for i, r in enumerate(self.replicas) if r.alive]

    def pick(self) -> int:
        """A live replica at random."""
        return self.random.choice(self.live())

    def request(self, method: str, path: str, **options: Any) -> Outcome:
        """Send to a random replica; refused connections go on to another live one."""
        tried: set[int] = set()
        while True:
            candidates = [i for i in self.live() if i not in tried] or self.live()
            index = self.random.choice(candidates)
            tried.add(index)
            try:
                response = httpx.request(
                    method, self.replicas[index].base + path, timeout=120, **options
                )
                return Outcome(index, response)
            except httpx.ConnectError:
                if len(tried) >= len(self.replicas):
                    return Outcome(index, None, "no replica accepted the connection")
            except httpx.HTTPError as exc:  # reached the replica, then cut off
                return Outcome(index, None, f"{type(exc).__name__}: {exc}")

    def close(self) -> None:
        for replica in self.replicas:
            replica.stop()
