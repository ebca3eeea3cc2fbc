"""An :class:`Answer` as WeCom chat messages: markdown, numbered options, help and refusals.

WeCom's app markdown has no tables, so a table is drawn compactly: one header
line of column names, then one line per row, cells joined by `` | ``. A message
that would exceed WeCom's 2,048 bytes keeps the top rows that fit, then a line
saying how many rows there are in all, and a link to the full report on the web
page (when ``public_base_url`` is set). Nothing here computes a figure: cells
are the answer's own values, formatted.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from api.wecom.limits import MARKDOWN_LIMIT_BYTES, utf8_len
from assistant.answer import Answer

MAX_ROWS = 20
"""Rows shown in chat at most, even when more would fit."""

HELP_TEXT = (
    "你好，我是 hrq，可以回答业绩、目标、奖金、人事、考勤、请假等问题。请直接发文字提问，例如：\n"
    "· 本月各销售部门业绩中位数是多少\n"
    "· 上个月哪些人获得了业绩奖金\n"
    "· 上个月华东销售一部排行榜\n"
    "Ask in Chinese or English; only text messages are understood."
)

UNKNOWN_SENDER = (
    "抱歉，你的企业微信账号还没有关联到员工档案，暂时无法查询。请联系 HR 开通。\n"
    "Sorry, your WeCom account is not linked to an employee record yet; please ask HR."
)

INACTIVE_SENDER = (
    "抱歉，你的员工档案当前不是在职状态，无法查询。如有疑问请联系 HR。\n"
    "Sorry, your employee record is not active, so hrq cannot answer you."
)

FAILURE = (
    "抱歉，处理你的问题时出错了，请稍后再试。\n"
    "Sorry, something went wrong answering your question; please try again later."
)

_TOTAL = {
    "zh": "共 {total} 行，此处显示前 {shown} 行。",
    "en": "{total} rows in all; the top {shown} are shown.",
}
_LINK = {"zh": "[在网页查看完整报表]({url})", "en": "[Full report on the web page]({url})"}
_PICK = {
    "zh": "请回复序号选择：",
    "en": "Reply with a number to choose:",
}
_EXAMPLES = {"zh": "你可以这样问：", "en": "You can ask, for example:"}


def cell(value: Any) -> str:
    """One table cell as chat text: money-like numbers with separators, booleans as marks."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1000:
            return str(int(value))
        return f"{value:,.2f}"
    return str(value).replace("\n", " ").replace("|", "/")


def table_lines(answer: Answer) -> list[str]:
    """The header line and one line per row."""
    header = " | ".join(f"**{c}**" for c in answer.columns)
    return [header, *(" | ".join(cell(v) for v in row) for row in answer.rows)]


def report_url(public_base_url: str | None, answer: Answer) -> str | None:
    """The web page's link to the full answer, when hrq's public URL is known."""
    if not public_base_url or not answer.answer_id:
        return None
    return f"{public_base_url.rstrip('/')}/?answer={quote(answer.answer_id)}"


def render_answer(
    answer: Answer, public_base_url: str | None = None, limit: int = MARKDOWN_LIMIT_BYTES
) -> str:
    """An answer as WeCom markdown within ``limit`` bytes."""
    if answer.kind == "clarification":
        return render_clarification(answer)
    if answer.kind == "refusal":
        return render_refusal(answer)
    text = answer.answer.strip()
    if answer.interpretation:
        text = f"{text}\n> {answer.interpretation}"
    for note in answer.notes:  # rows cut at a limit, values shown as base64 or null
        text = f"{text}\n> {note}"
    show_table = bool(answer.columns) and (len(answer.rows) > 1 or len(answer.columns) > 2)
    if not show_table:
        return _fit(text, limit)
    lines = table_lines(answer)
    full = "\n".join([text, "", *lines[: MAX_ROWS + 1]])
    if len(answer.rows) <= MAX_ROWS and utf8_len(full) <= limit:
        return full
    url = report_url(public_base_url, answer)
    language = answer.language
    for shown in range(min(len(answer.rows), MAX_ROWS), -1, -1):
        tail = [_TOTAL[language].format(total=len(answer.rows), shown=shown)]
        if url:
            tail.append(_LINK[language].format(url=url))
        candidate = "\n".join([text, "", *lines[: shown + 1], "", *tail])
        if utf8_len(candidate) <= limit:
            return candidate
    return _fit(text, limit)


def render_clarification(answer: Answer) -> str:
    """The clarifying question with its options numbered 1..n."""
    lines = [answer.answer.strip()]
    if answer.options:
        lines.append(_PICK[answer.language])
        lines += [f"{i}. {option}" for i, option in enumerate(answer.options, 1)]
    return "\n".join(lines)


def render_refusal(answer: Answer) -> str:
    """The refusal and the examples of what can be asked."""
    lines = [answer.answer.strip()]
    if answer.examples:
        lines.append(_EXAMPLES[answer.language])
        lines += [f"· {example}" for example in answer.examples]
    return "\n".join(lines)


def _fit(text: str, limit: int) -> str:
    if utf8_len(text) <= limit:
        return text
    return text.encode("utf-8")[: limit - 3].decode("utf-8", "ignore") + "…"
