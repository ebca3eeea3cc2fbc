"""Time expressions in Chinese and English, relative to an as-of date.

Table-driven: each rule is a regular expression over the normalised question
and a function from (match, as_of) to a :class:`Period`. ``find_period``
returns the first period found and the span it used, so the planner knows
which words were explained. Rules follow RULES.md "Time": this month is the
calendar month containing as_of, measured month-to-date; "last N months" are
the N full months before the current one unless the question includes it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from tools.period import add_months

Grain = str  # "day" | "week" | "month" | "quarter" | "year" | "range"


@dataclass(frozen=True)
class Period:
    """A half-open date range [start, end) with a grain and readable labels."""

    start: date
    end: date
    grain: Grain
    label_zh: str
    label_en: str

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def capped(self, as_of: date) -> Period:
        """The part of the period up to and including as_of (month-to-date)."""
        limit = as_of + timedelta(days=1)
        if self.start < limit < self.end:
            return Period(self.start, limit, self.grain, self.label_zh, self.label_en)
        return self

    def quarter_labels(self) -> list[str]:
        """Review periods ('2026-Q3') whose quarter overlaps this period."""
        labels: list[str] = []
        cursor = quarter_start(self.start)
        while cursor < self.end:
            labels.append(f"{cursor.year}-Q{(cursor.month - 1) // 3 + 1}")
            cursor = add_months(cursor, 3)
        return labels


#: How far back each grain's previous period lies, in months.
_GRAIN_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def shifted(period: Period, months: int) -> Period:
    """The period ``months`` earlier, as long as ``period`` (month-to-date compares with the
    same days of the earlier month); labelled like a period of its grain."""
    start = _same_day(period.start, -months)
    end = (
        add_months(period.end, -months)
        if period.end.day == 1
        else _same_day(period.end - timedelta(days=1), -months) + timedelta(days=1)
    )
    whole = {"month": month_period, "quarter": quarter_period, "year": lambda d: year_period(d.year)}.get(period.grain)  # fmt: skip
    if whole is not None and start.day == 1 and whole(start).end == end:
        label = whole(start)
        return Period(start, end, period.grain, label.label_zh, label.label_en)
    # part of a month (month to date against the same days before): the days, not the month
    days = range_period(start, end - timedelta(days=1))
    return Period(start, end, period.grain, days.label_zh, days.label_en)


def _same_day(day: date, months: int) -> date:
    """The same day of the month ``months`` later (earlier if negative), kept within that
    month (31 March one month back is 28 or 29 February)."""
    first = add_months(day, months)
    last = add_months(first, 1) - timedelta(days=1)
    return first.replace(day=min(day.day, last.day))


def previous_period(period: Period) -> Period:
    """The period before (环比, month on month): one grain earlier."""
    return shifted(period, _GRAIN_MONTHS.get(period.grain, 1))


def year_ago(period: Period) -> Period:
    """The same period a year earlier (同比, year on year)."""
    return shifted(period, 12)


def day_labels(day: date) -> tuple[str, str]:
    """A day as a person writes it: 2026年6月1日 / 1 Jun 2026."""
    return f"{day.year}年{day.month}月{day.day}日", f"{day.day} {day:%b} {day.year}"


def day_period(day: date) -> Period:
    return Period(day, day + timedelta(days=1), "day", *day_labels(day))


def range_period(a: date, b: date) -> Period:
    """The days ``a`` to ``b``, both included."""
    (a_zh, a_en), (b_zh, b_en) = day_labels(a), day_labels(b)
    if a.year == b.year:  # 2026年10月1日至10月26日, 1 Oct to 26 Oct 2026
        b_zh = b_zh.removeprefix(f"{b.year}年")
        a_en = a_en.removesuffix(f" {a.year}")
    return Period(a, b + timedelta(days=1), "range", f"{a_zh}至{b_zh}", f"{a_en} to {b_en}")


def month_start(day: date) -> date:
    return day.replace(day=1)


def quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def month_period(first: date) -> Period:
    return Period(
        first,
        add_months(first, 1),
        "month",
        f"{first.year}年{first.month}月",
        first.strftime("%B %Y"),
    )


def quarter_period(first: date) -> Period:
    q = (first.month - 1) // 3 + 1
    return Period(
        first, add_months(first, 3), "quarter", f"{first.year}年Q{q}", f"Q{q} {first.year}"
    )


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year + 1, 1, 1), "year", f"{year}年", str(year))


def _relative_month(offset: int) -> Callable[[re.Match[str], date], Period]:
    def build(_m: re.Match[str], as_of: date) -> Period:
        return month_period(add_months(month_start(as_of), offset))

    return build


def _relative_quarter(offset: int) -> Callable[[re.Match[str], date], Period]:
    def build(_m: re.Match[str], as_of: date) -> Period:
        return quarter_period(add_months(quarter_start(as_of), 3 * offset))

    return build


def _relative_year(offset: int) -> Callable[[re.Match[str], date], Period]:
    def build(_m: re.Match[str], as_of: date) -> Period:
        return year_period(as_of.year + offset)

    return build


def _year_to_date(_m: re.Match[str], as_of: date) -> Period:
    return Period(date(as_of.year, 1, 1), as_of + timedelta(days=1), "year", "今年", "year to date")


def _last_n_months(m: re.Match[str], as_of: date) -> Period:
    n = int(m.group("n"))
    including = bool(m.group("incl"))
    current = month_start(as_of)
    end = add_months(current, 1) if including else current
    start = add_months(end, -n)
    return Period(start, end, "range", f"近{n}个月", f"last {n} months")


def _last_n_weeks(m: re.Match[str], as_of: date) -> Period:
    n = int(m.group("n"))
    this_monday = as_of - timedelta(days=as_of.weekday())
    start = this_monday - timedelta(weeks=n)
    return Period(start, this_monday, "range", f"前{n}周", f"last {n} weeks")


def _last_n_days(m: re.Match[str], as_of: date) -> Period:
    n = int(m.group("n"))
    end = as_of + timedelta(days=1)
    return Period(end - timedelta(days=n), end, "range", f"近{n}天", f"last {n} days")


def _week(offset: int) -> Callable[[re.Match[str], date], Period]:
    def build(_m: re.Match[str], as_of: date) -> Period:
        monday = as_of - timedelta(days=as_of.weekday()) + timedelta(weeks=offset)
        return Period(
            monday,
            monday + timedelta(weeks=1),
            "week",
            "本周" if offset == 0 else "上周",
            "this week" if offset == 0 else "last week",
        )

    return build


def _day(offset: int) -> Callable[[re.Match[str], date], Period]:
    def build(_m: re.Match[str], as_of: date) -> Period:
        day = as_of + timedelta(days=offset)
        return day_period(day)

    return build


def _year_month(m: re.Match[str], _as_of: date) -> Period:
    return month_period(date(int(m.group("y")), int(m.group("mo")), 1))


def _bare_month(m: re.Match[str], as_of: date) -> Period:
    month = int(m.group("mo"))
    year = as_of.year if month <= as_of.month else as_of.year - 1
    return month_period(date(year, month, 1))


def _quarter(m: re.Match[str], as_of: date) -> Period:
    q = int(m.group("q"))
    year = int(m.group("y")) if m.groupdict().get("y") else as_of.year
    if not m.groupdict().get("y") and date(year, 3 * q - 2, 1) > as_of:
        year -= 1
    return quarter_period(date(year, 3 * q - 2, 1))


def _year(m: re.Match[str], _as_of: date) -> Period:
    return year_period(int(m.group("y")))


def _between(m: re.Match[str], _as_of: date) -> Period:
    a = date(int(m.group("y1")), int(m.group("m1")), int(m.group("d1")))
    b = date(int(m.group("y2")), int(m.group("m2")), int(m.group("d2")))
    a, b = min(a, b), max(a, b)
    return range_period(a, b)


def _short_between(m: re.Match[str], as_of: date) -> Period:
    year = int(m.group("y")) if m.group("y") else as_of.year
    a = date(year, int(m.group("m1")), int(m.group("d1")))
    b = date(year, int(m.group("m2") or m.group("m1")), int(m.group("d2")))
    return range_period(a, b)


def _start_of_year(_m: re.Match[str], as_of: date) -> Period:
    day = date(as_of.year, 1, 1)
    return Period(
        day, day + timedelta(days=1), "day", f"{as_of.year}年初", f"start of {as_of.year}"
    )


def _date(m: re.Match[str], _as_of: date) -> Period:
    return day_period(date(int(m.group("y")), int(m.group("mo")), int(m.group("d"))))


MONTHS_EN = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_EN = "|".join(sorted(MONTHS_EN, key=len, reverse=True))


def _relative_year_month(m: re.Match[str], as_of: date) -> Period:
    year = as_of.year + {"去年": -1, "今年": 0, "前年": -2}[m.group("rel")]
    return month_period(date(year, int(m.group("mo")), 1))


def _relative_year_quarter(m: re.Match[str], as_of: date) -> Period:
    offset = {"去年": -1, "last year": -1, "今年": 0, "this year": 0, "前年": -2}[m.group("rel")]
    q = int(m.group("q"))
    return quarter_period(date(as_of.year + offset, 3 * q - 2, 1))


def _half_year(m: re.Match[str], as_of: date) -> Period:
    year = as_of.year + {"去年": -1, "今年": 0, "前年": -2, None: 0}[m.group("rel")]
    first = date(year, 1 if m.group("half") == "上" else 7, 1)
    label = "上半年" if m.group("half") == "上" else "下半年"
    return Period(
        first,
        add_months(first, 6),
        "range",
        f"{year}年{label}",
        f"H{1 if first.month == 1 else 2} {year}",
    )


def _first_quarters(m: re.Match[str], as_of: date) -> Period:
    """今年前三季度, first three quarters of 2025, Q1-Q3: from the year's first day to the end
    of its n-th quarter (this year's is capped at the reference date when measured)."""
    rel = m.group("rel")
    year = (
        int(m.group("y")) if m.group("y")
        else as_of.year + {"去年": -1, "last year": -1, "前年": -2}.get(rel or "", 0)
    )  # fmt: skip
    first = int(m.group("q1") or 1)
    last = int(m.group("n") or m.group("q2") or 0)
    if not 1 <= first <= last <= 4:
        raise ValueError("not a run of quarters")
    start = date(year, 3 * first - 2, 1)
    label_zh = f"{year}年前{last}季度" if first == 1 else f"{year}年{first}-{last}季度"
    return Period(start, add_months(start, 3 * (last - first + 1)), "range", label_zh,
                  f"Q{first}-Q{last} {year}")  # fmt: skip


def _month_range(m: re.Match[str], as_of: date) -> Period:
    first, last = sorted((int(m.group("m1")), int(m.group("m2"))))
    start = date(as_of.year, first, 1)
    end = add_months(date(as_of.year, last, 1), 1)
    return Period(
        start,
        end,
        "range",
        f"{as_of.year}年{first}-{last}月",
        f"{start:%b}-{date(as_of.year, last, 1):%b} {as_of.year}",
    )


def _half_year_en(m: re.Match[str], _as_of: date) -> Period:
    first_half = m.group("half") == "first" or m.group("h") == "1"
    year = int(m.group("y"))
    start = date(year, 1 if first_half else 7, 1)
    return Period(
        start,
        add_months(start, 6),
        "range",
        f"{year}年{'上' if first_half else '下'}半年",
        f"H{1 if first_half else 2} {year}",
    )


def _en_between(m: re.Match[str], as_of: date) -> Period:
    year = int(m.group("y")) if m.group("y") else as_of.year
    first_month = MONTHS_EN[m.group("n1")]
    a = date(year, first_month, int(m.group("d1")))
    b = date(year, MONTHS_EN[m.group("n2")] if m.group("n2") else first_month, int(m.group("d2")))
    return range_period(a, b)


def _en_month(m: re.Match[str], as_of: date) -> Period:
    month = MONTHS_EN[m.group("name")]
    if m.group("y"):
        return month_period(date(int(m.group("y")), month, 1))
    year = as_of.year if month <= as_of.month else as_of.year - 1
    return month_period(date(year, month, 1))


def _en_relative_month(m: re.Match[str], as_of: date) -> Period:
    """A named month of a relative year: "August last year", "March of this year"."""
    offset = {"this year": 0, "last year": -1, "the year before last": -2}[m.group("rel")]
    return month_period(date(as_of.year + offset, MONTHS_EN[m.group("name")], 1))


def _day_of_year(m: re.Match[str], as_of: date) -> Period:
    """A day without a year ("6月1号", "June 1st"): the latest such day up to ``as_of``."""
    month = int(m.group("mo")) if m.group("mo") else MONTHS_EN[m.group("name")]
    day = date(as_of.year, month, int(m.group("d")))
    if day > as_of:
        day = date(as_of.year - 1, month, int(m.group("d")))
    return day_period(day)


_MONTH_EN_PLACEHOLDER = _MONTH_EN
_D = r"(?P<y{i}>\d{{4}})[-/年.](?P<m{i}>\d{{1,2}})[-/月.](?P<d{i}>\d{{1,2}})日?"

RULES: tuple[tuple[str, Callable[[re.Match[str], date], Period]], ...] = (
    (_D.format(i=1) + r"\s*(?:到|至|~|-|and|to|until|through)\s*" + _D.format(i=2), _between),
    (
        r"(?:(?P<y>\d{4})年)?(?P<m1>\d{1,2})月(?P<d1>\d{1,2})[日号]?\s*(?:到|至|~|-)\s*(?:(?P<m2>\d{1,2})月)?(?P<d2>\d{1,2})[日号]",
        _short_between,
    ),
    (r"(?:今年)?年初|start of (?:the|this) year|beginning of (?:the|this) year", _start_of_year),
    (
        r"(?P<y>\d{4})[-/.](?P<mo>\d{1,2})[-/.](?P<d>\d{1,2})|(?P<y_>\d{4})年(?P<mo_>\d{1,2})月(?P<d_>\d{1,2})[日号]",
        _date,
    ),
    (r"(?P<rel>去年|今年|前年)\s*(?P<mo>1[0-2]|0?[1-9])\s*月份?(?![\d日号])", _relative_year_month),
    (
        rf"\b(?P<name>{_MONTH_EN})\s+(?:of\s+)?(?P<rel>this year|last year|the year before last)",
        _en_relative_month,
    ),
    (
        r"(?<![\d年])(?P<mo>1[0-2]|0?[1-9])\s*月\s*(?P<d>[12]\d|3[01]|0?[1-9])\s*[日号](?!\s*(?:到|至|~|-))"
        rf"|\b(?P<name>{_MONTH_EN})\s+(?P<d_>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)\b",
        _day_of_year,
    ),
    (
        r"(?P<rel>去年|今年|前年|last year|this year)\s*(?:的)?\s*(?:第?\s*(?P<q>[1-4])\s*季度|q(?P<q_>[1-4])(?!\d))",
        _relative_year_quarter,
    ),
    (r"(?:(?P<rel>去年|今年|前年)\s*)?(?P<half>上|下)半年", _half_year),
    (
        r"(?:(?P<rel>去年|今年|前年)\s*的?\s*)?前\s*(?P<n>[2-4])\s*个?季度?(?!\d)"
        r"|(?:the\s+)?first\s+(?P<n_>[2-4])\s+quarters(?:\s+of\s+(?:(?P<rel_>this year|last year)|(?P<y>\d{4})))?"
        r"|(?<![a-z0-9])q(?P<q1>[1-4])\s*(?:-|~|到|至|to|through)\s*q(?P<q2>[1-4])(?!\d)(?:\s*(?:of\s*)?(?P<y_>\d{4}))?",
        _first_quarters,
    ),
    (
        r"(?:the\s+)?(?P<half>first|second)\s+half\s+(?:of\s+)?(?P<y>\d{4})|\bh(?P<h>[12])\s*(?P<y_>\d{4})",
        _half_year_en,
    ),
    (
        r"(?<![\d年])(?P<m1>1[0-2]|0?[1-9])\s*(?:月份?)?\s*(?:到|至|~|-)\s*(?P<m2>1[0-2]|0?[1-9])\s*月(?![\d日号])",
        _month_range,
    ),
    (
        rf"\b(?P<n1>{_MONTH_EN_PLACEHOLDER})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:to|until|through|-)\s*(?:(?P<n2>{_MONTH_EN_PLACEHOLDER})\s+)?(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?:\s*,?\s*(?P<y>\d{{4}}))?",
        _en_between,
    ),
    (
        r"(?:近|最近|过去|前)\s*(?P<n>\d+)\s*个?月(?P<incl>[(（]?(?:含|包括|包含)本月[)）]?)?",
        _last_n_months,
    ),
    (
        r"(?:last|past|previous)\s+(?P<n>\d+)\s+months?(?P<incl>\s*(?:including|incl\.?)\s+(?:this|the current) month)?",
        _last_n_months,
    ),
    (r"(?:近|最近|过去|前)\s*(?P<n>\d+)\s*(?:周|个星期|星期)", _last_n_weeks),
    (r"(?:last|past|previous)\s+(?P<n>\d+)\s+weeks?", _last_n_weeks),
    (r"(?:近|最近|过去|前)\s*(?P<n>\d+)\s*天|(?:last|past)\s+(?P<n_>\d+)\s+days?", _last_n_days),
    (r"上上个?月|前两个月的?那个月|the month before last", _relative_month(-2)),
    (r"上个?月|上一个月|last month|previous month|past month|prior month", _relative_month(-1)),
    (r"下个?月|下一个月|next month", _relative_month(1)),
    (
        r"本月|这个月|这月|当月|本月度|今月|this month|current month|month[- ]to[- ]date|mtd|so far this month",
        _relative_month(0),
    ),
    (
        r"上个?季度|上一季度|上一个季度|last quarter|previous quarter|(?:the )?(?:last|previous|latest) review (?:cycle|period|round)|上一?(?:轮|期|个)考核(?:周期)?",
        _relative_quarter(-1),
    ),
    (
        r"本季度?|这个季度|这季度|当季|本季|this quarter|current quarter|quarter[- ]to[- ]date|qtd",
        _relative_quarter(0),
    ),
    (r"下个?季度|next quarter", _relative_quarter(1)),
    (
        r"今年以来|(?:从|自)?(?:今年)?年初(?:到|至)(?:现在|今天|目前|今)|年初以来|今年到(?:现在|目前)(?:为止)?|year[- ]to[- ]date"
        r"|ytd|so far this year",
        _year_to_date,
    ),
    (r"今年|本年|this year|current year", _year_to_date),
    (r"去年(?:一整年|整年|全年)?|上一年|last year|previous year", _relative_year(-1)),
    (r"前年(?:一整年|整年|全年)?|the year before last", _relative_year(-2)),
    (r"上周|上个星期|上星期|last week", _week(-1)),
    (r"本周|这周|这个星期|this week", _week(0)),
    (r"昨天|yesterday", _day(-1)),
    (r"今天|今日|today", _day(0)),
    (r"(?P<y>\d{4})\s*年\s*(?P<mo>\d{1,2})\s*月份?", _year_month),
    (r"(?P<y>\d{4})[-/.](?P<mo>\d{1,2})(?![\d-])", _year_month),
    (r"(?P<y>\d{4})\s*(?:年|-)?\s*(?:第?\s*(?P<q>[1-4])\s*季度|q(?P<q_>[1-4]))", _quarter),
    (r"(?<![\d第])(?P<q>[1-4])\s*季度", _quarter),
    (
        r"(?:第\s*(?P<q>[1-4])\s*季度|(?<![a-z0-9])q(?P<q_>[1-4])(?!\d))(?:\s*(?:of\s*)?(?P<y>\d{4}))?",
        _quarter,
    ),
    (rf"\b(?P<name>{_MONTH_EN})\b\.?(?:\s*,?\s*(?P<y>\d{{4}}))?", _en_month),
    (r"(?<![\d年])(?P<mo>1[0-2]|0?[1-9])\s*月(?:份|底|末)?(?![\d日号])", _bare_month),
    (
        r"(?P<y>(?:19|20)\d{2})\s*年(?!\s*\d)(?:一整年|整年|全年)?|(?:in|for|during|of)\s+(?P<y_>(?:19|20)\d{2})\b",
        _year,
    ),
)

_COMPILED = tuple((re.compile(p), f) for p, f in RULES)


def find_period(text: str, as_of: date) -> tuple[Period, tuple[int, int]] | None:
    """The left-most (then longest) time expression in ``text`` (normalised) and its span."""
    best: tuple[Period, tuple[int, int]] | None = None
    for pattern, build in _COMPILED:
        match = pattern.search(text)
        if match is None:
            continue
        span = match.span()
        if best is not None and (span[0], -span[1]) >= (best[1][0], -best[1][1]):
            continue
        try:
            best = (build(_Aliased(match), as_of), span)  # type: ignore[arg-type]
        except ValueError:  # e.g. month 13
            continue
    return best


class _Aliased:
    """A match whose groups 'x' fall back to 'x_' (for alternatives in one rule)."""

    def __init__(self, match: re.Match[str]) -> None:
        self._match = match

    def group(self, name: str) -> str | None:
        value = self._match.groupdict().get(name)
        if value is None:
            value = self._match.groupdict().get(name + "_")
        return value

    def groupdict(self) -> dict[str, str | None]:
        raw = self._match.groupdict()
        return {k.rstrip("_"): v for k, v in raw.items() if v is not None} | {
            k: raw.get(k) or raw.get(k + "_") for k in raw if not k.endswith("_")
        }
