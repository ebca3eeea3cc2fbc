"""Figures and values as people read them, in the answer's language.

Money to the cent with thousands separators (¥1,269.83, half-up), a fraction as a
percentage (95.2 %), a month as 2026年1月 / Jan 2026, a coded value in words
(offline -> 线下, from the semantic model), a flag as 是/否 or yes/no.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from assistant.answer import ColumnFormat

CENT = Decimal("0.01")


def money(value: Any) -> str:
    """¥1,234.50: to the cent, half-up (a half-cent median ¥65,515.765 reads ¥65,515.77)."""
    amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    return f"-¥{-amount:,.2f}" if amount < 0 else f"¥{amount:,.2f}"


def percent(value: Any) -> str:
    return f"{float(value) * 100:.1f} %"


def number(value: Any, fmt: str = "number") -> str:
    if value is None:
        return "—"
    if fmt == "text":
        return str(value)
    if fmt == "money":
        return money(value)
    if fmt == "percent":
        return percent(value)
    if fmt == "count":
        return f"{int(round(float(value))):,}"
    as_float = float(value)
    return (
        f"{as_float:,.2f}".rstrip("0").rstrip(".")
        if not as_float.is_integer()
        else f"{int(as_float):,}"
    )


def month_words(value: Any, language: str) -> str:
    """2026年1月 / Jan 2026 from a date or its ISO text (2026-01-01, or the month 2026-01)."""
    text = str(value)[:10]
    day = (
        value
        if isinstance(value, date)
        else date.fromisoformat(f"{text}-01" if len(text) == 7 else text)
    )
    return f"{day.year}年{day.month}月" if language == "zh" else day.strftime("%b %Y")


def day_words(value: Any, language: str) -> str:
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{day.year}年{day.month}月{day.day}日" if language == "zh" else day.strftime("%d %b %Y")


def cell(value: Any, fmt: ColumnFormat | None, language: str) -> str:
    """One table value in words: how a sentence names a group or a figure."""
    if value is None:
        return "—"
    kind = fmt.kind if fmt is not None else "text"
    if fmt is not None and str(value) in fmt.values:
        return fmt.values[str(value)]
    if kind == "month":
        return month_words(value, language)
    if kind == "date" or (kind == "text" and isinstance(value, date)):
        return day_words(value, language)
    if kind == "flag":
        yes = bool(value)
        return ("是" if yes else "否") if language == "zh" else ("yes" if yes else "no")
    if kind == "text" or isinstance(value, str):
        return str(value)
    return number(value, kind)


def listing(language: str, names: list[Any], most: int = 10) -> str:
    """张三、李四等 / Zhang San, Li Si, ...: the first ``most`` names, and a mark for the rest."""
    zh = language == "zh"
    shown = ("、" if zh else ", ").join(str(n) for n in names[:most])
    return shown + (("等" if zh else ", ...") if len(names) > most else "")
