"""``hrq keys``, ``hrq audit``, ``hrq feedback``: thin commands over the library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import delete, update
from typer.testing import CliRunner

from api.cli import app
from assistant.audit import AuditLog
from assistant.conversations import ConversationStore
from assistant.keys import authenticate
from schema.app import audit_log
from schema.db import app_engine
from tests.api.conftest import ALICE, AUDIT_KEY, forge, make_answer


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    from schema.settings import get_settings

    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("HRQ_APP_DB_URL", url)
    get_settings.cache_clear()
    yield url  # type: ignore[misc]
    get_settings.cache_clear()


def test_keys_create_json_list_and_revoke(cli_db: str) -> None:
    runner = CliRunner()
    created = runner.invoke(
        app, ["keys", "create", "--user", "E00021", "--role", "sales", "--json"]
    )
    assert created.exit_code == 0, created.output
    body = json.loads(created.stdout)
    assert (body["user"], body["role"]) == ("E00021", "sales")
    engine = app_engine(cli_db)
    record = authenticate(engine, body["key"])
    assert record is not None
    listed = json.loads(runner.invoke(app, ["keys", "list", "--json"]).stdout)
    assert [k["key_id"] for k in listed] == [record.key_id]
    assert body["key"] not in runner.invoke(app, ["keys", "list"]).stdout
    revoked = runner.invoke(app, ["keys", "revoke", record.key_id])
    assert revoked.exit_code == 0 and authenticate(engine, body["key"]) is None
    bad_role = runner.invoke(app, ["keys", "create", "--user", "E1", "--role", "boss"])
    assert bad_role.exit_code == 2 and "unknown role" in bad_role.output
    unknown = runner.invoke(app, ["keys", "revoke", "nope"])
    assert unknown.exit_code == 2 and "no API key" in unknown.output


def test_audit_verify_tail_export(cli_db: str) -> None:
    engine = app_engine(cli_db)
    log = AuditLog(engine)
    for i in range(3):
        log.record(make_answer(f"问题{i}"), ALICE, "cli")
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify"])
    head = log.verify().head
    assert (ok.exit_code, ok.stdout.splitlines()) == (0, [
        f"audit log intact: 3 records; head 3:{head}",
        "unkeyed: anyone who can write the database could rewrite it; set HRQ_AUDIT_HMAC_KEY",
    ])  # fmt: skip
    tail = runner.invoke(app, ["audit", "tail", "-n", "2"]).stdout.splitlines()
    assert len(tail) == 2 and tail[-1].endswith("问题2")
    exported = runner.invoke(app, ["audit", "export", "--from", "2000-01-01", "--to", "2999-12-31"])
    assert [json.loads(line)["seq"] for line in exported.stdout.splitlines()] == [1, 2, 3]
    csv_out = runner.invoke(app, ["audit", "export", "--format", "csv"]).stdout
    assert csv_out.splitlines()[0].startswith("seq,recorded_at,")
    assert runner.invoke(app, ["audit", "export", "--from", "yesterday"]).exit_code == 2
    with engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 2).values(surface="web"))
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1 and "record 2" in broken.stdout


def test_feedback_list(cli_db: str) -> None:
    store = ConversationStore(app_engine(cli_db))
    cid = store.start(ALICE)
    good = store.append(cid, make_answer("本月业绩"))
    bad = store.append(cid, make_answer("武汉组人数"))
    store.add_feedback(good, ALICE, True)
    store.add_feedback(bad, ALICE, False, "少算了")
    runner = CliRunner()
    lines = runner.invoke(app, ["feedback", "list", "--wrong", "--json"]).stdout.splitlines()
    assert [json.loads(line)["question"] for line in lines] == ["武汉组人数"]
    everything = runner.invoke(app, ["feedback", "list", "--json"]).stdout.splitlines()
    assert len(everything) == 2


def test_audit_verify_with_an_anchor_finds_a_cut_tail(cli_db: str) -> None:
    engine = app_engine(cli_db)
    log = AuditLog(engine)
    for i in range(3):
        log.record(make_answer(f"问题{i}"), ALICE, "cli")
    runner = CliRunner()
    head = log.verify().head
    assert runner.invoke(app, ["audit", "verify", "--anchor", f"3:{head}"]).exit_code == 0
    log.record(make_answer("问题3"), ALICE, "cli")
    with engine.begin() as conn:  # the newest records are cut off: only the anchor sees it
        conn.execute(delete(audit_log).where(audit_log.c.seq >= 3))
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    cut = runner.invoke(app, ["audit", "verify", "--anchor", f"3:{head}"])
    assert cut.exit_code == 1 and "cut off the end" in cut.stdout
    assert runner.invoke(app, ["audit", "verify", "--anchor", "three"]).exit_code == 2


def test_audit_verify_with_the_key_finds_a_recomputed_chain(
    cli_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schema.settings import get_settings

    engine = app_engine(cli_db)
    AuditLog(engine).record(make_answer("钥匙之前"), ALICE, "cli")
    monkeypatch.setenv("HRQ_AUDIT_HMAC_KEY", AUDIT_KEY)
    get_settings.cache_clear()
    keyed = AuditLog(engine, hmac_key=SecretStr(AUDIT_KEY))
    for i in range(3):
        keyed.record(make_answer(f"问题{i}"), ALICE, "cli")
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.splitlines()[1] == (
        "keyed chain verified with HRQ_AUDIT_HMAC_KEY; "
        "records 1..1 are unkeyed (written before the key was set)"
    )
    forge(engine, 3, "改过的问题")
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1 and "record 3" in broken.stdout and "unkeyed" in broken.stdout
    monkeypatch.delenv("HRQ_AUDIT_HMAC_KEY")
    get_settings.cache_clear()
    blind = runner.invoke(app, ["audit", "verify"])  # without the key the forgery passes
    assert blind.exit_code == 0 and blind.stdout.splitlines()[1].startswith("unkeyed:")
    monkeypatch.setenv("HRQ_AUDIT_HMAC_KEY", "too short")
    get_settings.cache_clear()
    short = runner.invoke(app, ["audit", "verify"])
    assert short.exit_code == 2 and "at least 16 characters" in short.output
