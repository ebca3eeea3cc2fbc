"""The daily leaderboard digest: each team group gets its team's leaderboard once a day.

A team group is a department's group robot (``HRQ_WECOM_GROUP_WEBHOOKS``, department ->
webhook key). A group's members are the team, and a group sees only what every member may
see: the leaderboard as a salesperson of that department sees it (names, ranks, sales,
gaps to the median; nobody's target or bonus: the tool cuts the rows to that scope), month
to date. The digest is the chart and the leaderboard card (:mod:`api.wecom.cards`; a
``text_notice`` where the webhook takes one, else markdown).

It is sent **once per group and day**: recorded in ``notifications_sent`` (kind
``digest``, the day in the ``month`` column) in the transaction that queues it
(:func:`api.wecom.notify.send`), so a second run the same day, or another process,
queues nothing. ``hrq serve`` sends it at ``HRQ_WECOM_DIGEST_AT`` (local time,
``HRQ_TIMEZONE``) through the scheduler's lease (:mod:`api.wecom.schedule`): one process
per day. A server that starts more than :data:`LATE_S` after that time sends the day's
digest at the next day's time instead of hours late.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from api.wecom.cards import leaderboard_card
from api.wecom.notify import Message, Notification, NotifyResult, _png, send
from api.wecom.outbox import Outbox
from api.wecom.schedule import Job, JobLeases, Scheduler
from schema.caller import Caller, Role
from schema.db import app_engine, warehouse_engine
from schema.errors import HrqError
from schema.settings import Settings
from tools.leaderboard import Leaderboard, leaderboard
from tools.money import fmt_money
from tools.period import month_label
from tools.policy import BonusPolicy, load_policy

log = logging.getLogger(__name__)

KIND = "digest"
JOB_NAME = "digest"
DAY_S = 86_400.0
LATE_S = 3 * 3600.0
"""A day's digest is not sent more than this long after its time."""


@dataclass(frozen=True)
class Digest:
    """One group's digest of one day, as ``--json`` lists it."""

    group: str
    department: str
    day: str
    people: int

    def as_json(self) -> dict[str, object]:
        return {"group": self.group, "department": self.department, "day": self.day,
                "people": self.people}  # fmt: skip


def _team(board_department_id: int) -> Caller:
    """A salesperson of the department, standing in for every member of its group."""
    return Caller(role=Role.SALES, employee_id=-1, department_id=board_department_id,
                  department_ids=frozenset({board_department_id}))  # fmt: skip


def _markdown(board: Leaderboard, day: str) -> str:
    lines = [
        f"**{board.department} 业绩日报（截至 {day}）**",
        f"部门中位数 ¥{fmt_money(board.median)}；括号内为距中位数的差额",
    ]
    for r in board.rows:
        gap = fmt_money(abs(r.gap_to_median))
        lines.append(
            f"{r.rank}. {r.name} ¥{fmt_money(r.sales)}（{'+' if r.gap_to_median >= 0 else '-'}{gap}）"
        )
    return "\n".join(lines)


def plan_digest(
    warehouse: Engine,
    as_of: date,
    groups: Iterable[str],
    *,
    policy: BonusPolicy | None = None,
) -> list[tuple[Digest, Notification]]:
    """The digest of ``as_of`` for each team group (by department name), in a stable order;
    a department without a sales roster this month is skipped (logged)."""
    month = month_label(as_of.replace(day=1))
    day = as_of.isoformat()
    out: list[tuple[Digest, Notification]] = []
    with warehouse.connect() as conn:
        for department in sorted(set(groups)):
            try:
                full = leaderboard(conn, month, department, caller=Caller.operator(),
                                   as_of=as_of, policy=policy)  # fmt: skip
                board = leaderboard(conn, month, full.department_id,
                                    caller=_team(full.department_id), as_of=as_of, policy=policy)  # fmt: skip
            except HrqError as exc:
                log.warning("no digest for %s: %s", department, exc)
                continue
            group = f"robot:{department}"
            card = leaderboard_card(board, group, f"{KIND}:{day}", _markdown(board, day))
            chart = Message("image", png=_png(board), caption=board.title)
            notification = Notification(group, department, KIND, day,
                                        [chart, Message.of_card(card)])  # fmt: skip
            out.append((Digest(department, board.department, day, len(board.rows)), notification))
    return out


def run_digest(
    settings: Settings, as_of: date, *, dry_run: bool = False
) -> tuple[NotifyResult, list[Digest]]:
    """Plan and queue ``as_of``'s digests (first delivering what an earlier run left in the
    outbox); the result and the digests queued (with ``dry_run``: would be)."""
    warehouse = warehouse_engine(settings.warehouse_url)
    box = Outbox(app_engine(settings.app_db_url), settings)
    try:
        if not dry_run:
            box.deliver_pending()
        plan = plan_digest(warehouse, as_of, settings.wecom_group_webhooks,
                           policy=load_policy(settings.bonus_policy_path))  # fmt: skip
        result = send(box, [n for _, n in plan], dry_run=dry_run)
    finally:
        box.close()
        warehouse.dispose()
    queued = {id(n) for n in result.queued}
    return result, [d for d, n in plan if id(n) in queued]


def daily_offset_s(at: str, settings: Settings, now: datetime | None = None) -> float:
    """Seconds after midnight UTC at which ``at`` (HH:MM local time) falls today."""
    hours, minutes = (int(part) for part in at.split(":"))
    local = (now or datetime.now(UTC)).astimezone(settings.tz)
    utc = local.utcoffset() or timedelta(0)
    return (hours * 3600 + minutes * 60 - utc.total_seconds()) % DAY_S


def digest_job(
    settings: Settings,
    at: str,
    *,
    clock: Callable[[], float] = time.time,
    report: Callable[[str], object] | None = None,
) -> Job:
    """The daily digest as a scheduled job: the slot of each day starts at ``at``."""
    offset = daily_offset_s(at, settings)

    def run() -> None:
        now = clock()
        start = (now - offset) // DAY_S * DAY_S + offset
        if now - start > LATE_S:
            log.info("the digest of today was due %.0f s ago; next at %s", now - start, at)
            return
        day = settings.as_of or datetime.fromtimestamp(start, settings.tz).date()
        result, digests = run_digest(settings, day)
        if report is not None:
            report(f"{day.isoformat()}: {len(digests)} digest(s) queued")

    return Job(JOB_NAME, DAY_S, run, offset_s=offset)


def digest_scheduler(settings: Settings, at: str) -> Scheduler:
    """A scheduler sending the digest every day at ``at``, one process per day."""
    leases = JobLeases(app_engine(settings.app_db_url), lease_s=300.0)
    return Scheduler(leases, [digest_job(settings, at)], poll_s=30.0)
