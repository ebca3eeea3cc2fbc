"""The audit log: every field kept, the chain verified, tampering found, appends serialized."""

from __future__ import annotations

import csv
import io
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, update

from assistant.answer import ToolCallInfo, Usage
from assistant.audit import GENESIS_HASH, AuditError, AuditLog
from schema.app import audit_log
from schema.caller import Caller
from schema.db import app_engine
from tests.api.conftest import ALICE, BOB, make_answer


def _fill(log: AuditLog, n: int) -> None:
    for i in range(n):
        log.record(make_answer(f"问题 {i}"), ALICE if i % 2 else BOB, "http")


def test_record_keeps_every_audited_field(engine: Engine) -> None:
    log = AuditLog(engine)
    answer = make_answer(
        "本月谁超过了中位数?",
        path="llm",
        tool=ToolCallInfo(name="monthly_performance", arguments={"month": "2026-09"}),
        usage=Usage(model="deepseek-chat", prompt_tokens=120, completion_tokens=30),
        kind="refusal",
        reason="payroll_forbidden",
        conversation_id="c" * 32,
        answer_id="a" * 32,
    )
    seq = log.record(answer, ALICE, "web")
    (rec,) = log.tail(5)
    assert seq == rec.seq == 1
    assert rec.prev_hash == GENESIS_HASH
    assert (rec.employee_no, rec.role, rec.surface, rec.question) == (
        "E0007",
        "sales",
        "web",
        "本月谁超过了中位数?",
    )
    assert (rec.path, rec.kind, rec.reason, rec.row_count, rec.latency_ms) == (
        "llm",
        "refusal",
        "payroll_forbidden",
        2,
        12.5,
    )
    assert rec.sql_written == answer.sql_written and rec.sql_guarded == answer.sql
    assert json.loads(rec.scopes) == ["own_rows"]
    assert json.loads(rec.plan or "") == {"shape": "figure", "metric": "sales"}
    assert json.loads(rec.tool or "")["name"] == "monthly_performance"
    assert json.loads(rec.usage or "")["prompt_tokens"] == 120
    assert (rec.as_of, rec.conversation_id, rec.answer_id) == ("2026-09-15", "c" * 32, "a" * 32)
    assert datetime.fromisoformat(rec.recorded_at) > datetime.now(UTC) - timedelta(minutes=1)


def test_intact_chain_verifies_and_links(engine: Engine) -> None:
    log = AuditLog(engine)
    _fill(log, 6)
    result = log.verify()
    assert (result.ok, result.checked, result.broken_seq) == (True, 6, None)
    records = log.tail(100)
    assert [r.seq for r in records] == [1, 2, 3, 4, 5, 6]
    assert all(b.prev_hash == a.hash for a, b in zip(records, records[1:], strict=False))
    assert [r.seq for r in log.tail(2)] == [5, 6]
    assert log.count() == 6


def test_edited_record_is_named(engine: Engine) -> None:
    log = AuditLog(engine)
    _fill(log, 6)
    with engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 4).values(question="谁也没问"))
    result = log.verify()
    assert (result.ok, result.broken_seq, result.checked) == (False, 4, 3)
    assert "edited" in (result.reason or "")


@pytest.mark.parametrize(
    "column,value", [("row_count", 9999), ("role", "admin"), ("kind", "answer")]
)
def test_any_edited_column_breaks_the_chain(engine: Engine, column: str, value: object) -> None:
    log = AuditLog(engine)
    log.record(make_answer(kind="refusal"), ALICE, "cli")
    log.record(make_answer(), ALICE, "cli")
    with engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 1).values({column: value}))
    assert log.verify().broken_seq == 1


def test_edit_with_recomputed_hash_breaks_the_next_link(engine: Engine) -> None:
    log = AuditLog(engine)
    _fill(log, 5)
    (rec,) = [r for r in log.tail(10) if r.seq == 2]
    forged = rec.model_copy(update={"question": "改过的问题"})
    with engine.begin() as conn:
        conn.execute(
            update(audit_log)
            .where(audit_log.c.seq == 2)
            .values(question=forged.question, hash=forged.content_hash())
        )
    result = log.verify()
    assert (result.ok, result.broken_seq) == (False, 3)


