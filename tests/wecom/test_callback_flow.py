"""The whole WeCom flow over real HTTP: stand-in WeCom -> signed callback -> hrq (uvicorn on
127.0.0.1) -> background answer -> ``message/send`` at the stand-in."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from api.wecom.inbox import Inbox
from api.wecom.messages import WeComMessage
from api.wecom.outbox import Outbox
from api.wecom.stub import StubConfig, WeComStub, running_stub
from schema.app import wecom_messages
from schema.db import app_engine, warehouse_engine
from schema.settings import Settings
from tests.wecom.live import HrqServer, content_of, sent_to, serve, wait_for, wecom_settings

DEPARTMENT = "华东销售一部"


@pytest.fixture(scope="module")
def people(demo_warehouse_url: str) -> dict[str, str]:
    """WeCom userids of a sales manager, a sales rep and a terminated rep of one department."""
    engine = warehouse_engine(demo_warehouse_url)
    query = sa.text(
        "SELECT e.wecom_userid FROM employees e JOIN departments d USING (department_id) "
        "WHERE d.name = :dept AND e.title = :title AND e.status = :status ORDER BY e.employee_id"
    )
    wanted = {
        "manager": ("Sales Manager", "active"),
        "sales": ("Sales Representative", "active"),
        "former": ("Sales Representative", "terminated"),
    }
    with engine.connect() as conn:
        found = {
            label: conn.execute(query, {"dept": DEPARTMENT, "title": t, "status": s}).scalar()
            for label, (t, s) in wanted.items()
        }
    engine.dispose()
    assert all(found.values()), found
    return found  # type: ignore[return-value]


@pytest.fixture
def stub() -> Iterator[WeComStub]:
    with running_stub(StubConfig()) as running:
        yield running


@pytest.fixture
def settings(tmp_path: Path, demo_warehouse_url: str, stub: WeComStub) -> Settings:
    return wecom_settings(tmp_path, demo_warehouse_url, stub)


@pytest.fixture
def hrq(settings: Settings) -> Iterator[HrqServer]:
    server = serve(settings)
    yield server
    server.stop()


def _ask(
    stub: WeComStub, hrq: HrqServer, userid: str, text: str, msg_id: int | None = None
) -> None:
    response = stub.send_text(hrq.url, userid, text, msg_id=msg_id)
    assert (response.status_code, response.content) == (200, b"")


def _replies(stub: WeComStub, userid: str, count: int = 1) -> list[dict]:
    return wait_for(lambda: (lambda m: m if len(m) >= count else None)(sent_to(stub, userid)))


def test_a_manager_question_is_answered_in_markdown(
    stub: WeComStub, hrq: HrqServer, people: dict[str, str]
) -> None:
    _ask(stub, hrq, people["manager"], "本月各部门业绩中位数是多少")
    (reply,) = _replies(stub, people["manager"])
    assert reply["msgtype"] == "markdown"
    assert DEPARTMENT in content_of(reply) and "中位数" in content_of(reply)


def test_retries_of_one_msg_id_give_one_answer_even_after_a_restart(
    stub: WeComStub, settings: Settings, people: dict[str, str]
) -> None:
    userid = people["manager"]
    first = serve(settings)
    try:
        for _ in range(3):  # WeCom's retries
            _ask(stub, first, userid, "上个月的业绩", msg_id=4242)
        _replies(stub, userid)
    finally:
        first.stop()
    second = serve(settings)  # a restart on the same app database
    try:
        _ask(stub, second, userid, "上个月的业绩", msg_id=4242)
        _ask(stub, second, userid, "本月的业绩", msg_id=4243)  # a new message is still answered
        replies = _replies(stub, userid, 2)
        time.sleep(0.3)
        assert len(sent_to(stub, userid)) == 2 == len(replies)
    finally:
        second.stop()
    assert Inbox(app_engine(settings.app_db_url)).status("4242") == "answered"


def test_a_sales_rep_asking_for_payroll_is_refused(
    stub: WeComStub, hrq: HrqServer, people: dict[str, str]
) -> None:
    _ask(stub, hrq, people["sales"], f"{DEPARTMENT}的工资总额")
    (reply,) = _replies(stub, people["sales"])
    assert "工资数据仅 HR 可以查看" in content_of(reply)
    assert "¥" not in content_of(reply)


def test_unknown_and_former_senders_are_refused_politely(
    stub: WeComStub, hrq: HrqServer, people: dict[str, str]
) -> None:
    _ask(stub, hrq, "stranger01", "本月业绩")
    _ask(stub, hrq, people["former"], "本月业绩")
    (unknown,) = _replies(stub, "stranger01")
    (former,) = _replies(stub, people["former"])
    assert "抱歉" in content_of(unknown) and "联系 HR" in content_of(unknown)
    assert "不是在职状态" in content_of(former)


def test_other_message_types_get_help(
    stub: WeComStub, hrq: HrqServer, people: dict[str, str]
) -> None:
    plaintext = (
        f"<xml><ToUserName><![CDATA[{stub.config.corp_id}]]></ToUserName>"
        f"<FromUserName><![CDATA[{people['manager']}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[image]]></MsgType>"
        "<PicUrl><![CDATA[http://example.com/a.png]]></PicUrl><MediaId><![CDATA[m1]]></MediaId>"
        f"<MsgId>99001</MsgId><AgentID>{stub.config.agent_id}</AgentID></xml>"
    )
    assert stub.send_callback(hrq.url, plaintext).status_code == 200
    (reply,) = _replies(stub, people["manager"])
    assert reply["msgtype"] == "text" and "请直接发文字提问" in content_of(reply)


def test_a_clarification_is_answered_with_a_number(
    stub: WeComStub, hrq: HrqServer, people: dict[str, str]
) -> None:
    userid = people["manager"]
    _ask(stub, hrq, userid, "华东")
    (question,) = _replies(stub, userid)
    lines = content_of(question).splitlines()
    assert "请回复序号选择：" in lines and "1. 业绩" in lines
    _ask(stub, hrq, userid, "1")
    _, answer = _replies(stub, userid, 2)
    assert "销售额" in content_of(answer) and "¥" in content_of(answer)
    assert "请回复序号" not in content_of(answer)


def test_a_follow_up_uses_the_conversation(
    stub: WeComStub, hrq: HrqServer, people: dict[str, str]
) -> None:
    userid = people["manager"]
    _ask(stub, hrq, userid, "上个月的业绩")
    _replies(stub, userid)
    _ask(stub, hrq, userid, "那本月呢")
    _, follow_up = _replies(stub, userid, 2)
    assert "2026年11月" in content_of(follow_up)


def test_a_leaderboard_comes_with_its_chart(
    stub: WeComStub, hrq: HrqServer, people: dict[str, str]
) -> None:
    userid = people["manager"]
    _ask(stub, hrq, userid, f"上个月{DEPARTMENT}排行榜")
    markdown, image = _replies(stub, userid, 2)
    assert markdown["msgtype"] == "markdown" and "**排名**" in content_of(markdown)
    assert image["msgtype"] == "image"
    upload = stub.state.calls("media/upload")[-1]
    assert upload.media is not None and upload.media[1] == "image/png" and upload.media[2] > 1000


def test_token_expiry_mid_send_is_refreshed_once_and_delivered(
    stub: WeComStub, hrq: HrqServer, people: dict[str, str]
) -> None:
    userid = people["manager"]
    _ask(stub, hrq, userid, "上个月的业绩")
    _replies(stub, userid)
    stub.state.expire_tokens()
    _ask(stub, hrq, userid, "本月的业绩")
    _replies(stub, userid, 2)
    assert len(stub.state.calls("gettoken")) == 2
    assert [c.errcode for c in stub.state.calls("message/send")] == [0, 42001, 0]


def test_a_rate_limit_is_backed_off_and_delivered(
    stub: WeComStub, hrq: HrqServer, people: dict[str, str]
) -> None:
    userid = people["manager"]
    stub.state.rate_limit_next(2)  # gettoken twice, within the client's two retries
    _ask(stub, hrq, userid, "上个月的业绩")
    _replies(stub, userid)
    stub.state.rate_limit_next(1)  # then one message/send
    _ask(stub, hrq, userid, "本月的业绩")
    _, reply = _replies(stub, userid, 2)
    assert "销售额" in content_of(reply)
    calls = [(c.path.rsplit("/", 1)[-1], c.errcode) for c in stub.state.calls()]
    assert calls == [("gettoken", 45009), ("gettoken", 45009), ("gettoken", 0), ("send", 0),
                     ("send", 45009), ("send", 0)]  # fmt: skip


def test_while_wecom_is_down_the_answer_waits_in_the_outbox(
    stub: WeComStub, hrq: HrqServer, settings: Settings, people: dict[str, str]
) -> None:
    userid = people["manager"]
    outbox = Outbox(app_engine(settings.app_db_url), settings)
    stub.stop()
    _ask(stub, hrq, userid, "上个月的业绩")
    (entry,) = wait_for(lambda: [e for e in outbox.unsent() if e.attempts >= 1])
    assert entry.recipient == userid and "unreachable" in (entry.last_error or "")
    stub.start()
    (reply,) = _replies(stub, userid)  # the idle worker retries it
    assert "销售额" in content_of(reply)
    assert wait_for(lambda: not outbox.unsent())


def _lost(userid: str, msg_id: int, text: str = "上个月的业绩") -> WeComMessage:
    return WeComMessage(msg_type="text", from_user_name=userid, to_user_name="corp",
                        create_time=1, content=text, msg_id=str(msg_id), agent_id=None)  # fmt: skip


def _expire(settings: Settings, msg_id: int) -> None:
    with app_engine(settings.app_db_url).begin() as conn:
        conn.execute(
            sa.update(wecom_messages)
            .where(wecom_messages.c.msg_id == str(msg_id))
            .values(lease_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )


def test_a_message_whose_process_stopped_is_answered_without_any_callback(
    stub: WeComStub, settings: Settings, people: dict[str, str]
) -> None:
    userid = people["manager"]
    inbox = Inbox(app_engine(settings.app_db_url))
    # One process claimed 7001 and stopped (its lease ran out); another is answering 7002.
    assert inbox.claim(_lost(userid, 7001), "stopped-process", 600)
    assert inbox.claim(_lost(userid, 7002), "live-process", 600)
    _expire(settings, 7001)
    server = serve(settings)
    try:
        (reply,) = _replies(stub, userid)  # the new process's recovery round
        assert "2026年10月" in content_of(reply)
        _ask(stub, server, userid, "上个月的业绩", msg_id=7002)  # a retry: its process lives
        _ask(stub, server, userid, "本月的业绩", msg_id=7003)
        replies = _replies(stub, userid, 2)
    finally:
        server.stop()
    assert len(replies) == 2 and "2026年11月" in content_of(replies[1])
    assert inbox.status("7001") == "answered"
    assert inbox.status("7002") == "received"  # left to the live process that holds it


def test_a_retry_of_a_message_whose_process_stopped_is_answered_not_dropped(
    stub: WeComStub, tmp_path: Path, demo_warehouse_url: str, people: dict[str, str]
) -> None:
    userid = people["manager"]
    # Recovery rounds far apart: only the retry itself can pick the message up.
    settings = wecom_settings(tmp_path, demo_warehouse_url, stub, wecom_recovery_poll_s=600)
    server = serve(settings)
    try:
        inbox = Inbox(app_engine(settings.app_db_url))
        assert inbox.claim(_lost(userid, 7101), "stopped-process", 600)
        _ask(stub, server, userid, "上个月的业绩", msg_id=7101)  # lease still live: dropped
        _expire(settings, 7101)
        _ask(stub, server, userid, "上个月的业绩", msg_id=7101)  # WeCom's next retry
        (reply,) = _replies(stub, userid)
        time.sleep(0.3)
        assert len(sent_to(stub, userid)) == 1
    finally:
        server.stop()
    assert "2026年10月" in content_of(reply)
    assert inbox.status("7101") == "answered"
