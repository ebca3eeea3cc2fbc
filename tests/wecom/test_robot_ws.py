"""The intelligent robot's long-connection mode against the local stand-in WebSocket endpoint
over 127.0.0.1: subscribe, streamed answers, heartbeats, a drop resumed with each message
answered once, a wrong secret refused, and a group answer in the room's scope."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from api.http.services import Services
from api.wecom.callback import WeComService
from api.wecom.render import render_answer
from api.wecom.robot import SENT_PRIVATELY
from api.wecom.robot_messages import STREAM_CONTENT_LIMIT_BYTES
from api.wecom.robot_stub import RobotConfig, RobotStub
from api.wecom.robot_ws import ConnectConfig, RobotConnectError, RobotConnection
from api.wecom.robot_ws_stub import RobotWsStub, WsStubConfig
from api.wecom.streams import PENDING
from api.wecom.stub import StubConfig, WeComStub, running_stub
from assistant.ask import Assistant
from assistant.callers import resolve_caller
from schema.db import warehouse_engine
from schema.settings import Settings
from tests.wecom.live import content_of, sent_to, wait_for, wecom_settings

GROUP = "wsstubgroup01"


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
    return {"manager": (manager, rows[0][1]), "reps": [(r[2], r[3]) for r in reps],
            "department": rows[0][4]}  # fmt: skip


@pytest.fixture(scope="module")
def assistant(demo_warehouse_url: str, tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    from datetime import date

    folder = tmp_path_factory.mktemp("robot-ws-ask")
    return Assistant.from_settings(Settings(
        warehouse_url=demo_warehouse_url, app_db_url=f"sqlite:///{folder / 'app.db'}",
        as_of=date(2026, 11, 26), data_dir=folder))  # fmt: skip


@pytest.fixture
def stub() -> Iterator[WeComStub]:
    with running_stub(StubConfig()) as running:
        yield running


@pytest.fixture
def endpoint() -> Iterator[RobotWsStub]:
    running = RobotWsStub(WsStubConfig()).start()
    yield running
    running.stop()


def _settings(tmp_path: Path, url: str, stub: WeComStub, endpoint: RobotWsStub,
              team: dict[str, Any], secret: str) -> Settings:  # fmt: skip
    members = [team["manager"][1], *(userid for _, userid in team["reps"])]
    return wecom_settings(
        tmp_path, url, stub,
        wecom_robot_bot_id=endpoint.config.bot_id, wecom_robot_secret=SecretStr(secret),
        wecom_robot_ws_url=endpoint.url, wecom_robot_heartbeat_s=0.2,
        wecom_robot_groups={GROUP: members},
    )  # fmt: skip


@dataclass
class Connected:
    connection: RobotConnection
    thread: threading.Thread
    service: WeComService
    error: list[BaseException]

    def stop(self) -> None:
        self.connection.stop()
        self.thread.join(10)
        self.service.close()


def connect(settings: Settings) -> Connected:
    """hrq's long connection, run in a thread with its own event loop."""
    services = Services(settings)
    services.prepare()
    service = WeComService(services)
    assert service.robot is not None
    config = ConnectConfig.from_settings(settings)
    connection = RobotConnection(service.robot, replace_backoff(config))
    errors: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(connection.run())
        except BaseException as exc:  # noqa: BLE001 - the test reads it
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return Connected(connection, thread, service, errors)


def replace_backoff(config: ConnectConfig) -> ConnectConfig:
    from dataclasses import replace

    return replace(config, backoff_s=0.05, max_backoff_s=0.2, poll_s=0.05)


def _asks(settings: Settings, question: str) -> int:
    with sa.create_engine(settings.app_db_url).connect() as conn:
        return int(conn.execute(sa.text(
            "SELECT count(*) FROM audit_log WHERE question = :q"), {"q": question}).scalar_one())  # fmt: skip


@pytest.fixture
def running(tmp_path: Path, demo_warehouse_url: str, stub: WeComStub, endpoint: RobotWsStub,
            team: dict[str, Any]) -> Iterator[tuple[Settings, Connected]]:  # fmt: skip
    settings = _settings(tmp_path, demo_warehouse_url, stub, endpoint, team,
                         endpoint.config.secret)  # fmt: skip
    connected = connect(settings)
    yield settings, connected
    connected.stop()


