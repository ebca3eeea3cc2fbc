"""``hrq notify ...``: month-end results and mid-month reminders pushed through WeCom.

Without ``--dry-run`` a command needs the WeCom app configured (``HRQ_WECOM_CORP_ID``,
``HRQ_WECOM_SECRET``, ``HRQ_WECOM_AGENT_ID``): otherwise it queues nothing, says so
and exits 2. The WeCom channel and the tools are imported inside each command.
"""

from __future__ import annotations

import json
import time
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli.app import app, command_group, fail, parse_date, settings, user_errors

if TYPE_CHECKING:
    from api.wecom.notify import Notification, NotifyResult
    from schema.settings import Settings

notify_app = command_group(
    "notify", "Notifications through WeCom: month-end results, at-risk reminders."
)

DryRun = Annotated[
    bool,
    typer.Option("--dry-run", help="Print exactly what would be sent; send and record nothing."),
]
Department = Annotated[
    str | None, typer.Option("--department", help="Only this department and those below it.")
]


def _send(current: Settings, notifications: list[Notification], dry_run: bool) -> None:
    from api.wecom.notify import send
    from api.wecom.outbox import Outbox
    from schema.db import app_engine

    with user_errors():
        box = Outbox(app_engine(current.app_db_url), current)
        try:
            result = send(box, notifications, dry_run=dry_run)
        finally:
            box.close()
    _report(result, dry_run)


def _report(result: NotifyResult, dry_run: bool) -> None:
    from api.wecom.notify import describe

    if dry_run:
        typer.echo(describe(result.queued) or "nothing to send")
        typer.echo(
            f"\ndry run: {len(result.queued)} notification(s) would be sent, "
            f"{len(result.skipped)} already sent; nothing was sent or recorded"
        )
        return
    delivery = result.delivery
    sent = len(delivery.sent) if delivery else 0
    pending = len(delivery.retrying) + len(delivery.failed) if delivery else 0
    typer.echo(
        f"{len(result.queued)} notification(s) queued, {len(result.skipped)} already sent before; "
        f"{sent} message(s) delivered, {pending} kept in the outbox (hrq wecom outbox)"
    )


@notify_app.command("month-end")
def month_end(
    month: Annotated[str, typer.Option("--month", help="The month, YYYY-MM.")],
    department: Department = None,
    dry_run: DryRun = False,
) -> None:
    """Congratulate bonus earners, remind those below the minimum, send managers and team
    groups the leaderboard. Running it twice sends nothing twice."""
    from api.wecom.notify import plan_month_end
    from assistant.closes import CloseBook
    from schema.db import warehouse_engine
    from tools.policy import load_policy

    current = settings()
    with user_errors():
        warehouse = warehouse_engine(current.warehouse_url)
        book = CloseBook.from_settings(current)
        try:
            notifications = plan_month_end(
                warehouse, month, department=department,
                policy=load_policy(current.bonus_policy_path),
                group_webhooks=current.wecom_group_webhooks, closes=book.source(),
            )  # fmt: skip
        finally:
            book.engine.dispose()
    _send(current, notifications, dry_run)


@notify_app.command("at-risk")
def at_risk(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Reference date YYYY-MM-DD (default: today).")
    ] = None,
    department: Department = None,
    dry_run: DryRun = False,
) -> None:
    """Remind each salesperson the forecast says may miss the minimum target this month
    (once per person and month)."""
    from api.wecom.notify import plan_at_risk
    from schema.db import warehouse_engine

    current = settings()
    try:
        reference = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        fail(f"--as-of must be a date like 2026-11-15, not {as_of!r}")
    with user_errors():
        notifications = plan_at_risk(
            warehouse_engine(current.warehouse_url),
            reference or current.today(),
            department=department,
        )
    _send(current, notifications, dry_run)


@notify_app.command("crossings")
def crossings(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Reference date YYYY-MM-DD (default: today).")
    ] = None,
    department: Department = None,
    dry_run: DryRun = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="List the new events: employee_no, name, department, kind, month."
        ),
    ] = False,
) -> None:
    """Congratulate who passed the department median and their minimum target this month, tell
    who met the minimum and managers whose team's count grew; each once per person, month and
    kind."""
    from api.wecom.crossings import require_channel, run_crossings

    current = settings()
    day = parse_date(as_of, "--as-of") or current.today()
    with user_errors():
        if not dry_run:
            require_channel(current)
        result, events = run_crossings(current, day, department=department, dry_run=dry_run)
    if as_json:
        typer.echo(json.dumps([e.as_json() for e in events], ensure_ascii=False, indent=2))
    else:
        _report(result, dry_run)


@notify_app.command("digest")
def digest(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Reference date YYYY-MM-DD (default: today).")
    ] = None,
    dry_run: DryRun = False,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="List the digests queued: group, department, day, people."),
    ] = False,
) -> None:
    """Send each team group (HRQ_WECOM_GROUP_WEBHOOKS) its leaderboard to date, as every
    member may see it; once per group and day."""
    from api.wecom.digest import run_digest

    current = settings()
    day = parse_date(as_of, "--as-of") or current.today()
    if not current.wecom_group_webhooks:
        fail("no team group is configured: set HRQ_WECOM_GROUP_WEBHOOKS (department -> key)")
    with user_errors():
        result, digests = run_digest(current, day, dry_run=dry_run)
    if as_json:
        typer.echo(json.dumps([d.as_json() for d in digests], ensure_ascii=False, indent=2))
    else:
        _report(result, dry_run)


@app.command("watch")
def watch(
    every: Annotated[
        str, typer.Option("--every", help="How often: 10m, 30s, 1h (default 10m).")
    ] = "10m",
) -> None:
    """Run `hrq notify crossings` on a schedule until stopped; with several watchers or
    servers sharing the app database, each run happens in one of them only."""
    from api.wecom.crossings import crossings_scheduler, require_channel
    from api.wecom.schedule import parse_every

    current = settings()
    try:
        every_s = parse_every(every)
    except ValueError as exc:
        fail(f"--every: {exc}")
    with user_errors():
        require_channel(current)
        scheduler = crossings_scheduler(current, every_s, report=typer.echo)
    typer.echo(f"watching for crossings every {every} (Ctrl-C stops)")
    scheduler.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.close()
