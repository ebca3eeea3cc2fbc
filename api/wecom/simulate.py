"""Try the whole WeCom flow on one machine: a question in, the reply at the stand-in out.

:func:`simulate` starts a stand-in WeCom and an in-process hrq server on
127.0.0.1 (or sends to a running hrq whose ``HRQ_WECOM_API_BASE`` points at the
stand-in's port), sends the question as WeCom would (a signed, encrypted
callback from ``userid``, with a fresh MsgId, so it works any number of times on
one app database), waits for the replies to reach the stand-in and returns them.
A ``userid`` no employee has is refused at once, with the closest ones.
:func:`simulate_robot` does the same for the intelligent robot (callback-URL mode), and
returns each stream frame as it arrived.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from pydantic import SecretStr

from api.http.main import create_app
from api.wecom.callback import WeComService
from api.wecom.robot_stub import Frame, RobotConfig, RobotStub
from api.wecom.server import ServerThread
from api.wecom.stub import StubConfig, running_stub
from schema.db import warehouse_engine
from schema.errors import HrqError
from schema.settings import Settings
from schema.warehouse import employees

QUIET_S = 0.5
"""A reply is complete when nothing more arrived for this long (a chart follows its text)."""


class SimulationError(HrqError):
    """The simulated message got no reply in time, the callback was refused, or no employee
    has the sender's userid."""

    code = "wecom_simulation"


@dataclass(frozen=True)
class Reply:
    """One message hrq sent to the simulated user."""

    msgtype: str
    content: str
    """The text or markdown; for an image, a description."""


def simulate(
    settings: Settings,
    question: str,
    userid: str,
    *,
    hrq_url: str | None = None,
    stub_port: int = 0,
    timeout_s: float = 60.0,
) -> list[Reply]:
    """Send ``question`` from ``userid`` through a stand-in WeCom; the replies it received."""
    check_userid(settings, userid)
    config = StubConfig.from_settings(settings)
    with running_stub(config, port=stub_port) as stub:
        server: ServerThread | None = None
        if hrq_url is None:
            local = settings.model_copy(update=_pointing_at(config, stub.base_url))
            server = ServerThread(create_app(local))
            server.start()
            url = f"{server.base_url}/wecom/callback"
        else:
            url = hrq_url.rstrip("/") + (
                "" if hrq_url.endswith("/wecom/callback") else "/wecom/callback"
            )
        try:
            response = stub.send_text(url, userid, question, timeout_s=10)
            if response.status_code != 200:
                raise SimulationError(
                    f"hrq refused the callback: HTTP {response.status_code} {response.text}"
                )
            messages = _wait(stub.state.messages, userid, timeout_s)
        finally:
            if server is not None:
                service = getattr(server.app.state, "wecom", None)
                server.stop()
                if isinstance(service, WeComService):
                    service.close()
    return [_reply(m) for m in messages]


def check_userid(settings: Settings, userid: str) -> None:
    """SimulationError unless some employee of the warehouse has the WeCom userid ``userid``."""
    engine = warehouse_engine(settings.warehouse_url)
    try:
        with engine.connect() as conn:
            known = list(
                conn.execute(
                    sa.select(employees.c.wecom_userid).where(employees.c.wecom_userid.is_not(None))
                ).scalars()
            )
    finally:
        engine.dispose()
    if userid in known:
        return
    close = difflib.get_close_matches(userid, known, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise SimulationError(
        f"no employee has the WeCom userid {userid!r} (employees.wecom_userid){hint}"
    )


def _pointing_at(config: StubConfig, base_url: str) -> dict[str, Any]:
    return {
        "wecom_api_base": base_url,
        "wecom_corp_id": config.corp_id,
        "wecom_agent_id": config.agent_id,
        "wecom_secret": SecretStr(config.secret),
        "wecom_token": SecretStr(config.callback_token),
        "wecom_aes_key": SecretStr(config.aes_key),
    }


def _for(messages: list[dict[str, Any]], userid: str) -> list[dict[str, Any]]:
    return [m for m in list(messages) if userid in str(m.get("touser", "")).split("|")]


def _wait(messages: list[dict[str, Any]], userid: str, timeout_s: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    seen, last_change = 0, time.monotonic()
    while time.monotonic() < deadline:
        found = _for(messages, userid)
        if len(found) != seen:
            seen, last_change = len(found), time.monotonic()
        elif found and time.monotonic() - last_change >= QUIET_S:
            return found
        time.sleep(0.02)
    found = _for(messages, userid)
    if not found:
        raise SimulationError(f"no reply reached the stand-in within {timeout_s:g} s")
    return found


def _reply(message: dict[str, Any]) -> Reply:
    msgtype = str(message.get("msgtype", ""))
    part = message.get(msgtype, {})
    if msgtype == "image":
        return Reply(msgtype, f"[image {part.get('media_id', '')[:12]}…]")
    return Reply(msgtype, str(part.get("content", "")) if isinstance(part, dict) else "")


def simulate_robot(
    settings: Settings,
    question: str,
    userid: str,
    *,
    group: str | None = None,
    on_frame: Callable[[Frame], object] | None = None,
    timeout_s: float = 60.0,
) -> tuple[list[Frame], list[Reply]]:
    """Send ``question`` to the intelligent robot from ``userid`` (in group chat ``group``,
    @-mentioning the robot, when given), as WeCom would, through an in-process hrq; the stream
    frames (each handed to ``on_frame`` as it arrives) and the one-to-one messages the asker
    got through the stand-in app."""
    check_userid(settings, userid)
    config = StubConfig.from_settings(settings)
    robot = RobotStub(RobotConfig())
    with running_stub(config) as stub:
        local = settings.model_copy(update=_pointing_at(config, stub.base_url) | {
            "wecom_robot_token": SecretStr(robot.config.token),
            "wecom_robot_aes_key": SecretStr(robot.config.aes_key),
            "wecom_robot_id": robot.config.aibotid,
        })  # fmt: skip
        server = ServerThread(create_app(local))
        server.start()
        try:
            text = f"@hrq {question}" if group else question
            frames = robot.converse(f"{server.base_url}/wecom/robot",
                                    robot.message(userid, text, chatid=group),
                                    window_s=timeout_s, on_frame=on_frame)  # fmt: skip
            deadline = time.monotonic() + QUIET_S * 2
            while time.monotonic() < deadline and group and not _for(stub.state.messages, userid):
                time.sleep(0.02)
            private = [_reply(m) for m in _for(stub.state.messages, userid)]
        finally:
            service = getattr(server.app.state, "wecom", None)
            server.stop()
            if isinstance(service, WeComService):
                service.close()
    return frames, private
