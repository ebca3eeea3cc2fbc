"""The records of the disputes: what a dispute is, its notices, its audit record, its rows.

Shared by :mod:`assistant.disputes` (the book that writes them) and
:mod:`assistant.dispute_check` (which checks them against the audit chain).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal, Protocol

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy import Connection, Engine

from schema.app import month_close_adjustments, month_closes
from schema.caller import Caller
from tools.adjustment import Adjustment
from tools.snapshot import MonthSnapshot

DISPUTE_PATH = "dispute"
OPEN_TOOL, RESOLVE_TOOL = "open_dispute", "resolve_dispute"
Status = Literal["open", "accepted", "rejected"]
MAX_REASON_CHARS = 500


class Dispute(BaseModel):
    """One dispute, as ``hrq disputes show`` prints it."""

    dispute_id: int
    month: str
    version: int
    employee_no: str
    name: str
    bonus: Decimal
    reason: str | None
    status: Status
    opened_at: str
    opened_by: str | None
    resolved_at: str | None = None
    resolved_by: str | None = None
    resolution: str | None = None
    adjustment: Decimal | None = None
    notified: list[str] = []
    employee_id: int
    department_id: int

    def public(self) -> dict[str, Any]:
        """JSON-safe, money as numbers (the employee and department ids left out)."""
        data = self.model_dump(exclude={"employee_id", "department_id"})
        data["bonus"] = float(self.bonus)
        data["adjustment"] = None if self.adjustment is None else float(self.adjustment)
        return data


class Recipient(BaseModel):
    """Someone a dispute's notice goes to."""

    employee_no: str
    name: str
    wecom_userid: str


@dataclass(frozen=True)
class DisputeEvent:
    """One step of a dispute, for its notices: opened (to HR) or resolved (to the person,
    with their statement as it now stands)."""

    kind: Literal["opened", "accepted", "rejected"]
    dispute: Dispute
    recipients: list[Recipient]
    statement: dict[str, Any] | None = None


class DisputeNotifier(Protocol):
    """Queues a step's notices inside the step's transaction; returns the userids queued."""

    def __call__(self, conn: Connection, event: DisputeEvent) -> list[str]: ...


def close_adjustments(
    engine: Engine, snapshot: MonthSnapshot, employee_no: str | None = None
) -> list[Adjustment]:
    """The adjustments accepted disputes made to one close (to one person's row), oldest first,
    with those made to the month's earlier versions: a re-close keeps them (each says the
    version it was made on, ``close_version``)."""
    a, c = month_close_adjustments, month_closes
    query = (
        sa.select(a, c.c.version.label("close_version"))
        .join(c, c.c.close_id == a.c.close_id)
        .where(c.c.month == snapshot.label, c.c.version <= snapshot.version)
        .order_by(a.c.adjustment_id)
    )
    if employee_no is not None:
        query = query.where(a.c.employee_no == employee_no)
    with engine.connect() as conn:
        return [adjustment_of(r._mapping) for r in conn.execute(query)]


def adjustment_of(row: Any) -> Adjustment:
    """An adjustment read back from ``month_close_adjustments`` (with the close's version
    when the query has it)."""
    return Adjustment(
        dispute_id=int(row["dispute_id"]), employee_no=row["employee_no"],
        amount=Decimal(row["amount"]), reason=row["reason"],
        statement_version=int(row["statement_version"]), created_at=row["created_at"],
        created_by=row["created_by"], hash=row["hash"],
        close_version=int(row["close_version"]) if "close_version" in row else None,
    )  # fmt: skip


def dispute_of(row: Any) -> Dispute:
    data = dict(row._mapping)
    data["notified"] = json.loads(data["notified"]) if data.get("notified") else []
    return Dispute.model_validate(data)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def audit_content(
    caller: Caller,
    surface: str,
    question: str,
    tool: str,
    arguments: dict[str, Any],
    as_of: date,
) -> dict[str, Any]:
    """The audit record of a dispute's step: who, which step, its arguments."""
    return {
        "employee_no": caller.employee_no,
        "role": str(caller.role),
        "surface": surface,
        "question": question,
        "language": None,
        "path": DISPUTE_PATH,
        "plan": None,
        "tool": json.dumps(
            {"name": tool, "arguments": arguments}, sort_keys=True, ensure_ascii=False
        ),
        "sql_written": None,
        "sql_guarded": None,
        "scopes": "[]",
        "row_count": 1,
        "kind": "answer",
        "reason": None,
        "latency_ms": 0.0,
        "usage": None,
        "as_of": as_of.isoformat(),
        "conversation_id": None,
        "answer_id": None,
        "statements": None,
    }
