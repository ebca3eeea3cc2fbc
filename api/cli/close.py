"""``hrq close``, ``hrq closes list|show``, ``hrq statement``: month-end closes and statements.

Thin commands over ``assistant.closes`` and ``tools.statement``. They act as the local
operator (admin) unless ``--as EMPLOYEE_NO`` names the employee to act as, whose role
and scope then apply (a salesperson cannot close, and sees only their own row and
statement). The closes and the tools are imported inside each command.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from api.cli.app import app, command_group, fail, settings, user_errors
from schema.caller import Caller

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from assistant.closes import CloseBook
    from schema.settings import Settings
    from tools.adjustment import Adjustment
    from tools.snapshot import MonthSnapshot

closes_app = command_group("closes", "Closed months: list them, show one.")

MonthOpt = Annotated[str, typer.Option("--month", help="Month, YYYY-MM.")]
AsOpt = Annotated[
    str | None,
    typer.Option("--as", help="Act as this employee_no (default: the local admin)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
VersionOpt = Annotated[
    int | None, typer.Option("--version", min=1, help="Snapshot version (default: the latest).")
]


@contextmanager
def _opened(acting: str | None) -> Iterator[tuple[CloseBook, Connection, Caller]]:
    """The closes, a read-only warehouse connection and the caller, closed afterwards."""
    from assistant.callers import resolve_caller
    from assistant.closes import CloseBook
    from schema.db import warehouse_engine

    cfg = settings()
    with user_errors():
        book = CloseBook.from_settings(cfg)
        engine = warehouse_engine(cfg.warehouse_url, read_only=True)
        try:
            caller = (
                resolve_caller(acting, warehouse=engine, app=book.engine)
                if acting
                else Caller.operator()
            )
            with engine.connect() as conn:
                yield book, conn, caller
        finally:
            engine.dispose()
            book.engine.dispose()


def _document(snapshot: MonthSnapshot, caller: Caller) -> dict[str, Any]:
    """``{month, version, hash, closed_at, rows, diff}`` with the rows ``caller`` may see."""
    from tools.scope import personal_rows

    rows = personal_rows(snapshot.rows, caller)
    return {
        "month": snapshot.label,
        "version": snapshot.version,
        "hash": snapshot.hash,
        "closed_at": snapshot.closed_at,
        "rows": [r.public() for r in rows],
        "diff": snapshot.diff if caller.role.sees_everything else None,
    }


SendOpt = Annotated[
    bool,
    typer.Option(
        "--send-statements",
        help="Send each roster member their statement through WeCom (once per person and version).",
    ),
]


@app.command("close")
def close(
    month: MonthOpt,
    as_json: JsonOpt = False,
    acting: AsOpt = None,
    send_statements: SendOpt = False,
) -> None:
    """Close a finished month (HR and admins): a new, hashed snapshot version, audited."""
    from tools.money import fmt_money
    from tools.policy import load_policy

    cfg = settings()
    if send_statements:
        _check_wecom(cfg)
    with _opened(acting) as (book, conn, caller), user_errors():
        snapshot = book.close(
            conn, month, caller=caller, today=cfg.today(),
            policy=load_policy(cfg.bonus_policy_path), surface="cli",
        )  # fmt: skip
    document = _document(snapshot, caller)
    kept = _kept_adjustments(book, snapshot)
    document["adjustments_kept"] = [{"employee_no": a.employee_no, **a.public()} for a in kept]
    sent = _send_statements(cfg, snapshot) if send_statements else None
    if as_json:
        if sent is not None:
            document["statements_sent"] = sent
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    total = sum((r.bonus for r in snapshot.rows), start=snapshot.rows[0].bonus * 0)
    typer.echo(
        f"{snapshot.label} closed: version {snapshot.version}, {len(snapshot.rows)} roster "
        f"members, total bonus {fmt_money(total)}; hash {snapshot.hash} "
        f"(audit record {snapshot.audit_seq})"
    )
    _echo_diff(snapshot)
    for a in kept:
        typer.echo(f"  kept: dispute #{a.dispute_id}'s adjustment of {a.employee_no}, "
                   f"{a.amount:+.2f} (made on version {a.close_version}): {a.reason}")  # fmt: skip
    if sent is not None:
        typer.echo(_sent_line(sent))


def _kept_adjustments(book: CloseBook, snapshot: MonthSnapshot) -> list[Adjustment]:
    """The adjustments of the month's earlier versions that this close keeps."""
    from assistant.disputes import close_adjustments

    found = close_adjustments(book.engine, snapshot)
    return [a for a in found if a.close_version is not None and a.close_version < snapshot.version]


