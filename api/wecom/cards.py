"""Template cards (模板卡片) for pushes: the leaderboard card and the congratulation card.

The shapes follow WeCom's developer documentation:

- **发送应用消息 › 模板卡片消息** (self-built app, ``message/send``, document 90236):
  ``{"msgtype": "template_card", "template_card": {...}}`` with ``card_type``
  ``button_interaction``: ``main_title {title, desc}``, ``sub_title_text``,
  ``horizontal_content_list`` (at most 6 ``{keyname, value}``), ``task_id`` (unique per
  app, at most 128 of ``[0-9a-zA-Z_@-]``) and ``button_list`` (at most 6 ``{text, style,
  key}``; ``replace_text`` is what the button reads once pressed);
- **接收消息与事件 › 事件格式 › 模板卡片事件推送** (document 90240): pressing a button posts
  an event with ``Event`` ``template_card_event``, ``EventKey`` (the button's key),
  ``TaskId`` and ``CardType`` to the app's callback URL;
- **智能机器人 › 接收事件 › 模板卡片事件**: the robot gets ``{"msgtype": "event", "event":
  {"eventtype": "template_card_event", "template_card_event": {"card_type", "event_key",
  "task_id"}}}`` (callback URL or ``aibot_event_callback`` on the long connection);
- **群机器人配置说明 › 模板卡片类型** (document 91770): a group robot's webhook takes
  ``text_notice`` and ``news_notice`` cards only, no buttons, and a ``text_notice`` needs a
  ``card_action`` (a URL to open).

Each card is stored with its markdown fallback (:class:`Card`); the outbox sends the card
where the channel takes it and cards are on (``HRQ_WECOM_CARDS``), else the markdown
(:func:`webhook_card`: a group robot gets a ``text_notice`` when there is a URL to open,
``HRQ_PUBLIC_BASE_URL``, else the markdown).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tools.leaderboard import Leaderboard
from tools.money import fmt_money

MY_RANK_KEY = "hrq_my_rank"
"""The key of the "查看我的排名" button: ``hrq_my_rank:<YYYY-MM>``."""
MY_RANK_TEXT = "查看我的排名"
MAX_HORIZONTAL = 6
MAX_TITLE_CHARS = 36
MAX_SUB_TITLE_CHARS = 112


@dataclass(frozen=True)
class Card:
    """A template card and the markdown sent instead where cards cannot be."""

    card: dict[str, Any]
    fallback: str

    def payload(self) -> dict[str, Any]:
        """The outbox's stored form."""
        return {"card": self.card, "content": self.fallback}


def task_id(*parts: str) -> str:
    """A card's task id: stable for the same push (a retried send repeats it), unique across
    pushes, within WeCom's 128 characters of ``[0-9a-zA-Z_@-]``."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:40]
    return f"hrq-{digest}"


def my_rank_key(month: str) -> str:
    return f"{MY_RANK_KEY}:{month}"


def month_of_key(event_key: str) -> str | None:
    """The month of a "查看我的排名" button's key; None for any other key."""
    prefix, _, month = event_key.partition(":")
    if prefix != MY_RANK_KEY or len(month) != 7 or month[4] != "-":
        return None
    return month if month.replace("-", "").isdigit() else None


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _signed(value: Decimal) -> str:
    return f"+{fmt_money(value)}" if value >= 0 else f"-{fmt_money(-value)}"


def _button(month: str) -> dict[str, Any]:
    return {"text": MY_RANK_TEXT, "style": 1, "key": my_rank_key(month),
            "replace_text": "已私信你的排名"}  # fmt: skip


def leaderboard_card(board: Leaderboard, recipient: str, kind: str, fallback: str) -> Card:
    """The leaderboard as a button card: the median, then each person's sales and gap to it
    (the first six; the rest are counted), and the "查看我的排名" button. The board is the
    one the recipient may see (the tool cut it to their scope)."""
    month = board.month.strftime("%Y-%m")
    rows = board.rows[:MAX_HORIZONTAL]
    more = len(board.rows) - len(rows)
    sub_title = f"部门中位数 ¥{fmt_money(board.median)}；括号内为距中位数的差额"
    if board.month_to_date:
        sub_title += "（本月截至今日）"
    if more > 0:
        sub_title += f"；另有 {more} 人未列出"
    card = {
        "card_type": "button_interaction",
        "main_title": {
            "title": _cut(f"{board.department} {month} 业绩排行", MAX_TITLE_CHARS),
            "desc": f"共 {len(board.rows)} 人",
        },  # fmt: skip
        "sub_title_text": _cut(sub_title, MAX_SUB_TITLE_CHARS),
        "horizontal_content_list": [
            {
                "keyname": _cut(f"{r.rank}. {r.name}", 16),
                "value": f"¥{fmt_money(r.sales)}（{_signed(r.gap_to_median)}）",
            }  # fmt: skip
            for r in rows
        ],
        "task_id": task_id(recipient, kind, month, board.department),
        "button_list": [_button(month)],
    }
    return Card(card, fallback)


def congratulation_card(
    recipient: str, name: str, month: str, day: str, sales: Decimal, median: Decimal,
    min_target: Decimal, fallback: str,
) -> Card:  # fmt: skip
    """A crossing's congratulation as a button card with "查看我的排名"."""
    card = {
        "card_type": "button_interaction",
        "main_title": {
            "title": _cut(f"🎉 {name}，恭喜！", MAX_TITLE_CHARS),
            "desc": f"截至 {day}，你本月业绩已超过部门中位数并达到最低目标",
        },  # fmt: skip
        "sub_title_text": "继续保持！",
        "horizontal_content_list": [
            {"keyname": "本月业绩", "value": f"¥{fmt_money(sales)}"},
            {"keyname": "部门中位数", "value": f"¥{fmt_money(median)}"},
            {"keyname": "最低目标", "value": f"¥{fmt_money(min_target)}"},
        ],
        "task_id": task_id(recipient, "crossing", month),
        "button_list": [_button(month)],
    }
    return Card(card, fallback)


def webhook_card(card: dict[str, Any], url: str | None) -> dict[str, Any] | None:
    """The card as a group robot's webhook takes it (``text_notice``: no buttons, a URL to
    open), or None when it cannot (no URL configured): then the markdown goes instead."""
    if not url:
        return None
    kept = ("main_title", "sub_title_text", "horizontal_content_list", "task_id")
    notice = {k: v for k, v in card.items() if k in kept}
    return notice | {"card_type": "text_notice", "card_action": {"type": 1, "url": url}}
