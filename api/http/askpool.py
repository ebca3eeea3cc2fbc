"""Questions answered by worker processes that share one queue (``HRQ_API_ASK_PROCESSES``).

With ``hrq serve --workers N`` each uvicorn worker answers the requests of the
connections it accepted: a kept-alive connection stays with one worker, and the
operating system spreads connections unevenly (32 clients split 16/16 to 23/9,
once 32/0, in the API load benchmark), so the busier worker's queue, and its
latency, is up to twice the other's while both use a core. With a pool, one
server process takes every connection and hands each question to whichever
answering process is free next: one queue, first come first served, whatever
the connections.

Each answering process builds its own :class:`~assistant.ask.Assistant` from the
settings and runs :meth:`~assistant.ask.Assistant.ask` as the threads would:
audit record, conversation turn and scope included. Authentication, rate limits
and metrics stay in the server process.
"""

from __future__ import annotations

import asyncio
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from multiprocessing import get_context, parent_process
from multiprocessing.connection import wait as wait_for

from api.http.errors import ApiError
from api.wecom.dispute_notices import dispute_notices
from assistant.answer import Answer
from assistant.ask import Assistant
from schema.caller import Caller
from schema.settings import Settings

#: The assistant of an answering process (built by :func:`_start`).
_assistant: Assistant | None = None


def _start(settings: Settings) -> None:
    global _assistant
    _assistant = Assistant.from_settings(settings, notifier=dispute_notices(settings))
    _assistant.executor.start()
    threading.Thread(target=_exit_with_parent, name="hrq-parent-watch", daemon=True).start()


def _exit_with_parent() -> None:
    """End this answering process when the server process is gone, even killed outright
    (a clean shutdown stops the pool itself); it would otherwise hold the databases open."""
    parent = parent_process()
    if parent is not None:
        wait_for([parent.sentinel])
        os._exit(1)


def _ready() -> bool:
    return _assistant is not None


def _ask(
    question: str,
    caller: Caller,
    as_of: date | None,
    conversation_id: str | None,
    surface: str,
    live: bool = False,
) -> Answer:
    assert _assistant is not None, "the answering process was not started"
    return _assistant.ask(
        question, caller, as_of=as_of, conversation_id=conversation_id, surface=surface, live=live
    )


class AskPool:
    """``processes`` answering processes fed from one first-come-first-served queue."""

    def __init__(self, settings: Settings, processes: int) -> None:
        self._settings = settings
        self._processes = processes
        self._lock = threading.Lock()
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        """A new pool whose processes have all built their assistant."""
        executor = ProcessPoolExecutor(
            self._processes,
            mp_context=get_context("spawn"),
            initializer=_start,
            initargs=(self._settings,),
        )
        # Each submission that finds no idle process starts one: ask them all at once.
        futures: list[Future[bool]] = [executor.submit(_ready) for _ in range(self._processes)]
        wait(futures)
        for future in futures:
            future.result()  # a process that could not build its assistant fails here
        return executor

    async def ask(
        self,
        question: str,
        caller: Caller,
        *,
        as_of: date | None,
        conversation_id: str | None,
        surface: str,
        live: bool = False,
    ) -> Answer:
        """:meth:`Assistant.ask` in the next free answering process."""
        executor = self._executor
        try:
            future = executor.submit(_ask, question, caller, as_of, conversation_id, surface, live)
            return await asyncio.wrap_future(future)
        except BrokenProcessPool as exc:
            await asyncio.to_thread(self._replace, executor)
            raise ApiError(503, "unavailable", "an answering process stopped; ask again") from exc

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is broken:
                broken.shutdown(wait=False, cancel_futures=True)
                self._executor = self._start()

    def close(self) -> None:
        """Stop the answering processes (after the questions they hold)."""
        self._executor.shutdown(wait=True, cancel_futures=True)
