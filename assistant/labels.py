"""The one table of the performance engine's columns: each key's header in Chinese and
English and how its values read. Answers, the leaderboard card and downloads take their
headers from here (query columns take theirs from the semantic model)."""

from __future__ import annotations

from typing import NamedTuple

from assistant.answer import ColumnFormat, ColumnKind


class ColumnLabel(NamedTuple):
    zh: str
    en: str
    kind: ColumnKind


TOOL_COLUMNS: dict[str, ColumnLabel] = {
    "employee_no": ColumnLabel("工号", "employee_no", "text"),
    "name": ColumnLabel("姓名", "name", "text"),
    "department": ColumnLabel("部门", "department", "text"),
    "sales": ColumnLabel("业绩", "sales", "money"),
    "min_target": ColumnLabel("最低目标", "minimum target", "money"),
    "attainment": ColumnLabel("目标完成率", "attainment", "percent"),
    "median": ColumnLabel("部门中位数", "department median", "money"),
    "gap_to_median": ColumnLabel("与中位数差距", "gap to median", "money"),
    "short_of_minimum": ColumnLabel("距最低目标还差", "short of minimum target", "money"),
    "met_minimum": ColumnLabel("达到最低目标", "met minimum", "flag"),
    "above_median": ColumnLabel("超过中位数", "above median", "flag"),
    "bonus_eligible": ColumnLabel("获得奖金", "bonus eligible", "flag"),
    "bonus": ColumnLabel("奖金", "bonus", "money"),
    "rank": ColumnLabel("排名", "rank", "count"),
    "roster_size": ColumnLabel("在册人数", "roster size", "count"),
    "share": ColumnLabel("占比", "share", "percent"),
    "month": ColumnLabel("月份", "month", "month"),
    "count": ColumnLabel("人数", "count", "count"),
    "total_bonus": ColumnLabel("奖金总额", "total bonus", "money"),
    "month_to_date": ColumnLabel("本月至今业绩", "month to date", "money"),
    "projected": ColumnLabel("预计月底业绩", "projected", "money"),
    "at_risk": ColumnLabel("可能未达最低目标", "at risk", "flag"),
    "total_sales": ColumnLabel("部门业绩", "department sales", "money"),
    "per_head": ColumnLabel("人均业绩", "sales per head", "money"),
    "projected_median": ColumnLabel("预计中位数", "projected median", "money"),
    "projected_above_median": ColumnLabel("预计超过中位数", "projected above median", "flag"),
    "current_sales": ColumnLabel("当前业绩", "current sales", "money"),
    "extra": ColumnLabel("增加业绩", "extra sales", "money"),
    "new_sales": ColumnLabel("推算业绩", "new sales", "money"),
    "new_median": ColumnLabel("推算部门中位数", "new department median", "money"),
    "new_rank": ColumnLabel("推算排名", "new rank", "count"),
}


def header(key: str, language: str) -> str:
    """The column's header in ``language`` (zh or en)."""
    label = TOOL_COLUMNS[key]
    return label.zh if language == "zh" else label.en


def headers(keys: list[str], language: str) -> list[str]:
    return [header(k, language) for k in keys]


def formats(keys: list[str]) -> list[ColumnFormat]:
    return [ColumnFormat(kind=TOOL_COLUMNS[k].kind) for k in keys]
