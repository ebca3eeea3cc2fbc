"""``hrq disputes list|show|resolve``: disputes of closed months' bonuses.

Thin commands over ``assistant.disputes``. They act as the local operator (admin)
unless ``--as EMPLOYEE_NO`` names the employee to act as: HR and admins see and
resolve every dispute, a manager sees their department subtree's, anyone else only
their own (and resolves none). Resolving notifies the person through WeCom when the
app is configured, and delivers the notice at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli.app import command_group, fail, settings, user_errors
from api.cli.close import AsOpt, JsonOpt
from schema.caller import Caller

if TYPE_CHECKING:
    from assistant.disputes import Dispute, DisputeBook

disputes_app = command_group("disputes", "Disputes of closed months' bonuses: list, show, resolve.")

IdArg = Annotated[int, typer.Argument(help="The dispute's number.", min=1, max=2**31 - 1)]


@contextmanager
def _book(acting: str | None) -> Iterator[tuple[DisputeBook, Caller]]:
    from api.wecom.dispute_notices import dispute_notices
    from assistant.callers import resolve_caller
    from assistant.disputes import DisputeBook
    from schema.db import warehouse_engine

    cfg = settings()
    with user_errors():
        warehouse = warehouse_engine(cfg.warehouse_url, read_only=True)
        book = DisputeBook.from_settings(cfg, warehouse, dispute_notices(cfg))
        try:
            caller = (
                resolve_caller(acting, warehouse=warehouse, app=book.engine)
                if acting
                else Caller.operator()
            )
            yield book, caller
        finally:
            warehouse.dispose()
            book.engine.dispose()


def _line(d: Dispute) -> str:
    from tools.money import fmt_money

    outcome = ""
    if d.status == "accepted" and d.adjustment is not None:
        outcome = f"  adjustment {fmt_money(d.adjustment)}"
    reason = f"  reason: {d.reason}" if d.reason else ""
    return (
        f"#{d.dispute_id}  {d.status:<8}  {d.month} v{d.version}  {d.employee_no} {d.name}  "
        f"bonus {fmt_money(d.bonus)}{outcome}  opened {d.opened_at[:16]}{reason}"
    )


@disputes_app.command("list")
def list_disputes(
    status: Annotated[
        str | None, typer.Option("--status", help="open or resolved (default: all).")
    ] = None,
    as_json: JsonOpt = False,
    acting: AsOpt = None,
) -> None:
    """The disputes you may see, newest first."""
    if status not in (None, "open", "resolved"):
        fail(f"--status: use open or resolved (not {status!r})")
    with _book(acting) as (book, caller), user_errors():
        found = book.listed(caller, status)  # type: ignore[arg-type]
    if as_json:
        typer.echo(json.dumps([d.public() for d in found], ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo("no disputes" + (f" {status}" if status else ""))
    for d in found:
        typer.echo(_line(d))


@disputes_app.command("show")
def show(dispute_id: IdArg, as_json: JsonOpt = False, acting: AsOpt = None) -> None:
    """One dispute: the snapshot row it disputes, the reason, the resolution."""
    with _book(acting) as (book, caller), user_errors():
        d = book.get(caller, dispute_id)
    if as_json:
        typer.echo(json.dumps(d.public(), ensure_ascii=False, indent=2))
        return
    typer.echo(_line(d))
    if d.status != "open":
        typer.echo(
            f"  {d.status} on {d.resolved_at} by {d.resolved_by or 'operator'}: {d.resolution}"
        )
    if d.notified:
        typer.echo(f"  notified through WeCom: {', '.join(d.notified)}")


@disputes_app.command("resolve")
def resolve(
    dispute_id: IdArg,
    reason: Annotated[str, typer.Option("--reason", help="Why: told to the person.")],
    accept: Annotated[bool, typer.Option("--accept", help="Accept, with --adjustment.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Reject.")] = False,
    adjustment: Annotated[
        str | None,
        typer.Option("--adjustment", help="CNY added to the bonus (negative: taken off)."),
    ] = None,
    as_json: JsonOpt = False,
    acting: AsOpt = None,
) -> None:
    """Accept a dispute with an adjustment (a new statement version) or reject it (HR, admins)."""
    if accept == reject:
        fail("give exactly one of --accept (with --adjustment AMOUNT) or --reject")
    cfg = settings()
    with _book(acting) as (book, caller), user_errors():
        d = book.resolve(
            caller, dispute_id, accept=accept, reason=reason, adjustment=adjustment, surface="cli"
        )
    if d.notified:
        from api.wecom.outbox import Outbox

        box = Outbox(book.engine, cfg)
        try:
            box.deliver_pending()
        finally:
            box.close()
    if as_json:
        typer.echo(json.dumps(d.public(), ensure_ascii=False, indent=2))
        return
    typer.echo(_line(d))
    told = f"; {d.name} notified through WeCom" if d.notified else ""
    typer.echo(f"  {d.status}: {d.resolution}{told}")
