"""WeCom's limits on what we send: markdown size, robot rate, retry backoff; and a clock.

The clock is injectable so that tests of waiting and expiry run instantly.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Protocol

MARKDOWN_LIMIT_BYTES = 2048
"""WeCom's limit on an app message's markdown content (UTF-8 bytes)."""

TRUNCATION_NOTE = "…（内容过长，已截断 / truncated）"

WEBHOOK_PER_MINUTE = 20
"""A group robot accepts at most 20 messages a minute."""


class Clock(Protocol):
    """Monotonic time and sleeping; the system clock in production, a fake one in tests."""

    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """``time.monotonic`` and ``time.sleep``."""

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry rate limits, server errors and network errors.

    ``retries`` is the number of *additional* attempts; the delay before retry
    ``n`` (0-based) is ``base_delay_s * 2**n`` capped at ``max_delay_s``.
    """

    retries: int = 3
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        return min(self.max_delay_s, self.base_delay_s * 2**attempt)


def utf8_len(text: str) -> int:
    """Length of ``text`` in UTF-8 bytes (what WeCom counts)."""
    return len(text.encode("utf-8"))


def _cut_to_bytes(text: str, limit: int) -> str:
    """The longest prefix of ``text`` within ``limit`` UTF-8 bytes (never splits a character)."""
    return text.encode("utf-8")[: max(limit, 0)].decode("utf-8", "ignore")


def truncate_markdown(
    content: str, limit_bytes: int = MARKDOWN_LIMIT_BYTES, note: str = TRUNCATION_NOTE
) -> str:
    """``content`` if it fits in ``limit_bytes``; otherwise whole leading lines and ``note``.

    Cuts at a line boundary so that a table row or a link is never half sent; only
    a first line longer than the whole budget is cut inside (at a character
    boundary). The result is always within ``limit_bytes``.
    """
    if utf8_len(content) <= limit_bytes:
        return content
    tail = "\n" + note
    budget = limit_bytes - utf8_len(tail)
    if budget <= 0:
        return _cut_to_bytes(note, limit_bytes)
    kept: list[str] = []
    used = 0
    for line in content.split("\n"):
        cost = utf8_len(line) + (1 if kept else 0)
        if used + cost > budget:
            break
        kept.append(line)
        used += cost
    if not kept:
        kept = [_cut_to_bytes(content.split("\n", 1)[0], budget)]
    return "\n".join(kept).rstrip("\n") + tail


class WebhookLimiter:
    """A sliding-window limiter per robot key that *waits* rather than fail.

    ``acquire(key)`` returns at once while the key sent fewer than ``per_window``
    messages in the last ``window_s`` seconds, and otherwise sleeps (on the
    injected clock) until the oldest of them leaves the window. ``slack_s`` widens
    the window a little, as WeCom's clock is not ours.
    """

    def __init__(
        self,
        per_window: int = WEBHOOK_PER_MINUTE,
        window_s: float = 60.0,
        clock: Clock | None = None,
        slack_s: float = 1.0,
    ) -> None:
        if per_window < 1 or window_s <= 0 or slack_s < 0:
            raise ValueError("a webhook limiter needs per_window >= 1, window_s > 0, slack_s >= 0")
        self.per_window = per_window
        self.window_s = window_s + slack_s
        self._clock: Clock = clock or SystemClock()
        self._sent: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float:
        """Wait until ``key`` may send, record the send; returns the seconds waited."""
        waited = 0.0
        with self._lock:
            sent = self._sent.setdefault(key, deque())
            while True:
                now = self._clock.now()
                while sent and sent[0] + self.window_s <= now:
                    sent.popleft()
                if len(sent) < self.per_window:
                    sent.append(now)
                    return waited
                pause = sent[0] + self.window_s - now
                if pause > 0:
                    self._clock.sleep(pause)
                    waited += pause
                sent.popleft()  # slept until the oldest send left the window
