"""Month-end closes in the app database: versioned, immutable snapshots chained into the audit log.

:meth:`CloseBook.close` (``hrq close``, ``POST /v1/closes``; HR and admins only)
computes a finished month from the live warehouse (``tools.closing``), compares it
with the previous version, and stores version N: the policy, the roster with each
member's inputs, results and paid orders, the diff, and the snapshot's hash. The
snapshot rows are inserted in the transaction that appends the audit record naming
the hash (``AuditLog.append(..., then=...)``), so they land together or not at all.
Nothing updates or deletes a close; closing again makes a new version.

:meth:`CloseBook.source` is what the performance engine asks for closed months
(``tools.snapshot.SnapshotSource``). :meth:`CloseBook.verify` recomputes every
snapshot's hash from its stored rows and checks it against the audit record that
chained it: an edited row, a replaced snapshot or a deleted one is reported.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, Engine, func, insert, select

from assistant.audit import AuditLog
from schema.app import audit_log, month_close_rows, month_closes
from schema.caller import Caller
from schema.db import app_engine
from schema.errors import HrqError
from schema.settings import Settings
from tools.closing import compute_close, diff_close, moved_orders, order_facts
from tools.errors import CloseForbiddenError, NotClosedError
from tools.performance import monthly_performance
from tools.period import month_label, parse_month
from tools.policy import BonusPolicy
from tools.snapshot import (
    MonthSnapshot,
    SnapshotRow,
    policy_json,
    policy_of,
    snapshot_hash,
    snapshot_header,
)

#: The audit record of a close: its ``path`` and the tool name in its ``tool`` column.
CLOSE_PATH, CLOSE_TOOL = "close", "close_month"
_CACHE_SIZE = 32


class CloseConflictError(HrqError):
    """Another close of the same month finished while this one was computed."""

    code = "close_conflict"


class CloseSummary(BaseModel):
    """One close in a listing."""

    month: str
    version: int
    hash: str
    closed_at: str
    closed_by: str | None
    roster_size: int


class CloseCheck(BaseModel):
    """The outcome of checking every snapshot against its hash and the audit chain."""

    ok: bool
    checked: int
    problems: list[str] = []

    def message(self) -> str:
        if self.ok:
            return f"month closes: {self.checked} snapshots match their hashes and audit records"
        return "month closes broken: " + "; ".join(self.problems)


@dataclass(frozen=True)
class _Source:
    """The engine's view of the closes: the latest snapshot of a month; ``live`` or not."""

    book: CloseBook
    live: bool

    def latest(self, month: date) -> MonthSnapshot | None:
        return self.book.latest(month)