def test_subscribes_streams_a_placeholder_then_the_answer_and_sends_heartbeats(
    running: tuple[Settings, Connected], endpoint: RobotWsStub, team: dict[str, Any],
    assistant: Assistant,
) -> None:  # fmt: skip
    endpoint.wait_subscribed()
    number, userid = team["manager"]
    question = f"本月{team['department']}排行榜"
    req_id = endpoint.push(RobotStub(RobotConfig()).message(userid, question))
    last = endpoint.final(req_id)
    frames = endpoint.responses[req_id]
    first = frames[0]["stream"]
    assert (first["content"], first["finish"]) == (PENDING, False)
    assert {f["stream"]["id"] for f in frames} == {first["id"]}
    expected = assistant.ask(question, resolve_caller(number, warehouse=assistant.warehouse))
    assert expected.kind == "answer" and len(expected.rows) > 2
    assert last["stream"]["content"] == render_answer(
        expected, "https://hrq.example.com", limit=STREAM_CONTENT_LIMIT_BYTES
    )
    assert last["stream"]["msg_item"][0]["msgtype"] == "image"  # the chart
    assert endpoint.pings >= 1  # heartbeats every 0.2 s while the answer was composed


def test_a_drop_is_resumed_and_a_repushed_message_is_answered_once(
    running: tuple[Settings, Connected], endpoint: RobotWsStub, team: dict[str, Any]
) -> None:
    settings, connected = running
    endpoint.wait_subscribed()
    _, userid = team["manager"]
    question = f"本月{team['department']}排行榜"
    message = RobotStub(RobotConfig()).message(userid, question)
    endpoint.push(message, req_id="req-before-drop")
    endpoint.drop()
    endpoint.wait_subscribed(2)  # reconnected
    again = endpoint.push(message, req_id="req-after-drop")  # WeCom pushes it again
    final = endpoint.final(again)
    assert final["stream"]["content"] != PENDING
    assert _asks(settings, question) == 1  # one answer, not two
    assert connected.connection.subscriptions == 2 and not connected.error


def test_a_wrong_secret_is_refused_with_a_clear_error(
    tmp_path: Path, demo_warehouse_url: str, stub: WeComStub, endpoint: RobotWsStub,
    team: dict[str, Any],
) -> None:  # fmt: skip
    settings = _settings(tmp_path, demo_warehouse_url, stub, endpoint, team, "not-the-secret")
    connected = connect(settings)
    connected.thread.join(20)
    connected.service.close()
    assert not connected.thread.is_alive()  # no retry loop against a refusal
    (error,) = connected.error
    assert isinstance(error, RobotConnectError)
    assert "853000" in str(error) and "HRQ_WECOM_ROBOT_SECRET" in str(error)
    assert endpoint.subscriptions == 0 and endpoint.refusals == 1


def test_a_reps_own_bonus_asked_in_the_group_goes_to_them_privately_not_to_the_group(
    running: tuple[Settings, Connected], endpoint: RobotWsStub, stub: WeComStub,
    team: dict[str, Any], assistant: Assistant,
) -> None:  # fmt: skip
    endpoint.wait_subscribed()
    number, userid = team["reps"][0]
    question = "我这个月的奖金是多少"
    message = RobotStub(RobotConfig()).message(userid, f"@hrq {question}", chatid=GROUP)
    final = endpoint.final(endpoint.push(message))
    assert final["stream"]["content"] == SENT_PRIVATELY and "msg_item" not in final["stream"]
    (private,) = wait_for(lambda: sent_to(stub, userid))
    own = assistant.ask(question, resolve_caller(number, warehouse=assistant.warehouse))
    assert own.kind == "answer" and own.rows
    assert content_of(private).startswith(own.answer.strip())
    others = [u for _, u in team["reps"][1:]] + [team["manager"][1]]
    assert all(sent_to(stub, other) == [] for other in others)


def test_entering_the_chat_is_welcomed_on_the_events_req_id(
    running: tuple[Settings, Connected], endpoint: RobotWsStub, team: dict[str, Any]
) -> None:
    from api.wecom.render import HELP_TEXT
    from api.wecom.robot_ws import EVENT_CALLBACK

    endpoint.wait_subscribed()
    event = {"msgid": "ws-enter-1", "aibotid": "", "chattype": "single",
             "from": {"userid": team["manager"][1]}, "msgtype": "event",
             "event": {"eventtype": "enter_chat"}}  # fmt: skip
    req_id = endpoint.push(event, cmd=EVENT_CALLBACK)
    welcome = wait_for(lambda: endpoint.responses.get(req_id))
    assert welcome == [{"msgtype": "text", "text": {"content": HELP_TEXT}}]
