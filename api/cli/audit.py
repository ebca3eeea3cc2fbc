"""``hrq audit verify|tail|export``: the tamper-evident audit log, for admins and compliance."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli.app import command_group, fail, parse_date, settings

if TYPE_CHECKING:
    from assistant.audit import AuditLog

audit_app = command_group("audit", "The audit log: verify the chain, tail, export.")


def _log() -> AuditLog:
    from assistant.audit import AuditLog
    from schema.db import app_engine

    cfg = settings()
    return AuditLog(app_engine(cfg.app_db_url), hmac_key=cfg.audit_hmac_key)


@audit_app.command("verify")
def verify(
    anchor: Annotated[
        str | None,
        typer.Option(
            "--anchor",
            help="SEQ:HASH from an earlier verify: also proves nothing was cut off the end.",
        ),
    ] = None,
) -> None:
    """Walk the hash chain; exit 1 naming the first broken record. Prints the head to keep.

    With HRQ_AUDIT_HMAC_KEY set, keyed hashes are checked with it, and a second line says so.
    Every month close's snapshot is then recomputed from its stored rows and matched to the
    audit record that chained its hash (an edited, replaced or deleted snapshot is a break),
    and every dispute and bonus adjustment is matched to the audit records of its steps.
    """
    from assistant.closes import CloseBook
    from assistant.dispute_check import verify_disputes

    noted: tuple[int, str] | None = None
    if anchor is not None:
        seq, _, digest = anchor.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            fail(f"--anchor must be SEQ:HASH as printed by an earlier verify, not {anchor!r}")
        noted = (int(seq), digest)
    log = _log()
    result = log.verify(noted)
    typer.echo(result.message())
    closes = CloseBook(log.engine, log).verify()
    if closes.checked or not closes.ok:  # a log without closes prints as it always did
        typer.echo(closes.message())
    disputed = verify_disputes(log.engine)
    if disputed.checked or not disputed.ok:
        typer.echo(disputed.message())
    if not (result.ok and closes.ok and disputed.ok):
        raise typer.Exit(1)


@audit_app.command("tail")
def tail(
    n: Annotated[int, typer.Option("-n", "--lines", min=1, help="How many records.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines with every field.")] = False,
) -> None:
    """The last records, oldest first."""
    for rec in _log().tail(n):
        if as_json:
            typer.echo(json.dumps(rec.model_dump(), ensure_ascii=False, sort_keys=True))
        else:
            who = rec.employee_no or "operator"
            typer.echo(
                f"{rec.seq:>6} {rec.recorded_at} {who}/{rec.role} {rec.surface} "
                f"{rec.kind} rows={rec.row_count} {rec.latency_ms:.0f}ms  {rec.question}"
            )


@audit_app.command("export")
def export(
    start: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (UTC).")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day included, YYYY-MM-DD.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
) -> None:
    """Every record in a date range, to stdout, as JSON lines or CSV."""
    from assistant.audit import EXPORT_FORMATS

    if fmt not in EXPORT_FORMATS:
        fail(f"--format: use one of {', '.join(EXPORT_FORMATS)}")
    for line in _log().export(parse_date(start, "--from"), parse_date(end, "--to"), fmt):  # type: ignore[arg-type]
        sys.stdout.write(line)