class CloseBook:
    """The closes of the app database; appends go through ``audit``."""

    def __init__(self, engine: Engine, audit: AuditLog) -> None:
        self.engine = engine
        self.audit = audit
        self._lock = threading.Lock()
        self._cache: dict[int, MonthSnapshot] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> CloseBook:
        """The closes of the settings' app database (its tables created when missing)."""
        engine = app_engine(settings.app_db_url)
        return cls(engine, AuditLog(engine, hmac_key=settings.audit_hmac_key))

    def changed_since(
        self, conn: Connection, snapshot: MonthSnapshot, policy: BonusPolicy, department_id: int
    ) -> bool:
        """Whether a department's live figures (or the policy in force) differ from ``snapshot``,
        the latest close of its month (the performance engine's own comparison)."""
        report = monthly_performance(
            conn, snapshot.month, caller=Caller.operator(), department=department_id,
            policy=policy, closes=self.source(),
        )  # fmt: skip
        return report.closed is not None and report.closed.changed_since_close

    def source(self, live: bool = False) -> _Source:
        """What the performance engine reads closed months from (live figures when ``live``)."""
        return _Source(self, live)

    def close(
        self,
        conn: Connection,
        month: str | date,
        *,
        caller: Caller,
        today: date,
        policy: BonusPolicy,
        surface: str = "cli",
    ) -> MonthSnapshot:
        """Close ``month`` as ``caller`` (HR or admin): the next version of its snapshot.

        ``conn`` reads the warehouse. Raises CloseForbiddenError for anyone else,
        MonthInProgressError for a month not over by ``today``, NoRosterError for a month
        without a roster and CloseConflictError when another close of the month won.
        """
        if not caller.role.sees_everything:
            raise CloseForbiddenError(
                f"only HR and admins may close a month; you are signed in as {caller.role}"
            )
        started = time.perf_counter()
        first = parse_month(month)
        rows, _ = compute_close(conn, first, today=today, policy=policy)
        previous = self.latest(first)
        diff = None
        if previous is not None:
            facts = order_facts(conn, moved_orders(previous.rows, rows))
            diff = diff_close(previous, rows, policy, facts)
        version = 1 if previous is None else previous.version + 1
        closed_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        header = snapshot_header(
            month_label(first), version, closed_at, caller.employee_no, today,
            policy_json(policy), diff,
        )  # fmt: skip
        digest = snapshot_hash(header, rows)
        snapshot = MonthSnapshot(
            month=first, version=version, hash=digest, closed_at=closed_at,
            closed_by=caller.employee_no, closed_on=today, policy=policy, rows=tuple(rows),
            diff=diff,
        )  # fmt: skip
        content = _audit_content(snapshot, caller, surface, time.perf_counter() - started)

        def store(audit_conn: Connection, seq: int) -> None:
            latest = audit_conn.execute(
                select(func.max(month_closes.c.version)).where(
                    month_closes.c.month == snapshot.label
                )
            ).scalar()
            if (latest or 0) != version - 1:
                raise CloseConflictError(
                    f"{snapshot.label} was closed again (version {latest}) while this close "
                    "was computed; run the close again"
                )
            inserted = audit_conn.execute(
                insert(month_closes).values(
                    month=snapshot.label,
                    version=version,
                    closed_at=closed_at,
                    closed_by=caller.employee_no,
                    closed_on=today.isoformat(),
                    policy=header["policy"],
                    roster_size=len(rows),
                    diff=None if diff is None else json.dumps(diff, ensure_ascii=False),
                    hash=digest,
                    audit_seq=seq,
                )  # fmt: skip
            ).inserted_primary_key
            assert inserted is not None
            close_id = inserted[0]
            audit_conn.execute(
                insert(month_close_rows), [{"close_id": close_id, **r.canonical()} for r in rows]
            )

        seq = self.audit.append(content, then=store)
        return replace(snapshot, audit_seq=seq)

    def latest(self, month: date) -> MonthSnapshot | None:
        """The latest version of ``month``, or None when it was never closed."""
        query = (
            select(month_closes)
            .where(month_closes.c.month == month_label(month))
            .order_by(month_closes.c.version.desc())
            .limit(1)
        )
        return self._one(query)

    def get(self, month: str | date, version: int | None = None) -> MonthSnapshot:
        """One version of a closed month (default: the latest); NotClosedError otherwise."""
        first = parse_month(month)
        if version is None:
            found = self.latest(first)
        else:
            found = self._one(
                select(month_closes).where(
                    month_closes.c.month == month_label(first), month_closes.c.version == version
                )
            )
        if found is None:
            which = "" if version is None else f" in version {version}"
            raise NotClosedError(
                f"{month_label(first)} has not been closed{which}; close it with "
                f"`hrq close --month {month_label(first)}`"
            )
        return found

    def list(self) -> list[CloseSummary]:
        """Every close, newest month first, versions in order."""
        c = month_closes
        query = select(c.c.month, c.c.version, c.c.hash, c.c.closed_at, c.c.closed_by,
                       c.c.roster_size).order_by(c.c.month.desc(), c.c.version)  # fmt: skip
        with self.engine.connect() as conn:
            return [CloseSummary.model_validate(dict(r._mapping)) for r in conn.execute(query)]

    def verify(self) -> CloseCheck:
        """Recompute every snapshot's hash from its rows and match it to the audit chain."""
        problems: list[str] = []
        with self.engine.connect() as conn:
            heads = list(conn.execute(select(month_closes).order_by(month_closes.c.close_id)))
            records = conn.execute(
                select(audit_log.c.seq, audit_log.c.tool).where(audit_log.c.path == CLOSE_PATH)
            )
            chained = {int(seq): _close_arguments(tool) for seq, tool in records}
        closed = set()
        for head in heads:
            snapshot = self._load(head)
            name = f"snapshot {snapshot.label} v{snapshot.version}"
            closed.add((snapshot.label, snapshot.version))
            if snapshot.computed_hash() != head.hash or len(snapshot.rows) != head.roster_size:
                problems.append(f"{name}: its rows or header do not match its hash (edited)")
                continue
            noted = chained.get(int(head.audit_seq))
            expected = {"month": snapshot.label, "version": snapshot.version, "hash": head.hash}
            if noted != expected:
                problems.append(
                    f"{name}: audit record {head.audit_seq} does not chain this hash (replaced)"
                )
        for seq, noted in sorted(chained.items()):
            if noted is None or (noted.get("month"), noted.get("version")) not in closed:
                problems.append(f"audit record {seq} records a close whose snapshot is missing")
        return CloseCheck(ok=not problems, checked=len(heads), problems=problems)

    def _one(self, query: Any) -> MonthSnapshot | None:
        with self.engine.connect() as conn:
            head = conn.execute(query).first()
        if head is None:
            return None
        with self._lock:
            cached = self._cache.get(int(head.close_id))
        if cached is not None:
            return cached
        snapshot = self._load(head)
        with self._lock:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[int(head.close_id)] = snapshot
        return snapshot

    def _load(self, head: Any) -> MonthSnapshot:
        """The snapshot of one ``month_closes`` row, with its stored rows (rank order)."""
        r = month_close_rows
        query = (
            select(r)
            .where(r.c.close_id == head.close_id)
            .order_by(r.c.department_id, r.c.rank, r.c.employee_id)
        )
        with self.engine.connect() as conn:
            rows = tuple(SnapshotRow.from_stored(dict(x._mapping)) for x in conn.execute(query))
        return MonthSnapshot(
            month=parse_month(head.month), version=int(head.version), hash=head.hash,
            closed_at=head.closed_at, closed_by=head.closed_by,
            closed_on=date.fromisoformat(head.closed_on), policy=policy_of(head.policy),
            rows=rows, diff=None if head.diff is None else json.loads(head.diff),
            audit_seq=int(head.audit_seq),
        )  # fmt: skip


