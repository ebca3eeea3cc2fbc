"""The intelligent robot, callback-URL mode, against the local stand-in over 127.0.0.1:
streamed answers, one answer per msgid across restarts, charts, and answers scoped to the room."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from api.wecom.render import render_answer
from api.wecom.robot import SENT_PRIVATELY
from api.wecom.robot_messages import STREAM_CONTENT_LIMIT_BYTES
from api.wecom.robot_stub import RobotConfig, RobotStub
from api.wecom.streams import PENDING, Streams
from api.wecom.stub import StubConfig, WeComStub, running_stub
from assistant.ask import Assistant
from assistant.callers import resolve_caller
from schema.db import warehouse_engine
from schema.settings import Settings
from tests.wecom.live import HrqServer, content_of, sent_to, serve, wait_for, wecom_settings

GROUP = "wrstubgroup01"


@pytest.fixture(scope="module")
def team(demo_warehouse_url: str) -> dict[str, Any]:
    """A manager and two of their salespeople (from the warehouse, not by name)."""
    engine = warehouse_engine(demo_warehouse_url, read_only=True)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT m.employee_no, m.wecom_userid, e.employee_no, e.wecom_userid, d.name "
            "FROM employees e JOIN employees m ON e.manager_id = m.employee_id "
            "JOIN departments d ON d.department_id = e.department_id "
            "JOIN sales_targets t ON t.employee_id = e.employee_id AND t.month = DATE '2026-11-01' "
            "WHERE e.status = 'active' AND m.status = 'active' "
            "ORDER BY m.employee_no, e.employee_no")).all()  # fmt: skip
    engine.dispose()
    manager = rows[0][0]
    reps = [r for r in rows if r[0] == manager][:2]
    return {
        "manager": (manager, rows[0][1]),
        "reps": [(r[2], r[3]) for r in reps],
        "department": rows[0][4],
    }


@pytest.fixture
def stub() -> Iterator[WeComStub]:
    with running_stub(StubConfig()) as running:
        yield running


@pytest.fixture
def robot() -> RobotStub:
    return RobotStub(RobotConfig())


@pytest.fixture
def settings(
    tmp_path: Path, demo_warehouse_url: str, stub: WeComStub, robot: RobotStub, team: dict[str, Any]
) -> Settings:
    members = [team["manager"][1], *(userid for _, userid in team["reps"])]
    return wecom_settings(
        tmp_path, demo_warehouse_url, stub,
        wecom_robot_token=SecretStr(robot.config.token),
        wecom_robot_aes_key=SecretStr(robot.config.aes_key),
        wecom_robot_id=robot.config.aibotid,
        wecom_robot_groups={GROUP: members},
    )  # fmt: skip


@pytest.fixture
def server(settings: Settings) -> Iterator[HrqServer]:
    running = serve(settings)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def assistant(demo_warehouse_url: str, tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    from datetime import date

    folder = tmp_path_factory.mktemp("robot-ask")
    return Assistant.from_settings(Settings(
        warehouse_url=demo_warehouse_url, app_db_url=f"sqlite:///{folder / 'app.db'}",
        as_of=date(2026, 11, 26), data_dir=folder))  # fmt: skip


def _url(server: HrqServer) -> str:
    return server.url.replace("/wecom/callback", "/wecom/robot")


def _asks(settings: Settings, question: str) -> int:
    with sa.create_engine(settings.app_db_url).connect() as conn:
        return int(conn.execute(sa.text(
            "SELECT count(*) FROM audit_log WHERE question = :q"), {"q": question}).scalar_one())  # fmt: skip


def test_one_to_one_streams_a_placeholder_then_the_askers_answer(
    server: HrqServer, robot: RobotStub, team: dict[str, Any], assistant: Assistant
) -> None:
    number, userid = team["manager"]
    question = f"本月{team['department']}排行榜"
    frames = robot.converse(_url(server), robot.message(userid, question))
    first, last = frames[0], frames[-1]
    assert (first.content, first.finish) == (PENDING, False) and first.images == ()
    assert last.finish and all(not f.finish for f in frames[:-1])
    assert {f.stream_id for f in frames} == {first.stream_id}
    expected = assistant.ask(question, resolve_caller(number, warehouse=assistant.warehouse))
    assert expected.kind == "answer" and len(expected.rows) > 2
    assert last.content == render_answer(
        expected, "https://hrq.example.com", limit=STREAM_CONTENT_LIMIT_BYTES
    )
    assert len(last.images) == 1 and last.images[0].startswith(b"\x89PNG")  # the chart, last


def test_a_duplicate_msgid_gets_the_same_stream_and_no_second_answer_across_restarts(
    settings: Settings, robot: RobotStub, team: dict[str, Any]
) -> None:
    userid = team["manager"][1]
    question = f"本月{team['department']}业绩中位数是多少"
    message = robot.message(userid, question)
    first = serve(settings)
    try:
        frames = robot.converse(_url(first), message)
        again = robot.callback(_url(first), message)  # WeCom retries the msgid
    finally:
        first.stop()
    assert again is not None and again.stream_id == frames[0].stream_id
    assert again.finish and again.content == frames[-1].content
    second = serve(settings)  # a restart on the same app database
    try:
        retry = robot.converse(_url(second), message)
    finally:
        second.stop()
    assert [(f.stream_id, f.content, f.finish) for f in retry] == [
        (frames[-1].stream_id, frames[-1].content, True)
    ]
    assert _asks(settings, question) == 1  # asked (and audited) once


def test_a_rep_asking_for_their_own_bonus_in_the_group_gets_it_privately(
    server: HrqServer, robot: RobotStub, stub: WeComStub, team: dict[str, Any],
    assistant: Assistant,
) -> None:  # fmt: skip
    number, userid = team["reps"][0]
    question = "我这个月的奖金是多少"
    frames = robot.converse(_url(server), robot.message(userid, f"@hrq {question}", chatid=GROUP))
    assert frames[-1].content == SENT_PRIVATELY and frames[-1].images == ()
    (private,) = wait_for(lambda: sent_to(stub, userid))
    own = assistant.ask(question, resolve_caller(number, warehouse=assistant.warehouse))
    assert own.kind == "answer" and own.rows
    assert content_of(private).startswith(own.answer.strip())
    others = [u for _, u in team["reps"][1:]] + [team["manager"][1]]
    assert all(sent_to(stub, other) == [] for other in others)


def test_the_leaderboard_everyone_in_the_group_may_see_is_answered_in_the_group(
    server: HrqServer, robot: RobotStub, stub: WeComStub, team: dict[str, Any]
) -> None:
    userid = team["reps"][1][1]
    question = f"本月{team['department']}排行榜"
    frames = robot.converse(_url(server), robot.message(userid, f"@hrq {question}", chatid=GROUP))
    last = frames[-1]
    assert "排行榜" in last.content and "🔒" not in last.content
    assert len(last.images) == 1  # the room's chart
    rows = [line for line in last.content.splitlines() if " | " in line and "**" not in line]
    assert len(rows) >= 3  # every member's row, as the room sees them
    assert all(" | — | " in row for row in rows)  # no one's employee number or target
    assert sent_to(stub, userid) == []  # nothing private: the group saw all there was


def test_a_fourth_message_in_flight_is_told_to_wait(
    server: HrqServer, settings: Settings, robot: RobotStub, team: dict[str, Any]
) -> None:
    userid = team["reps"][0][1]
    streams = Streams(sa.create_engine(settings.app_db_url))
    for n in range(3):
        streams.open(f"robot:held-{n}", userid, None)
    frame = robot.callback(_url(server), robot.message(userid, "本月业绩"))
    assert frame is not None and frame.finish and "3 个问题" in frame.content


def test_callbacks_are_verified(server: HrqServer, robot: RobotStub) -> None:
    response, echo = robot.verify_url(_url(server))
    assert response.status_code == 200 and response.text == echo
    stranger = RobotStub(RobotConfig(aes_key=robot.config.aes_key, token="another-token"))
    with pytest.raises(Exception, match="HTTP 403"):
        stranger.callback(_url(server), stranger.message("anyone", "hi"))
    other_bot = RobotStub(RobotConfig(robot.config.token, robot.config.aes_key, "aibother"))
    with pytest.raises(Exception, match="HTTP 403"):
        other_bot.callback(_url(server), other_bot.message("anyone", "hi"))
    enter = robot.message("anyone", "") | {"msgtype": "event", "event": {"eventtype": "enter_chat"}}
    welcome = robot.callback(_url(server), enter)
    assert welcome is not None and welcome.msgtype == "text" and "hrq" in welcome.content


def test_a_process_killed_while_answering_leaves_one_answer(
    settings: Settings, robot: RobotStub, team: dict[str, Any]
) -> None:
    """``kill -9`` right after the first frame; the restarted process takes the message over
    (its lease's process ended) and WeCom's refreshes get the one answer."""
    from tests.wecom.live import HrqProcess, child_clock

    robot = RobotStub(replace(robot.config, clock=child_clock))  # hrq runs in a child
    userid = team["manager"][1]
    message = robot.message(userid, f"本月{team['department']}谁超过了中位数")
    first = HrqProcess(settings)
    try:
        frame = robot.callback(first.url.replace("/wecom/callback", "/wecom/robot"), message)
    finally:
        first.kill()
    assert frame is not None and not frame.finish and frame.content == PENDING
    second = HrqProcess(settings)
    try:
        url = second.url.replace("/wecom/callback", "/wecom/robot")
        frames = robot.converse(url, message, stream_id=frame.stream_id)  # WeCom's refreshes
    finally:
        second.stop()
    assert frames[-1].finish and frames[-1].stream_id == frame.stream_id
    assert "中位数" in frames[-1].content
    with sa.create_engine(settings.app_db_url).connect() as conn:
        status = conn.execute(sa.text("SELECT status FROM wecom_messages WHERE msg_id = :m"),
                              {"m": "robot:" + message["msgid"]}).scalar_one()  # fmt: skip
    assert status == "answered"
