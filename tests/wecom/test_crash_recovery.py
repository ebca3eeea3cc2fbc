"""Exactly one reply per MsgId when a server process is killed (``kill -9``) mid-work.

A real ``hrq serve`` child process talks to the stand-in WeCom over 127.0.0.1. The
stand-in holds the first reply's ``message/send`` (before taking it, or after: the
message reached the user and the answer never reached hrq), so when the process is
killed, message A is in the outbox mid-send and message B, acknowledged to WeCom
and queued behind it, has no reply yet. After a restart on the same app database
both must arrive within seconds, each exactly once: taken over at once when the
killed process ran on this host, or when its leases run out (as if it ran on
another host: its lease owner names are moved there).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from api.wecom.inbox import Inbox
from api.wecom.outbox import Outbox
from api.wecom.stub import StubConfig, WeComStub, running_stub
from schema.app import wecom_messages, wecom_outbox
from schema.db import app_engine
from schema.settings import Settings
from tests.wecom.live import HrqProcess, child_clock, content_of, sent_to, wait_for, wecom_settings

USER = "guopingshi"  # a sales manager of the demo warehouse (seed 7)
RESTART_BOUND_S = 20.0
"""Generous bound for the replies after the restart (a lease of 3 s on a loaded machine)."""


@pytest.fixture
def stub() -> Iterator[WeComStub]:
    with running_stub(StubConfig(clock=child_clock)) as running:  # hrq runs in a child
        yield running


@pytest.fixture
def settings(tmp_path: Path, demo_warehouse_url: str, stub: WeComStub) -> Settings:
    return wecom_settings(tmp_path, demo_warehouse_url, stub, wecom_process_lease_s=3.0,
                          wecom_send_lease_s=3.0, wecom_recovery_poll_s=0.5)  # fmt: skip


def _ask(stub: WeComStub, server: HrqProcess, text: str) -> int:
    msg_id = stub.new_msg_id()
    response = stub.send_text(server.url, USER, text, msg_id=msg_id)
    assert (response.status_code, response.content) == (200, b"")
    return msg_id


def _move_to_another_host(settings: Settings) -> None:
    """Rename the lease owners (host:pid:tag) as if their process had run elsewhere."""
    with app_engine(settings.app_db_url).begin() as conn:
        for table in (wecom_messages, wecom_outbox):
            owner = table.c.lease_owner
            conn.execute(
                sa.update(table).where(owner.is_not(None)).values(lease_owner="elsewhere:" + owner)
            )


@pytest.mark.parametrize(
    ("taken", "elsewhere"),
    [(False, False), (True, True)],
    ids=["send-not-taken-same-host", "send-taken-leases-run-out"],
)
def test_a_killed_process_leaves_no_message_unanswered_and_none_answered_twice(
    stub: WeComStub, settings: Settings, taken: bool, elsewhere: bool
) -> None:
    first = HrqProcess(settings)
    try:
        stub.state.hold_sends(1, after_taking=taken)
        a = _ask(stub, first, "上个月的业绩")
        wait_for(lambda: stub.state.held() == 1)  # A's reply is being sent
        b = _ask(stub, first, "本月的业绩")  # acknowledged, queued behind A
    finally:
        first.kill()
    stub.state.release()  # WeCom's answer to A's send now goes nowhere
    assert len(sent_to(stub, USER)) == (1 if taken else 0)
    if elsewhere:
        _move_to_another_host(settings)

    restarted = time.monotonic()
    second = HrqProcess(settings)
    try:
        inbox = Inbox(app_engine(settings.app_db_url))
        wait_for(lambda: {inbox.status(str(a)), inbox.status(str(b))} == {"answered"},
                 timeout_s=RESTART_BOUND_S)  # fmt: skip
        elapsed = time.monotonic() - restarted
        outbox = Outbox(app_engine(settings.app_db_url), settings)
        assert outbox.unsent() == []
    finally:
        second.stop()
    replies = [content_of(m) for m in sent_to(stub, USER)]
    assert len(replies) == 2, replies
    assert sum("2026年10月" in r for r in replies) == 1  # A, once
    assert sum("2026年11月" in r for r in replies) == 1  # B, once
    assert len(stub.state.duplicates) == (1 if taken else 0)  # A's resend, dropped by WeCom
    entries = outbox.entries()
    assert sorted(e.reply_to for e in entries) == sorted([str(a), str(b)])
    assert all(e.status == "sent" and e.response and "msgid" in e.response for e in entries)
    assert elapsed < RESTART_BOUND_S
