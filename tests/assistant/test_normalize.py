"""Normalisation: one form for every way of writing a question."""

from __future__ import annotations

import pytest

from assistant.normalize import normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "本月华东销售一部业绩中位数是多少？",
            "本月华东销售一部业绩中位数是多少",
        ),  # numerals in names stay
        ("前五名销售", "前5名销售"),
        ("近三个月", "近3个月"),
        ("九月份", "9月份"),
        ("十二月", "12月"),
        ("第三季度", "第3季度"),
        ("ＴＯＰ　５", "top 5"),  # full-width to half-width
        ("Top Five reps", "top 5 reps"),
        ("sold more than 100,000", "sold more than 100000"),
        ("张伟，上个月的业绩！", "张伟 上个月的业绩"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected
