"""Template cards against the local stand-ins over 127.0.0.1: the congratulation card of a
crossing and the leaderboard card, their markdown fallback, and the "查看我的排名" button
pressed through the app's encrypted callback, the robot's and the robot's long connection,
each answered one to one with the presser's own rank and gap."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from api.wecom.cards import MY_RANK_TEXT, my_rank_key
from api.wecom.crossings import run_crossings
from api.wecom.notify import plan_month_end
from api.wecom.robot_stub import RobotConfig, RobotStub
from api.wecom.robot_ws import EVENT_CALLBACK
from api.wecom.robot_ws_stub import RobotWsStub, WsStubConfig
from api.wecom.stub import StubConfig, WeComStub, running_stub
from schema.caller import Caller
from schema.db import warehouse_engine
from schema.settings import Settings
from tests.wecom.live import HrqServer, content_of, sent_to, serve, wait_for, wecom_settings
from tests.wecom.test_robot_ws import connect
from tools.leaderboard import Leaderboard, leaderboard
from tools.money import fmt_money
from tools.performance import monthly_performance

MONTH = "2026-11"
MID_MONTH = date(2026, 11, 16)
AS_OF = date(2026, 11, 26)


@pytest.fixture(scope="module")
def team(demo_warehouse_url: str) -> dict[str, Any]:
    """Two salespeople of one department with WeCom ids, and the department's board as of
    the demo's last day (from the warehouse and the tool, not by name)."""
    engine = warehouse_engine(demo_warehouse_url, read_only=True)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT e.employee_id, e.wecom_userid, e.department_id FROM employees e "
            "JOIN sales_targets t ON t.employee_id = e.employee_id AND t.month = DATE '2026-11-01' "
            "WHERE e.status = 'active' AND e.wecom_userid IS NOT NULL "
            "ORDER BY e.department_id, e.employee_no")).all()  # fmt: skip
        department = rows[0][2]
        board = leaderboard(conn, MONTH, department, caller=Caller.operator(), as_of=AS_OF)
    engine.dispose()
    reps = [(r[0], r[1]) for r in rows if r[2] == department][:2]
    return {"reps": reps, "board": board}


@pytest.fixture
def stub() -> Iterator[WeComStub]:
    with running_stub(StubConfig()) as running:
        yield running


@pytest.fixture
def robot() -> RobotStub:
    return RobotStub(RobotConfig())


@pytest.fixture
def settings(
    tmp_path: Path, demo_warehouse_url: str, stub: WeComStub, robot: RobotStub
) -> Settings:
    return wecom_settings(
        tmp_path, demo_warehouse_url, stub,
        wecom_robot_token=SecretStr(robot.config.token),
        wecom_robot_aes_key=SecretStr(robot.config.aes_key),
        wecom_robot_id=robot.config.aibotid,
    )  # fmt: skip


@pytest.fixture
def server(settings: Settings) -> Iterator[HrqServer]:
    running = serve(settings)
    yield running
    running.stop()


def _crossers(warehouse_url: str) -> dict[str, Any]:
    """userid -> the engine's row, of everyone past both bars by mid-month."""
    engine = warehouse_engine(warehouse_url)
    with engine.connect() as conn:
        report = monthly_performance(conn, MONTH, caller=Caller.operator(), as_of=MID_MONTH)
        ids: dict[int, str] = dict(conn.execute(sa.text(
            "SELECT employee_id, wecom_userid FROM employees WHERE wecom_userid IS NOT NULL")).all())  # fmt: skip
    engine.dispose()
    return {ids[r.employee_id]: r for r in report.rows if r.bonus_eligible and r.employee_id in ids}


