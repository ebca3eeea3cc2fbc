"""Markdown truncation, the robot limiter and the backoff schedule."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.wecom.limits import (
    TRUNCATION_NOTE,
    RetryPolicy,
    WebhookLimiter,
    truncate_markdown,
    utf8_len,
)
from tests.wecom.conftest import FakeClock


def test_short_content_is_unchanged() -> None:
    text = "**本月业绩**\n| 姓名 | 销售额 |\n| 张三 | 100 |"
    assert truncate_markdown(text) == text


def test_cut_at_a_line_boundary_with_the_note() -> None:
    lines = [f"| {n:03d} | 张三 | 12345.67 |" for n in range(300)]
    result = truncate_markdown("\n".join(lines))
    kept = result.removesuffix("\n" + TRUNCATION_NOTE).split("\n")
    assert result.endswith("\n" + TRUNCATION_NOTE)
    assert kept == lines[: len(kept)]
    assert utf8_len(result) <= 2048 < utf8_len(result) + utf8_len(lines[len(kept)]) + 1


def test_single_huge_line_is_cut_at_a_character_boundary() -> None:
    result = truncate_markdown("销" * 2000, limit_bytes=100, note="…")
    assert utf8_len(result) <= 100 and result.endswith("\n…")
    assert set(result.removesuffix("\n…")) == {"销"}


def test_limit_smaller_than_the_note_still_fits() -> None:
    assert utf8_len(truncate_markdown("x" * 50, limit_bytes=5, note="很长的说明")) <= 5


@settings(max_examples=200, deadline=None)
@given(text=st.text(), limit=st.integers(min_value=1, max_value=400))
def test_truncation_always_fits_and_keeps_a_prefix(text: str, limit: int) -> None:
    result = truncate_markdown(text, limit_bytes=limit)
    assert utf8_len(result) <= limit
    if utf8_len(text) <= limit:
        assert result == text
    elif result.endswith("\n" + TRUNCATION_NOTE):
        assert text.startswith(result.removesuffix("\n" + TRUNCATION_NOTE))


def test_limiter_waits_only_when_the_window_is_full() -> None:
    clock = FakeClock(start=0.0)
    limiter = WebhookLimiter(per_window=3, window_s=10.0, clock=clock, slack_s=0.0)
    waits = [limiter.acquire("a") for _ in range(3)]
    assert waits == [0.0, 0.0, 0.0]
    assert limiter.acquire("b") == 0.0  # robots are limited separately
    assert limiter.acquire("a") == pytest.approx(10.0)
    clock.advance(5.0)
    assert limiter.acquire("a") == 0.0
    assert clock.t == pytest.approx(15.0)


def test_limiter_spreads_a_burst_over_windows() -> None:
    clock = FakeClock(start=0.0)
    limiter = WebhookLimiter(clock=clock)  # 20 a minute, 1 s slack
    for _ in range(45):
        limiter.acquire("robot")
    assert clock.t == pytest.approx(2 * 61.0)


@pytest.mark.parametrize("bad", [{"per_window": 0}, {"window_s": 0}, {"slack_s": -1}])
def test_limiter_rejects_nonsense(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        WebhookLimiter(**bad)  # type: ignore[arg-type]


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(retries=6, base_delay_s=0.5, max_delay_s=4.0)
    assert [policy.delay(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
