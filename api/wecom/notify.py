"""Month-end and mid-month notifications to the people they concern, through WeCom.

``month_end``, for a month (optionally one department and those below it):

- each salesperson above the department median and over the minimum target
  (bonus eligible) gets a congratulation with their bonus;
- each one below the minimum target gets an encouraging reminder with the gap;
- each manager of a roster gets their team's leaderboard chart and summary;
- a department with a group robot (``HRQ_WECOM_GROUP_WEBHOOKS``) gets the
  leaderboard chart and summary in its group, as a team member sees it (names,
  ranks, sales and gaps; no one's target or bonus).

``at_risk``, during a month: each salesperson the attainment forecast flags as
at risk of missing the minimum target gets a reminder with the projection.

Every figure and name comes from the tools (``monthly_performance``,
``leaderboard``, ``forecast``); recipients are active employees with a
``wecom_userid``. Idempotency: a notification is recorded per recipient, kind
and month in the same transaction that queues its messages in the outbox, so a
second run queues nothing twice. A dry run only plans.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from api.wecom.cards import Card, leaderboard_card
from api.wecom.errors import WeComConfigError
from api.wecom.outbox import DeliveryReport, Outbox, image_payload
from schema.app import create_app_schema, notifications_sent
from schema.caller import Caller, Role
from schema.warehouse import employees
from tools.forecast import forecast
from tools.leaderboard import Leaderboard, leaderboard
from tools.money import fmt_money
from tools.performance import PerformanceReport, monthly_performance
from tools.period import month_label
from tools.policy import BonusPolicy
from tools.snapshot import SnapshotSource

Kind = Literal["congratulation", "reminder", "manager_leaderboard", "team_leaderboard", "at_risk"]
"""The month-end and at-risk kinds (live crossings add theirs: :mod:`api.wecom.crossings`)."""

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Message:
    """One message of a notification: markdown text, a PNG image, or a template card with
    its markdown fallback (``content``; :mod:`api.wecom.cards`)."""

    msgtype: Literal["markdown", "image", "template_card"]
    content: str = ""
    png: bytes = b""
    caption: str = ""
    card: dict[str, Any] | None = None

    @classmethod
    def of_card(cls, card: Card) -> Message:
        return cls("template_card", content=card.fallback, card=card.card)

    def payload(self) -> dict[str, Any]:
        if self.msgtype == "image":
            return image_payload(self.png, "leaderboard.png")
        if self.msgtype == "template_card":
            return {"card": self.card or {}, "content": self.content}
        return {"content": self.content}

    def describe(self) -> str:
        """What a dry run prints for this message."""
        if self.msgtype == "image":
            return f"[image: {self.caption}, {len(self.png)} bytes PNG]"
        if self.msgtype == "template_card":
            return f"[card {(self.card or {}).get('card_type')}; without cards:]\n{self.content}"
        return self.content


@dataclass(frozen=True)
class Notification:
    """What one recipient gets, keyed by (recipient, kind, month) for idempotency."""

    recipient: str
    """A WeCom userid, or ``robot:<department>`` for a group robot."""
    name: str
    kind: Kind | str
    month: str
    messages: list[Message] = field(default_factory=list)

    @property
    def channel(self) -> Literal["app", "robot"]:
        return "robot" if self.recipient.startswith("robot:") else "app"

    @property
    def target(self) -> str:
        """The outbox recipient: a userid or a department name."""
        return self.recipient.removeprefix("robot:")


@dataclass(frozen=True)
class NotifyResult:
    """What a run queued, skipped (already sent) and delivered."""

    queued: list[Notification]
    skipped: list[Notification]
    delivery: DeliveryReport | None


def _userids(conn: Connection, employee_ids: Iterable[int]) -> dict[int, str]:
    """WeCom userids of the active employees among ``employee_ids``."""
    wanted = sorted(set(employee_ids))
    if not wanted:
        return {}
    rows = conn.execute(
        sa.select(employees.c.employee_id, employees.c.wecom_userid).where(
            employees.c.employee_id.in_(wanted),
            employees.c.wecom_userid.is_not(None),
            employees.c.status == "active",
        )
    ).all()
    return {r.employee_id: r.wecom_userid for r in rows if r.wecom_userid}


def _managers(conn: Connection, employee_ids: Iterable[int]) -> dict[int, int]:
    """employee_id -> manager's employee_id, for those with a manager."""
    rows = conn.execute(
        sa.select(employees.c.employee_id, employees.c.manager_id).where(
            employees.c.employee_id.in_(sorted(set(employee_ids)))
        )
    ).all()
    return {r.employee_id: r.manager_id for r in rows if r.manager_id is not None}


