"""The audit log: every question and every ``hrq sql`` statement, append-only and tamper-evident.

Each record holds what was asked, by whom, through which surface, how it was
answered (path, plan or tool call, the SQL as written and as rewritten by the
guard, the scopes applied, row count, outcome, latency, model usage, and for the
LLM agent every statement it sent to the guard) and two hashes: ``prev_hash``
(the previous record's ``hash``) and ``hash``, computed over the record's
canonical JSON (every column but ``hash`` and ``hash_scheme``, keys sorted).
Editing a record breaks its own hash; deleting or reordering records breaks the
next record's link. :meth:`AuditLog.verify` walks the chain and names the first
broken record.

A plain SHA-256 chain only proves that nobody who could not write the database
changed it: whoever can write it can edit a record and recompute every later
hash. With ``HRQ_AUDIT_HMAC_KEY`` set (kept out of the database) each record's
hash is HMAC-SHA256 under that key (``hash_scheme`` ``hmac-sha256``), which
nobody without the key can recompute. Records written before the key was set
stay plain (``sha256``) and are still checked. Once a keyed record exists every
later record must be keyed, or someone could rewrite the tail as plain records:
a writer without the key refuses to append after a keyed record, and a verify
with the key reports as a break a plain record after the first keyed one, and a
newest record that is plain (the whole chain rewritten without the key looks
like a log from before the key; the one honest case, a key set but nothing
recorded since, clears with the next record). The key cannot be rotated:
records keyed with an earlier key fail to verify with a new one.

Appends are serialized by the database: each append reads the last link and
inserts ``seq + 1`` in one transaction, and ``seq`` is the primary key, so two
appends of the same link cannot both land (no fork). On PostgreSQL the
transaction first takes a transaction-level advisory lock (:data:`CHAIN_LOCK`),
so concurrent appends from several server processes queue for it instead of
racing and retrying; on SQLite the database's write lock does the same, and a
writer that read a stale last link fails on the key (or on the lock) and is
retried against the new one. Several server processes can share one database.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, SecretStr
from sqlalchemy import Connection, Engine, Row, event, func, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from assistant.answer import Answer
from schema.app import audit_log, create_app_schema
from schema.caller import Caller
from schema.db import sqlite_pragmas
from schema.errors import HrqError

GENESIS_HASH = "0" * 64
EXPORT_FORMATS = ("jsonl", "csv")
PLAIN, KEYED = "sha256", "hmac-sha256"
#: The outcome of a statement a person ran: it ran, the guard refused it, the warehouse failed.
StatementKind = Literal["answer", "refusal", "error"]
KEY_SETTING = "HRQ_AUDIT_HMAC_KEY"
#: Columns added after the log's first release: left out of the canonical JSON when empty, so
#: the records written before they existed keep their hashes.
_ADDED_COLUMNS = ("statements",)
_MAX_ATTEMPTS = 200
#: The chain's last link, and the insert of the next record: built once, not per append.
_LAST_LINK = (
    select(audit_log.c.seq, audit_log.c.hash, audit_log.c.hash_scheme)
    .order_by(audit_log.c.seq.desc())
    .limit(1)
)
_INSERT = insert(audit_log)
#: The PostgreSQL advisory lock key every append holds for its transaction (an arbitrary
#: constant: the first eight bytes of SHA-256("hrq audit_log"), as a signed 64-bit integer).
CHAIN_LOCK = int.from_bytes(hashlib.sha256(b"hrq audit_log").digest()[:8], "big", signed=True)
_TAKE_CHAIN_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


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
    statements: str | None = None
    prev_hash: str
    hash: str
    hash_scheme: str = PLAIN

    def content_hash(self, key: bytes | None = None) -> str:
        """The hash this record's content should have: SHA-256, or HMAC-SHA256 under ``key``."""
        return content_hash(self.model_dump(exclude={"hash", "hash_scheme"}), key)


