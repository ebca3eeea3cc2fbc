"""The audit log: every field kept, the chain verified (keyed or not), tampering found, appends
serialized, old logs migrated."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import Column, Engine, MetaData, Table, delete, inspect, update

from assistant.answer import ToolCallInfo, Usage
from assistant.audit import GENESIS_HASH, AuditError, AuditLog, record_content
from schema.app import audit_log
from schema.caller import Caller
from schema.db import app_engine
from tests.api.conftest import ALICE, AUDIT_KEY, BOB, forge, make_answer


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


# --- The keyed chain (HRQ_AUDIT_HMAC_KEY) -------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_engine(request: pytest.FixtureRequest, engine: Engine) -> Iterator[Engine]:
    """The app database on SQLite, and on PostgreSQL when HRQ_TEST_POSTGRES_URL is set."""
    if request.param == "sqlite":
        yield engine
        return
    pg = app_engine(request.getfixturevalue("postgres_url"))
    yield pg
    pg.dispose()


def _keyed(engine: Engine, key: str = AUDIT_KEY) -> AuditLog:
    return AuditLog(engine, hmac_key=SecretStr(key))


def test_a_plain_chain_edited_and_recomputed_passes_unkeyed_verify(any_engine: Engine) -> None:
    """Why the key exists: whoever can write the database can rewrite a plain chain."""
    log = AuditLog(any_engine)
    _fill(log, 5)
    forge(any_engine, 2, "改过的问题")
    result = log.verify()
    assert result.ok and not result.key_checked
    assert result.message().splitlines()[1] == (
        "unkeyed: anyone who can write the database could rewrite it; set HRQ_AUDIT_HMAC_KEY"
    )


@pytest.mark.parametrize("forger_key", [None, b"a guessed key, not the real one"])
def test_a_keyed_chain_edited_and_recomputed_is_found(
    any_engine: Engine, forger_key: bytes | None
) -> None:
    log = _keyed(any_engine)
    _fill(log, 5)
    intact = log.verify()
    assert (intact.ok, intact.key_checked, intact.keyed, intact.first_keyed) == (True, True, 5, 1)
    assert intact.message().splitlines()[1] == "keyed chain verified with HRQ_AUDIT_HMAC_KEY"
    assert {r.hash_scheme for r in log.tail(10)} == {"hmac-sha256"}
    forge(any_engine, 3, "改过的问题", forger_key)
    result = log.verify()
    assert (result.ok, result.broken_seq, result.checked) == (False, 3, 2)
    expected = "unkeyed after keyed record 1" if forger_key is None else "keyed hash"
    assert expected in (result.reason or "")
    assert _keyed(any_engine, "another key, sixteen+ chars").verify().broken_seq == 1


def test_records_from_before_the_key_are_checked_and_counted(engine: Engine) -> None:
    _fill(AuditLog(engine), 3)
    log = _keyed(engine)
    pending = log.verify()  # the key is set but nothing was recorded with it yet
    assert (pending.ok, pending.broken_seq) == (False, 3)
    assert "newest record is unkeyed" in (pending.reason or "")
    _fill(log, 3)
    result = log.verify()
    assert (result.ok, result.checked, result.keyed, result.first_keyed) == (True, 6, 3, 4)
    assert result.key_line() == (
        "keyed chain verified with HRQ_AUDIT_HMAC_KEY; "
        "records 1..3 are unkeyed (written before the key was set)"
    )
    with engine.begin() as conn:  # a record from before the key is still checked
        conn.execute(update(audit_log).where(audit_log.c.seq == 2).values(question="谁也没问"))
    assert (log.verify().broken_seq, log.verify().reason) == (
        2, "its content does not match its hash (edited)"
    )  # fmt: skip


def test_rewriting_everything_after_the_key_as_plain_is_found(engine: Engine) -> None:
    _fill(AuditLog(engine), 2)
    log = _keyed(engine)
    _fill(log, 3)
    forge(engine, 2, "改过的问题")  # from a record before the key on: no keyed record is left
    result = log.verify()
    assert (result.ok, result.keyed, result.broken_seq) == (False, 0, 5)
    assert "newest record is unkeyed" in (result.reason or "")


def test_a_keyed_log_is_not_appended_to_without_the_key(engine: Engine) -> None:
    _fill(_keyed(engine), 1)
    plain = AuditLog(engine)
    with pytest.raises(AuditError, match="HRQ_AUDIT_HMAC_KEY"):
        plain.record(make_answer(), ALICE, "cli")
    assert plain.count() == 1
    blind = plain.verify()  # without the key: the links are checked, the keyed hashes are not
    assert blind.ok and blind.key_line().endswith(
        "(the hashes of 1 keyed records were not checked)"
    )


def test_an_unknown_hash_scheme_is_a_break(engine: Engine) -> None:
    log = _keyed(engine)
    _fill(log, 2)
    with engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 2).values(hash_scheme="none"))
    assert (log.verify().broken_seq, AuditLog(engine).verify().broken_seq) == (2, 2)


def test_concurrent_keyed_appends_keep_one_chain(app_db_url: str) -> None:
    engines = [app_engine(app_db_url), app_engine(app_db_url)]
    logs = [_keyed(e) for e in engines]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda i: logs[i % 2].record(make_answer(f"q{i}"), ALICE, "web"), range(40)))
    result = logs[0].verify()
    assert (result.ok, result.checked, result.keyed) == (True, 40, 40)
    for e in engines:
        e.dispose()


def test_a_log_from_before_the_new_columns_is_migrated_and_still_verifies(
    any_engine: Engine,
) -> None:
    """An audit_log table created before hash_scheme and statements existed, with records
    hashed the old way (SHA-256 over every column but hash): they keep verifying."""
    old = MetaData()
    old_table = Table(
        "audit_log", old,
        *(Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
          for c in audit_log.columns if c.name not in ("hash_scheme", "statements")),
    )  # fmt: skip
    old.create_all(any_engine)
    prev = GENESIS_HASH
    with any_engine.begin() as conn:
        for seq in (1, 2):
            row = {**record_content(make_answer(f"旧问题{seq}"), ALICE, "cli"), "seq": seq,
                   "recorded_at": f"2026-01-0{seq}T00:00:00.000000Z", "prev_hash": prev}  # fmt: skip
            row.pop("statements")
            canonical = json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            prev = row["hash"] = hashlib.sha256(canonical.encode()).hexdigest()
            conn.execute(old_table.insert(), row)
    log = _keyed(any_engine)  # creating the log adds the columns
    assert {"hash_scheme", "statements"} <= {
        c["name"] for c in inspect(any_engine).get_columns("audit_log")
    }
    assert [r.hash_scheme for r in log.tail(5)] == ["sha256", "sha256"]
    log.record(make_answer("新问题", statements=[{"sql_written": "SELECT 1"}]), ALICE, "cli")
    result = log.verify()
    assert (result.ok, result.checked, result.first_keyed) == (True, 3, 3)
    AuditLog(any_engine, hmac_key=SecretStr(AUDIT_KEY))  # adding them again is a no-op
