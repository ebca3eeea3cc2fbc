"""The sentence of a performance-engine answer, in the question's language.

The figures that answer the question come first and say whose they are: a bonus total
names its department, a median its department and roster, a leaderboard its leaders.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from assistant.figures import listing, money, percent
from assistant.labels import header
from assistant.plan import OPPOSITE_CONDITION

CONDITION_WORDS = {
    "above_median": ("超过中位数", "above the median"),
    "below_median": ("低于中位数", "below the median"),
    "not_above_median": ("未超过中位数", "not above the median"),
    "met_minimum": ("达到最低目标", "met the minimum target"),
    "missed_minimum": ("没有达到最低目标", "missed the minimum target"),
    "bonus_eligible": ("获得业绩奖金", "eligible for the bonus"),
    "not_bonus_eligible": ("没有获得业绩奖金", "not eligible for the bonus"),
}
#: A person's figures, in the order a sentence says them.
PERSON_FIGURES = (
    ("sales", "业绩", "sales"), ("min_target", "最低目标", "minimum target"),
    ("median", "部门中位数", "department median"), ("gap_to_median", "与中位数差距", "gap to median"),
    ("short_of_minimum", "距最低目标还差", "short of the minimum target"), ("bonus", "奖金", "bonus"),
)  # fmt: skip
#: The figure said beside each name when a few people are listed.
LISTED_FIGURE = {"rank": "sales", "sales": "sales", "bonus": "bonus", "gap": "gap_to_median",
                 "attainment": "attainment", "min_target": "min_target", "leaderboard": "sales",
                 "target_gap": "short_of_minimum"}  # fmt: skip


def _figure(key: str, value: Any) -> str:
    return percent(value) if key == "attainment" else money(value)


def _sep(zh: bool) -> str:
    return "，" if zh else ", "


def _yes_no(zh: bool, asked: str, when: str, what: str, conditions: list[str],
            rows: list[list[Any]], name_at: int) -> str:  # fmt: skip
    """A yes/no question answered first: 'anyone' lists who; 'everyone' lists the exceptions
    (the plan's conditions are already the opposite of what was asked)."""
    names = listing("zh" if zh else "en", [r[name_at] for r in rows])
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
        "且".join(CONDITION_WORDS[c][0] for c in opposite)
        if zh
        else " and ".join(CONDITION_WORDS[c][1] for c in opposite)
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


def _per_department(zh: bool, rows: list[list[Any]], say: Any) -> str:
    return ("；" if zh else "; ").join(f"{r[0]} {say(r)}" for r in rows[:8]) + (
        ("等" if zh else "; ...") if len(rows) > 8 else ""
    )


def tool_sentence(
    language: str, keys: list[str], rows: list[list[Any]], context: dict[str, Any]
) -> str:
    """One or two sentences for a performance-engine result."""
    zh = language == "zh"
    if "sentence" in context:  # a tool that words its own answer (a what-if), in both languages
        return str(context["sentence"]["zh" if zh else "en"])
    month: date | None = context.get("month")
    when = (f"{month.year}年{month.month}月" if zh else month.strftime("%B %Y")) if month else ""
    if context.get("period"):  # several months added up (二季度): the period as asked
        when = context["period"][0 if zh else 1]
    if context.get("month_to_date") and not when.endswith(("今年", "to date")):
        when += "（截至目前）" if zh else " (month to date)"
    conditions = context.get("conditions") or []
    what = (
        "且".join(CONDITION_WORDS[c][0] for c in conditions)
        if zh
        else " and ".join(CONDITION_WORDS[c][1] for c in conditions)
    )
    departments: list[str] = context.get("departments") or []
    team = departments[0] if len(departments) == 1 else ""  # whose figures these are
    team = context.get("whose") or team
    focus = context.get("focus")
    asked = context.get("asked")
    index = {k: i for i, k in enumerate(keys)}
    if asked and "name" in keys:
        return _yes_no(zh, asked, when, what, conditions, rows, keys.index("name"))
    if focus == "count" and keys == ["count"]:
        n = rows[0][0] if rows else 0
        return (
            f"{when}{team}{what or '在册'}的有 {n} 人。"
            if zh
            else f"{n} people{' in ' + team if team else ''} {what or 'on the roster'} in {when}."
        )
    if not rows:
        if zh:
            return f"{when}{team}没有人{what}。" if what else f"{when}{team}没有符合条件的数据。"
        return f"Nobody {what} in {when}." if what else f"No matching data for {when}."
    if focus == "forecast":
        return _forecast(zh, when, keys, rows)
    if focus == "per_head":
        said = _per_department(zh, rows, lambda r: f"{money(r[3])}（{r[2]} 人）" if zh
                               else f"{money(r[3])} ({r[2]} people)")  # fmt: skip
        return (
            f"{when}人均业绩（部门业绩 ÷ 在册人数）：{said}。"
            if zh
            else f"Sales per roster member in {when}: {said}."
        )
    if focus == "median":
        said = _per_department(zh, rows, lambda r: f"{money(r[1])}（{r[2]} 人）" if zh
                               else f"{money(r[1])} ({r[2]} people)")  # fmt: skip
        return f"{when}业绩中位数：{said}。" if zh else f"Sales median in {when}: {said}."
    if focus == "median_trend":
        said = ("；" if zh else "; ").join(
            f"{_month(r[0], zh)} {r[1]} {money(r[2])}" for r in rows[:8]
        ) + (("等" if zh else "; ...") if len(rows) > 8 else "")
        return f"各月业绩中位数：{said}。" if zh else f"Sales median by month: {said}."
    if focus == "total_bonus" and keys == ["total_bonus"]:
        total = money(rows[0][0])
        return (
            f"{when}{team}奖金总额为 {total}。"
            if zh
            else f"Total bonus{' of ' + team if team else ''} in {when}: {total}."
        )
    if keys == ["month", "total_bonus"]:  # 今年每个月的奖金总额
        sep = "；" if zh else "; "
        said = sep.join(f"{_month(r[0], zh)} {money(r[1])}" for r in rows)
        total = money(sum(r[1] for r in rows))
        return (
            f"{when}各月奖金总额：{said}；合计 {total}。"
            if zh
            else f"Total bonus by month, {when}: {said}; in all {total}."
        )
    if keys == ["department", "total_bonus"] or keys == ["department", "count"]:
        return _by_department(zh, when, what, keys[1], rows)
    if keys == ["department", "share", "count", "roster_size"]:
        sep = "；" if zh else "; "
        said = sep.join(
            f"{d} {percent(v)}（{n}/{size}）" if zh else f"{d} {percent(v)} ({n} of {size})"
            for d, v, n, size in rows
        )
        return (
            f"{when}各部门{what}的人数占比：{said}。"
            if zh
            else f"Share {what} by department, {when}: {said}."
        )
    if focus == "share" and "share" in index:
        share, n, size = rows[0]
        return (
            f"{when}{team}{what}的有 {n} 人，占在册 {size} 人的 {percent(share)}。"
            if zh
            else f"{n} of {size} people{' in ' + team if team else ''} {what} in {when} ({percent(share)})."
        )
    verdict = ""
    judged: dict[str, bool] = context.get("judged") or {}
    if judged and len(judged) == 1:  # 我超过中位数了吗: yes or no first
        ((_, yes),) = judged.items()
        verdict = ("是的，" if yes else "没有，") if zh else ("Yes. " if yes else "No. ")
    if len(rows) == 1 and "name" in index:
        return verdict + _person(zh, when, rows[0], index)
    if "name" in index:
        return _people(zh, when, what, team, focus, rows, index)
    return f"{when}共 {len(rows)} 行结果。" if zh else f"{len(rows)} rows for {when}."


def _month(value: Any, zh: bool) -> str:
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{day.year}年{day.month}月" if zh else day.strftime("%b %Y")


def _by_department(zh: bool, when: str, what: str, key: str, rows: list[list[Any]]) -> str:
    """Each department's bonus total or head count, and the sum over them."""
    bonus = key == "total_bonus"
    total: Any = sum((Decimal(str(r[1])) for r in rows), Decimal(0))

    def say(r: list[Any]) -> str:
        return money(r[1]) if bonus else (f"{r[1]} 人" if zh else f"{r[1]}")

    said = _per_department(zh, rows, say)
    summed = money(total) if bonus else (f"{int(total)} 人" if zh else f"{int(total)}")
    if zh:
        noun = "奖金总额" if bonus else (f"{what}的人数" if what else "在册人数")
        return f"{when}各部门{noun}：{said}；合计 {summed}。"
    noun = "total bonus" if bonus else f"people {what or 'on the roster'}"
    return f"{noun.capitalize()} by department in {when}: {said}; in all {summed}."


def _person(zh: bool, when: str, r: list[Any], index: dict[str, int]) -> str:
    """One person's figures: rank first when asked, then sales against the targets."""
    bits = []
    if "rank" in index and r[index["rank"]] is not None:
        bits.append(f"排名第 {r[index['rank']]}" if zh else f"rank {r[index['rank']]}")
    for key, zh_word, en_word in PERSON_FIGURES:
        if key in index and r[index[key]] is not None:
            if key == "short_of_minimum" and not r[index[key]]:
                bits.append("已达到最低目标" if zh else "minimum target met")
                continue
            bits.append(f"{zh_word if zh else en_word} {money(r[index[key]])}")
    if "attainment" in index and r[index["attainment"]] is not None:
        pct = percent(r[index["attainment"]])
        bits.append(f"目标完成率 {pct}" if zh else f"attainment {pct}")
    name = r[index["name"]]
    if zh:
        return f"{when}{name}：" + "，".join(bits) + "。"
    return f"{name} in {when}: " + ", ".join(bits) + "."


def _people(zh: bool, when: str, what: str, team: str, focus: str | None,
            rows: list[list[Any]], index: dict[str, int]) -> str:  # fmt: skip
    """People listed: with their figure when a few are ranked or shown, else by name."""
    key = LISTED_FIGURE.get(focus or "")
    if key in index and len(rows) <= 10 and (not what or focus == "target_gap"):

        def place(r: list[Any]) -> str:
            if "rank" not in index:
                return ""
            return f"第 {r[index['rank']]} 名 " if zh else f"#{r[index['rank']]} "

        said = _sep(zh).join(
            f"{place(r)}{r[index['name']]} {_figure(key, r[index[key]])}" for r in rows
        )
        ranked = focus in ("leaderboard", "rank")
        if zh:
            title = "业绩排行" if ranked else header(key, "zh")
            return f"{when}{team}{title}：{said}。"
        title = "leaderboard" if ranked else header(key, "en")
        return f"{team + ' ' if team else ''}{title} in {when}: {said}."
    names = listing("zh" if zh else "en", [r[index["name"]] for r in rows])
    if zh:
        return f"{when}{team}{what + '的' if what else ''}共 {len(rows)} 人：{names}。"
    return f"{len(rows)} people{' in ' + team if team else ''}{' ' + what if what else ''} in {when}: {names}."


def _forecast(zh: bool, when: str, keys: list[str], rows: list[list[Any]]) -> str:
    """Who may miss the minimum target by the month's end, projected from the days so far;
    only people whose flag the caller may see are counted."""
    name, risk = keys.index("name"), keys.index("at_risk")
    known = [r for r in rows if r[risk] is not None]
    at_risk = [r[name] for r in known if r[risk]]
    names = listing("zh" if zh else "en", at_risk)
    if zh:
        head = f"按目前进度预计，{when}月底可能达不到最低目标的有 {len(at_risk)} 人"
        return head + (f"：{names}。" if at_risk else "。")
    head = (
        f"At the current pace, {len(at_risk)} of {len(known)} people may miss their minimum target"
    )
    return head + f" by the end of {when}" + (f": {names}." if at_risk else ".")
