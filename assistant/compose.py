"""Compose the answer sentence, deterministically, in the question's language.

An answer reads as a person would say it: the figures that answer the question
first, groups named in words (2026年1月, 线下), money to the cent (¥1,234,567.89),
percentages (95.2 %), counts (12 人). Empty results are said in words. Sentences of
performance-engine answers are in ``assistant/tool_sentence.py``.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from assistant.answer import ColumnFormat
from assistant.figures import cell, listing, money, number
from assistant.tool_sentence import tool_sentence
from schema.semantic import Metric, Records
from tools.snapshot import ClosedMonth

__all__ = ["money", "number", "tool_sentence", "query_sentence", "comparison_sentence"]

#: A breakdown of up to this many groups is said in full; a longer one by its ends.
SAID_IN_FULL = 6
_ADDITIVE = re.compile(r"^\s*(SUM|COUNT)\(", re.IGNORECASE)


class _Groups:
    """How a sentence names a row's group: its label columns in words, without the
    key (工号), the English twin and any column the same on every row (the department
    of 人事部都有谁); the other shown columns in brackets (谢琪（武汉销售部）)."""

    def __init__(
        self, language: str, labels: list[str], rows: list[list[Any]], formats: list[ColumnFormat]
    ) -> None:
        self.language = language
        self.formats = formats
        english = {label.removesuffix("_en") for label in labels if label.endswith("_en")}
        shown = []
        for i, label in enumerate(labels):
            if label in ("工号", "employee_no") or label.endswith("_en"):
                continue
            if i > 0 and len(rows) > 1 and len({str(r[i]) for r in rows}) == 1:
                continue
            twin = labels.index(f"{label}_en") if label in english else None
            shown.append((i, twin if language == "en" else None))
        self.shown = shown or [(0, None)]

    def _word(self, row: list[Any], at: int, twin: int | None) -> str:
        if twin is not None and row[twin]:
            return str(row[twin])
        fmt = self.formats[at] if at < len(self.formats) else None
        return cell(row[at], fmt, self.language)

    def of(self, row: list[Any]) -> str:
        words = [self._word(row, at, twin) for at, twin in self.shown]
        if len(words) == 1:
            return words[0]
        rest = ("，" if self.language == "zh" else ", ").join(words[1:])
        return f"{words[0]}（{rest}）" if self.language == "zh" else f"{words[0]} ({rest})"


def _noun(language: str, label: str, fmt: ColumnFormat | None, count: int) -> str:
    """How many groups there are, in words: 6 个部门, 11 个月 / 6 departments."""
    if language == "zh":
        return f"{count} 个月" if fmt is not None and fmt.kind == "month" else f"{count} 个{label}"
    return f"{count} {label if count == 1 else label + 's'}"


def query_sentence(
    language: str,
    metrics: list[Metric],
    group_labels: list[str],
    rows: list[list[Any]],
    period_label: str | None,
    subject: str | None,
    order: str | None,
    *,
    names: list[str] | None = None,
    formats: list[ColumnFormat] | None = None,
) -> str:
    """One or two sentences for a metric query's result (``order``: 'desc', 'asc' or None).

    ``names`` are the metrics' column labels (迟到天数 for late days), ``formats`` the
    columns' formats (group columns first)."""
    zh = language == "zh"
    metric = metrics[0]
    names = names or [m.zh if zh else m.en for m in metrics]
    name = names[0]
    fmts = formats or []
    when = period_label or ""
    who = subject or ""
    in_when = f" in {when}" if when else ""
    if not rows:
        return (
            f"{when}{who}没有符合条件的数据。"
            if zh
            else f"No matching data{' for ' + when if when else ''}."
        )
    if not group_labels:
        figures = [number(rows[0][i], m.format) for i, m in enumerate(metrics)]
        if zh:
            parts = "，".join(f"{n}为 {f}" for n, f in zip(names, figures, strict=False))
            return f"{when}{who}的{parts}。" if who else f"{when}{parts}。"
        parts = ", ".join(f"{n} {f}" for n, f in zip(names, figures, strict=False))
        return f"{who + ': ' if who else ''}{parts}{in_when}."
    value_at = len(group_labels)
    groups = _Groups(language, group_labels, rows, fmts)
    counted_once = metric.snapshot or metric.per_person is not None  # a person counts once
    if counted_once and metric.format == "count" and all(r[value_at] == 1 for r in rows):
        people = listing(language, [groups.of(r) for r in rows])
        return (  # people listed (人事部都有谁): one each
            f"{when}{who}共 {len(rows)} 人：{people}。"
            if zh
            else f"{len(rows)} people{' in ' + who if who else ''}{in_when}: {people}."
        )

    def figure(row: list[Any]) -> str:
        return number(row[value_at], metric.format)

    def said(row: list[Any]) -> str:  # shares of the whole have share_sentence
        return f"{groups.of(row)} {figure(row)}"

    if len(metrics) > 1:  # several figures per group (a payslip): the totals of each
        return _several(language, metrics, names, group_labels[0], rows, value_at, when, who)

    month_groups = bool(fmts) and fmts[0].kind == "month"
    group = ("月" if zh else "month") if month_groups else group_labels[0]
    more = metric.format == "count"
    if order and len(rows) == 1:
        if zh:
            most = ("最多" if more else "最高") if order == "desc" else ("最少" if more else "最低")
            return f"{when}{who}{name}{most}的{group}是 {groups.of(rows[0])}（{figure(rows[0])}）。"
        most = (
            ("most" if more else "highest") if order == "desc" else ("fewest" if more else "lowest")
        )
        return f"{most.capitalize()} {name}{in_when}: {groups.of(rows[0])} ({figure(rows[0])})."
    if order:
        shown = ("，" if zh else ", ").join(said(r) for r in rows[:5])
        tail = ("等" if zh else ", ...") if len(rows) > 5 else ""
        if zh:
            how = "从高到低" if order == "desc" else "从低到高"
            return f"{when}{who}{name}{how}：{shown}{tail}。"
        how = "highest first" if order == "desc" else "lowest first"
        return f"{name.capitalize()}{in_when}, {how}: {shown}{tail}."
    total = ""
    if _ADDITIVE.match(metric.expr) and not metric.snapshot and len(rows) > 1:
        summed = sum(
            (Decimal(str(r[value_at])) for r in rows if r[value_at] is not None), Decimal(0)
        )
        total = (
            f"，合计 {number(summed, metric.format)}"
            if zh
            else f"; total {number(summed, metric.format)}"
        )
    count = _noun(language, group, fmts[0] if fmts else None, len(rows))
    if len(rows) <= SAID_IN_FULL:
        shown = ("，" if zh else ", ").join(said(r) for r in rows)
        if zh:
            return f"{when}{who}各{group}{name}：{shown}{total}。"
        return f"{name.capitalize()} by {group}{in_when}: {shown}{total}."
    valued = [r for r in rows if r[value_at] is not None]
    top = max(valued, key=lambda r: r[value_at]) if valued else rows[0]
    low = min(valued, key=lambda r: r[value_at]) if valued else rows[-1]
    if zh:
        return (
            f"{when}{who}各{group}{name}（共 {count}）：最高 {said(top)}，最低 {said(low)}{total}。"
        )
    return (
        f"{name.capitalize()} by {group}{in_when} ({count}): highest {said(top)}, "
        f"lowest {said(low)}{total}."
    )