def test_a_crossing_is_congratulated_with_a_card_and_its_button(
    settings: Settings, stub: WeComStub, demo_warehouse_url: str
) -> None:
    crossers = _crossers(demo_warehouse_url)
    assert crossers
    run_crossings(settings, MID_MONTH)
    cards = {m["touser"]: m["template_card"] for m in stub.state.messages
             if m["msgtype"] == "template_card"}  # fmt: skip
    assert set(cards) == set(crossers)
    for userid, row in crossers.items():
        card = cards[userid]
        assert card["card_type"] == "button_interaction"
        assert card["button_list"] == [{"text": MY_RANK_TEXT, "style": 1, "key": my_rank_key(MONTH),
                                        "replace_text": "已私信你的排名"}]  # fmt: skip
        values = {i["keyname"]: i["value"] for i in card["horizontal_content_list"]}
        assert values == {"本月业绩": f"¥{fmt_money(row.sales)}",
                          "部门中位数": f"¥{fmt_money(row.median)}",
                          "最低目标": f"¥{fmt_money(row.min_target)}"}  # fmt: skip
    assert len({c["task_id"] for c in cards.values()}) == len(cards)


def test_without_cards_the_same_congratulation_goes_as_markdown(
    settings: Settings, stub: WeComStub, demo_warehouse_url: str
) -> None:
    crossers = _crossers(demo_warehouse_url)
    run_crossings(settings.model_copy(update={"wecom_cards": False}), MID_MONTH)
    assert all(m["msgtype"] == "markdown" for m in stub.state.messages)
    congratulated = {m["touser"] for m in stub.state.messages if "恭喜" in content_of(m)}
    assert congratulated == set(crossers)
    for userid, row in crossers.items():
        (text,) = [content_of(m) for m in sent_to(stub, userid) if "恭喜" in content_of(m)]
        assert f"¥{fmt_money(row.sales)}" in text and f"¥{fmt_money(row.median)}" in text


def test_a_card_wecom_refuses_goes_as_markdown(
    tmp_path: Path, demo_warehouse_url: str, robot: RobotStub
) -> None:
    crossers = _crossers(demo_warehouse_url)
    with running_stub(StubConfig(cards=False)) as old:
        settings = wecom_settings(tmp_path, demo_warehouse_url, old)
        result, _ = run_crossings(settings, MID_MONTH)
        assert result.delivery is not None and result.delivery.failed == []
        assert all(m["msgtype"] == "markdown" for m in old.state.messages)
        congratulated = {m["touser"] for m in old.state.messages if "恭喜" in content_of(m)}
        assert congratulated == set(crossers)
        refused = [c for c in old.state.calls("message/send") if c.errcode == 40008]
        assert len(refused) == len(crossers)  # each card tried once, then its markdown


def test_the_leaderboard_card_lists_each_persons_gap_to_the_median(
    settings: Settings, demo_warehouse_url: str
) -> None:
    engine = warehouse_engine(demo_warehouse_url)
    plan = plan_month_end(engine, MONTH)
    with engine.connect() as conn:
        managers = [n for n in plan if n.kind == "manager_leaderboard"]
        assert managers
        for n in managers:
            (message,) = [m for m in n.messages if m.msgtype == "template_card"]
            card = message.card or {}
            board = leaderboard(conn, MONTH, n.name, caller=Caller.operator())
            shown = board.rows[:6]
            assert [i["keyname"] for i in card["horizontal_content_list"]] == [
                f"{r.rank}. {r.name}" for r in shown
            ]
            for item, r in zip(card["horizontal_content_list"], shown, strict=True):
                sign = "+" if r.gap_to_median >= 0 else "-"
                assert (
                    item["value"]
                    == f"¥{fmt_money(r.sales)}（{sign}{fmt_money(abs(r.gap_to_median))}）"
                )
            assert f"¥{fmt_money(board.median)}" in card["sub_title_text"]
            if len(board.rows) > 6:
                assert f"另有 {len(board.rows) - 6} 人" in card["sub_title_text"]
            assert "奖金合计" in message.content  # the fallback is the manager's summary
    engine.dispose()


def _expected(board: Leaderboard, employee_id: int) -> tuple[str, list[str]]:
    """The presser's own line, and every colleague's name (none may appear)."""
    (row,) = [r for r in board.rows if r.employee_id == employee_id]
    others = [r.name for r in board.rows if r.employee_id != employee_id]
    return f"第 **{row.rank}** 名，共 {len(board.rows)} 人\n业绩 ¥{fmt_money(row.sales)}", others


def _rank_reply(stub: WeComStub, userid: str) -> str:
    replies = wait_for(lambda: sent_to(stub, userid), timeout_s=30)
    assert [m["msgtype"] for m in replies] == ["markdown"]
    return content_of(replies[0])


