"""The month-end pushes on a schedule: once a month, in one server process.

With ``HRQ_WECOM_MONTH_END_DAY`` = D, every ``hrq serve`` process schedules a job whose
slot is the month to notify: from day D of a month on (today in the configured time
zone; ``HRQ_AS_OF`` pins it), the previous month. The job's lease
(:mod:`api.wecom.schedule`) lets one process run each month's slot, and the
notifications are recorded per recipient, kind and month (:func:`api.wecom.notify.send`),
so a run taken over after a crash queues nothing twice. Before day D nothing is due (the
month before last is never sent late). A closed month's figures come from its snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from api.wecom.notify import NotifyResult, plan_month_end, send
from api.wecom.outbox import Outbox
from api.wecom.schedule import Job
from assistant.closes import CloseBook
from schema.db import app_engine, warehouse_engine
from schema.settings import Settings
from tools.policy import load_policy

JOB_NAME = "month_end"
"""The scheduled job's name in ``scheduled_jobs``."""
POLL_S = 60.0
"""How often a process checks whether the month's run is due, seconds."""


def month_index(day: date) -> int:
    """Months since year 0 of ``day``'s month (the job's slot)."""
    return day.year * 12 + day.month - 1


def month_of_index(index: int) -> str:
    """``YYYY-MM`` of a :func:`month_index`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def due_month(today: date, day: int) -> int | None:
    """The month (index) to notify on ``today``: the previous one from day ``day`` on."""
    if today.day < day:
        return None
    return month_index(today) - 1


def run_month_end(settings: Settings, month: str) -> NotifyResult:
    """Plan and queue ``month``'s notifications not sent before, then deliver them (first
    delivering what an earlier run left in the outbox)."""
    warehouse = warehouse_engine(settings.warehouse_url)
    book = CloseBook.from_settings(settings)
    box = Outbox(app_engine(settings.app_db_url), settings)
    try:
        box.deliver_pending()
        notifications = plan_month_end(
            warehouse, month, policy=load_policy(settings.bonus_policy_path),
            group_webhooks=settings.wecom_group_webhooks, closes=book.source(),
        )  # fmt: skip
        return send(box, notifications)
    finally:
        box.close()
        box.engine.dispose()
        book.engine.dispose()
        warehouse.dispose()


def month_end_job(settings: Settings, report: Callable[[str], object] | None = None) -> Job:
    """The scheduled month-end job for ``settings.wecom_month_end_day`` (which must be > 0)."""
    day = settings.wecom_month_end_day

    def slot(_epoch_s: float) -> int | None:
        return due_month(settings.today(), day)

    def run() -> None:
        index = due_month(settings.today(), day)
        if index is None:  # the day turned back between claim and run: nothing is due
            return
        result = run_month_end(settings, month_of_index(index))
        if report is not None:
            report(f"{month_of_index(index)}: {len(result.queued)} month-end notification(s) "
                   f"queued, {len(result.skipped)} sent before")  # fmt: skip

    return Job(JOB_NAME, POLL_S, run, slot=slot)
