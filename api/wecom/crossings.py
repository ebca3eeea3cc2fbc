"""Live crossings: the moment, during a month, someone's sales pass the bars, pushed once.

:func:`plan_crossings` runs the performance engine on the month to date (``as_of``
inside the month: the roster's sales through that day, the department medians of
those sales) and finds three kinds of event:

- ``crossing_both``: a salesperson's sales passed both the department median and
  their minimum target (bonus eligible so far): a congratulation card with a
  "查看我的排名" button (:mod:`api.wecom.cards`; markdown where cards are off);
- ``crossing_minimum``: they met their minimum target (still below the median): a
  notice with the distance to the median. Someone who passes both at once gets the
  congratulation only; the minimum is recorded with it, without a second message;
- ``team_count:N``: for a manager, the number of their direct reports who passed both
  bars this month grew to N: a notice naming them.

Each event is sent **once per person, month and kind**: it is recorded in the app
database (``notifications_sent``, the same table and transaction as the month-end
pushes, :func:`api.wecom.notify.send`) when it is queued, so a later run, whatever the
median does meanwhile, never sends it again. A team's count is of the people recorded
as having crossed this month, so it only grows. Recipients are active employees with a
``wecom_userid``; messages go through the self-built app (``message/send``) via the
outbox, so a run killed mid-way leaves its recorded messages to the outbox's retry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import Engine

from api.wecom.cards import congratulation_card
from api.wecom.errors import WeComConfigError
from api.wecom.notify import Message, Notification, NotifyResult, _managers, _userids, send
from api.wecom.outbox import Outbox
from api.wecom.schedule import Job, JobLeases, Scheduler
from schema.app import create_app_schema, notifications_sent
from schema.caller import Caller
from schema.db import app_engine, warehouse_engine
from schema.settings import Settings
from schema.warehouse import departments, employees
from tools.money import fmt_money
from tools.performance import monthly_performance
from tools.period import month_label
from tools.policy import BonusPolicy, load_policy

BOTH = "crossing_both"
MINIMUM = "crossing_minimum"
TEAM = "team_count"


@dataclass(frozen=True)
class Crossing:
    """One event: who, which kind, which month (``count`` for a team's count)."""

    employee_no: str
    name: str
    department: str
    kind: str
    month: str
    count: int | None = None

    def as_json(self) -> dict[str, object]:
        """``{employee_no, name, department, kind, month}`` (and ``count`` for a team)."""
        out: dict[str, object] = {
            "employee_no": self.employee_no, "name": self.name, "department": self.department,
            "kind": self.kind, "month": self.month,
        }  # fmt: skip
        if self.count is not None:
            out["count"] = self.count
        return out


@dataclass(frozen=True)
class CrossingPlan:
    """The new events and the notifications that record them: ``notifications[i]`` records
    ``events[i]``; None for the minimum met together with the median, recorded silently."""

    events: list[Crossing | None]
    notifications: list[Notification]


def require_channel(settings: Settings) -> None:
    """WeComConfigError unless the self-built app, which sends pushes, is configured."""
    missing = [
        name
        for name, value in (
            ("HRQ_WECOM_CORP_ID", settings.wecom_corp_id),
            ("HRQ_WECOM_AGENT_ID", settings.wecom_agent_id),
            ("HRQ_WECOM_SECRET", settings.wecom_secret),
        )
        if not value
    ]
    if missing:
        raise WeComConfigError(
            "no WeCom channel is configured for pushes: set "
            + ", ".join(missing)
            + " (the self-built app sends them), or run with --dry-run to see what would be sent"
        )


def _recorded(app: Engine, kind_prefix: str, month: str) -> dict[str, set[str]]:
    """recipient -> kinds already recorded this month whose kind starts with ``kind_prefix``."""
    create_app_schema(app)
    with app.connect() as conn:
        rows = conn.execute(
            sa.select(notifications_sent.c.recipient, notifications_sent.c.kind).where(
                notifications_sent.c.month == month,
                notifications_sent.c.kind.startswith(kind_prefix),
            )
        ).all()
    found: dict[str, set[str]] = defaultdict(set)
    for recipient, kind in rows:
        found[recipient].add(kind)
    return found


def plan_crossings(
    warehouse: Engine,
    app: Engine,
    as_of: date,
    *,
    policy: BonusPolicy | None = None,
    department: str | None = None,
) -> CrossingPlan:
    """The crossings of ``as_of``'s month to date not recorded before, in a stable order."""
    month = month_label(as_of.replace(day=1))
    sent = _recorded(app, "", month)
    events: list[Crossing | None] = []
    notifications: list[Notification] = []
    crossed_now: dict[str, str] = {}  # userid -> name, of this run's new crossing_both
    with warehouse.connect() as conn:
        report = monthly_performance(conn, month, caller=Caller.operator(), department=department,
                                     as_of=as_of, policy=policy)  # fmt: skip
        rows = [r for r in report.rows if r.employee_id is not None]
        userids = _userids(conn, [r.employee_id for r in rows if r.employee_id is not None])
        day = as_of.isoformat()
        for r in rows:
            userid = userids.get(r.employee_id or -1)
            if userid is None or not r.met_minimum or r.min_target is None:
                continue
            done = sent.get(userid, set())
            number = r.employee_no or ""
            if r.bonus_eligible and BOTH not in done:
                text = (
                    f"🎉 {r.name}，恭喜！截至 {day}，你本月业绩 ¥{fmt_money(r.sales)}，已超过部门"
                    f"中位数 ¥{fmt_money(r.median)}，并达到最低目标 ¥{fmt_money(r.min_target)}。"
                    "继续保持！"
                )
                card = congratulation_card(userid, r.name, month, day, r.sales, r.median,
                                           r.min_target, text)  # fmt: skip
                events.append(Crossing(number, r.name, r.department, BOTH, month))
                notifications.append(
                    Notification(userid, r.name, BOTH, month, [Message.of_card(card)])
                )
                crossed_now[userid] = r.name
                if MINIMUM not in done:  # passed both at once: one message (and event) for both
                    events.append(None)
                    notifications.append(Notification(userid, r.name, MINIMUM, month, []))
            elif not r.bonus_eligible and MINIMUM not in done:
                text = (
                    f"👍 {r.name}，截至 {day}，你本月业绩 ¥{fmt_money(r.sales)}，已达到最低目标 "
                    f"¥{fmt_money(r.min_target)}。距部门中位数 ¥{fmt_money(r.median)} 还差 "
                    f"¥{fmt_money(r.median - r.sales)}，超过它即可获得业绩奖金，加油！"
                )
                events.append(Crossing(number, r.name, r.department, MINIMUM, month))
                notifications.append(
                    Notification(userid, r.name, MINIMUM, month, [Message("markdown", text)])
                )
        team_events = _team_counts(conn, month, day, sent, crossed_now)
    for crossing, notification in team_events:
        events.append(crossing)
        notifications.append(notification)
    return CrossingPlan(events, notifications)


def _team_counts(
    conn: sa.Connection,
    month: str,
    day: str,
    sent: dict[str, set[str]],
    crossed_now: dict[str, str],
) -> list[tuple[Crossing, Notification]]:
    """A notice to each manager whose count of direct reports who crossed both bars this
    month (recorded before, or now) reached a number not notified before."""
    crossed = {userid for userid, kinds in sent.items() if BOTH in kinds} | set(crossed_now)
    if not crossed:
        return []
    people = conn.execute(
        sa.select(employees.c.employee_id, employees.c.wecom_userid, employees.c.name).where(
            employees.c.wecom_userid.in_(sorted(crossed))
        )
    ).all()
    by_id = {p.employee_id: p for p in people}
    managers = _managers(conn, by_id)
    heads = conn.execute(
        sa.select(employees.c.employee_id, employees.c.employee_no, employees.c.name,
                  employees.c.wecom_userid, employees.c.department_id)
        .where(employees.c.employee_id.in_(sorted(set(managers.values()))),
               employees.c.status == "active", employees.c.wecom_userid.is_not(None))
    ).all()  # fmt: skip
    names_of: dict[int, str] = {
        d.department_id: d.name
        for d in conn.execute(sa.select(departments.c.department_id, departments.c.name))
    }
    out: list[tuple[Crossing, Notification]] = []
    for head in sorted(heads, key=lambda h: h.employee_no):
        team = sorted(
            (by_id[e] for e, m in managers.items() if m == head.employee_id),
            key=lambda p: p.employee_id,
        )
        count = len(team)
        kind = f"{TEAM}:{count}"
        done = sent.get(head.wecom_userid, set())
        notified = [int(k.split(":", 1)[1]) for k in done if k.startswith(f"{TEAM}:")]
        if count == 0 or count <= max(notified, default=0):
            continue
        new = [p.name for p in team if p.wecom_userid in crossed_now]
        names = "、".join(p.name for p in team)
        text = (
            f"📈 {head.name}，截至 {day}，你的团队本月已有 **{count}** 人业绩超过部门中位数并达到"
            f"最低目标：{names}。" + (f"新增：{'、'.join(new)}。" if new else "")
        )
        department = names_of.get(head.department_id, "")
        out.append(
            (
                Crossing(head.employee_no, head.name, department, TEAM, month, count),
                Notification(
                    head.wecom_userid, head.name, kind, month, [Message("markdown", text)]
                ),  # fmt: skip
            )
        )
    return out


def run_crossings(
    settings: Settings, as_of: date, *, department: str | None = None, dry_run: bool = False
) -> tuple[NotifyResult, list[Crossing]]:
    """Plan and queue the new crossings of ``as_of`` (first delivering what an earlier run
    left in the outbox); the result and the events queued (with ``dry_run``: would be)."""
    warehouse = warehouse_engine(settings.warehouse_url)
    app = app_engine(settings.app_db_url)
    box = Outbox(app, settings)
    try:
        if not dry_run:
            box.deliver_pending()  # sends a killed run recorded but did not finish
        plan = plan_crossings(warehouse, app, as_of, department=department,
                              policy=load_policy(settings.bonus_policy_path))  # fmt: skip
        result = send(box, plan.notifications, dry_run=dry_run)
    finally:
        box.close()
        warehouse.dispose()
    queued = {id(n) for n in result.queued}
    pairs = zip(plan.events, plan.notifications, strict=True)
    return result, [e for e, n in pairs if e is not None and id(n) in queued]


JOB_NAME = "crossings"
"""The scheduled job's name in ``scheduled_jobs``."""


def crossings_scheduler(
    settings: Settings, every_s: float, report: Callable[[str], object] | None = None
) -> Scheduler:
    """A scheduler running the crossings of today (``settings.today()``) every ``every_s``
    seconds, one process per slot (:mod:`api.wecom.schedule`); ``report`` gets a line a run."""

    def run() -> None:
        day = settings.today()
        result, events = run_crossings(settings, day)
        if report is not None:
            report(f"{day.isoformat()}: {len(events)} new crossing(s), "
                   f"{len(result.queued)} notification(s) queued")  # fmt: skip

    leases = JobLeases(app_engine(settings.app_db_url), lease_s=max(60.0, every_s))
    return Scheduler(leases, [Job(JOB_NAME, every_s, run)], poll_s=min(5.0, every_s / 2))