def _png(board: Leaderboard) -> bytes:
    with tempfile.TemporaryDirectory(prefix="hrq-notify-") as folder:
        return board.render_png(Path(folder) / "leaderboard.png").read_bytes()


def _summary_markdown(report: PerformanceReport, department_id: int, team_view: bool) -> str:
    (summary,) = [s for s in report.summaries if s.department_id == department_id]
    label = month_label(report.month)
    lines = [
        f"**{summary.department} {label} 月度业绩**",
        f"在册 {summary.roster_size} 人，部门中位数 ¥{fmt_money(summary.median)}，"
        f"超过中位数 {summary.above_median_count} 人",
    ]
    if not team_view:
        lines.append(
            f"达到最低目标 {summary.met_minimum_count} 人，获得业绩奖金 "
            f"{summary.bonus_eligible_count} 人，奖金合计 ¥{fmt_money(summary.total_bonus or ZERO)}"
        )
    return "\n".join(lines)


def plan_month_end(
    warehouse: Engine,
    month: str,
    *,
    department: str | None = None,
    policy: BonusPolicy | None = None,
    group_webhooks: Iterable[str] = (),
    closes: SnapshotSource | None = None,
) -> list[Notification]:
    """Every month-end notification for ``month`` (``YYYY-MM``), in a stable order; a closed
    month's figures come from its snapshot (``closes``)."""
    admin = Caller.operator()
    robots = set(group_webhooks)
    out: list[Notification] = []
    with warehouse.connect() as conn:
        report = monthly_performance(conn, month, caller=admin, department=department,
                                     policy=policy, closes=closes)  # fmt: skip
        label = month_label(report.month)
        rows = list(report.rows)
        ids = [r.employee_id for r in rows if r.employee_id is not None]
        userids = _userids(conn, ids)
        for r in rows:
            userid = userids.get(r.employee_id or -1)
            if userid is None:
                continue
            if r.bonus_eligible:
                text = (
                    f"🎉 {r.name}，恭喜！你 {label} 的业绩 ¥{fmt_money(r.sales)}，超过部门中位数 "
                    f"¥{fmt_money(r.median)}，并达到最低目标 ¥{fmt_money(r.min_target or ZERO)}。"
                    f"本月业绩奖金 **¥{fmt_money(r.bonus or ZERO)}**。继续保持！"
                )
                out.append(Notification(userid, r.name, "congratulation", label,
                                        [Message("markdown", text)]))  # fmt: skip
            elif r.met_minimum is False and r.min_target is not None:
                gap = r.min_target - r.sales
                text = (
                    f"{r.name}，你 {label} 的业绩 ¥{fmt_money(r.sales)}，距最低目标 "
                    f"¥{fmt_money(r.min_target)} 还差 ¥{fmt_money(gap)}。"
                    "每一单都算数，下个月我们一起加油！需要支持随时找你的经理。"
                )
                out.append(Notification(userid, r.name, "reminder", label,
                                        [Message("markdown", text)]))  # fmt: skip
        managers = _managers(conn, ids)
        manager_userids = _userids(conn, managers.values())
        for summary in report.summaries:
            dept_id = summary.department_id
            members = [r.employee_id for r in rows if r.department_id == dept_id]
            heads = sorted({managers[m] for m in members if m is not None and m in managers})
            heads = [h for h in heads if h not in members]  # the team's own manager(s)
            board = leaderboard(conn, month, dept_id, caller=admin, policy=policy, closes=closes)
            chart = Message("image", png=_png(board), caption=board.title)
            summary_text = _summary_markdown(report, dept_id, team_view=False)
            for head in heads:
                userid = manager_userids.get(head)
                if userid is not None:
                    card = leaderboard_card(board, userid, "manager_leaderboard", summary_text)
                    out.append(Notification(userid, summary.department, "manager_leaderboard",
                                            label, [chart, Message.of_card(card)]))  # fmt: skip
            if summary.department in robots:
                team = Caller(role=Role.SALES, employee_id=-1, department_id=dept_id,
                              department_ids=frozenset({dept_id}))  # fmt: skip
                team_board = leaderboard(
                    conn, month, dept_id, caller=team, policy=policy, closes=closes
                )
                team_text = _summary_markdown(report, dept_id, team_view=True)
                team_chart = Message("image", png=_png(team_board), caption=team_board.title)
                group = f"robot:{summary.department}"
                team_card = leaderboard_card(team_board, group, "team_leaderboard", team_text)
                out.append(Notification(group, summary.department, "team_leaderboard", label,
                                        [team_chart, Message.of_card(team_card)]))  # fmt: skip
    return out


