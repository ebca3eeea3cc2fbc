"""Per-key rate limit: a token bucket per API key, refilled continuously, in the app database.

Each key may make ``per_minute`` requests per minute and burst up to that many. The
buckets are rows of ``rate_limits``, so every server process sharing the app database
(``--workers N``, replicas behind a load balancer) counts against one bucket per key.
Taking a token is one conditional ``UPDATE`` (refill, then take one if at least one is
there): the database serializes concurrent updates of a row (PostgreSQL's row lock,
SQLite's write lock), so two processes never spend the same token. Time is each
process's wall clock; replicas on several hosts need their clocks in sync (NTP), and a
clock behind the last update refills nothing rather than going negative.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from sqlalchemy import ColumnElement, Engine, case, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from schema.app import rate_limits

_ATTEMPTS = 5


class RateLimiter:
    """Token buckets keyed by API key id; ``per_minute == 0`` turns the limit off."""

    def __init__(
        self, engine: Engine, per_minute: int, clock: Callable[[], float] = time.time
    ) -> None:
        self.engine = engine
        self.per_minute = per_minute
        self._clock = clock

    def acquire(self, key: str) -> int | None:
        """Take one token for ``key``: None when allowed, else seconds to wait (>= 1)."""
        if self.per_minute <= 0:
            return None
        rate = self.per_minute / 60.0
        for _ in range(_ATTEMPTS):
            now = self._clock()
            refilled = _refilled(now, rate, float(self.per_minute))
            with self.engine.begin() as conn:
                taken = conn.execute(
                    update(rate_limits)
                    .where(rate_limits.c.key_id == key, refilled >= 1.0)
                    .values(tokens=refilled - 1.0, updated_at=now)
                ).rowcount
                if taken == 1:
                    return None
                left = conn.execute(
                    select(refilled).where(rate_limits.c.key_id == key)
                ).scalar_one_or_none()
            if left is not None and left < 1.0:
                return max(1, math.ceil((1.0 - float(left)) / rate))
            if left is not None:  # created by another process after the update looked: again
                continue
            try:  # the key's first request: a full bucket, less this token
                with self.engine.begin() as conn:
                    conn.execute(
                        insert(rate_limits).values(
                            key_id=key, tokens=self.per_minute - 1.0, updated_at=now
                        )
                    )
                return None
            except IntegrityError:  # another process created it first: take from it
                continue
        return 1


def _refilled(now: float, rate: float, capacity: float) -> ColumnElement[float]:
    """The bucket's tokens at ``now``: what was left plus the refill since, at most full."""
    elapsed = literal(now) - rate_limits.c.updated_at
    grown = rate_limits.c.tokens + case((elapsed > 0, elapsed), else_=0.0) * rate
    return case((grown > capacity, literal(capacity)), else_=grown)