class VerifyResult(BaseModel):
    """The outcome of walking the chain: ``ok``, or the first broken record and why."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str | None = None
    #: The last record's hash: kept outside the database (a compliance ticket, a WeCom
    #: message), it lets a later ``verify --anchor`` prove no record was cut off the end.
    head: str | None = None
    #: Whether the walk checked keyed hashes with the key (HRQ_AUDIT_HMAC_KEY).
    key_checked: bool = False
    #: Records walked whose hash is keyed, and the first of them.
    keyed: int = 0
    first_keyed: int | None = None

    def message(self) -> str:
        """Two lines for a person: the chain's state, then what the key did."""
        if self.ok:
            head = f"; head {self.checked}:{self.head}" if self.head else ""
            first = f"audit log intact: {self.checked} records{head}"
        else:
            first = f"audit log broken at record {self.broken_seq}: {self.reason}"
        return f"{first}\n{self.key_line()}"

    def key_line(self) -> str:
        """Whether the key was checked, and which records predate it."""
        if not self.key_checked:
            line = f"unkeyed: anyone who can write the database could rewrite it; set {KEY_SETTING}"
            if self.keyed:
                line += f" (the hashes of {self.keyed} keyed records were not checked)"
            return line
        line = f"keyed chain verified with {KEY_SETTING}"
        plain = self.first_keyed - 1 if self.first_keyed else self.checked
        if plain > 0:
            line += f"; records 1..{plain} are unkeyed (written before the key was set)"
        return line


def canonical_json(content: dict[str, Any]) -> bytes:
    """The canonical JSON of a record's content (sorted keys, compact, UTF-8).

    Columns added after the first release are left out while empty (see ``_ADDED_COLUMNS``).
    """
    kept = {k: v for k, v in content.items() if not (k in _ADDED_COLUMNS and v is None)}
    text = json.dumps(kept, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def content_hash(content: dict[str, Any], key: bytes | None = None) -> str:
    """SHA-256 of a record's canonical JSON, or HMAC-SHA256 under ``key``.

    The content includes ``prev_hash``, so a keyed hash covers the previous hash too.
    """
    canonical = canonical_json(content)
    if key is None:
        return hashlib.sha256(canonical).hexdigest()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


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
        "statements": _json_or_none(answer.statements or None),
    }


