"""The calculation trace in the question's language.

The performance engine writes its trace in English (its reference wording, checked by
its own tests). A Chinese question gets it in Chinese: each line is matched against one
table of the engine's line shapes and re-worded; a department's lines keep their
department (``华东销售一部：…``). A line of no known shape is kept as it is.
"""

from __future__ import annotations

import re

_MONEY = r"-?[\d,]+(?:\.\d+)?"
_POLICY = re.compile(
    r"rate (?P<rate>[\d.]+ %), (?:cap (?P<cap>" + _MONEY + r")|no cap) \((?P<source>[^)]*)\)"
)
_SOURCES = {"default": "默认", "department": "部门规定"}

#: (English line shape, Chinese wording); named groups carry the figures across.
LINES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern + r"$"), zh)
    for pattern, zh in (
        (r"plan: (?P<kind>\w+) \(coverage (?P<pct>\d+%)\)", "理解：{kind}（问题覆盖 {pct}）"),
        (r"plan: (?P<kind>\w+) \(chosen: (?P<label>.*)\)", "理解：{kind}（已选择：{label}）"),
        (r"sales = paid orders dated (?P<a>\S+) \.\. (?P<b>\S+) \(month to date\); refunded and "
         r"cancelled orders excluded", "业绩 = {a} 至 {b} 的已付款订单（本月至今）；退款和取消的订单不计"),
        (r"sales = paid orders dated (?P<a>\S+) \.\. (?P<b>\S+); refunded and cancelled orders "
         r"excluded", "业绩 = {a} 至 {b} 的已付款订单；退款和取消的订单不计"),
        (r"roster = employees with a (?P<m>\S+) sales_targets row, by their department: "
         r"(?P<n>\d+) members in (?P<k>\d+) department\(s\)",
         "名册 = {m} 有最低业绩目标的员工，按所在部门：{k} 个部门共 {n} 人"),
        (r"(?P<p>projected )?median of (?P<n>\d+) roster members? = the middle value, (?P<v>" + _MONEY + ")",
         "{n} 人的{p}中位数 = 居中一人的业绩 {v}"),
        (r"(?P<p>projected )?median of (?P<n>\d+) roster members = \((?P<a>" + _MONEY + r") \+ (?P<b>"
         + _MONEY + r")\) / 2 = (?P<v>" + _MONEY + ")",
         "{n} 人的{p}中位数 = 居中两人业绩的平均 ({a} + {b}) / 2 = {v}"),
        (r"(?P<m>\d+) of (?P<n>\d+) met their minimum target; (?P<a>\d+) strictly above the median",
         "{n} 人中 {m} 人达到最低目标，{a} 人高于中位数"),
        (r"bonus: (?P<policy>.+); (?P<e>\d+) eligible \(met minimum and above median\), total (?P<t>"
         + _MONEY + ")", "奖金：{policy}；{e} 人获得奖金（达到最低目标且高于中位数），合计 {t}"),
        (r"(?P<c>\d+) bonus\(es\) limited by the cap of (?P<x>" + _MONEY + ")",
         "{c} 人的奖金受上限 {x} 限制"),
        (r"total bonus across (?P<k>\d+) departments: (?P<t>" + _MONEY + ")", "{k} 个部门奖金合计 {t}"),
        (r"(?P<x>\d+) of (?P<n>\d+) at risk of missing the minimum", "{n} 人中 {x} 人可能达不到最低目标"),
        (r"month-to-date = paid orders (?P<a>\S+) \.\. (?P<b>\S+)", "本月至今业绩 = {a} 至 {b} 的已付款订单"),
        (r"working days elapsed (?P<e>\d+) of (?P<t>\d+) in (?P<m>\S+)(?P<f> \(Mon-Fri assumed.*\))?",
         "{m} 共 {t} 个工作日，已过 {e} 个{f}"),
        (r"projected = month-to-date x total / elapsed working days",
         "预计月底业绩 = 本月至今业绩 × 总工作日 / 已过工作日"),
        (r"no working day has elapsed yet: projected = month-to-date",
         "尚未经过工作日：预计月底业绩 = 本月至今业绩"),
        (r"answered from the close of (?P<m>\S+), version (?P<v>\d+) \(hash (?P<h>\w+)\): (?P<d>.+)",
         "按 {m} 结账快照第 {v} 版作答（哈希 {h}）：{d}"),
        (r"live figures as asked; (?P<m>\S+) was closed \(version (?P<v>\d+), hash (?P<h>\w+)\): (?P<d>.+)",
         "按要求使用实时数据；{m} 已结账（第 {v} 版，哈希 {h}）：{d}"),
    )
)  # fmt: skip
_WORDS = {
    "tool": "绩效引擎计算",
    "query": "查询",
    "clarify": "追问",
    "refuse": "无法回答",
    "projected ": "预计",
    "live data have changed since the close": "结账后实时数据有变化",
    "live data match the close": "实时数据与结账一致",
    " (Mon-Fri assumed: no holiday calendar for this year)": "（本年无节假日日历，按周一至周五计）",
}


def _policy(text: str) -> str:
    """``rate 5 %, no cap (default)`` -> ``比例 5 %，无上限（默认）``."""
    match = _POLICY.fullmatch(text)
    if match is None:
        return text
    cap = f"上限 {match['cap']}" if match["cap"] else "无上限"
    source = _SOURCES.get(match["source"], match["source"])
    return f"比例 {match['rate']}，{cap}（{source}）"


def _line_zh(line: str) -> str | None:
    for pattern, zh in LINES:
        match = pattern.match(line)
        if match is None:
            continue
        parts = {k: _WORDS.get(v, v) if v else "" for k, v in match.groupdict().items()}
        if "policy" in parts:
            parts["policy"] = _policy(parts["policy"])
        return zh.format(**parts)
    return None


def trace_in(language: str, lines: list[str]) -> list[str]:
    """``lines`` in ``language``: Chinese wording for a Chinese question, else as they are."""
    if language != "zh":
        return list(lines)
    out = []
    for line in lines:
        said = _line_zh(line)
        if said is None and ": " in line:  # a department's line: "华东销售一部: median of ..."
            department, rest = line.split(": ", 1)
            inner = _line_zh(rest)
            said = f"{department}：{inner}" if inner is not None else None
        out.append(said if said is not None else line)
    return out
