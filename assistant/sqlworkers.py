"""Warm DuckDB worker processes (:mod:`assistant.sqlworker`) that are killed when a statement
overruns its time or memory, and replaced.

A :class:`SqlWorkers` pool belongs to one warehouse engine. :meth:`SqlWorkers.run`
takes an idle worker (or starts one), sends it the statement and waits for the
reply. While it waits it watches the clock and, after the first
:data:`POLL_AFTER_S`, the worker's resident memory: past the deadline, or above
``rss_limit_mb`` (DuckDB's limit + :data:`RSS_HEADROOM_MB`), the worker is killed with SIGKILL
(DuckDB cannot refuse that) and the statement fails. A killed worker is dropped;
the next statement starts a fresh one. A worker that answered goes back to the
pool, its connection and cache warm, so the planner's own SQL pays one round
trip through a pipe, not a process start.

The pool is closed with its engine (``engine.dispose()``), so a worker never holds
the warehouse file open after the engine that asked for it is gone.
"""

from __future__ import annotations

import os
import pickle
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from assistant.errors import GuardError, QueryError
from assistant.sqlworker import HEADER, Config, Failed, Ready, Reply, Request, Rows, send

#: Seconds a new worker may take to import DuckDB and open the warehouse.
START_TIMEOUT_S = 60.0
#: The worker's memory is first looked at after this long (a fast statement never is).
POLL_AFTER_S = 0.05
#: Seconds between looks at a slow statement's worker.
POLL_EVERY_S = 0.05
#: Resident memory a worker may use beyond DuckDB's memory limit (Python, the result).
RSS_HEADROOM_MB = 512
#: The folder that holds the ``assistant`` package, for the worker's import path.
SOURCE_ROOT = str(Path(__file__).resolve().parents[1])


def timeout_error(timeout_s: float) -> GuardError:
    return GuardError(
        f"the query ran longer than {timeout_s:g} s and was cancelled; narrow it "
        "(fewer rows, a shorter period, no cross joins)",
        reason="timeout",
    )


def memory_error(limit_mb: int, detail: str = "") -> GuardError:
    return GuardError(
        f"the query needed more than {limit_mb} MB of memory and was stopped; narrow it "
        "(fewer rows, smaller values, no huge lists or strings)"
        + (f" ({detail})" if detail else ""),
        reason="memory_limit",
    )


class _Killed(Exception):
    """The worker was killed or died; ``error`` is what the statement fails with."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class SqlWorker:
    """One worker process and its pipes."""

    def __init__(self, config: Config) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [SOURCE_ROOT, env.get("PYTHONPATH")]))
        self.config = config
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assistant.sqlworker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._requests: IO[bytes] = self.process.stdin
        self._replies = self.process.stdout.fileno()
        self._ready = False
        try:
            send(self._requests, config)
        except OSError:  # it died at once; the first reply (end of stream) says so
            pass

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def run(self, request: Request) -> Rows | Failed:
        """Run ``request``; raise :class:`_Killed` when the worker had to be killed or died."""
        if not self._ready:
            reply = self._receive(time.monotonic() + START_TIMEOUT_S, on_timeout=None)
            if isinstance(reply, Failed):
                self.kill()
                raise _Killed(QueryError(
                    f"the warehouse could not be opened: {reply.message}", reason="query_failed"
                ))  # fmt: skip
            self._ready = isinstance(reply, Ready)
        try:
            send(self._requests, request)
        except OSError as exc:
            self.kill()
            raise _Killed(QueryError("the SQL worker is gone", reason="query_failed")) from exc
        deadline = time.monotonic() + request.timeout_s
        reply = self._receive(deadline, on_timeout=timeout_error(request.timeout_s))
        assert not isinstance(reply, Ready)
        return reply

    def kill(self) -> None:
        """SIGKILL the worker and reap it."""
        if self.alive:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()

    def close(self) -> None:
        """Let the worker end (its stdin closes); kill it if it does not within a second, or
        at once if it never got to open the warehouse (nothing of it needs to end well)."""
        if not self._ready:
            self.kill()
            return
        try:
            self._requests.close()
            self.process.wait(timeout=1.0)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()

    def _receive(self, deadline: float, on_timeout: Exception | None) -> Reply:
        """One reply, watching the deadline and the worker's memory."""
        started = time.monotonic()
        buffer = bytearray()
        needed = HEADER.size
        body_size: int | None = None
        limit_mb = self.config.rss_limit_mb
        while True:
            now = time.monotonic()
            if now >= deadline:
                self.kill()
                raise _Killed(on_timeout or QueryError("the SQL worker did not start",
                                                       reason="query_failed"))  # fmt: skip
            if now - started >= POLL_AFTER_S and _rss_mb(self.process.pid) > limit_mb:
                self.kill()
                raise _Killed(memory_error(self.config.memory_limit_mb))
            wait = min(deadline - now, POLL_EVERY_S if now - started >= POLL_AFTER_S else
                       POLL_AFTER_S - (now - started))  # fmt: skip
            readable, _, _ = select.select([self._replies], [], [], max(wait, 0.0))
            if not readable:
                continue
            chunk = os.read(self._replies, max(needed - len(buffer), 65536))
            if not chunk:
                status = self.process.wait()
                self.kill()
                if not self._ready:
                    raise _Killed(QueryError(
                        f"the SQL worker ended before it opened the warehouse (status {status})",
                        reason="query_failed",
                    ))  # fmt: skip
                raise _Killed(memory_error(
                    self.config.memory_limit_mb, f"the worker ended with status {status}"
                ))  # fmt: skip
            buffer += chunk
            if body_size is None and len(buffer) >= HEADER.size:
                (body_size,) = HEADER.unpack(buffer[: HEADER.size])
                needed = HEADER.size + body_size
            if body_size is not None and len(buffer) >= needed:
                reply: Reply = pickle.loads(bytes(buffer[HEADER.size : needed]))
                return reply


def _rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MB (0 where /proc cannot tell)."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, IndexError, ValueError):
        return 0.0


@dataclass
class SqlWorkers:
    """Idle workers of one warehouse, handed out one statement at a time."""

    config: Config

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[SqlWorker] = []
        self._owner = os.getpid()
        self._closed = False

    def start(self) -> None:
        """Start a worker now (it opens the warehouse while the caller does other work)."""
        with self._lock:
            if not self._idle and not self._closed:
                self._idle.append(SqlWorker(self.config))

    def run(self, request: Request) -> Rows | Failed:
        """Run ``request`` on an idle worker; a worker that overran is killed, not returned."""
        worker = self._take()
        try:
            reply = worker.run(request)
        except _Killed as killed:
            raise killed.error from None
        except BaseException:
            worker.kill()
            raise
        self._give_back(worker)
        return reply

    def close(self) -> None:
        """End every idle worker; a worker still running a statement ends when it returns."""
        with self._lock:
            idle, self._idle, self._closed = self._idle, [], True
        if os.getpid() == self._owner:
            for worker in idle:
                worker.close()

    def _take(self) -> SqlWorker:
        with self._lock:
            if os.getpid() != self._owner:  # a forked copy: the workers belong to the parent
                self._idle, self._owner = [], os.getpid()
            self._closed = False
            while self._idle:
                worker = self._idle.pop()
                if worker.alive:
                    return worker
        return SqlWorker(self.config)

    def _give_back(self, worker: SqlWorker) -> None:
        with self._lock:
            if not self._closed and os.getpid() == self._owner:
                self._idle.append(worker)
                return
        worker.close()
