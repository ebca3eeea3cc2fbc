"""Normalise a question before tagging: one form for every way of writing it.

Full-width to half-width (NFKC), lower-case Latin, Chinese numerals in counts
and dates to digits (前五名 -> 前5名, 近三个月 -> 近3个月, 九月 -> 9月), punctuation
to spaces. Numerals inside names (华东销售一部) are left alone, because only
numerals followed by a unit or preceded by a rank word are converted.
"""

from __future__ import annotations

import re
import unicodedata

_CN_DIGITS = "零〇一二两三四五六七八九十百千万"
#: 前五名 -> 前5名, but 目前一共 / 之前一个月 stay: 前 there is part of another word.
_PREFIXED = re.compile(
    rf"((?<![目之以提当眼面])前|近|最近|过去|后|第|top|倒数)\s*([{_CN_DIGITS}]+)"
)
_HALF = re.compile(r"一半|half")
_SUFFIXED = re.compile(
    rf"([{_CN_DIGITS}]+)(个月|个季度|季度|个人|个|名|位|人|天|周|个星期|星期|年|月份|月|号|日|单|次|笔|倍)"
)
_PUNCT = re.compile(r"[，,。！!？?；;：:“”\"'‘’、《》<>【】\[\]{}|\\`~@#$^&*_=+]+")
_SPACES = re.compile(r"\s+")
_SEVERAL_GROUPS = re.compile(
    r"(这|那|下面|手下|下属|旗下|底下)几个(?=组|部门|团队|队|小组|门店|分部)"
)
_EN_NUMBERS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
}
_EN_NUMBER = re.compile(r"\b(" + "|".join(_EN_NUMBERS) + r")\b")


#: Numerals of one character, read without cn2an (the semantic model has 每一年, 一个线索).
_ONE_CHARACTER = {
    **{ch: i for i, ch in enumerate("零一二三四五六七八九")},
    "〇": 0,
    "两": 2,
    "十": 10,
}


def chinese_number(numeral: str) -> float:
    """三 -> 3, 十二 -> 12, 二〇二六 -> 2026 (cn2an's smart mode); ValueError if not a number.

    cn2an is imported on first use, deliberately: importing it compiles its patterns, which
    takes longer than answering a question, and most numerals are one character.
    """
    if numeral in _ONE_CHARACTER:
        return float(_ONE_CHARACTER[numeral])
    import cn2an

    return float(cn2an.cn2an(numeral, "smart"))


def _digits(numeral: str) -> str:
    try:
        value = chinese_number(numeral)
    except (ValueError, KeyError):
        return numeral
    return str(int(value)) if value.is_integer() else str(value)


#: Text no step below changes: CJK ideographs other than numerals and 几 (NFKC and
#: lower-casing keep them; every pattern needs a numeral, 几, a digit, a Latin letter,
#: punctuation or a space).
_UNCHANGED = re.compile(r"[\u4e00-\u9fff]+")
_UNCHANGED_EXCEPT = frozenset(_CN_DIGITS + "几")
#: Latin letters and spaces: only lower-casing, number words and spaces apply.
_LATIN_WORDS = re.compile(r"[A-Za-z ]+")
_INLINE_DIGIT_COMMA = re.compile(r"(?<=\d),(?=\d{3})")
_NOT = re.compile(r"n['’]t\b")
_POSSESSIVE = re.compile(r"['’]s\b")
_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")
#: last month vs the month before: month on month (mom; not a grouping by month)
_MOM = re.compile(
    r"\b(?:vs\.?|versus|compared (?:with|to)|than)\s+(?:the\s+)?"
    r"(?:month before|previous month|prior month|month prior)\b"
)


def normalize(text: str) -> str:
    """The normalised form the gazetteer and the time parser work on.

    Two shapes of text skip the steps that cannot change them (the gazetteer normalises
    every employee's name and pinyin at start-up): Chinese characters alone, and Latin
    letters with spaces. ``tests/assistant/test_normalize.py`` checks both give what the
    full path gives.
    """
    if _UNCHANGED.fullmatch(text) and _UNCHANGED_EXCEPT.isdisjoint(text):
        return text
    if _LATIN_WORDS.fullmatch(text):
        words = _EN_NUMBER.sub(lambda m: _EN_NUMBERS[m.group(1)], _MOM.sub("mom", text.lower()))
        return _SPACES.sub(" ", words).strip()
    return _normalize_full(text)


def _normalize_full(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = _PREFIXED.sub(lambda m: m.group(1) + _digits(m.group(2)), text)
    text = _SUFFIXED.sub(lambda m: _digits(m.group(1)) + m.group(2), text)
    text = _INLINE_DIGIT_COMMA.sub("", text)  # 100,000 -> 100000
    # 我下面几个组 / 这几个部门: the few groups meant, each of them; not "how many groups"
    text = _SEVERAL_GROUPS.sub(r"\1各个", text)
    text = _HYPHEN.sub(" ", text)  # bonus-eligible -> bonus eligible
    text = _NOT.sub(" not", text)  # hasn't -> has not
    text = _MOM.sub("mom", text)
    text = _POSSESSIVE.sub("", text)  # my team's -> my team
    text = _EN_NUMBER.sub(lambda m: _EN_NUMBERS[m.group(1)], text)
    text = _PUNCT.sub(" ", text)
    return _SPACES.sub(" ", text).strip()
