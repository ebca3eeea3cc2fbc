"""Answering 我的奖金不对: open the dispute and confirm what was disputed.

The confirmation says which month and close version, the bonus as closed, the reason
recorded, the dispute's number, and who was told (HR through WeCom, or HR's list when
WeCom is not set up). Asked again while it is open, the answer names the open dispute
and nothing new is opened or sent. A month never closed has no statement yet, said so.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from assistant.answer import Answer, ColumnFormat, ToolCallInfo
from assistant.disputes import Dispute, DisputeBook
from assistant.plan import DisputePlan
from schema.caller import Caller
from tools.adjustment import Adjustment, total
from tools.errors import InvalidArgumentError, NotClosedError
from tools.money import fmt_money
from tools.period import parse_month

COLUMNS = {
    "zh": ["争议编号", "月份", "结账版本", "工号", "结账奖金", "状态", "理由"],
    "en": ["dispute_id", "month", "version", "employee_no", "bonus", "status", "reason"],
}
KINDS = ("count", "month", "count", "text", "money", "text", "text")
STATUS = {"zh": {"open": "处理中", "accepted": "已接受", "rejected": "已驳回"},
          "en": {"open": "open", "accepted": "accepted", "rejected": "rejected"}}  # fmt: skip


def answer_dispute(
    base: Answer, plan: DisputePlan, book: DisputeBook, caller: Caller, surface: str
) -> Answer:
    """Open (or find the open) dispute of ``plan`` and fill ``base`` with the confirmation."""
    zh = base.language == "zh"
    label = None
    if plan.month is not None:
        label = f"{plan.month.year}年{plan.month.month}月" if zh else plan.month.strftime("%b %Y")
    try:
        opened = book.open(caller, plan.month, plan.reason, surface=surface)
    except NotClosedError:
        base.kind, base.reason = "error", "not_closed"
        if label is None:
            base.answer = (
                "还没有哪个月在你在册时结账，所以还没有奖金结算单，暂时无法提出异议。" if zh else
                "No month has been closed with you on its roster yet, so there is no bonus "
                "statement to dispute."
            )  # fmt: skip
        else:
            base.answer = (
                f"{label}还没有结账，所以还没有奖金结算单，暂时无法提出异议；HR 在月末结账后会发出结算单。"
                if zh else f"{label} has not been closed yet, so there is no bonus statement "
                "to dispute; HR closes a month after it ends."
            )  # fmt: skip
        return base
    except InvalidArgumentError:
        base.kind, base.reason = "error", "not_on_roster"
        base.answer = (
            f"{label}结账时你不在销售名册上，没有可以提出异议的奖金。" if zh else
            f"You were not on the sales roster of {label} when it was closed, so there is "
            "no bonus of yours to dispute."
        )  # fmt: skip
        return base
    d = opened.dispute
    base.tool = ToolCallInfo(
        name="open_dispute",
        arguments={
            "dispute_id": d.dispute_id,
            "month": d.month,
            "version": d.version,
            "created": opened.created,
            "notified": opened.created and bool(d.notified),
        },
    )
    base.columns = COLUMNS[base.language]
    base.formats = [ColumnFormat(kind=k) for k in KINDS]  # type: ignore[arg-type]
    base.formats[5] = ColumnFormat(kind="text", values=STATUS[base.language])
    base.rows = [[d.dispute_id, d.month, d.version, d.employee_no, float(d.bonus), d.status,
                  d.reason]]  # fmt: skip
    base.trace.append(
        f"dispute #{d.dispute_id} of {d.employee_no}'s bonus in {d.month} "
        f"(close version {d.version}): {'opened' if opened.created else 'already open'}"
    )
    base.answer = confirmation(d, base.language, created=opened.created)
    return base


def confirmation(d: Dispute, language: str, *, created: bool) -> str:
    """The sentence that confirms a dispute (or names the one already open)."""
    month = parse_month(d.month)
    zh = language == "zh"
    label = f"{month.year}年{month.month}月" if zh else month.strftime("%b %Y")
    bonus = f"¥{fmt_money(d.bonus)}"
    if not created:
        return (
            f"你对{label}奖金的异议 #{d.dispute_id} 已于 {d.opened_at[:10]} 提交，HR 正在处理，无需重复提交。"
            if zh else f"Your dispute #{d.dispute_id} of your {label} bonus, raised on "
            f"{d.opened_at[:10]}, is still open with HR; nothing new was raised."
        )  # fmt: skip
    if zh:
        reason = f"理由：{d.reason}。" if d.reason else "未填写理由（可在回复中补充）。"
        told = "已通过企业微信通知 HR" if d.notified else "HR 会在争议列表中看到"
        return (
            f"已记录你对{label}奖金的异议 #{d.dispute_id}：结账第 {d.version} 版中你的奖金为 {bonus}。"
            f"{reason}{told}，处理结果会通知你。"
        )
    reason = f"Reason: {d.reason}. " if d.reason else "No reason given. "
    told = "HR has been told through WeCom" if d.notified else "HR will see it in their list"
    return (
        f"Recorded your dispute #{d.dispute_id} of your {label} bonus: {bonus} in close "
        f"version {d.version}. {reason}{told}; you will hear the outcome."
    )


def adjusted_note(
    language: str, keys: list[str], rows: list[list[Any]], adjustments: Sequence[Adjustment]
) -> str:
    """The line a closed month's answer adds for each person shown with their bonus whose
    bonus an accepted dispute adjusted (the snapshot's figure is the bonus as closed)."""
    if not adjustments or "bonus" not in keys or "employee_no" not in keys:
        return ""
    by_person: dict[str, list[Adjustment]] = {}
    for a in adjustments:
        by_person.setdefault(a.employee_no, []).append(a)
    no, bonus = keys.index("employee_no"), keys.index("bonus")
    name = keys.index("name") if "name" in keys else no
    zh = language == "zh"
    notes = []
    for row in rows:
        mine = by_person.get(str(row[no]))
        if not mine or row[bonus] is None:
            continue
        change = total(mine)
        final = Decimal(str(row[bonus])) + change
        signed = f"{'+' if change >= 0 else '-'}¥{fmt_money(abs(change))}"
        ids = (
            "、".join(f"#{a.dispute_id}" for a in mine)
            if zh
            else ", ".join(f"#{a.dispute_id}" for a in mine)
        )
        version = mine[-1].statement_version
        notes.append(
            f"{row[name]}的奖金已按异议 {ids} 调整 {signed}，最终奖金 ¥{fmt_money(final)}"
            f"（奖金结算单第 {version} 版）" if zh else f"{row[name]}'s bonus was adjusted by "
            f"dispute {ids} ({signed}): final bonus ¥{fmt_money(final)} (statement version {version})"
        )  # fmt: skip
    if not notes:
        return ""
    return ("注意：" + "；".join(notes) + "。") if zh else (" Note: " + "; ".join(notes) + ".")
