"""Typing slips the planner may correct by itself, and say so.

A word the plan did not use is usually a sign that the plan is not the question. One kind
is safe to mend: a slip of typing that leaves exactly one word of the vocabulary it could
have been, such that the mended question is read in full. Only two kinds of slip qualify:

- Chinese typed by pinyin: a span that sounds exactly like one vocabulary phrase (中位树 ->
  中位数, 完成律 -> 完成率, 最底目标 -> 最低目标), the pinyin input method's classic slip;
- an English word one edit (a letter added, dropped, changed, or two swapped) from exactly
  one vocabulary word of at least five letters (medain -> median, elegible -> eligible).

Names are never corrected this way (a name one letter from another is another person), and
a slip with two candidates is asked back. The answer states the correction in its
interpretation, so a wrong mend is visible at a glance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.accounting import Leftover
from assistant.gazetteer import Gazetteer
from assistant.operators import OPERATOR_WORDS

#: An English word shorter than this is not corrected (too many neighbours one edit away).
MIN_LATIN_LENGTH = 5
#: Time words the vocabulary of the gazetteer does not hold.
TIME_WORDS = ("quarter", "month", "months", "week", "weeks", "year", "years", "today",
              "yesterday", "last", "this", "previous")  # fmt: skip


@dataclass(frozen=True)
class Correction:
    wrong: str
    right: str
    #: the question with the slip mended
    question: str


def correction(text: str, left: list[Leftover], gazetteer: Gazetteer) -> Correction | None:
    """The one correction that mends the unused words of ``text`` (normalised), or None."""
    fixed = text
    mends: list[tuple[str, str]] = []
    for item in sorted(left, key=lambda i: i.start, reverse=True):
        if item.why != "word":
            continue
        mend = _sound_alike(fixed, item, gazetteer) or _one_edit(fixed, item, gazetteer)
        if mend is None:
            continue  # the mended question must still be read in full, or nothing is mended
        (start, end), right = mend
        mends.append((fixed[start:end], right))
        fixed = fixed[:start] + right + fixed[end:]
    if not mends:
        return None
    mends.reverse()
    return Correction(
        wrong="、".join(w for w, _ in mends), right="、".join(r for _, r in mends), question=fixed
    )


def unread_words(text: str, spans: list[tuple[int, int]]) -> list[Leftover]:
    """The words of ``text`` outside ``spans`` (tags and time expressions), as leftovers."""
    mask = list(text)
    for start, end in spans:
        mask[start:end] = " " * (end - start)
    return [
        Leftover(m.start(), m.end(), m.group(0), "word")
        for m in re.finditer(r"[\u4e00-\u9fff]+|[a-z]+", "".join(mask))
    ]


def spans_around(text: str, item: Leftover) -> list[tuple[int, int]]:
    """Chinese spans of 2-6 characters that hold a Chinese leftover and up to three
    characters either side, longest first: where a pinyin slip may be."""
    if not re.fullmatch(r"[\u4e00-\u9fff]+", item.text):
        return []
    spans = [
        (a, b)
        for a in range(max(0, item.start - 3), item.start + 1)
        for b in range(item.end, min(len(text), item.end + 3) + 1)
        if 2 <= b - a <= 6 and re.fullmatch(r"[\u4e00-\u9fff]+", text[a:b])
    ]
    return sorted(spans, key=lambda span: span[0] - span[1])


def _sound_alike(
    text: str, item: Leftover, gazetteer: Gazetteer
) -> tuple[tuple[int, int], str] | None:
    """The span around ``item`` that sounds like exactly one vocabulary phrase, longest
    span first."""
    for a, b in spans_around(text, item):
        phrases = gazetteer.sounding_like(text[a:b])
        if len(phrases) == 1:
            return (a, b), phrases[0]
        if phrases:
            return None  # two phrases sound alike: which was meant is the asker's to say
    return None


def _one_edit(
    text: str, item: Leftover, gazetteer: Gazetteer
) -> tuple[tuple[int, int], str] | None:
    word = item.text.strip()
    if not re.fullmatch(r"[a-z]+", word) or len(word) < MIN_LATIN_LENGTH:
        return None
    close = [v for v in _latin_vocabulary(gazetteer) if v != word and _one_edit_apart(word, v)]
    if len(close) != 1:
        return None
    start = item.start + item.text.index(word)
    return (start, start + len(word)), close[0]


def _latin_vocabulary(gazetteer: Gazetteer) -> frozenset[str]:
    """English words of the semantic model's phrases and of the grammar, not names."""
    words = set(gazetteer.latin_words())
    words.update(w for ws in OPERATOR_WORDS.values() for p in ws for w in re.findall(r"[a-z]+", p))
    words.update(TIME_WORDS)
    return frozenset(w for w in words if len(w) >= MIN_LATIN_LENGTH - 1)


def _one_edit_apart(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or swap of neighbours turns ``a`` into ``b``."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long[k]), len(short))
    return short[i:] == long[i + 1 :]
