"""Disputes of a closed month's bonus: opened by the person, resolved by HR, all audited.

:meth:`DisputeBook.open` (我的奖金不对 through ``ask``, ``POST /v1/disputes``) ties a
dispute to the person's snapshot row (month, version, employee_no) with the bonus as
closed and the reason they gave; one person has at most one open dispute per close,
so asking again returns the open one. :meth:`DisputeBook.resolve` (``hrq disputes
resolve``; HR and admins) accepts it with an adjustment (recorded beside the
snapshot, ``tools.adjustment``: the person's statement gets its next version) or
rejects it, with a reason. Each step is an audit record appended in the transaction
that writes it (``AuditLog.append(..., then=...)``), and the notices of the step (HR
on opening, the person on resolving) are queued in that transaction too by the
surface's :class:`DisputeNotifier` (the WeCom outbox, ``api.wecom.dispute_notices``), so a
step and its notices land together or not at all. The records are in
``assistant.dispute_records``, the recipients in ``assistant.dispute_recipients``;
``assistant.dispute_check`` verifies the records against the audit chain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, NamedTuple

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from assistant.audit import AuditLog
from assistant.closes import CloseBook
from assistant.dispute_recipients import hr_recipients, the_person
from assistant.dispute_records import (
    MAX_REASON_CHARS,
    OPEN_TOOL,
    RESOLVE_TOOL,
    Dispute,
    DisputeEvent,
    DisputeNotifier,
    Recipient,
    audit_content,
    close_adjustments,
    dispute_of,
    stamp,
)
from schema.app import disputes, month_close_adjustments, month_closes
from schema.caller import Caller, Role
from schema.settings import Settings
from tools.adjustment import Adjustment, total
from tools.errors import (
    DisputeForbiddenError,
    DisputeNotFoundError,
    DisputeResolvedError,
    InvalidArgumentError,
    NotClosedError,
)
from tools.money import fmt_money, round_money
from tools.period import month_label
from tools.scope import may_see_person
from tools.snapshot import MonthSnapshot
from tools.statement import statement

__all__ = ["MAX_ID", "Dispute", "DisputeBook", "DisputeEvent", "DisputeNotifier", "Opened", "Recipient",
           "close_adjustments"]  # fmt: skip


#: The largest dispute number (a 32-bit INTEGER column on PostgreSQL).
MAX_ID = 2**31 - 1


class Opened(NamedTuple):
    dispute: Dispute
    #: False: the person already had this dispute open (nothing new was written or sent).
    created: bool


class _AlreadyOpen(Exception):
    def __init__(self, dispute_id: int) -> None:
        self.dispute_id = dispute_id


@dataclass
class DisputeBook:
    """The disputes of the app database (``engine``), written through ``audit``."""

    engine: Engine
    audit: AuditLog
    closes: CloseBook
    warehouse: Engine
    notifier: DisputeNotifier | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings, warehouse: Engine, notifier: DisputeNotifier | None = None
    ) -> DisputeBook:
        """The disputes of the settings' app database; ``warehouse`` finds whom to notify."""
        closes = CloseBook.from_settings(settings)
        return cls(closes.engine, closes.audit, closes, warehouse, notifier)

    # -- opening ----------------------------------------------------------------------

    def open(
        self, caller: Caller, month: date | None, reason: str | None, *, surface: str
    ) -> Opened:
        """Open ``caller``'s dispute of their bonus in ``month`` (None: the latest month
        closed with them on the roster), or return the one already open."""
        if caller.employee_id is None or caller.employee_no is None:
            raise DisputeForbiddenError("a bonus is disputed by its owner; the operator has none")
        snapshot = self._snapshot_for(caller.employee_no, month)
        row = snapshot.row_of(caller.employee_no)
        if row is None:
            raise InvalidArgumentError(
                f"you were not on the sales roster of {snapshot.label} when it was closed "
                f"(version {snapshot.version}), so there is no bonus of yours to dispute"
            )
        close_id = self._close_id(snapshot)
        found = self._open_one(close_id, caller.employee_no)
        if found is not None:
            return Opened(found, False)
        text = (reason or "").strip()[:MAX_REASON_CHARS] or None
        opened_at = stamp(datetime.now(UTC))
        arguments = {"month": snapshot.label, "version": snapshot.version,
                     "employee_no": row.employee_no, "bonus": str(row.bonus), "reason": text}  # fmt: skip
        content = audit_content(caller, surface, f"dispute {snapshot.label} bonus", OPEN_TOOL,
                                arguments, snapshot.closed_on)  # fmt: skip
        hr = hr_recipients(self.engine, self.warehouse) if self.notifier is not None else []
        created: list[int] = []

        def store(conn: Connection, seq: int) -> None:
            existing = self._open_id(conn, close_id, row.employee_no)
            if existing is not None:
                raise _AlreadyOpen(existing)
            inserted = conn.execute(
                sa.insert(disputes).values(
                    close_id=close_id,
                    month=snapshot.label,
                    version=snapshot.version,
                    employee_no=row.employee_no,
                    employee_id=row.employee_id,
                    department_id=row.department_id,
                    name=row.name,
                    bonus=str(row.bonus),
                    reason=text,
                    status="open",
                    opened_at=opened_at,
                    opened_by=caller.employee_no,
                    surface=surface,
                    open_seq=seq,
                )  # fmt: skip
            ).inserted_primary_key
            assert inserted is not None
            dispute_id = int(inserted[0])
            created.append(dispute_id)
            self._notify(conn, dispute_id, "opened", hr)

        try:
            self.audit.append(content, then=store)
        except _AlreadyOpen as exc:
            return Opened(self._load(exc.dispute_id), False)
        return Opened(self._load(created[0]), True)

    def _snapshot_for(self, employee_no: str, month: date | None) -> MonthSnapshot:
        if month is not None:
            snapshot = self.closes.latest(month)
            if snapshot is None:
                raise NotClosedError(
                    f"{month_label(month)} has not been closed yet, so there is no bonus "
                    "statement to dispute; HR closes a month after it ends"
                )
            return snapshot
        from schema.app import month_close_rows

        c, r = month_closes, month_close_rows
        with self.engine.connect() as conn:
            latest = conn.execute(
                sa.select(c.c.month)
                .join(r, r.c.close_id == c.c.close_id)
                .where(r.c.employee_no == employee_no)
                .order_by(c.c.month.desc())
                .limit(1)
            ).scalar()
        if latest is None:
            raise NotClosedError(
                "no month has been closed with you on its roster yet, so there is no bonus "
                "statement to dispute"
            )
        return self.closes.get(latest)

    def _close_id(self, snapshot: MonthSnapshot) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    sa.select(month_closes.c.close_id).where(
                        month_closes.c.month == snapshot.label,
                        month_closes.c.version == snapshot.version,
                    )
                ).scalar_one()
            )

    @staticmethod
    def _open_id(conn: Connection, close_id: int, employee_no: str) -> int | None:
        return conn.execute(
            sa.select(disputes.c.dispute_id).where(
                disputes.c.close_id == close_id,
                disputes.c.employee_no == employee_no,
                disputes.c.status == "open",
            )
        ).scalar()

    def _open_one(self, close_id: int, employee_no: str) -> Dispute | None:
        with self.engine.connect() as conn:
            found = self._open_id(conn, close_id, employee_no)
        return None if found is None else self._load(found)

    # -- resolving --------------------------------------------------------------------

    def resolve(
        self,
        caller: Caller,
        dispute_id: int,
        *,
        accept: bool,
        reason: str,
        adjustment: Decimal | str | None = None,
        surface: str,
    ) -> Dispute:
        """Accept (with an adjustment of the bonus) or reject an open dispute, as HR."""
        if not caller.role.sees_everything:
            raise DisputeForbiddenError(
                f"only HR and admins resolve disputes; you are signed in as {caller.role}"
            )
        why = reason.strip()[:MAX_REASON_CHARS]
        if not why:
            raise InvalidArgumentError("give the reason for the decision (--reason TEXT)")
        dispute = self.get(caller, dispute_id)
        if dispute.status != "open":
            raise DisputeResolvedError(
                f"dispute #{dispute_id} was already {dispute.status} on {dispute.resolved_at}"
            )
        snapshot = self.closes.get(dispute.month, dispute.version)
        earlier = self.adjustments(snapshot, dispute.employee_no)
        amount = _amount(adjustment, accept, dispute.bonus + total(earlier))
        at = stamp(datetime.now(UTC))
        made = None
        if amount is not None:
            made = Adjustment(dispute_id, dispute.employee_no, amount, why, 2 + len(earlier), at,
                              caller.employee_no)  # fmt: skip
            made = replace(made, hash=made.computed_hash(snapshot.hash))
        decision: Literal["accepted", "rejected"] = "accepted" if accept else "rejected"
        arguments = {"dispute_id": dispute_id, "decision": decision, "reason": why,
                     "adjustment": None if amount is None else str(amount),
                     "hash": None if made is None else made.hash}  # fmt: skip
        content = audit_content(caller, surface, f"resolve dispute #{dispute_id}", RESOLVE_TOOL,
                                arguments, snapshot.closed_on)  # fmt: skip
        close_id = self._close_id(snapshot)
        recipients = (
            the_person(self.warehouse, dispute.employee_no) if self.notifier is not None else []
        )
        person = Caller(role=Role.SALES, employee_id=dispute.employee_id,
                        employee_no=dispute.employee_no, department_id=dispute.department_id)  # fmt: skip
        document = statement(snapshot, dispute.employee_no, caller=person,
                             adjustments=[*earlier, *([made] if made else [])])  # fmt: skip

        def store(conn: Connection, seq: int) -> None:
            changed = conn.execute(
                sa.update(disputes)
                .where(disputes.c.dispute_id == dispute_id, disputes.c.status == "open")
                .values(
                    status=decision,
                    resolved_at=at,
                    resolved_by=caller.employee_no,
                    resolution=why,
                    adjustment=None if amount is None else str(amount),
                    resolve_seq=seq,
                )  # fmt: skip
            ).rowcount
            if not changed:
                raise DisputeResolvedError(f"dispute #{dispute_id} was resolved meanwhile")
            if made is not None:
                conn.execute(
                    sa.insert(month_close_adjustments).values(
                        close_id=close_id,
                        employee_no=made.employee_no,
                        dispute_id=dispute_id,
                        amount=str(made.amount),
                        reason=made.reason,
                        statement_version=made.statement_version,
                        created_at=at,
                        created_by=made.created_by,
                        hash=made.hash,
                        audit_seq=seq,
                    )  # fmt: skip
                )
            self._notify(conn, dispute_id, decision, recipients, document)

        self.audit.append(content, then=store)
        return self._load(dispute_id)

    # -- reading ----------------------------------------------------------------------

    def listed(
        self, caller: Caller, status: Literal["open", "resolved"] | None = None
    ) -> list[Dispute]:
        """The disputes ``caller`` may see (HR all, a manager their subtree, anyone else
        their own), newest first; ``status`` open or resolved (accepted or rejected)."""
        query = sa.select(disputes).order_by(disputes.c.dispute_id.desc())
        if status == "open":
            query = query.where(disputes.c.status == "open")
        elif status == "resolved":
            query = query.where(disputes.c.status != "open")
        if not caller.role.sees_everything and caller.role is not Role.MANAGER:
            query = query.where(disputes.c.employee_no == (caller.employee_no or ""))
        with self.engine.connect() as conn:
            found = [dispute_of(r) for r in conn.execute(query)]
        return [d for d in found if may_see_person(caller, d.employee_id, d.department_id)]

    def get(self, caller: Caller, dispute_id: int) -> Dispute:
        """One dispute ``caller`` may see; DisputeNotFoundError otherwise (whether someone
        else's exists is not theirs to learn)."""
        try:
            found = self._load(dispute_id)
        except DisputeNotFoundError:
            found = None
        if found is None or not may_see_person(caller, found.employee_id, found.department_id):
            raise DisputeNotFoundError(
                f"no dispute #{dispute_id} that you may see; `hrq disputes list` lists yours"
            )
        return found

    def adjustments(
        self, snapshot: MonthSnapshot, employee_no: str | None = None
    ) -> list[Adjustment]:
        """The adjustments of one close (of one person's row), oldest first."""
        return close_adjustments(self.engine, snapshot, employee_no)

    def _load(self, dispute_id: int) -> Dispute:
        if not 1 <= dispute_id <= MAX_ID:
            raise DisputeNotFoundError(f"no dispute #{dispute_id}")
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(disputes).where(disputes.c.dispute_id == dispute_id)
            ).first()
        if row is None:
            raise DisputeNotFoundError(f"no dispute #{dispute_id}")
        return dispute_of(row)

    # -- notices ----------------------------------------------------------------------

    def _notify(
        self,
        conn: Connection,
        dispute_id: int,
        kind: Literal["opened", "accepted", "rejected"],
        recipients: list[Recipient],
        document: dict[str, Any] | None = None,
    ) -> None:
        if self.notifier is None or not recipients:
            return
        row = conn.execute(sa.select(disputes).where(disputes.c.dispute_id == dispute_id)).one()
        sent = self.notifier(conn, DisputeEvent(kind, dispute_of(row), recipients, document))
        if sent:
            earlier = json.loads(row.notified) if row.notified else []
            conn.execute(
                sa.update(disputes)
                .where(disputes.c.dispute_id == dispute_id)
                .values(notified=json.dumps([*earlier, *sent]))
            )


def _amount(value: Decimal | str | None, accept: bool, bonus: Decimal) -> Decimal | None:
    """The adjustment of an accepted dispute, to the cent (None for a rejection)."""
    if not accept:
        if value is not None:
            raise InvalidArgumentError("a rejected dispute has no adjustment; drop --adjustment")
        return None
    try:
        amount = round_money(Decimal(str(value))) if value is not None else None
    except (InvalidOperation, ValueError):
        raise InvalidArgumentError(
            f"--adjustment must be an amount such as 500 or -120.50, not {value!r}"
        ) from None
    if amount is None or amount == 0 or not amount.is_finite():
        raise InvalidArgumentError("an accepted dispute needs a nonzero --adjustment AMOUNT (CNY)")
    if bonus + amount < 0:
        raise InvalidArgumentError(
            f"the adjustment {fmt_money(amount)} would make the bonus ¥{fmt_money(bonus)} negative"
        )
    return amount
