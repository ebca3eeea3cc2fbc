"""Normalisation: one form for every way of writing a question."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.normalize import _normalize_full, normalize


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


_HAN = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.sampled_from("零〇一二两三四五六七八九十百千万几个组月名"),
    ),
    min_size=1,
    max_size=8,
)
_LATIN = st.text(alphabet=st.sampled_from("abcXYZ onetwhrfivsx "), min_size=1, max_size=20)


@given(st.one_of(_HAN, _LATIN, st.sampled_from(["Zhang Wei", "TEN", " two  Wang ", "王一名"])))
def test_the_short_paths_give_what_the_full_path_gives(text: str) -> None:
    """Names alone (Chinese characters, or pinyin) skip steps; the result is the same."""
    assert normalize(text) == _normalize_full(text)
