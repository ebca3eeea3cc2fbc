"""The persistent outbox against the stand-in WeCom over HTTP: nothing is lost, nothing sent twice."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from api.cli import app
from api.wecom.outbox import Outbox
from api.wecom.stub import StubConfig, WeComStub, running_stub
from schema.db import app_engine
from schema.settings import Settings, get_settings
from tests.wecom.live import content_of, wait_for, wecom_settings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


@pytest.fixture
def stub() -> Iterator[WeComStub]:
    config = StubConfig(users=frozenset({"alice", "bob"}), webhook_keys=frozenset({"robot-key"}))
    with running_stub(config) as running:
        yield running


@pytest.fixture
def settings(tmp_path: Path, demo_warehouse_url: str, stub: WeComStub) -> Settings:
    return wecom_settings(tmp_path, demo_warehouse_url, stub,
                          wecom_group_webhooks={"华东销售一部": SecretStr("robot-key"),
                                                "华北销售部": SecretStr("unknown-key")})  # fmt: skip


@pytest.fixture
def outbox(settings: Settings) -> Iterator[Outbox]:
    box = Outbox(app_engine(settings.app_db_url), settings)
    yield box
    box.close()


def test_a_message_is_written_first_then_sent(outbox: Outbox, stub: WeComStub) -> None:
    outbox_id = outbox.markdown("alice", "**hello**")
    assert [e.status for e in outbox.entries()] == ["pending"]
    report = outbox.deliver([outbox_id])
    assert report.sent == [outbox_id]
    assert [content_of(m) for m in stub.state.messages] == ["**hello**"]
    (entry,) = outbox.entries()
    assert (entry.status, entry.attempts, entry.last_error) == ("sent", 1, None)
    assert outbox.deliver([outbox_id]).sent == []  # never sent twice
    assert len(stub.state.messages) == 1


def test_while_wecom_is_down_messages_stay_queued_and_go_out_later(
    outbox: Outbox, stub: WeComStub
) -> None:
    stub.stop()
    ids = [outbox.text("alice", "one"), outbox.text("bob", "two")]
    report = outbox.deliver(ids)
    assert report.retrying == ids and report.sent == []
    entries = outbox.unsent()
    assert [(e.status, e.attempts) for e in entries] == [("pending", 1), ("pending", 1)]
    assert all("unreachable" in (e.last_error or "") for e in entries)
    assert all(e.next_attempt_at > e.created_at for e in entries)
    assert outbox.deliver_pending().sent == []  # not due yet: backoff
    stub.start()
    assert outbox.deliver_pending(due_only=False).sent == ids
    assert [content_of(m) for m in stub.state.messages] == ["one", "two"]
    assert outbox.unsent() == []


def test_server_errors_back_off_and_then_deliver(outbox: Outbox, stub: WeComStub) -> None:
    outbox_id = outbox.text("alice", "hi")
    stub.state.fail_next(10, status=502)
    assert outbox.deliver([outbox_id]).retrying == [outbox_id]
    assert "HTTP 502" in (outbox.unsent()[0].last_error or "")
    stub.state.fail_next(0)
    assert outbox.deliver_pending(due_only=False).sent == [outbox_id]


def test_a_permanent_error_is_failed_at_once_and_listed(
    outbox: Outbox, stub: WeComStub, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox_id = outbox.text("nobody", "hi")
    assert outbox.deliver([outbox_id]).failed == [outbox_id]
    (entry,) = outbox.unsent()
    assert entry.status == "failed" and "81013" in (entry.last_error or "")
    assert outbox.deliver_pending(due_only=False).failed == []  # failed ones wait for --retry
    for name, value in {
        "HRQ_APP_DB_URL": settings.app_db_url,
        "HRQ_WECOM_CORP_ID": stub.config.corp_id,
        "HRQ_WECOM_AGENT_ID": str(stub.config.agent_id),
        "HRQ_WECOM_SECRET": stub.config.secret,
        "HRQ_WECOM_API_BASE": stub.base_url,
        "HRQ_WECOM_SEND_RETRIES": "0",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        listed = CliRunner().invoke(app, ["wecom", "outbox"])
        assert listed.exit_code == 0, listed.output
        assert f"#{outbox_id} failed attempts=1" in listed.output
        assert "app:nobody text hi" in listed.output and "81013" in listed.output
        retried = CliRunner().invoke(app, ["wecom", "outbox", "--retry"])
        assert "retried: 0 sent, 0 still pending, 1 failed" in retried.output
        assert f"#{outbox_id} failed attempts=2" in retried.output
    finally:
        get_settings.cache_clear()


def test_max_attempts_turn_pending_into_failed(settings: Settings, stub: WeComStub) -> None:
    box = Outbox(app_engine(settings.app_db_url), settings.model_copy(
        update={"wecom_outbox_max_attempts": 2, "wecom_outbox_backoff_s": 0}))  # fmt: skip
    stub.stop()
    outbox_id = box.text("alice", "hi")
    assert box.deliver([outbox_id]).retrying == [outbox_id]
    assert box.deliver_pending().failed == [outbox_id]
    stub.start()
    assert box.deliver_pending(include_failed=True).sent == [outbox_id]
    box.close()


def test_images_are_uploaded_at_delivery_and_sent(outbox: Outbox, stub: WeComStub) -> None:
    outbox.deliver([outbox.image("alice", PNG)])
    (message,) = stub.state.messages
    assert message["msgtype"] == "image"
    assert stub.state.media(message["image"]["media_id"]) == PNG


def test_group_robots_by_department_key_from_settings(outbox: Outbox, stub: WeComStub) -> None:
    sent = outbox.enqueue("robot", "华东销售一部", "markdown", {"content": "**榜单**"})
    unknown_key = outbox.enqueue("robot", "华北销售部", "markdown", {"content": "x"})
    no_key = outbox.enqueue("robot", "市场部", "markdown", {"content": "x"})
    report = outbox.deliver([sent, unknown_key, no_key])
    assert report.sent == [sent] and report.failed == [unknown_key, no_key]
    assert stub.state.webhook_messages == [
        ("robot-key", {"msgtype": "markdown", "markdown": {"content": "**榜单**"}})
    ]
    errors = {e.recipient: e.last_error for e in outbox.unsent()}
    assert "93000" in (errors["华北销售部"] or "") and "no group robot key" in (
        errors["市场部"] or ""
    )
    assert "robot-key" not in str(errors)


@pytest.mark.parametrize("msgtype", ["markdown", "image"])
def test_a_send_cut_off_after_wecom_took_it_is_resent_identically_and_dropped_by_wecom(
    settings: Settings, stub: WeComStub, msgtype: str
) -> None:
    short = settings.model_copy(update={"wecom_send_lease_s": 0.3, "wecom_send_retries": 0})
    engine = app_engine(settings.app_db_url)
    crashed, restarted = Outbox(engine, short), Outbox(engine, short)
    outbox_id = crashed.markdown("alice", "**hi**") if msgtype == "markdown" else crashed.image(
        "alice", PNG)  # fmt: skip
    stub.state.hold_sends(1, after_taking=True)  # WeCom takes it; its answer never arrives
    sender = threading.Thread(target=crashed.deliver, args=([outbox_id],), daemon=True)
    sender.start()
    wait_for(lambda: stub.state.held() == 1)
    (entry,) = restarted.entries()
    assert entry.status == "sending" and entry.request is not None
    wait_for(lambda: restarted.deliver_pending().sent == [outbox_id], timeout_s=5)
    stub.state.release()
    sender.join(5)
    (first,) = stub.state.messages
    assert stub.state.duplicates == [first]  # the resend, byte for byte, dropped by WeCom
    assert first["enable_duplicate_check"] == 1 and first["duplicate_check_interval"] == 1800
    assert len(stub.state.calls("media/upload")) == (1 if msgtype == "image" else 0)
    (entry,) = restarted.entries()
    assert entry.status == "sent" and json.loads(entry.response or "{}")["msgid"]
    assert restarted.deliver_pending(due_only=False).sent == []  # sent: never again
    crashed.close()
    restarted.close()


def test_the_same_content_sent_twice_on_purpose_reaches_the_user_twice(
    outbox: Outbox, stub: WeComStub
) -> None:
    ids = [outbox.text("alice", "same answer"), outbox.text("alice", "same answer")]
    assert outbox.deliver(ids).sent == ids
    first, second = stub.state.messages
    assert first["enable_duplicate_check"] == 1 and "enable_duplicate_check" not in second
    assert stub.state.duplicates == []
