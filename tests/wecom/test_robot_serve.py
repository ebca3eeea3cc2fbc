"""The robot's long connection inside ``hrq serve``, against the stand-in endpoint over
127.0.0.1: started with the app, one connection per bot across server processes, taken over
when the holder shuts down, reconnected after a drop, refused credentials not retried."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from api.wecom.robot_stub import RobotConfig, RobotStub
from api.wecom.robot_ws_stub import RobotWsStub, WsStubConfig
from api.wecom.stub import StubConfig, WeComStub, running_stub
from schema.settings import Settings
from tests.wecom.live import HrqServer, serve, wait_for, wecom_settings


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
              secret: str | None = None, **overrides: object) -> Settings:  # fmt: skip
    return wecom_settings(
        tmp_path, url, stub, **overrides, wecom_robot_bot_id=endpoint.config.bot_id,
        wecom_robot_secret=SecretStr(secret or endpoint.config.secret),
        wecom_robot_ws_url=endpoint.url, wecom_robot_heartbeat_s=0.2,
        wecom_recovery_poll_s=0.1,
    )  # fmt: skip


def _userid(stub: WeComStub, demo_warehouse_url: str) -> str:
    import sqlalchemy as sa

    from schema.db import warehouse_engine

    engine = warehouse_engine(demo_warehouse_url, read_only=True)
    with engine.connect() as conn:
        userid = conn.execute(sa.text(
            "SELECT wecom_userid FROM employees WHERE status = 'active' AND wecom_userid "
            "IS NOT NULL ORDER BY employee_no LIMIT 1")).scalar_one()  # fmt: skip
    engine.dispose()
    return str(userid)


def _answered(endpoint: RobotWsStub, userid: str) -> dict[str, object]:
    req_id = endpoint.push(RobotStub(RobotConfig()).message(userid, "你好"))
    return endpoint.final(req_id, timeout=60)


def test_serve_holds_one_connection_per_bot_and_hands_it_over_on_shutdown(
    tmp_path: Path, demo_warehouse_url: str, stub: WeComStub, endpoint: RobotWsStub
) -> None:
    settings = _settings(tmp_path, demo_warehouse_url, stub, endpoint)
    first = serve(settings)
    second: HrqServer | None = None
    try:
        endpoint.wait_subscribed(1)
        second = serve(settings)  # a second process on the same app database
        time.sleep(1.0)  # ten of its polls
        assert endpoint.subscriptions == 1
        userid = _userid(stub, demo_warehouse_url)
        assert _answered(endpoint, userid)["stream"]
        first.stop()  # a clean shutdown releases the connection and its lease
        endpoint.wait_subscribed(2, timeout=20)
        assert _answered(endpoint, userid)["stream"]
        endpoint.drop()  # the network drops: the holder reconnects with backoff
        endpoint.wait_subscribed(3, timeout=20)
        assert _answered(endpoint, userid)["stream"]
    finally:
        first.stop()
        if second is not None:
            second.stop()
    subscribed = endpoint.subscriptions
    time.sleep(0.5)
    assert endpoint.subscriptions == subscribed == 3  # nobody connects after shutdown


def test_refused_credentials_are_not_retried(
    tmp_path: Path, demo_warehouse_url: str, stub: WeComStub, endpoint: RobotWsStub
) -> None:
    server = serve(_settings(tmp_path, demo_warehouse_url, stub, endpoint, secret="wrong"))
    try:
        wait_for(lambda: endpoint.refusals >= 1)
        time.sleep(1.0)
        assert (endpoint.refusals, endpoint.subscriptions) == (1, 0)
    finally:
        server.stop()


def test_one_connection_per_bot_with_a_postgres_app_database(
    tmp_path: Path, demo_warehouse_url: str, stub: WeComStub, endpoint: RobotWsStub,
    postgres_url: str,
) -> None:  # fmt: skip
    settings = _settings(tmp_path, demo_warehouse_url, stub, endpoint, app_db_url=postgres_url)
    servers = [serve(settings), serve(settings)]
    try:
        endpoint.wait_subscribed(1)
        time.sleep(1.0)
        assert endpoint.subscriptions == 1
        for server in servers:
            server.stop()  # whichever held it, the other takes over, then stops too
        assert endpoint.subscriptions <= 2
    finally:
        for server in servers:
            server.stop()
