"""Month-end and at-risk notifications: who gets what (from the tools), idempotent, dry run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import SecretStr
from typer.testing import CliRunner

from api.cli import app
from api.wecom.errors import WeComConfigError
from api.wecom.notify import plan_at_risk, plan_month_end, send
from api.wecom.outbox import Outbox
from api.wecom.stub import StubConfig, WeComStub, running_stub
from schema.app import notifications_sent, wecom_outbox
from schema.caller import Caller
from schema.db import app_engine, warehouse_engine
from schema.settings import Settings, get_settings
from tests.wecom.live import content_of, wecom_settings
from tools.forecast import forecast
from tools.money import fmt_money
from tools.performance import monthly_performance

MONTH = "2026-10"
DEPARTMENT = "华东销售一部"


@pytest.fixture
def stub() -> Iterator[WeComStub]:
    with running_stub(StubConfig()) as running:
        yield running


@pytest.fixture
def settings(tmp_path: Path, demo_warehouse_url: str, stub: WeComStub) -> Settings:
    return wecom_settings(tmp_path, demo_warehouse_url, stub,
                          wecom_group_webhooks={DEPARTMENT: SecretStr("team-robot")})  # fmt: skip


@pytest.fixture(scope="module")
def warehouse(demo_warehouse_url: str) -> Iterator[sa.Engine]:
    engine = warehouse_engine(demo_warehouse_url)
    yield engine
    engine.dispose()


def _userids(warehouse: sa.Engine) -> dict[int, str]:
    with warehouse.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT employee_id, wecom_userid FROM employees WHERE status = 'active'")).all()  # fmt: skip
    return {r[0]: r[1] for r in rows}


def test_month_end_follows_the_performance_engine(warehouse: sa.Engine, settings: Settings) -> None:
    plan = plan_month_end(warehouse, MONTH, department=DEPARTMENT,
                          group_webhooks=settings.wecom_group_webhooks)  # fmt: skip
    with warehouse.connect() as conn:
        report = monthly_performance(conn, MONTH, caller=Caller.operator(), department=DEPARTMENT)
    userids = _userids(warehouse)
    eligible = {userids[r.employee_id]: r for r in report.rows
                if r.bonus_eligible and r.employee_id in userids}  # fmt: skip
    below = {userids[r.employee_id]: r for r in report.rows
             if r.met_minimum is False and r.employee_id in userids}  # fmt: skip
    assert eligible and below
    by_kind: dict[str, dict[str, str]] = {}
    for n in plan:
        text = "\n".join(m.content for m in n.messages if m.msgtype != "image")
        by_kind.setdefault(n.kind, {})[n.recipient] = text
    assert set(by_kind["congratulation"]) == set(eligible)
    assert set(by_kind["reminder"]) == set(below)
    for userid, row in eligible.items():
        assert (
            row.bonus is not None
            and f"¥{fmt_money(row.bonus)}" in by_kind["congratulation"][userid]
        )
    for userid, row in below.items():
        assert row.min_target is not None
        assert f"还差 ¥{fmt_money(row.min_target - row.sales)}" in by_kind["reminder"][userid]
    (manager,) = by_kind["manager_leaderboard"].values()
    (summary,) = report.summaries
    assert f"奖金合计 ¥{fmt_money(summary.total_bonus or 0)}" in manager
    (team,) = [n for n in plan if n.kind == "team_leaderboard"]
    assert team.recipient == f"robot:{DEPARTMENT}"
    assert [m.msgtype for m in team.messages] == ["image", "template_card"]
    assert "奖金" not in team.messages[1].content  # the group sees no one's bonus
    assert "奖金" not in json.dumps(team.messages[1].card, ensure_ascii=False)


def test_month_end_twice_sends_nothing_twice(
    warehouse: sa.Engine, settings: Settings, stub: WeComStub
) -> None:
    box = Outbox(app_engine(settings.app_db_url), settings)
    plan = plan_month_end(warehouse, MONTH, department=DEPARTMENT,
                          group_webhooks=settings.wecom_group_webhooks)  # fmt: skip
    first = send(box, plan)
    assert len(first.queued) == len(plan) and first.skipped == []
    assert first.delivery is not None and not first.delivery.retrying and not first.delivery.failed
    app_messages = len(stub.state.messages)
    assert app_messages == sum(len(n.messages) for n in plan if n.channel == "app")
    assert [body["msgtype"] for _, body in stub.state.webhook_messages] == [
        "image",
        "template_card",
    ]
    group_card = stub.state.webhook_messages[1][1]["template_card"]
    assert group_card["card_type"] == "text_notice" and "button_list" not in group_card
    assert group_card["card_action"] == {"type": 1, "url": settings.public_base_url}
    second = send(box, plan_month_end(warehouse, MONTH, department=DEPARTMENT,
                                      group_webhooks=settings.wecom_group_webhooks))  # fmt: skip
    assert second.queued == [] and len(second.skipped) == len(plan)
    assert len(stub.state.messages) == app_messages and len(stub.state.webhook_messages) == 2
    box.close()


def test_congratulations_reach_the_right_people(
    warehouse: sa.Engine, settings: Settings, stub: WeComStub
) -> None:
    box = Outbox(app_engine(settings.app_db_url), settings)
    plan = [n for n in plan_month_end(warehouse, MONTH, department=DEPARTMENT)
            if n.kind == "congratulation"]  # fmt: skip
    send(box, plan)
    received = {m["touser"]: content_of(m) for m in stub.state.messages}
    assert received == {n.recipient: n.messages[0].content for n in plan}
    box.close()


def test_dry_run_prints_what_would_be_sent_and_records_nothing(
    settings: Settings, stub: WeComStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {
        "HRQ_WAREHOUSE_URL": settings.warehouse_url,
        "HRQ_APP_DB_URL": settings.app_db_url,
        "HRQ_WECOM_GROUP_WEBHOOKS": json.dumps({DEPARTMENT: "team-robot"}),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            app, ["notify", "month-end", "--month", MONTH, "--department", DEPARTMENT, "--dry-run"]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "恭喜" in result.output and "还差" in result.output
    assert f"→ robot:{DEPARTMENT} ({DEPARTMENT}) [team_leaderboard {MONTH}]" in result.output
    assert "[image: " in result.output and "nothing was sent or recorded" in result.output
    assert stub.state.requests == []
    with app_engine(settings.app_db_url).connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(notifications_sent)).scalar() == 0
        )


def test_at_risk_reminders_follow_the_forecast(warehouse: sa.Engine) -> None:
    as_of = date(2026, 11, 16)
    plan = plan_at_risk(warehouse, as_of, department=DEPARTMENT)
    with warehouse.connect() as conn:
        result = forecast(conn, as_of, caller=Caller.operator(), department=DEPARTMENT)
    userids = _userids(warehouse)
    expected = {
        userids[r.employee_id] for r in result.rows if r.at_risk and r.employee_id in userids
    }
    assert expected and {n.recipient for n in plan} == expected
    assert all(n.kind == "at_risk" and n.month == "2026-11" for n in plan)
    assert all("预计月底" in n.messages[0].content for n in plan)


@pytest.fixture
def no_wecom_env(
    tmp_path: Path, demo_warehouse_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """The environment of an installation whose WeCom app is not configured."""
    for name in ("HRQ_WECOM_CORP_ID", "HRQ_WECOM_SECRET", "HRQ_WECOM_AGENT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HRQ_WAREHOUSE_URL", demo_warehouse_url)
    monkeypatch.setenv("HRQ_APP_DB_URL", f"sqlite:///{tmp_path / 'app.db'}")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def _queued(settings: Settings) -> tuple[int, int]:
    """(outbox rows, notifications recorded as sent) in the app database."""
    with app_engine(settings.app_db_url).connect() as conn:
        count = sa.select(sa.func.count())
        return (
            conn.execute(count.select_from(wecom_outbox)).scalar_one(),
            conn.execute(count.select_from(notifications_sent)).scalar_one(),
        )


@pytest.mark.parametrize(
    "command",
    [
        ["notify", "at-risk", "--as-of", "2026-11-16", "--department", DEPARTMENT],
        ["notify", "month-end", "--month", MONTH, "--department", DEPARTMENT],
    ],
)
def test_without_wecom_nothing_is_queued_and_the_command_says_why(
    no_wecom_env: Settings, command: list[str]
) -> None:
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error: WeCom is not configured, so nothing was queued")
    assert "HRQ_WECOM_CORP_ID" in line and "--dry-run" in line
    assert _queued(no_wecom_env) == (0, 0)
    dry = CliRunner().invoke(app, [*command, "--dry-run"])  # a preview still works
    assert dry.exit_code == 0 and "would be sent" in dry.output, dry.output


def test_send_refuses_before_recording_anything(
    no_wecom_env: Settings, warehouse: sa.Engine
) -> None:
    plan = plan_at_risk(warehouse, date(2026, 11, 16), department=DEPARTMENT)
    assert plan
    box = Outbox(app_engine(no_wecom_env.app_db_url), no_wecom_env)
    with pytest.raises(WeComConfigError, match="nothing was queued"):
        send(box, plan)
    assert _queued(no_wecom_env) == (0, 0)
