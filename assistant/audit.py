"""The audit log: every question from every surface, append-only and tamper-evident.

Each record holds what was asked, by whom, through which surface, how it was
answered (path, plan or tool call, the SQL as written and as rewritten by the
guard, the scopes applied, row count, outcome, latency, model usage) and two
hashes: ``prev_hash`` (the previous record's ``hash``) and ``hash``, the
SHA-256 of the record's canonical JSON (every column but ``hash``, keys
sorted). Editing a record breaks its own hash; deleting or reordering records
breaks the next record's link. :meth:`AuditLog.verify` walks the chain and names
the first broken record.

Appends are serialized by the database: ``seq`` is the primary key and each
append reads the last link and inserts ``seq + 1`` in one transaction; when
another process wins the race the insert fails on the key and is retried
against the new last link. Several server processes can share one database.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import Engine, Row, event, func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from assistant.answer import Answer
from schema.app import audit_log, create_app_schema
from schema.caller import Caller
from schema.db import sqlite_pragmas
from schema.errors import HrqError

GENESIS_HASH = "0" * 64
EXPORT_FORMATS = ("jsonl", "csv")
_MAX_ATTEMPTS = 200
#: The chain's last link, and the insert of the next record: built once, not per append.
_LAST_LINK = select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
_INSERT = insert(audit_log)


def prepare_sqlite(engine: Engine) -> None:
    """Make a file SQLite app database fit for several writers (no-op for other databases).

    Engines from :func:`schema.db.app_engine` are already prepared; this covers engines
    built elsewhere (the pragmas are :func:`schema.db.sqlite_pragmas`).
    """
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return
    if event.contains(engine, "connect", sqlite_pragmas):
        return
    event.listen(engine, "connect", sqlite_pragmas)
    engine.dispose()  # pooled connections reconnect with the pragmas


class AuditError(HrqError):
    """The audit log cannot be written or read as asked."""

    code = "audit"


class AuditRecord(BaseModel):
    """One audit record, as stored."""

    seq: int
    recorded_at: str
    employee_no: str | None
    role: str
    surface: str
    question: str
    language: str | None
    path: str | None
    plan: str | None
    tool: str | None
    sql_written: str | None
    sql_guarded: str | None
    scopes: str
    row_count: int
    kind: str
    reason: str | None
    latency_ms: float
    usage: str | None
    as_of: str | None
    conversation_id: str | None
    answer_id: str | None
    prev_hash: str
    hash: str

    def content_hash(self) -> str:
        """The SHA-256 this record's content should have (over every field but ``hash``)."""
        return content_hash(self.model_dump(exclude={"hash"}))


