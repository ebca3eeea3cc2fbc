"""Leases on WeCom messages, on SQLite and PostgreSQL: who answers a MsgId, and only once."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from api.wecom.inbox import Inbox
from api.wecom.leases import new_owner, stopped
from api.wecom.messages import WeComMessage
from api.wecom.outbox import text_draft
from schema.app import wecom_messages, wecom_outbox
from schema.db import app_engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def inbox(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Inbox]:
    """An inbox on SQLite, and on PostgreSQL when HRQ_TEST_POSTGRES_URL is set."""
    url = (
        f"sqlite:///{tmp_path / 'app.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    engine = app_engine(url)
    yield Inbox(engine)
    engine.dispose()


def _message(msg_id: str) -> WeComMessage:
    return WeComMessage(msg_type="text", from_user_name="u1", to_user_name="corp",
                        create_time=1, content="上个月的业绩", msg_id=msg_id, agent_id=None)  # fmt: skip


def _expire(engine: Engine, msg_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.update(wecom_messages)
            .where(wecom_messages.c.msg_id == msg_id)
            .values(lease_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )


def _ended_owner() -> str:
    """The owner name a process of this host had, which has ended since."""
    child = subprocess.run(
        [sys.executable, "-c", "from api.wecom.leases import new_owner; print(new_owner())"],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    return child.stdout.strip()


def test_a_live_lease_keeps_retries_out_and_an_expired_one_is_taken_over(inbox: Inbox) -> None:
    message = _message("m1")
    first = inbox.claim(message, "host-a:1:aa", 60)
    assert first is not None and first.attempt == 1
    assert inbox.claim(message, "host-b:2:bb", 60) is None  # a retry while host-a works
    assert inbox.take_expired("host-b:2:bb", 60) == []
    _expire(inbox.engine, "m1")
    (taken,) = inbox.take_expired("host-b:2:bb", 60)
    assert taken.message == message and taken.attempt == 2
    assert inbox.claim(message, "host-c:3:cc", 60) is None  # now host-b's, and live


def test_only_the_lease_holder_can_queue_the_replies(inbox: Inbox) -> None:
    message = _message("m2")
    assert inbox.claim(message, "slow:1:aa", 60)
    _expire(inbox.engine, "m2")  # "slow" stalled past its lease ...
    assert inbox.claim(message, "fast:2:bb", 60)  # ... and WeCom's retry was taken over
    assert inbox.commit_replies(message, "slow:1:aa", [text_draft("u1", "late")]) is None
    ids = inbox.commit_replies(message, "fast:2:bb", [text_draft("u1", "answer")])
    assert ids and len(ids) == 1
    assert inbox.commit_replies(message, "fast:2:bb", [text_draft("u1", "again")]) is None
    with inbox.engine.connect() as conn:
        rows = conn.execute(sa.select(wecom_outbox.c.payload, wecom_outbox.c.reply_to)).all()
    assert [(r.reply_to, r.payload) for r in rows] == [("m2", '{"content": "answer"}')]
    assert inbox.status("m2") == "replied"


def test_renewal_keeps_a_lease_and_a_released_one_is_free(inbox: Inbox) -> None:
    message = _message("m3")
    assert inbox.claim(message, "host-a:1:aa", 0.001)
    assert inbox.renew("host-a:1:aa", 60) == 1
    assert inbox.take_expired("host-b:2:bb", 60) == []
    inbox.release(message, "host-a:1:aa")
    assert [t.message.msg_id for t in inbox.take_expired("host-b:2:bb", 60)] == ["m3"]


def test_the_lease_of_an_ended_process_of_this_host_is_taken_over_at_once(inbox: Inbox) -> None:
    ended = _ended_owner()
    assert stopped(ended) and not stopped(new_owner())  # this process runs
    assert not stopped("elsewhere:1:aa") and not stopped("not an owner name")
    assert inbox.claim(_message("m4"), ended, 600)
    assert inbox.claim(_message("m5"), "elsewhere:1:aa", 600)
    assert [t.message.msg_id for t in inbox.take_expired(new_owner(), 60)] == ["m4"]
    assert inbox.claim(_message("m5"), new_owner(), 60) is None  # another host: wait it out


def test_a_message_is_answered_once_its_replies_were_all_sent(inbox: Inbox) -> None:
    message = _message("m6")
    assert inbox.claim(message, "host-a:1:aa", 60)
    (outbox_id,) = inbox.commit_replies(message, "host-a:1:aa", [text_draft("u1", "x")]) or []
    assert inbox.settle() == 0 and inbox.status("m6") == "replied"
    with inbox.engine.begin() as conn:
        conn.execute(
            sa.update(wecom_outbox)
            .where(wecom_outbox.c.outbox_id == outbox_id)
            .values(status="sent")
        )
    assert inbox.settle() == 1 and inbox.status("m6") == "answered"