def _audit_content(
    snapshot: MonthSnapshot, caller: Caller, surface: str, seconds: float
) -> dict[str, Any]:
    """The audit record of a close: who closed which month, and the snapshot's hash."""
    arguments = {"month": snapshot.label, "version": snapshot.version, "hash": snapshot.hash}
    return {
        "employee_no": caller.employee_no,
        "role": str(caller.role),
        "surface": surface,
        "question": f"close {snapshot.label}",
        "language": None,
        "path": CLOSE_PATH,
        "plan": None,
        "tool": json.dumps({"name": CLOSE_TOOL, "arguments": arguments}, sort_keys=True),
        "sql_written": None,
        "sql_guarded": None,
        "scopes": "[]",
        "row_count": len(snapshot.rows),
        "kind": "answer",
        "reason": None,
        "latency_ms": round(seconds * 1000, 3),
        "usage": None,
        "as_of": snapshot.closed_on.isoformat(),
        "conversation_id": None,
        "answer_id": None,
        "statements": None,
    }


def _close_arguments(tool: str | None) -> dict[str, Any] | None:
    """The month, version and hash an audit record of a close chained (None if unreadable)."""
    try:
        data = json.loads(tool or "")
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("name") != CLOSE_TOOL:
        return None
    arguments = data.get("arguments")
    return arguments if isinstance(arguments, dict) else None
