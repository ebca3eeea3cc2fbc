"""The API's rate limit in the app database: one bucket per key, whichever process asks."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine

from api.http.ratelimit import RateLimiter
from schema.app import create_app_schema
from schema.db import app_engine


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    url = (
        f"sqlite:///{tmp_path / 'app.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    engine = app_engine(url)
    create_app_schema(engine)
    yield engine
    engine.dispose()


def test_a_burst_then_the_refill(engine: Engine) -> None:
    clock = Clock()
    limiter = RateLimiter(engine, 6, clock)  # one token every 10 s
    assert [limiter.acquire("k") for _ in range(6)] == [None] * 6
    assert limiter.acquire("k") == 10
    clock.now += 4
    assert limiter.acquire("k") == 6  # 0.4 of a token grew back
    clock.now += 6
    assert limiter.acquire("k") is None
    assert limiter.acquire("k") == 10
    assert limiter.acquire("other") is None  # each key has its own bucket
    clock.now += 3600
    assert [limiter.acquire("k") for _ in range(7)] == [None] * 6 + [10]  # full, not more


def test_limiters_sharing_a_database_count_together(engine: Engine) -> None:
    """Two server processes (two limiters on one database) and concurrent requests: each
    token is spent once."""
    clock = Clock()
    limiters = [RateLimiter(engine, 20, clock), RateLimiter(engine, 20, clock)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: limiters[i % 2].acquire("k"), range(60)))
    assert sum(r is None for r in results) == 20
    assert all(r == 3 for r in results if r is not None)


def test_a_new_keys_first_requests_at_once_are_all_allowed(engine: Engine) -> None:
    """Concurrent first requests of a key race to create its bucket; none is refused."""
    limiters = [RateLimiter(engine, 60) for _ in range(3)]
    for key in ("a", "b", "c"):
        with ThreadPoolExecutor(12) as pool:
            results = list(pool.map(lambda i, k=key: limiters[i % 3].acquire(k), range(30)))
        assert results == [None] * 30


def test_zero_turns_the_limit_off(engine: Engine) -> None:
    limiter = RateLimiter(engine, 0)
    assert all(limiter.acquire("k") is None for _ in range(100))