def _check_wecom(cfg: Settings) -> None:
    """Refuse before closing when statements could not be sent (nothing is closed)."""
    from api.wecom.dispute_notices import wecom_configured

    if not wecom_configured(cfg):
        fail(
            "--send-statements needs the WeCom app: set HRQ_WECOM_CORP_ID, HRQ_WECOM_SECRET "
            "and HRQ_WECOM_AGENT_ID (nothing was closed)"
        )


def _send_statements(
    cfg: Settings, snapshot: MonthSnapshot, dry_run: bool = False
) -> dict[str, Any]:
    """Queue and deliver each roster member's statement of ``snapshot``; what was done."""
    from api.wecom.notify import describe, send
    from api.wecom.outbox import Outbox
    from api.wecom.statements import plan_statements
    from assistant.disputes import close_adjustments
    from schema.db import app_engine, warehouse_engine

    app_db = app_engine(cfg.app_db_url)
    warehouse = warehouse_engine(cfg.warehouse_url, read_only=True)
    box = Outbox(app_db, cfg)
    with user_errors():
        try:
            planned = plan_statements(
                warehouse, snapshot, lambda no: close_adjustments(app_db, snapshot, no)
            )
            result = send(box, planned, dry_run=dry_run)
        finally:
            box.close()
            warehouse.dispose()
    delivery = result.delivery
    return {
        "version": snapshot.version,
        "queued": [n.recipient for n in result.queued],
        "already_sent": [n.recipient for n in result.skipped],
        "delivered": 0 if delivery is None else len(delivery.sent),
        "kept_in_outbox": 0 if delivery is None else len(delivery.retrying) + len(delivery.failed),
        "preview": describe(result.queued) if dry_run else None,
    }


def _sent_line(sent: dict[str, Any]) -> str:
    return (
        f"statements of version {sent['version']}: {len(sent['queued'])} queued, "
        f"{len(sent['already_sent'])} already sent before; {sent['delivered']} message(s) "
        f"delivered, {sent['kept_in_outbox']} kept in the outbox (hrq wecom outbox)"
    )


