"""Dual-target conditions read from a question's verbs: met or missed the minimum, above,
below or not above the median, got a bonus; negations and yes/no questions told apart."""

from __future__ import annotations

import re

from assistant.gazetteer import Tag
from assistant.reading import (
    Understanding,
)

_ACHIEVE = (
    "完成",
    "达到",
    "达成",
    "达标",
    "做到",
    "够",
    "过了",
    "hit",
    "met",
    "meet",
    "reach",
    "achiev",
    "made",
    "make",
)
_NEGATE = ("没有", "没", "未", "不", "尚未", "还没", "missed", "misses", "missing", "miss", "n't", "not", "failed", "short", "低于", "不到",
           "少于", "below", "under")  # fmt: skip
_ABOVE_AFTER = ("以上", "之上", "上面", "上方", "高")
_BELOW_AFTER = ("以下", "之下", "下面", "下方", "低")
_ABOVE = ("跑赢", "ahead of", "超过", "高于", "大于", "超出", "超", "过了", "比中位数高", "above", "beat", "over", "exceed", "higher", "more than",
          "better than")  # fmt: skip
_BELOW = ("没过", "没到", "跑输", "behind", "低于", "不到", "没超过", "没有超过", "未超过", "不足", "below", "under", "lower", "less than", "short of",
          "worse than")  # fmt: skip


_EITHER_WAY = re.compile(
    r"above or below|below or above|above/below|高于还是低于|低于还是高于|高还是低|超过还是低于"
)


def compose_conditions(u: Understanding) -> set[str]:
    """Concepts, with 'met/missed the minimum' and 'above/below the median' read from the
    verbs before 最低目标 / 中位数 when the question splits them (没达到最低业绩目标,
    missed their minimum target), and a negation before a positive concept flipping it
    (hasn't met the minimum target)."""
    concepts = set(u.values_of("concept"))
    for tag in u.kinds("concept"):
        before = _before(u, tag)
        if tag.value == "met_minimum" and is_negated(before):
            concepts.discard("met_minimum")
            concepts.add("missed_minimum")
        if tag.value == "above_median" and is_negated(before):  # 没有超过中位数: at or below it
            concepts.discard("above_median")
            concepts.add("not_above_median")
        if tag.value == "below_median" and _NOT_ABOVE.search(tag.text):
            concepts.discard("below_median")  # 没超过中位数 / did not exceed: at or below it
            concepts.add("not_above_median")
        if tag.value == "bonus" and _GOT.search(before) and "bonus_eligible" not in concepts:
            # 拿到了业绩奖励 / got a performance bonus: who is eligible
            concepts.add("bonus_eligible" if not is_negated(before) else "bonus")
        if "attainment" in concepts:
            continue
        # the words after, up to a conjunction: 完成任务了但没过中位数 negates the median only
        after = _CONJUNCTION.split(u.text[tag.end : tag.end + 8])[0]
        if tag.value == "min_target" and not concepts & {"met_minimum", "missed_minimum"}:
            asking = _ASKING_NOT.sub(" ", before)  # 有没有人完成了: a question, not a negation
            if any(w in asking for w in _NEGATE) or re.match(
                r"\s*\S{0,2}\s*(没|未|还没|没有)\s*(完成|达到|达成|达标|过|到)", after
            ):
                concepts.add("missed_minimum")
            elif any(w in before for w in _ACHIEVE) or any(w in after[:4] for w in _ACHIEVE):
                concepts.add("met_minimum")
        if tag.value == "median" and not concepts & {"above_median", "below_median"}:
            if any(w in before for w in _BELOW) and any(w in before for w in _ABOVE):
                concepts.add("gap")  # above or below my team's median: how far, either way
            elif any(w in before for w in _BELOW) or after.startswith(_BELOW_AFTER):
                # 没过中位数 / not above the median: at or below it; 低于 / below: strictly
                concepts.add("not_above_median" if _NOT_ABOVE.search(before) else "below_median")
            elif any(w in before for w in _ABOVE) or after.startswith(_ABOVE_AFTER):
                # didn't beat / 没有超过 the median: the above-word is negated
                word_at = max(before.rfind(w) for w in _ABOVE)
                negated = word_at >= 0 and is_negated(before[:word_at])
                concepts.add("not_above_median" if negated else "above_median")
    if {"above_median", "below_median", "not_above_median"} & concepts and _EITHER_WAY.search(
        u.text
    ):
        concepts |= {"above_median", "below_median"}  # how far above or below: either way
    if "above_median" in concepts and concepts & {"below_median", "not_above_median"}:
        concepts -= {
            "above_median",
            "below_median",
            "not_above_median",
        }  # above or below: no filter
        concepts.add("gap")
    return concepts


def _before(u: Understanding, tag: Tag) -> str:
    """The words just before a tag: 10 characters of Chinese, about five English words.

    Names are blanked: a department called 商超KA部 does not say 超 (above).
    """
    width = 10 if u.language == "zh" else 32
    start = max(0, tag.start - width)
    words = list(u.text[start : tag.start])
    for other in u.tags:
        if other.kind in ("department", "employee", "value") and other.end > start:
            for i in range(max(other.start, start), min(other.end, tag.start)):
                words[i - start] = " "
    return "".join(words)


def is_negated(before: str) -> bool:
    """A negation just before a concept; 有没有 / 是不是 ask a question, they do not negate,
    and a negation before a conjunction (没达标但是超过中位数) belongs to the first part."""
    before = _ASKING_NOT.sub(" ", before)
    before = _CONJUNCTION.split(before)[-1]
    return bool(re.search(r"(没有|没|未|尚未|还没|不|n't|\bnot\b|\bnever\b)\s*\S{0,4}\s*$", before))


#: Phrasings of 'below the median' that say 'not above' (the middle person included).
_NOT_ABOVE = re.compile(
    r"没过|没超过|没有超过|未超过|不超过|没有高于|没高于|not exceed|not above|not beat|n't"
)
_GOT = re.compile(
    r"(拿到了|拿到|拿了|获得了|获得|领到了|领到|got|get|gets|earned|received|receive)\s*(?:a|the)?\s*$"
)
_CONJUNCTION = re.compile(r"但是|但|却|而且|并且|同时|\bbut\b|\band\b")
_ASKING_NOT = re.compile(r"有没有|是不是|是否|能不能|会不会|有无")
