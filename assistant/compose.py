"""Compose the answer sentence, deterministically, in the question's language.

Figures are formatted as people read them: ¥1,234,567.89, 95.2 %, 12 人.
Empty results are said in words.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from assistant.plan import OPPOSITE_CONDITION
from schema.semantic import Metric, Records
from tools.snapshot import ClosedMonth


def money(value: Any) -> str:
    """¥1,234.50; a half-cent median keeps its third decimal (¥65,515.765)."""
    amount = Decimal(str(value))
    places = 3 if amount.as_tuple().exponent == -3 else 2
    return f"¥{amount:,.{places}f}"


def number(value: Any, fmt: str = "number") -> str:
    if value is None:
        return "—"
    if fmt == "text":
        return str(value)
    if fmt == "money":
        return money(value)
    if fmt == "percent":
        return f"{float(value) * 100:.1f} %"
    if fmt == "count":
        return f"{int(round(float(value))):,}"
    as_float = float(value)
    return (
        f"{as_float:,.2f}".rstrip("0").rstrip(".")
        if not as_float.is_integer()
        else f"{int(as_float):,}"
    )


def query_sentence(
    language: str,
    metrics: list[Metric],
    group_labels: list[str],
    rows: list[list[Any]],
    period_label: str | None,
    subject: str | None,
    order: str | None,
) -> str:
    """One or two sentences for a metric query's result (``order``: 'desc', 'asc' or None)."""
    zh = language == "zh"
    metric = metrics[0]
    name = metric.zh if zh else metric.en
    when = period_label or ""
    who = subject or ""
    if not rows:
        return (
            f"{when}{who}没有符合条件的数据。"
            if zh
            else f"No matching data{' for ' + when if when else ''}."
        )
    if not group_labels:
        figures = [number(rows[0][i], m.format) for i, m in enumerate(metrics)]
        if zh:
            parts = "，".join(f"{m.zh}为 {f}" for m, f in zip(metrics, figures, strict=False))
            return f"{when}{who}的{parts}。" if who else f"{when}{parts}。"
        parts = ", ".join(f"{m.en} {f}" for m, f in zip(metrics, figures, strict=False))
        return f"{who + ': ' if who else ''}{parts}{' in ' + when if when else ''}."
    value_at = len(group_labels)
    counted_once = metric.snapshot or metric.per_person is not None  # a person counts once
    if counted_once and metric.format == "count" and all(r[value_at] == 1 for r in rows):
        names = _listing(zh, [_label_of(r, group_labels) for r in rows])
        return (  # people listed (人事部都有谁): one each
            f"{when}{who}共 {len(rows)} 人：{names}。"
            if zh
            else f"{len(rows)} people{' in ' + who if who else ''}: {names}."
        )
    head = _label_of(rows[0], group_labels)
    value = number(rows[0][value_at], metric.format)
    in_when = f" in {when}" if when else ""
    if order and len(rows) == 1:
        most = "最高" if order == "desc" else "最低"
        return (
            f"{when}{who}{name}{most}的是 {head}（{value}）。"
            if zh
            else f"{head} ({value}){in_when}."
        )
    if order:
        listing = "，".join(
            f"{_label_of(r, group_labels)} {number(r[value_at], metric.format)}" for r in rows[:5]
        )
        return (
            f"{when}{who}{name}排名：{listing}。"
            if zh
            else f"{name.capitalize()} ranking{in_when}: {listing}."
        )
    if zh:
        return (
            f"{when}{who}按{group_labels[0]}统计的{name}共 {len(rows)} 行，其中 {head} 为 {value}。"
        )
    return f"{name.capitalize()} by {group_labels[0]}{in_when}: {len(rows)} rows; {head}: {value}."