class VerifyResult(BaseModel):
    """The outcome of walking the chain: ``ok``, or the first broken record and why."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str | None = None
    #: The last record's hash: kept outside the database (a compliance ticket, a WeCom
    #: message), it lets a later ``verify --anchor`` prove no record was cut off the end.
    head: str | None = None

    def message(self) -> str:
        """One line for a person."""
        if self.ok:
            head = f"; head {self.checked}:{self.head}" if self.head else ""
            return f"audit log intact: {self.checked} records{head}"
        return f"audit log broken at record {self.broken_seq}: {self.reason}"


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of a record's content (sorted keys, compact, UTF-8)."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _json_or_none(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def record_content(answer: Answer, caller: Caller, surface: str) -> dict[str, Any]:
    """The audited columns of one answer (everything but seq, time and the hashes)."""
    return {
        "employee_no": caller.employee_no,
        "role": str(caller.role),
        "surface": surface,
        "question": answer.question,
        "language": answer.language,
        "path": answer.path,
        "plan": _json_or_none(answer.plan),
        "tool": _json_or_none(answer.tool.model_dump(mode="json") if answer.tool else None),
        "sql_written": answer.sql_written,
        "sql_guarded": answer.sql,
        "scopes": json.dumps(list(answer.scopes), ensure_ascii=False),
        "row_count": len(answer.rows),
        "kind": answer.kind,
        "reason": answer.reason,
        "latency_ms": round(float(answer.latency_ms), 3),
        "usage": _json_or_none(answer.usage.model_dump(mode="json") if answer.usage else None),
        "as_of": answer.as_of.isoformat(),
        "conversation_id": answer.conversation_id,
        "answer_id": answer.answer_id,
    }


def _utc_iso(moment: datetime) -> str:
    """Fixed-width UTC timestamp, so text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _bound(value: date | datetime | None, *, end: bool) -> str | None:
    """A range bound as stored text; a date ``end`` includes that whole day."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    else:
        day = value + timedelta(days=1) if end else value
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return _utc_iso(moment)


class AuditLog:
    """The audit log in the app database."""

    def __init__(self, engine: Engine, *, create_schema: bool = True) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        prepare_sqlite(engine)
        if create_schema:
            create_app_schema(engine)

    def record(self, answer: Answer, caller: Caller, surface: str) -> int:
        """Append one record for ``answer`` asked by ``caller`` on ``surface``; return its seq."""
        content = record_content(answer, caller, surface)
        with self._lock:  # threads of one process queue here; processes race on the key
            for attempt in range(_MAX_ATTEMPTS):
                try:
                    return self._append(content)
                except (IntegrityError, OperationalError):
                    time.sleep(min(0.001 * (attempt + 1), 0.05))
        raise AuditError("could not append to the audit log: the database stayed busy")

    def _append(self, content: dict[str, Any]) -> int:
        with self.engine.begin() as conn:
            last = conn.execute(_LAST_LINK).first()
            seq = 1 if last is None else last.seq + 1
            row = {
                **content,
                "seq": seq,
                "recorded_at": _utc_iso(datetime.now(UTC)),
                "prev_hash": GENESIS_HASH if last is None else last.hash,
            }
            row["hash"] = content_hash(row)
            conn.execute(_INSERT, row)  # parameters, not .values(): compiled once
        return seq

    def _rows(self, query: Any) -> Iterator[AuditRecord]:
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                yield _to_record(row)

    def verify(self, anchor: tuple[int, str] | None = None) -> VerifyResult:
        """Walk the chain from the first record; report the first edited, missing or moved one.

        ``anchor`` is a ``(seq, hash)`` pair noted earlier from a verify's head: the chain
        must still hold that record with that hash, so records cut off the end (which
        leave an intact but shorter chain) are found too.
        """
        expected_prev = GENESIS_HASH
        expected_seq = 1
        checked = 0
        for rec in self._rows(select(audit_log).order_by(audit_log.c.seq)):
            if anchor is not None and rec.seq == anchor[0] and rec.hash != anchor[1]:
                return _broken(checked, rec.seq, "it is not the record the anchor noted")
            if rec.content_hash() != rec.hash:
                return _broken(checked, rec.seq, "its content does not match its hash (edited)")
            if rec.prev_hash != expected_prev:
                why = "the record before it was deleted, changed or moved"
                if rec.seq != expected_seq:
                    why = f"records {expected_seq}..{rec.seq - 1} are missing"
                return _broken(checked, rec.seq, why)
            if rec.seq != expected_seq:
                return _broken(checked, rec.seq, f"expected record {expected_seq} here")
            expected_prev = rec.hash
            expected_seq += 1
            checked += 1
        if anchor is not None and checked < anchor[0]:
            return _broken(
                checked, checked + 1, f"records {checked + 1}..{anchor[0]} were cut off the end"
            )
        return VerifyResult(ok=True, checked=checked, head=expected_prev if checked else None)

    def tail(self, n: int = 20) -> list[AuditRecord]:
        """The last ``n`` records, oldest first."""
        query = select(audit_log).order_by(audit_log.c.seq.desc()).limit(max(n, 0))
        return list(reversed(list(self._rows(query))))

    def count(self) -> int:
        """How many records the log holds."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())

    def records(
        self, start: date | datetime | None = None, end: date | datetime | None = None
    ) -> Iterator[AuditRecord]:
        """Records with ``start <= recorded_at < end`` (a date ``end`` includes its day)."""
        query = select(audit_log).order_by(audit_log.c.seq)
        low, high = _bound(start, end=False), _bound(end, end=True)
        if low is not None:
            query = query.where(audit_log.c.recorded_at >= low)
        if high is not None:
            query = query.where(audit_log.c.recorded_at < high)
        return self._rows(query)

    def export(
        self,
        start: date | datetime | None = None,
        end: date | datetime | None = None,
        fmt: Literal["jsonl", "csv"] = "jsonl",
    ) -> Iterator[str]:
        """The records in a time range as JSON lines or CSV (header first), line by line."""
        if fmt not in EXPORT_FORMATS:
            raise AuditError(f"unknown export format {fmt!r}; use jsonl or csv")
        records = self.records(start, end)
        if fmt == "jsonl":
            return (
                json.dumps(r.model_dump(), ensure_ascii=False, sort_keys=True) + "\n"
                for r in records
            )
        return _csv_lines(records)


def _csv_lines(records: Iterable[AuditRecord]) -> Iterator[str]:
    fields = list(AuditRecord.model_fields)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    yield buffer.getvalue()
    for rec in records:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(rec.model_dump())
        yield buffer.getvalue()


def _to_record(row: Row[Any]) -> AuditRecord:
    return AuditRecord.model_validate(dict(row._mapping))


def _broken(checked: int, seq: int, reason: str) -> VerifyResult:
    return VerifyResult(ok=False, checked=checked, broken_seq=seq, reason=reason)