def test_pressing_my_rank_in_the_app_answers_the_presser_alone(
    server: HrqServer, stub: WeComStub, team: dict[str, Any]
) -> None:
    (employee_id, userid), _ = team["reps"]
    response = stub.press_button(server.url, userid, my_rank_key(MONTH), "hrq-pressed-card")
    assert response.status_code == 200 and response.text == ""
    text = _rank_reply(stub, userid)
    line, others = _expected(team["board"], employee_id)
    assert line in text and f"¥{fmt_money(team['board'].median)}" in text
    assert not [name for name in others if name in text]
    assert [m["touser"] for m in stub.state.messages] == [userid]


def test_a_button_hrq_did_not_make_gets_no_reply(
    server: HrqServer, stub: WeComStub, team: dict[str, Any]
) -> None:
    (_, userid), (_, other) = team["reps"]
    stub.press_button(server.url, userid, "approve", "some-other-card")
    stub.press_button(server.url, other, my_rank_key(MONTH), "hrq-pressed-card")
    wait_for(lambda: sent_to(stub, other), timeout_s=30)
    assert sent_to(stub, userid) == []


def test_pressing_my_rank_on_a_robot_card_answers_one_to_one_once(
    server: HrqServer, stub: WeComStub, robot: RobotStub, team: dict[str, Any]
) -> None:
    (employee_id, userid), _ = team["reps"]
    url = server.url.replace("/wecom/callback", "/wecom/robot")
    event = robot.press(userid, my_rank_key(MONTH), "hrq-robot-card", chatid="cardgroup01")
    assert robot.callback(url, event) is None  # an empty reply: nothing shown in the group
    assert robot.callback(url, event) is None  # WeCom's retry of the same msgid
    text = _rank_reply(stub, userid)
    line, others = _expected(team["board"], employee_id)
    assert line in text and not [name for name in others if name in text]
    stub_messages = len(stub.state.messages)
    assert stub_messages == 1


def test_pressing_my_rank_in_a_one_to_one_robot_chat_answers_in_that_chat(
    server: HrqServer, stub: WeComStub, robot: RobotStub, team: dict[str, Any]
) -> None:
    robot = RobotStub(
        replace(robot.config, response_base=f"{stub.base_url}/cgi-bin/aibot/response")
    )
    (employee_id, userid), _ = team["reps"]
    url = server.url.replace("/wecom/callback", "/wecom/robot")
    event = robot.press(userid, my_rank_key(MONTH), "hrq-robot-card")
    assert robot.callback(url, event) is None
    ((code, body),) = wait_for(lambda: list(stub.state.robot_responses), timeout_s=30)
    assert event["response_url"].endswith(code)
    line, others = _expected(team["board"], employee_id)
    text = body["markdown"]["content"]
    assert line in text and not [name for name in others if name in text]
    assert stub.state.messages == []  # not through the app: the chat is already one to one


def test_pressing_my_rank_over_the_long_connection_answers_one_to_one(
    tmp_path: Path, demo_warehouse_url: str, stub: WeComStub, team: dict[str, Any]
) -> None:
    endpoint = RobotWsStub(WsStubConfig()).start()
    settings = wecom_settings(
        tmp_path, demo_warehouse_url, stub, wecom_robot_bot_id=endpoint.config.bot_id,
        wecom_robot_secret=SecretStr(endpoint.config.secret), wecom_robot_ws_url=endpoint.url,
    )  # fmt: skip
    connected = connect(settings)
    try:
        endpoint.wait_subscribed()
        (employee_id, userid), _ = team["reps"]
        event = RobotStub(RobotConfig()).press(
            userid, my_rank_key(MONTH), "hrq-ws-card", chatid="cardgroup02"
        )
        req_id = endpoint.push(event, cmd=EVENT_CALLBACK)
        text = _rank_reply(stub, userid)
        line, _ = _expected(team["board"], employee_id)
        assert line in text
        assert endpoint.responses.get(req_id) is None  # no frame answers a pressed button
    finally:
        connected.stop()
        endpoint.stop()
    assert connected.error == []