def share_sentence(
    language: str,
    metric: Metric,
    group_labels: list[str],
    rows: list[list[Any]],
    period_label: str | None,
    subject: str | None,
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
    ranked = sorted(rows, key=lambda r: -(float(r[-1]) if r[-1] is not None else 0.0))
    parts = [
        f"{_label_of(r, group_labels)} {number(r[-1], 'percent')}（{number(r[at], metric.format)}）"
        if zh
        else f"{_label_of(r, group_labels)} {number(r[-1], 'percent')} ({number(r[at], metric.format)})"
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
    shown = "；".join(f"{_label_of(r, group_labels)} {pair(r)}" for r in rows[:3])
    more = len(rows) > 3
    if zh:
        return f"{who}按{group_labels[0]}的{name}（共 {len(rows)} 行）：{shown}{'等' if more else ''}。"
    return f"{name.capitalize()} by {group_labels[0]} ({len(rows)} rows): {shown.replace('；', '; ')}{' ...' if more else ''}."


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
    listing = ("；" if zh else "; ").join(
        " ".join(number(row[i], c.format) for i, c in shown) for row in rows[:5]
    )
    word_zh, word_en = _RECORD_WORDS[kind]
    if zh:
        count = "一笔" if len(rows) == 1 else f" {len(rows)} 笔"
        return f"{when}{who}{word_zh}{count}{noun.zh}：{listing}。"
    in_when = f" in {when}" if when else ""
    of = f" of {who}" if who else ""
    counted = noun.en.removesuffix("s") if len(rows) == 1 else f"{len(rows)} {noun.en}"
    return f"The {word_en} {counted}{of}{in_when}: {listing}."


def _listing(zh: bool, names: list[Any], most: int = 10) -> str:
    """张三、李四等 / Zhang San, Li Si, ...: the first ``most`` names, and a mark for the rest."""
    shown = ("、" if zh else ", ").join(str(n) for n in names[:most])
    return shown + (("等" if zh else ", ...") if len(names) > most else "")


def _label_of(row: list[Any], labels: list[str]) -> str:
    parts = [
        str(row[i])
        for i, label in enumerate(labels)
        if not label.endswith("_en") and label not in ("工号", "employee_no")
    ]
    return " ".join(parts) if parts else str(row[0])


_CONDITION_WORDS = {
    "above_median": ("超过中位数", "above the median"),
    "below_median": ("低于中位数", "below the median"),
    "not_above_median": ("未超过中位数", "not above the median"),
    "met_minimum": ("达到最低目标", "met the minimum target"),
    "missed_minimum": ("没有达到最低目标", "missed the minimum target"),
    "bonus_eligible": ("获得业绩奖金", "eligible for the bonus"),
    "not_bonus_eligible": ("没有获得业绩奖金", "not eligible for the bonus"),
}


def _yes_no(
    zh: bool,
    asked: str,
    when: str,
    what: str,
    conditions: list[str],
    rows: list[list[Any]],
    name_at: int,
) -> str:
    """A yes/no question answered first: 'anyone' lists who; 'everyone' lists the exceptions
    (the plan's conditions are already the opposite of what was asked)."""
    names = _listing(zh, [r[name_at] for r in rows])
    if asked == "anyone":
        if not rows:
            return f"没有。{when}没有人{what}。" if zh else f"No. Nobody {what} in {when}."
        return (
            f"有。{when}{what}的共 {len(rows)} 人：{names}。"
            if zh
            else f"Yes. {len(rows)} people {what} in {when}: {names}."
        )
    opposite = [OPPOSITE_CONDITION.get(c, c) for c in conditions]
    asked_what = (
        "且".join(_CONDITION_WORDS[c][0] for c in opposite)
        if zh
        else " and ".join(_CONDITION_WORDS[c][1] for c in opposite)
    )
    if not rows:
        return (
            f"是的，{when}每个人都{asked_what}。"
            if zh
            else f"Yes. Everyone {asked_what} in {when}."
        )
    return (
        f"不是。{when}{what}的有 {len(rows)} 人：{names}。"
        if zh
        else f"No. {len(rows)} people {what} in {when}: {names}."
    )


def tool_sentence(
    language: str, keys: list[str], rows: list[list[Any]], context: dict[str, Any]
) -> str:
    """One or two sentences for a performance-engine result."""
    zh = language == "zh"
    month: date = context.get("month")  # type: ignore[assignment]
    when = (f"{month.year}年{month.month}月" if zh else month.strftime("%B %Y")) if month else ""
    if context.get("month_to_date"):
        when += "（截至目前）" if zh else " (month to date)"
    conditions = context.get("conditions") or []
    what = (
        "且".join(_CONDITION_WORDS[c][0] for c in conditions)
        if zh
        else " and ".join(_CONDITION_WORDS[c][1] for c in conditions)
    )
    focus = context.get("focus")
    asked = context.get("asked")
    if asked and "name" in keys:
        return _yes_no(zh, asked, when, what, conditions, rows, keys.index("name"))
    if focus == "count" and keys == ["count"]:
        n = rows[0][0] if rows else 0
        return (
            f"{when}{what or '在册'}的有 {n} 人。"
            if zh
            else f"{n} people {what or 'on the roster'} in {when}."
        )
    if not rows:
        if zh:
            return f"{when}没有人{what}。" if what else f"{when}没有符合条件的数据。"
        return f"Nobody {what} in {when}." if what else f"No matching data for {when}."
    if focus == "per_head":
        listing = (
            "；".join(f"{r[0]} {money(r[3])}（{r[2]}人）" for r in rows[:8])
            if zh
            else "; ".join(f"{r[0]} {money(r[3])} ({r[2]} people)" for r in rows[:8])
        )
        return (
            f"{when}人均业绩（部门业绩 ÷ 在册人数）：{listing}。"
            if zh
            else f"Sales per roster member in {when}: {listing}."
        )
    if focus == "median":
        listing = (
            "；".join(f"{r[0]} {money(r[1])}（{r[2]}人）" for r in rows[:8])
            if zh
            else "; ".join(f"{r[0]} {money(r[1])} ({r[2]} people)" for r in rows[:8])
        )
        return f"{when}业绩中位数：{listing}。" if zh else f"Sales median in {when}: {listing}."
    if focus == "total_bonus" and keys == ["total_bonus"]:
        return (
            f"{when}奖金总额为 {money(rows[0][0])}。"
            if zh
            else f"Total bonus in {when}: {money(rows[0][0])}."
        )
    index = {k: i for i, k in enumerate(keys)}
    judged: dict[str, bool] = context.get("judged") or {}
    verdict = ""
    if judged and len(judged) == 1:  # 我超过中位数了吗: yes or no first
        ((_, yes),) = judged.items()
        verdict = ("是的，" if yes else "没有，") if zh else ("Yes. " if yes else "No. ")
    if len(rows) == 1 and "name" in index:
        r = rows[0]
        bits = []
        for key, zh_word, en_word in (("sales", "业绩", "sales"), ("min_target", "最低目标", "minimum target"),
                                      ("median", "部门中位数", "department median"),
                                      ("gap_to_median", "与中位数差距", "gap to median"),
                                      ("bonus", "奖金", "bonus")):  # fmt: skip
            if key in index and r[index[key]] is not None:
                bits.append(
                    f"{zh_word} {money(r[index[key]])}"
                    if zh
                    else f"{en_word} {money(r[index[key]])}"
                )
        if "attainment" in index and r[index["attainment"]] is not None:
            pct = f"{float(r[index['attainment']]) * 100:.1f} %"
            bits.append(f"目标完成率 {pct}" if zh else f"attainment {pct}")
        return verdict + (
            f"{when}{r[index['name']]}：" + "，".join(bits) + "。"
            if zh
            else f"{r[index['name']]} in {when}: " + ", ".join(bits) + "."
        )
    if "name" in index:
        names = _listing(zh, [r[index["name"]] for r in rows])
        if zh:
            return f"{when}{what + '的' if what else ''}共 {len(rows)} 人：{names}。"
        return f"{len(rows)} people{' ' + what if what else ''} in {when}: {names}."
    return f"{when}共 {len(rows)} 行结果。" if zh else f"{len(rows)} rows for {when}."


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