def _several(language: str, metrics: list[Metric], names: list[str], group: str,
             rows: list[list[Any]], value_at: int, when: str, who: str) -> str:  # fmt: skip
    """Several metrics per group: each additive one's total over the groups."""
    zh = language == "zh"
    totals = []
    for i, (m, name) in enumerate(zip(metrics, names, strict=False)):
        if not _ADDITIVE.match(m.expr) or m.snapshot:
            continue
        summed = sum(
            (Decimal(str(r[value_at + i])) for r in rows if r[value_at + i] is not None), Decimal(0)
        )
        totals.append(f"{name} {number(summed, m.format)}")
    count = _noun(language, group, None, len(rows))
    said = ("，" if zh else ", ").join(totals)
    if zh:
        return f"{when}{who}各{group}（共 {count}）合计：{said}。"
    return f"By {group}{' in ' + when if when else ''} ({count}), in all: {said}."


def share_sentence(
    language: str,
    metric: Metric,
    group_labels: list[str],
    rows: list[list[Any]],
    period_label: str | None,
    subject: str | None,
    formats: list[ColumnFormat],
) -> str:
    """Each group's share of the whole (各产品线占比), largest first: the shares, then the
    figures they are shares of."""
    zh = language == "zh"
    name = metric.zh if zh else metric.en
    when, who = period_label or "", subject or ""
    if not rows:
        return (
            f"{when}{who}没有符合条件的数据。"
            if zh
            else f"No matching data{' for ' + when if when else ''}."
        )
    at = len(group_labels)
    groups = _Groups(language, group_labels, rows, formats)
    ranked = sorted(rows, key=lambda r: -(float(r[-1]) if r[-1] is not None else 0.0))
    parts = [
        f"{groups.of(r)} {number(r[-1], 'percent')}（{number(r[at], metric.format)}）"
        if zh
        else f"{groups.of(r)} {number(r[-1], 'percent')} ({number(r[at], metric.format)})"
        for r in ranked[:6]
    ]
    more = len(rows) > 6
    if zh:
        return f"{when}{who}{name}占比：{'，'.join(parts)}{'等' if more else ''}。"
    in_when = f" in {when}" if when else ""
    return f"Share of {name}{in_when}: {', '.join(parts)}{', ...' if more else ''}."