@closes_app.command("send")
def send_statements(
    month: MonthOpt,
    version: VersionOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be sent; send and record nothing.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Send each roster member their statement of a close through WeCom (HR, admins): once
    per person and version, so running it again sends only what was not sent."""
    from assistant.closes import CloseBook

    cfg = settings()
    if not dry_run:
        _check_wecom(cfg)
    with user_errors():
        book = CloseBook.from_settings(cfg)
        try:
            snapshot = book.get(month, version)
        finally:
            book.engine.dispose()
    sent = _send_statements(cfg, snapshot, dry_run)
    if as_json:
        typer.echo(json.dumps(sent, ensure_ascii=False, indent=2))
    elif dry_run:
        typer.echo(sent["preview"] or "nothing to send")
        typer.echo(f"\ndry run: {len(sent['queued'])} statement(s) would be sent, "
                   f"{len(sent['already_sent'])} already sent; nothing was sent or recorded")  # fmt: skip
    else:
        typer.echo(_sent_line(sent))


def _echo_diff(snapshot: MonthSnapshot) -> None:
    diff = snapshot.diff
    if diff is None:
        return
    people = diff["people"]
    typer.echo(f"changes since version {diff['from_version']}: {len(people)} people")
    for order in diff["orders_removed"] + diff["orders_appeared"]:
        typer.echo(f"  order {order['order_id']} ({order['employee_no']}): {order['now']}")
    for person in people:
        changed = ", ".join(f"{k} {a} -> {b}" for k, (a, b) in person["changes"].items())
        typer.echo(f"  {person['employee_no']} {person['name']}: {changed}")
        for why in person["why"]:
            typer.echo(f"      because {why}")


@closes_app.command("list")
def list_closes(as_json: JsonOpt = False) -> None:
    """Every close: month, version, when, by whom, roster size, hash."""
    from assistant.closes import CloseBook

    with user_errors():
        book = CloseBook.from_settings(settings())
        try:
            found = book.list()
        finally:
            book.engine.dispose()
    if as_json:
        typer.echo(json.dumps([c.model_dump() for c in found], ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo("no month has been closed yet; close one with `hrq close --month YYYY-MM`")
    for c in found:
        by = c.closed_by or "operator"
        typer.echo(
            f"{c.month} v{c.version}  {c.closed_at}  by {by}  {c.roster_size} members  {c.hash}"
        )


@closes_app.command("show")
def show(
    month: MonthOpt, version: VersionOpt = None, as_json: JsonOpt = False, acting: AsOpt = None
) -> None:
    """One closed month's rows (as the caller may see them) and its diff."""
    with _opened(acting) as (book, _conn, caller), user_errors():
        snapshot = book.get(month, version)
    document = _document(snapshot, caller)
    if as_json:
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    typer.echo(
        f"{snapshot.label} version {snapshot.version} ({snapshot.closed_at}), hash {snapshot.hash}"
    )
    for r in document["rows"]:
        flag = "eligible" if r["eligible"] else "-"
        typer.echo(
            f"  {r['employee_no']} {r['name']} {r['department']}: sales {r['sales']:,.2f}, "
            f"target {r['min_target']:,.2f}, median {r['median']:,.3f}, bonus {r['bonus']:,.2f} {flag}"
        )
    if caller.role.sees_everything:
        _echo_diff(snapshot)


def _adjustments(book: CloseBook, snapshot: MonthSnapshot, employee_no: str) -> list[Adjustment]:
    """The adjustments accepted disputes made to a person's row of ``snapshot``."""
    from assistant.disputes import close_adjustments

    return close_adjustments(book.engine, snapshot, employee_no)


@app.command("statement")
def statement(
    user: Annotated[str, typer.Option("--user", help="Whose statement: an employee_no.")],
    month: MonthOpt,
    fmt: Annotated[str, typer.Option("--format", help="json, text, xlsx or pdf.")] = "json",
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            help="Write to this file (xlsx and pdf default to "
            "statement-EMPLOYEE_NO-MONTH-vVERSION-N.FORMAT here).",
        ),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="zh or en.")] = "zh",
    version: VersionOpt = None,
    acting: AsOpt = None,
) -> None:
    """A person's bonus statement for a closed month, from its snapshot."""
    from tools.policy import load_policy
    from tools.statement import statement as build_statement

    if fmt not in ("json", "text", "xlsx", "pdf"):
        fail(f"--format: use json, text, xlsx or pdf (not {fmt!r})")
    if lang not in ("zh", "en"):
        fail(f"--lang: use zh or en (not {lang!r})")
    cfg = settings()
    with _opened(acting) as (book, conn, caller), user_errors():
        snapshot = book.get(month, version)
        adjustments = _adjustments(book, snapshot, user)
        document = build_statement(snapshot, user, caller=caller, language=lang,  # type: ignore[arg-type]
                                   adjustments=adjustments)  # fmt: skip
        if version is None or version == book.get(month).version:
            row = snapshot.row_of(user)
            assert row is not None
            document["changed_since_close"] = book.changed_since(
                conn, snapshot, load_policy(cfg.bonus_policy_path), row.department_id
            )
    if fmt in ("json", "text"):
        text = (json.dumps(document, ensure_ascii=False, indent=2) if fmt == "json"
                else "\n".join(document["lines"]))  # fmt: skip
        if out is None:
            typer.echo(text)
            return
        body = (text + "\n").encode("utf-8")
    else:
        from api.http.statement_files import file_name, statement_file

        body, _media = statement_file(document, fmt)  # type: ignore[arg-type]
        out = out or file_name(document, fmt)
        if fmt == "pdf":
            from tools.cjk_font import NO_CJK_FONT_PDF, find_cjk_font

            if find_cjk_font() is None:
                typer.echo(f"note: {NO_CJK_FONT_PDF}", err=True)
    from pathlib import Path

    Path(out).write_bytes(body)
    typer.echo(f"{out}: the {document['month']} bonus statement of {document['employee_no']}, "
               f"close version {document['version']}, statement version "
               f"{document['statement_version']}")  # fmt: skip


@app.command("payroll-export")
def payroll_export(
    month: MonthOpt,
    fmt: Annotated[str, typer.Option("--format", help="csv or xlsx.")] = "csv",
    out: Annotated[
        str | None, typer.Option("--out", help="Write to this file (default: CSV to stdout).")
    ] = None,
    acting: AsOpt = None,
) -> None:
    """A closed month's payroll (HR and admins): employee_no, month, bonus, version."""
    from assistant.disputes import close_adjustments
    from tools.payroll import payroll, payroll_csv

    if fmt not in ("csv", "xlsx"):
        fail(f"--format: use csv or xlsx (not {fmt!r})")
    if fmt == "xlsx" and out is None:
        fail("--format xlsx needs --out FILE")
    with _opened(acting) as (book, _conn, caller), user_errors():
        snapshot = book.get(month)
        rows = payroll(snapshot, caller, close_adjustments(book.engine, snapshot))
    if fmt == "csv":
        body = payroll_csv(rows)
    else:
        from api.http.tables import payroll_xlsx

        body = payroll_xlsx(snapshot, rows)
    if out is None:
        typer.echo(body.decode("utf-8-sig"), nl=False)
        return
    from pathlib import Path

    Path(out).write_bytes(body)
    typer.echo(f"{out}: {len(rows)} roster members of {snapshot.label}, version {snapshot.version}")
