"""Reading a question: normalise it, find its period(s), tag the rest against the
gazetteer, and the shape words read off the untagged rest (ranking, threshold, which group,
period operators). Every later step works on the :class:`Understanding` built here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from assistant import lexicon as lx
from assistant.abbreviations import with_abbreviations
from assistant.gazetteer import Gazetteer, Tag
from assistant.normalize import chinese_number, normalize
from assistant.operators import OPERATOR_PATTERNS, WHICH
from assistant.plan import (
    Comparison,
    PeriodSlot,
)
from assistant.timeparse import find_period


@dataclass
class Understanding:
    """What the planner read in a question: normalised text, period, tags, coverage."""

    text: str
    language: str
    tags: list[Tag] = field(default_factory=list)
    period: PeriodSlot | None = None
    period_span: tuple[int, int] | None = None
    #: A second period of the same grain compared with the first.
    also: PeriodSlot | None = None
    coverage: float = 0.0
    rest: str = ""
    #: Employees named as the head of a team (徐刚浩团队, 李颖手下): their direct reports.
    managers: list[int] = field(default_factory=list)
    #: Regions named in the question (华东, 东部区): several sales teams, several medians.
    regions_named: list[int] = field(default_factory=list)
    #: Where the time expressions are (one, or two compared side by side).
    period_spans: list[tuple[int, int]] = field(default_factory=list)
    #: The plan continues the previous turn's (a follow-up).
    follow_up: bool = False
    #: A typing slip mended to read the question (wrong, right): 中位树 -> 中位数.
    mended: tuple[str, str] | None = None

    def kinds(self, kind: str) -> list[Tag]:
        return [t for t in self.tags if t.kind == kind]

    def values_of(self, kind: str) -> list[str]:
        return [t.value for t in self.tags if t.kind == kind]

    def has(self, words: tuple[str, ...]) -> bool:
        """Whether the text holds one of ``words``; an English word at the start of a word,
        and a short one (three letters or fewer) as the whole word: who is not in whole, top
        not in stop, while delet still finds delete."""
        return any(found(w, self.text) for w in words)


def detect_language(question: str) -> str:
    cjk = sum(1 for ch in question if "\u4e00" <= ch <= "\u9fff")
    latin = sum(1 for ch in question if ch.isascii() and ch.isalpha())
    return "zh" if cjk * 2 >= latin or cjk >= 4 else "en"


_PERIOD_JOIN = re.compile(r"\s*(?:和|与|跟|及|以及|还有|对比|比|vs\.?|versus|and|、|,)\s*")


#: Words that set two periods against each other wherever the second one stands.
_COMPARED = re.compile(r"对比|相比|比较|\bcompared?\b|\bvs\.?\b|\bversus\b|\bagainst\b")
_ANYWHERE = re.compile(r"")


def understand(question: str, as_of: date, gazetteer: Gazetteer) -> Understanding:
    """Normalise, find the period and tag the question."""
    text = normalize(question)
    u = Understanding(text=text, language=detect_language(question))
    # Names first: 杭州线上上个月 is 杭州线上 + 上个月, not 上上个月.
    names = list(text)
    first = with_abbreviations(text, gazetteer.tag(text), gazetteer)
    for tag in first:
        if tag.kind in ("department", "employee"):
            names[tag.start : tag.end] = "\0" * (tag.end - tag.start)
    found = find_period(lx.TO_DATE.sub(lambda m: "\0" * len(m.group(0)), "".join(names)), as_of)
    masked = text
    if found:
        period, span = found
        u.period = PeriodSlot.of(period)
        u.period_span = span
        u.period_spans.append(span)
        masked = text[: span[0]] + " " * (span[1] - span[0]) + text[span[1] :]
        # A second period joined to the first (2025年Q4和2026年Q1, 9月和11月): compared side by side.
        joined = _PERIOD_JOIN.match(masked, span[1])
        if joined is None and _COMPARED.search(text):
            # "August sales compared with August last year": the second period further on.
            joined = _ANYWHERE.match(masked, span[1])
        rest = "".join(names)[joined.end() :] if joined else ""
        second = find_period(rest, as_of) if joined else None
        if joined and second and (second[1][0] == 0 or joined.re is _ANYWHERE):
            other, (a, b) = second
            start = joined.end()
            if other.grain == period.grain and other.start != period.start:
                u.also = PeriodSlot.of(other)
                masked = masked[: start + a] + " " * (b - a) + masked[start + b :]
                u.period_spans.append((start + a, start + b))
    u.tags = (
        first if masked == text else with_abbreviations(masked, gazetteer.tag(masked), gazetteer)
    )
    explained = masked
    for pattern in [p for p, _ in (*lx.COMPARISONS, *lx.SUFFIX_COMPARISONS)] + [
        lx.TOP_N,
        lx.BOTTOM_N,
        lx.HALF,
        *lx.RECORDS,
        *OPERATOR_PATTERNS.values(),
    ]:
        explained = pattern.sub(lambda m: " " * len(m.group(0)), explained)
    u.coverage = _coverage(explained, u.tags)
    rest = masked
    for tag in u.tags:
        if tag.kind in ("concept", "metric", "bundle", "department", "employee", "value"):
            rest = rest[: tag.start] + " " * (tag.end - tag.start) + rest[tag.end :]
    u.rest = rest
    return u


def _coverage(masked: str, tags: list[Tag]) -> float:
    """Share of the content characters (not filler, not time) explained by tags."""
    covered = [False] * len(masked)
    for tag in tags:
        for i in range(tag.start, tag.end):
            covered[i] = True
    rest = "".join(ch if not covered[i] else " " for i, ch in enumerate(masked))
    rest = re.sub(r"\d+(\.\d+)?", " ", rest)
    rest = lx.FILLER_PATTERN.sub(" ", rest)
    unexplained = sum(1 for ch in rest if ch.isalnum())
    explained = sum(1 for c in covered if c)
    total = unexplained + explained
    return 1.0 if total == 0 else explained / total


Order = Literal["desc", "asc"]


def ranking_of(u: Understanding) -> tuple[Order | None, int | None]:
    """Ranking words outside the tagged phrases (最低目标 is a target, not a ranking)."""
    rest = u.rest
    for pattern, _ in (*lx.COMPARISONS, *lx.SUFFIX_COMPARISONS):
        rest = pattern.sub(lambda m: " " * len(m.group(0)), rest)
    if m := lx.TOP_N.search(rest):
        return "desc", int(m.group(1))
    if m := lx.BOTTOM_N.search(rest):
        return "asc", int(m.group(1))
    if any(w in rest for w in lx.ASC_WORDS):
        return "asc", 1
    if any(w in rest for w in lx.DESC_WORDS) or "销冠" in u.text:
        return "desc", 1
    if any(w in rest for w in lx.RANK_WORDS):
        return "desc", None
    return None, None


def threshold_of(u: Understanding) -> Comparison | None:
    """A threshold in the question: 超过10万, at least 20, 两次及以上, 不到一半 (a share)."""
    if lx.HALF.search(u.rest):
        return Comparison(op="<", value=0.5)
    for pattern, op in (*lx.COMPARISONS, *lx.SUFFIX_COMPARISONS):
        if m := pattern.search(u.rest):
            raw = m.group("num")
            try:
                number = float(raw) if raw[0].isdigit() else chinese_number(raw)
            except ValueError:
                continue
            groups = m.groupdict()
            number *= lx.UNITS.get(groups.get("unit") or "", 1)
            if groups.get("pct") or "百分之" in u.text[max(0, m.start() - 4) : m.end()]:
                number /= 100
            return Comparison(op=op, value=number)  # type: ignore[arg-type]
    return None


_VERSUS_PREVIOUS = re.compile(
    r"环比|比上个?月|比前一个?月|比上季度|比上个季度|跟上个?月比|和上个?月比|与上个?月相比|"
    r"month (?:on|over) month|\bmom\b|quarter (?:on|over) quarter|\bqoq\b|than last month|"
    r"(?:vs|versus|compared (?:with|to)) last month"
)
_VERSUS_YEAR = re.compile(
    r"同比|去年同期|比去年|跟去年比|year (?:on|over) year|\byoy\b|same (?:period|month) last year|"
    r"than last year|(?:vs|versus|compared (?:with|to)) last year"
)
_VERSUS_NAMED = re.compile(
    r"比|对比|相比|\bvs\b|versus|compared?|side by side|多卖|少卖|多了|少了|差了|difference|增长|growth|变化"
)
_GROWTH = re.compile(r"增长率|增幅|增速|涨幅|百分之|%|growth|grew|increase|增长|上涨|下降|涨|降")
#: Words that make the period after them the one compared with (vs June, 比6月).
_AGAINST = re.compile(
    r"(?:\bvs\.?|\bversus|\bthan|\bcompared (?:with|to)|\bagainst|比|对比|相比)\s*$"
)
_BARE_GROWTH = re.compile(
    r"增长了?多少|增长率|增幅|增速|涨了多少|涨幅|\bgrowth\b|\bgrew\b|\bgrow\b"
)
_DIFFERENCE = re.compile(
    r"多了多少|少了多少|多卖了|少卖了|多多少|少多少|差多少|差了多少|多出|how much more|how much less|"
    r"difference|差额"
)


def compared(u: Understanding) -> tuple[Literal["previous", "year_ago", "named"] | None, Literal["side_by_side", "difference", "growth"] | None]:  # fmt: skip
    """环比 / 同比 / 8月比7月: which period the question compares with, and what it asks of
    the comparison (both figures, the difference, the growth)."""
    text = u.text
    compare: Literal["previous", "year_ago", "named"] | None = (
        "year_ago" if _VERSUS_YEAR.search(text)
        else "previous" if _VERSUS_PREVIOUS.search(text)
        else "named" if u.also is not None and _VERSUS_NAMED.search(text)
        else None
    )  # fmt: skip
    if (
        compare is None and u.period is not None and u.also is None
        and u.period.grain in ("month", "quarter") and _BARE_GROWTH.search(text)
        and not (u.period_span and _AGAINST.search(text[: u.period_span[0]]))
    ):  # fmt: skip
        compare = "previous"  # 上个月销售额增长了多少, sales growth last month: on the one before
    if compare is None:
        return None, None
    if _DIFFERENCE.search(text):
        return compare, "difference"
    if _GROWTH.search(text) or compare != "named":
        return compare, "growth"
    return None, None  # two periods named side by side: one row each (also)


def which_group(u: Understanding) -> str | None:
    """The dimension a 'which' word asks about (哪个部门, which team, 哪条产品线), if any."""
    for match in WHICH.finditer(u.text):
        after = next((t for t in u.tags if t.start >= match.end()), None)
        if after is None or after.start - match.end() > 2 or after.kind != "dimension":
            continue
        if after.value != "employee":
            return after.value
    return None


def found(word: str, text: str) -> bool:
    """``word`` in ``text`` as :meth:`Understanding.has` finds it."""
    if not word.isascii() or not word[:1].isalpha():
        return word in text
    end = r"(?![a-z])" if len(word) <= 3 else ""
    return re.search(rf"(?<![a-z]){re.escape(word)}{end}", text) is not None
