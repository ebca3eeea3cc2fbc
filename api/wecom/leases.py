"""Leases: which server process is working on a WeCom message, and keeping that claim alive.

A lease is an owner name and an expiry time on a row of the app database
(``wecom_messages`` while a message is answered, ``wecom_outbox`` while a reply
is sent). The owner renews it while it works; when the owner stops (a crash,
``kill -9``), the lease runs out and any process takes the row over. Leases are
short (seconds), so a restart recovers within seconds, and a process that
stalls past its lease costs at most repeated work, never a second reply (see
:mod:`api.wecom.inbox` and :mod:`api.wecom.outbox`).

A lease whose owner was a process of this host that no longer runs
(:func:`stopped`) is taken over at once, without waiting for it to run out: a
restart on one machine recovers in about a second. When unsure (another host,
a pid in use again), the lease runs out instead.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)


def new_owner() -> str:
    """A lease owner name: host, pid and a random tag (a fresh one per service instance)."""
    return f"{_host()}:{os.getpid()}:{secrets.token_hex(4)}"


def _host() -> str:
    return socket.gethostname()[:32]


def stopped(owner: str | None) -> bool:
    """Whether ``owner`` (a :func:`new_owner` name) was a process of this host that has
    ended. False when unsure: another host, another form of name, a pid that runs (maybe
    reused), or this very process (which may hold several services)."""
    parts = (owner or "").rsplit(":", 2)
    if len(parts) != 3 or parts[0] != _host() or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:  # e.g. it runs under another user
        return False
    return False


class LeaseKeeper:
    """Calls each renewal every ``interval_s`` on a daemon thread, until :meth:`close`."""

    def __init__(self, renewals: Sequence[Callable[[], object]], interval_s: float) -> None:
        self.renewals = tuple(renewals)
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start renewing (once; later calls do nothing)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="wecom-leases", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            for renew in self.renewals:
                try:
                    renew()
                except Exception:  # a busy database must not end the renewals
                    log.exception("renewing WeCom leases failed")

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop renewing (the leases then run out unless released)."""
        self._stop.set()
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout_s)