def test_deleted_record_is_named(engine: Engine) -> None:
    log = AuditLog(engine)
    _fill(log, 6)
    with engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq == 3))
    result = log.verify()
    assert (result.ok, result.broken_seq) == (False, 4)
    assert "missing" in (result.reason or "")


def test_deleted_first_record_is_found(engine: Engine) -> None:
    log = AuditLog(engine)
    _fill(log, 3)
    with engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq == 1))
    assert log.verify().broken_seq == 2


def test_reordered_records_are_named(engine: Engine) -> None:
    log = AuditLog(engine)
    _fill(log, 6)
    with engine.begin() as conn:  # swap records 3 and 5 by renumbering them
        conn.execute(update(audit_log).where(audit_log.c.seq == 3).values(seq=-3))
        conn.execute(update(audit_log).where(audit_log.c.seq == 5).values(seq=3))
        conn.execute(update(audit_log).where(audit_log.c.seq == -3).values(seq=5))
    result = log.verify()
    assert (result.ok, result.broken_seq) == (False, 3)


def test_appending_after_verify_failure_keeps_chaining(engine: Engine) -> None:
    log = AuditLog(engine)
    _fill(log, 2)
    log.record(make_answer(), Caller.operator(), "cli")
    (rec,) = log.tail(1)
    assert (rec.seq, rec.employee_no, rec.role) == (3, None, "admin")
    assert log.verify().ok


def test_concurrent_appends_from_threads_and_engines(app_db_url: str) -> None:
    """Two engines (as two processes would have) and many threads: one unbroken chain."""
    engines = [app_engine(app_db_url), app_engine(app_db_url)]
    logs = [AuditLog(e) for e in engines]
    with ThreadPoolExecutor(max_workers=8) as pool:
        seqs = list(
            pool.map(lambda i: logs[i % 2].record(make_answer(f"q{i}"), ALICE, "http"), range(60))
        )
    assert sorted(seqs) == list(range(1, 61))
    result = logs[0].verify()
    assert (result.ok, result.checked) == (True, 60)
    for e in engines:
        e.dispose()


@pytest.mark.postgres
def test_concurrent_appends_on_postgres(postgres_url: str) -> None:
    engines = [app_engine(postgres_url), app_engine(postgres_url)]
    logs = [AuditLog(e) for e in engines]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda i: logs[i % 2].record(make_answer(f"q{i}"), BOB, "http"), range(40)))
    assert (logs[1].verify().ok, logs[1].count()) == (True, 40)
    for e in engines:
        e.dispose()


def test_export_jsonl_and_csv_by_range(engine: Engine) -> None:
    log = AuditLog(engine)
    _fill(log, 3)
    today = datetime.now(UTC).date()
    lines = list(log.export(today, today, "jsonl"))
    assert [json.loads(line)["question"] for line in lines] == ["问题 0", "问题 1", "问题 2"]
    assert list(log.export(today + timedelta(days=1), None)) == []
    assert list(log.export(None, date(2000, 1, 1))) == []
    rows = list(csv.DictReader(io.StringIO("".join(log.export(fmt="csv")))))
    assert [r["seq"] for r in rows] == ["1", "2", "3"]
    assert rows[0]["hash"] == log.tail(3)[0].hash
    with pytest.raises(AuditError):
        list(log.export(fmt="xml"))  # type: ignore[arg-type]


def test_records_cut_off_the_end_are_found_with_an_anchor(engine: Engine) -> None:
    log = AuditLog(engine)
    _fill(log, 6)
    noted = log.verify()
    assert noted.ok and noted.head is not None and f"6:{noted.head}" in noted.message()
    _fill(log, 2)  # the log goes on growing after the anchor was noted
    assert log.verify((6, noted.head)).ok
    with engine.begin() as conn:  # someone removes the latest records, chain still intact
        conn.execute(delete(audit_log).where(audit_log.c.seq >= 5))
    assert log.verify().ok  # without the anchor a cut tail cannot be seen
    result = log.verify((6, noted.head))
    assert (result.ok, result.broken_seq) == (False, 5) and "cut off the end" in (
        result.reason or ""
    )


def test_an_anchor_that_does_not_match_is_reported(engine: Engine) -> None:
    log = AuditLog(engine)
    _fill(log, 3)
    result = log.verify((2, "0" * 64))
    assert (result.ok, result.broken_seq) == (False, 2)