def comparison_sentence(
    language: str,
    metric: Metric,
    group_labels: list[str],
    rows: list[list[Any]],
    now: str,
    then: str,
    subject: str | None,
    *,
    formats: list[ColumnFormat] | None = None,
) -> str:
    """Two periods' figures side by side (环比, 同比, 7月和8月): each period's figure, the
    difference and the growth; per group, the first few groups."""
    zh = language == "zh"
    name = metric.zh if zh else metric.en
    who = subject or ""
    if not rows:
        return (
            f"{now}和{then}{who}没有符合条件的数据。"
            if zh
            else f"No matching data for {now} or {then}."
        )
    at = len(group_labels)

    def pair(row: list[Any]) -> str:
        current, earlier = number(row[at], metric.format), number(row[at + 1], metric.format)
        change = row[at + 3]
        growth = "" if change is None else f"{float(change) * 100:+.1f} %"
        if zh:
            return f"{now} {current}，{then} {earlier}" + (f"（{growth}）" if growth else "")
        return f"{current} in {now}, {earlier} in {then}" + (f" ({growth})" if growth else "")

    if not group_labels:
        return (
            f"{who}{name}：{pair(rows[0])}。"
            if zh
            else f"{who + ' ' if who else ''}{name}: {pair(rows[0])}."
        )
    groups = _Groups(language, group_labels, rows, formats or [])
    shown = ("；" if zh else "; ").join(f"{groups.of(r)} {pair(r)}" for r in rows[:3])
    more = len(rows) > 3
    count = _noun(language, group_labels[0], formats[0] if formats else None, len(rows))
    if zh:
        return f"{who}各{group_labels[0]}{name}（共 {count}）：{shown}{'等' if more else ''}。"
    return f"{name.capitalize()} by {group_labels[0]} ({count}): {shown}{' ...' if more else ''}."


_RECORD_WORDS = {
    "largest": ("金额最大的", "largest"),
    "smallest": ("金额最小的", "smallest"),
    "latest": ("最近的", "latest"),
}


def records_sentence(
    language: str,
    records: Records,
    metric: str,
    kind: str,
    rows: list[list[Any]],
    period_label: str | None,
    subject: str | None,
) -> str:
    """A sentence listing single rows (最大的5笔订单): up to five, by their headline columns."""
    zh = language == "zh"
    noun = records.noun_of(metric)
    when, who = period_label or "", subject or ""
    if not rows:
        return (
            f"{when}{who}没有符合条件的{noun.zh}。"
            if zh
            else f"No {noun.en}{' in ' + when if when else ''}."
        )
    shown = [(i, c) for i, c in enumerate(records.columns) if c.headline]
    said = ("；" if zh else "; ").join(
        " ".join(cell(row[i], ColumnFormat(kind=c.format), language) for i, c in shown)
        for row in rows[:5]
    )
    word_zh, word_en = _RECORD_WORDS[kind]
    if zh:
        count = "一笔" if len(rows) == 1 else f" {len(rows)} 笔"
        return f"{when}{who}{word_zh}{count}{noun.zh}：{said}。"
    in_when = f" in {when}" if when else ""
    of = f" of {who}" if who else ""
    counted = noun.en.removesuffix("s") if len(rows) == 1 else f"{len(rows)} {noun.en}"
    return f"The {word_en} {counted}{of}{in_when}: {said}."


def closed_note(language: str, closed: ClosedMonth) -> str:
    """The one line an answer about a closed month adds when live data differ from its close."""
    year, month = closed.month.split("-")
    if language == "zh":
        label = f"{int(year)}年{int(month)}月"
        if closed.source == "live":
            return (
                f"注意：以上为实时数据；{label}已结账（第 {closed.version} 版），结账数据与此不同。"
            )
        return (
            f"注意：{label}已结账，以上为结账快照第 {closed.version} 版的数据；结账后实时数据有变化"
            "（查看实时数据：--live 或 live=true）。"
        )
    label = date(int(year), int(month), 1).strftime("%B %Y")
    if closed.source == "live":
        return f" Note: live figures; {label} was closed (version {closed.version}) with different ones."
    return (
        f" Note: {label} is closed; these are the figures of its close (version {closed.version}). "
        "Live data have changed since (for live figures: --live or live=true)."
    )
