"""One thread per process that cancels what runs past its deadline.

:func:`deadline` registers a callback (such as a DuckDB connection's ``interrupt``)
to be called if the block it guards is still running ``timeout_s`` seconds later.
Every block shares the same daemon thread, started on first use: starting a
``threading.Timer`` per statement cost a thread start and a wake-up per query,
and under load the asking thread waited for the new thread to get the GIL.

The thread sleeps until the earliest deadline. Leaving a block only removes its
entry: the thread notices at the next deadline it had planned to wake for, so a
block that ends in time costs a dictionary insert and delete under a lock, and the
thread is woken only when a new deadline is earlier than the one it sleeps until.
Callbacks run while the watchdog's lock is held, so once a block has been left,
its callback can no longer be called.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


@dataclass
class Deadline:
    """A block's deadline; ``expired`` once its callback has been called."""

    at: float
    on_expiry: Callable[[], None] = field(repr=False)
    expired: bool = False


class Watchdog:
    """Calls each registered callback whose deadline passes before its block ends."""

    def __init__(self, name: str = "hrq-watchdog") -> None:
        self._name = name
        self._lock = threading.Condition()
        self._pending: dict[int, Deadline] = {}
        self._ids = itertools.count()
        #: When the thread will next look (None: asleep until notified, or not started).
        self._wake_at: float | None = None
        self._thread: threading.Thread | None = None

    @contextmanager
    def deadline(self, timeout_s: float, on_expiry: Callable[[], None]) -> Iterator[Deadline]:
        """Call ``on_expiry`` (on the watchdog's thread) if the block runs past ``timeout_s``."""
        entry = Deadline(time.monotonic() + timeout_s, on_expiry)
        with self._lock:
            key = next(self._ids)
            self._pending[key] = entry
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            elif self._wake_at is None or entry.at < self._wake_at:
                self._lock.notify()
        try:
            yield entry
        finally:
            with self._lock:
                del self._pending[key]

    def after_fork(self) -> None:
        """In a forked child: the thread did not come along; start afresh on first use."""
        self._lock = threading.Condition()
        self._pending = {}
        self._wake_at = None
        self._thread = None

    def _run(self) -> None:
        with self._lock:
            while True:
                now = time.monotonic()
                for entry in self._pending.values():
                    if not entry.expired and entry.at <= now:
                        entry.expired = True
                        try:
                            entry.on_expiry()
                        except Exception:
                            logger.exception("watchdog callback failed")
                waiting = [e.at for e in self._pending.values() if not e.expired]
                self._wake_at = min(waiting, default=None)
                self._lock.wait(None if self._wake_at is None else self._wake_at - now)


#: The process's watchdog (its thread starts with the first deadline).
WATCHDOG = Watchdog()
os.register_at_fork(after_in_child=WATCHDOG.after_fork)