def plan_at_risk(
    warehouse: Engine, as_of: date, *, department: str | None = None
) -> list[Notification]:
    """A reminder to each salesperson projected to miss the minimum target this month."""
    admin = Caller.operator()
    out: list[Notification] = []
    with warehouse.connect() as conn:
        result = forecast(conn, as_of, caller=admin, department=department)
        userids = _userids(conn, [r.employee_id for r in result.rows if r.employee_id])
        left = result.total_working_days - result.elapsed_working_days
        label = month_label(result.month)
        for r in result.rows:
            userid = userids.get(r.employee_id or -1)
            if not r.at_risk or userid is None:
                continue
            text = (
                f"{r.name}，截至 {as_of.isoformat()}，你本月业绩 ¥{fmt_money(r.month_to_date)}，"
                f"按目前进度预计月底 ¥{fmt_money(r.projected)}，低于最低目标 "
                f"¥{fmt_money(r.min_target or Decimal(0))}。本月还有 {left} 个工作日，加油！"
            )
            out.append(Notification(userid, r.name, "at_risk", label, [Message("markdown", text)]))
    return out


def already_sent(engine: Engine, notification: Notification) -> bool:
    """Whether this recipient already got this kind of notification for this month."""
    create_app_schema(engine)
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(notifications_sent.c.recipient).where(
                notifications_sent.c.recipient == notification.recipient,
                notifications_sent.c.kind == notification.kind,
                notifications_sent.c.month == notification.month,
            )
        ).first()
    return found is not None


def send(
    outbox: Outbox, notifications: list[Notification], *, dry_run: bool = False
) -> NotifyResult:
    """Queue (record and write to the outbox) the notifications not sent before, then deliver.

    With ``dry_run`` nothing is recorded, queued or sent: the result lists what would be.
    Otherwise the outbox must be able to reach WeCom: without a configured app, a queued
    message could never be delivered, so nothing is queued and WeComConfigError says
    which settings to set.
    """
    if not dry_run:
        try:
            outbox.client()
        except WeComConfigError as exc:
            raise WeComConfigError(
                f"WeCom is not configured, so nothing was queued: {exc} "
                "(--dry-run shows what would be sent)"
            ) from exc
    queued: list[Notification] = []
    skipped: list[Notification] = []
    ids: list[int] = []
    for notification in notifications:
        if dry_run:
            (skipped if already_sent(outbox.engine, notification) else queued).append(notification)
            continue
        new_ids = _record_and_queue(outbox, notification)
        if new_ids is None:
            skipped.append(notification)
        else:
            queued.append(notification)
            ids.extend(new_ids)
    delivery = None if dry_run else outbox.deliver(ids)
    return NotifyResult(queued, skipped, delivery)


def _record_and_queue(outbox: Outbox, notification: Notification) -> list[int] | None:
    try:
        with outbox.engine.begin() as conn:
            conn.execute(
                sa.insert(notifications_sent).values(
                    recipient=notification.recipient,
                    kind=notification.kind,
                    month=notification.month,
                    outbox_ids="",
                    created_at=datetime.now(UTC),
                )
            )
            ids = [
                outbox.insert(
                    conn, notification.channel, notification.target, m.msgtype, m.payload()
                )  # fmt: skip
                for m in notification.messages
            ]
            conn.execute(
                sa.update(notifications_sent)
                .where(
                    notifications_sent.c.recipient == notification.recipient,
                    notifications_sent.c.kind == notification.kind,
                    notifications_sent.c.month == notification.month,
                )
                .values(outbox_ids=",".join(map(str, ids)))
            )
            return ids
    except IntegrityError:
        return None


def describe(notifications: list[Notification]) -> str:
    """The exact messages, recipient by recipient, as a dry run prints them."""
    blocks = []
    for n in notifications:
        head = f"→ {n.recipient} ({n.name}) [{n.kind} {n.month}]"
        blocks.append("\n".join([head, *(m.describe() for m in n.messages)]))
    return "\n\n".join(blocks)
