"""The response_url fallback against the stand-ins over 127.0.0.1: an answer ready after the
stream's time limit goes through the message's response_url, once; within the limit, or
over the long connection, it does not."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from api.wecom.robot_stub import RobotConfig, RobotStub
from api.wecom.robot_ws_stub import RobotWsStub, WsStubConfig
from api.wecom.stub import StubConfig, WeComStub, running_stub
from schema.db import warehouse_engine
from schema.settings import Settings
from tests.wecom.live import HrqServer, serve, wait_for, wecom_settings
from tests.wecom.test_robot_ws import connect


@pytest.fixture
def stub() -> Iterator[WeComStub]:
    with running_stub(StubConfig()) as running:
        yield running


@pytest.fixture
def robot(stub: WeComStub) -> RobotStub:
    return RobotStub(RobotConfig(response_base=f"{stub.base_url}/cgi-bin/aibot/response"))


@pytest.fixture(scope="module")
def asker(demo_warehouse_url: str) -> tuple[str, str]:
    """A manager's userid and department (from the warehouse, not by name)."""
    engine = warehouse_engine(demo_warehouse_url, read_only=True)
    with engine.connect() as conn:
        userid, department = conn.execute(sa.text(
            "SELECT m.wecom_userid, d.name FROM employees e JOIN employees m "
            "ON e.manager_id = m.employee_id JOIN departments d ON d.department_id = e.department_id "
            "JOIN sales_targets t ON t.employee_id = e.employee_id AND t.month = DATE '2026-11-01' "
            "WHERE m.status = 'active' ORDER BY m.employee_no LIMIT 1")).one()  # fmt: skip
    engine.dispose()
    return str(userid), str(department)


def _server(tmp_path: Path, url: str, stub: WeComStub, robot: RobotStub,
            window_s: float) -> HrqServer:  # fmt: skip
    return serve(wecom_settings(
        tmp_path, url, stub, wecom_robot_token=SecretStr(robot.config.token),
        wecom_robot_aes_key=SecretStr(robot.config.aes_key), wecom_robot_id=robot.config.aibotid,
        wecom_robot_stream_window_s=window_s,
    ))  # fmt: skip


def _robot_url(server: HrqServer) -> str:
    return server.url.replace("/wecom/callback", "/wecom/robot")


def test_an_answer_after_the_stream_limit_goes_through_the_response_url_once(
    tmp_path: Path, demo_warehouse_url: str, stub: WeComStub, robot: RobotStub,
    asker: tuple[str, str],
) -> None:  # fmt: skip
    server = _server(tmp_path, demo_warehouse_url, stub, robot, window_s=0.001)
    try:
        userid, department = asker
        message = robot.message(userid, f"本月{department}排行榜")
        frames = robot.converse(_robot_url(server), message)
        final = frames[-1]
        assert final.finish and department in final.content
        ((code, body),) = wait_for(lambda: list(stub.state.robot_responses), timeout_s=30)
        assert message["response_url"].endswith(f"response_code={code}")
        assert body == {"msgtype": "markdown", "markdown": {"content": final.content}}
        assert robot.callback(_robot_url(server), message) is not None  # WeCom's retry
        time.sleep(1.0)
        assert len(stub.state.robot_responses) == 1
    finally:
        server.stop()


def test_an_answer_within_the_limit_only_finishes_the_stream(
    tmp_path: Path, demo_warehouse_url: str, stub: WeComStub, robot: RobotStub,
    asker: tuple[str, str],
) -> None:  # fmt: skip
    server = _server(tmp_path, demo_warehouse_url, stub, robot, window_s=360)
    try:
        userid, department = asker
        frames = robot.converse(
            _robot_url(server), robot.message(userid, f"本月{department}排行榜")
        )
        assert frames[-1].finish and department in frames[-1].content
        time.sleep(1.0)
        assert stub.state.robot_responses == []
    finally:
        server.stop()


def test_the_long_connection_answers_late_on_its_own_frames(
    tmp_path: Path, demo_warehouse_url: str, stub: WeComStub, robot: RobotStub,
    asker: tuple[str, str],
) -> None:  # fmt: skip
    endpoint = RobotWsStub(WsStubConfig()).start()
    settings: Settings = wecom_settings(
        tmp_path, demo_warehouse_url, stub, wecom_robot_bot_id=endpoint.config.bot_id,
        wecom_robot_secret=SecretStr(endpoint.config.secret), wecom_robot_ws_url=endpoint.url,
        wecom_robot_stream_window_s=0.001,
    )  # fmt: skip
    connected = connect(settings)
    try:
        endpoint.wait_subscribed()
        userid, department = asker
        req_id = endpoint.push(robot.message(userid, f"本月{department}排行榜"))
        assert department in endpoint.final(req_id)["stream"]["content"]
        time.sleep(1.0)
        assert stub.state.robot_responses == []
    finally:
        connected.stop()
        endpoint.stop()