def statement_content(
    statement: str,
    caller: Caller,
    surface: str,
    *,
    kind: StatementKind,
    sql_guarded: str | None = None,
    scopes: Iterable[str] = (),
    row_count: int = 0,
    reason: str | None = None,
    latency_ms: float = 0.0,
) -> dict[str, Any]:
    """The audited columns of one SQL statement a person ran (``hrq sql``), like a question's.

    ``question`` and ``sql_written`` are the statement as written, ``path`` is ``sql``;
    ``kind`` is ``answer`` (it ran: ``row_count`` rows), ``refusal`` (the guard refused it:
    ``reason``) or ``error`` (the warehouse could not run it: ``reason``).
    """
    return {
        "employee_no": caller.employee_no,
        "role": str(caller.role),
        "surface": surface,
        "question": statement,
        "language": None,
        "path": "sql",
        "plan": None,
        "tool": None,
        "sql_written": statement,
        "sql_guarded": sql_guarded,
        "scopes": json.dumps(list(scopes), ensure_ascii=False),
        "row_count": row_count,
        "kind": kind,
        "reason": reason,
        "latency_ms": round(float(latency_ms), 3),
        "usage": None,
        "as_of": None,
        "conversation_id": None,
        "answer_id": None,
        "statements": None,
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
    """The audit log in the app database; keyed when ``hmac_key`` (HRQ_AUDIT_HMAC_KEY) is given."""

    def __init__(
        self, engine: Engine, *, create_schema: bool = True, hmac_key: SecretStr | None = None
    ) -> None:
        self.engine = engine
        self._key = hmac_key.get_secret_value().encode("utf-8") if hmac_key else None
        self._lock = threading.Lock()
        prepare_sqlite(engine)
        if create_schema:
            create_app_schema(engine)

    @property
    def keyed(self) -> bool:
        """True when this log writes and checks keyed hashes."""
        return self._key is not None

    def record(self, answer: Answer, caller: Caller, surface: str) -> int:
        """Append one record for ``answer`` asked by ``caller`` on ``surface``; return its seq."""
        return self.append(record_content(answer, caller, surface))

    def append(
        self, content: dict[str, Any], then: Callable[[Connection, int], None] | None = None
    ) -> int:
        """Append one record of audited columns (:func:`record_content`, :func:`statement_content`).

        ``then(conn, seq)`` runs in the same transaction after the insert (a month's close
        stores its snapshot there), so the record and what it records land together.
        """
        with self._lock:  # threads of one process queue here; processes race on the key
            for attempt in range(_MAX_ATTEMPTS):
                try:
                    return self._append(content, then)
                except (IntegrityError, OperationalError):
                    time.sleep(min(0.001 * (attempt + 1), 0.05))
        raise AuditError("could not append to the audit log: the database stayed busy")

    def _append(
        self, content: dict[str, Any], then: Callable[[Connection, int], None] | None = None
    ) -> int:
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # held until commit: appends queue here
                conn.execute(_TAKE_CHAIN_LOCK, {"key": CHAIN_LOCK})
            last = conn.execute(_LAST_LINK).first()
            if last is not None and last.hash_scheme != PLAIN and self._key is None:
                raise AuditError(
                    f"the audit log is keyed (record {last.seq}): set {KEY_SETTING} to append to it"
                )
            seq = 1 if last is None else last.seq + 1
            row = {
                **content,
                "seq": seq,
                "recorded_at": _utc_iso(datetime.now(UTC)),
                "prev_hash": GENESIS_HASH if last is None else last.hash,
            }
            row["hash"] = content_hash(row, self._key)
            row["hash_scheme"] = PLAIN if self._key is None else KEYED
            conn.execute(_INSERT, row)  # parameters, not .values(): compiled once
            if then is not None:
                then(conn, seq)
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
        walk = VerifyResult(ok=True, checked=0, key_checked=self._key is not None)
        expected_prev, last_scheme = GENESIS_HASH, PLAIN
        for rec in self._rows(select(audit_log).order_by(audit_log.c.seq)):
            expected_seq = walk.checked + 1
            if anchor is not None and rec.seq == anchor[0] and rec.hash != anchor[1]:
                return _broken(walk, rec.seq, "it is not the record the anchor noted")
            problem = self._content_problem(rec, walk.first_keyed)
            if problem is not None:
                return _broken(walk, rec.seq, problem)
            if rec.prev_hash != expected_prev:
                why = "the record before it was deleted, changed or moved"
                if rec.seq != expected_seq:
                    why = f"records {expected_seq}..{rec.seq - 1} are missing"
                return _broken(walk, rec.seq, why)
            if rec.seq != expected_seq:
                return _broken(walk, rec.seq, f"expected record {expected_seq} here")
            if rec.hash_scheme == KEYED:
                walk.keyed += 1
                walk.first_keyed = walk.first_keyed or rec.seq
            expected_prev, last_scheme = rec.hash, rec.hash_scheme
            walk.checked += 1
        if anchor is not None and walk.checked < anchor[0]:
            cut = walk.checked + 1
            return _broken(walk, cut, f"records {cut}..{anchor[0]} were cut off the end")
        walk.head = expected_prev if walk.checked else None
        if self._key is not None and walk.checked and last_scheme != KEYED:
            return _broken(walk, walk.checked, (
                f"the newest record is unkeyed although {KEY_SETTING} is set: the chain was "
                "rewritten without the key, or nothing was recorded since the key was set "
                "(then record one question and verify again)"
            ))  # fmt: skip
        return walk

    def _content_problem(self, rec: AuditRecord, first_keyed: int | None) -> str | None:
        """Why ``rec``'s hash does not prove its content, or None when it does.

        A keyed record is checked with the key (its links only without one); a plain
        record after a keyed one is a break when the key is known.
        """
        if rec.hash_scheme == KEYED:
            if self._key is not None and rec.content_hash(self._key) != rec.hash:
                return (
                    "its content does not match its keyed hash (edited, or keyed with "
                    f"another {KEY_SETTING})"
                )
            return None
        if rec.hash_scheme != PLAIN:
            return f"its hash scheme {rec.hash_scheme!r} is unknown (edited)"
        if self._key is not None and first_keyed is not None:
            return (
                f"it is unkeyed after keyed record {first_keyed}: the chain was rewritten "
                "without the key"
            )
        if rec.content_hash() != rec.hash:
            return "its content does not match its hash (edited)"
        return None

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


def _broken(walk: VerifyResult, seq: int, reason: str) -> VerifyResult:
    """The walk so far, stopped at record ``seq`` for ``reason``."""
    return walk.model_copy(update={"ok": False, "broken_seq": seq, "reason": reason})
