"""Dispute notices through WeCom, queued in the outbox with the step that causes them.

:class:`DisputeNotices` is the :class:`~assistant.disputes.DisputeNotifier` of every
surface when the self-built app is configured (:func:`dispute_notices`): it writes a
dispute step's markdown notices into the outbox inside the step's own transaction, so
a dispute is never opened or resolved without its notices, nor notified twice (HR on
opening, with the person, month, close version, bonus and reason; the person on
resolving, with the decision, the reason and their statement as it now stands). A
server process's WeCom worker delivers them within ``HRQ_WECOM_RECOVERY_POLL_S``; the
CLI delivers them at once. This module loads no HTTP client (``hrq ask`` uses it).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from schema.settings import Settings
from tools.money import fmt_money

if TYPE_CHECKING:
    from assistant.disputes import DisputeEvent


def wecom_configured(settings: Settings) -> bool:
    """Whether the self-built app can send (corp id, secret and agent id set)."""
    return bool(settings.wecom_corp_id and settings.wecom_secret and settings.wecom_agent_id)


class DisputeNotices:
    """Queues a dispute step's notices in the outbox, in the step's transaction."""

    def __call__(self, conn: Connection, event: DisputeEvent) -> list[str]:
        from api.wecom.outbox import Outbox

        text = notice(event)
        sent = []
        for r in event.recipients:
            Outbox.insert(conn, "app", r.wecom_userid, "markdown", {"content": text})
            sent.append(r.wecom_userid)
        return sent


def dispute_notices(settings: Settings) -> DisputeNotices | None:
    """The notifier of disputes, or None when the WeCom app is not configured (the
    disputes are still opened and resolved; HR sees them in ``hrq disputes list``)."""
    return DisputeNotices() if wecom_configured(settings) else None


def notice(event: DisputeEvent) -> str:
    """The markdown of one dispute step's notice (Chinese, as the month-end notices)."""
    d = event.dispute
    bonus = f"¥{fmt_money(d.bonus)}"
    if event.kind == "opened":
        return "\n".join([
            f"**奖金异议 #{d.dispute_id}**",
            f"{d.name}（{d.employee_no}）对 {d.month} 奖金（结账第 {d.version} 版：{bonus}）提出异议。",
            f"理由：{d.reason or '未填写'}",
            f"处理：`hrq disputes show {d.dispute_id}`，然后 `hrq disputes resolve {d.dispute_id} "
            "--accept --adjustment 金额 --reason 理由` 或 `--reject --reason 理由`",
        ])  # fmt: skip
    lines = [] if event.statement is None else statement_lines(event.statement)
    if event.kind == "accepted":
        amount = d.adjustment if d.adjustment is not None else Decimal(0)
        sign = "+" if amount >= 0 else "-"
        head = [
            f"**你的奖金异议 #{d.dispute_id} 已接受**",
            f"{d.month} 奖金调整 {sign}¥{fmt_money(abs(amount))}，理由：{d.resolution}",
            "新的结算单：",
        ]
        return "\n".join(head + lines)
    return "\n".join([
        f"**你的奖金异议 #{d.dispute_id} 未被接受**",
        f"理由：{d.resolution}",
        f"你 {d.month} 的奖金维持结账时的 {bonus}（结账第 {d.version} 版）；如有疑问请联系 HR。",
    ])  # fmt: skip


def statement_lines(document: dict[str, Any]) -> list[str]:
    """A statement's lines as markdown: the heading bold, each figure a quoted line."""
    first, *rest = document["lines"]
    return [f"**{first}**", *(f"> {line}" for line in rest)]


def statement_markdown(document: dict[str, Any]) -> str:
    """A statement as one markdown message."""
    return "\n".join(statement_lines(document))
