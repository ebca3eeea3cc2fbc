"""The daily digest against the stand-in over 127.0.0.1: each team group gets its leaderboard
as every member may see it, once per group and day, from one of several schedulers."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import SecretStr
from typer.testing import CliRunner

from api.cli import app
from api.wecom.digest import DAY_S, LATE_S, daily_offset_s, digest_job, run_digest
from api.wecom.schedule import JobLeases, Scheduler
from api.wecom.stub import StubConfig, WeComStub, running_stub
from schema.app import notifications_sent
from schema.caller import Caller
from schema.db import app_engine, warehouse_engine
from schema.settings import Settings, get_settings
from tests.wecom.live import environment, wecom_settings
from tools.leaderboard import leaderboard
from tools.money import fmt_money

DAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def departments(demo_warehouse_url: str) -> list[str]:
    """Two departments with a sales roster (from the warehouse, not by name)."""
    engine = warehouse_engine(demo_warehouse_url, read_only=True)
    with engine.connect() as conn:
        names = conn.execute(sa.text(
            "SELECT DISTINCT d.name FROM departments d JOIN employees e "
            "ON e.department_id = d.department_id JOIN sales_targets t "
            "ON t.employee_id = e.employee_id AND t.month = DATE '2026-11-01' ORDER BY d.name")).scalars().all()  # fmt: skip
    engine.dispose()
    return list(names[:2])


@pytest.fixture
def stub() -> Iterator[WeComStub]:
    with running_stub(StubConfig()) as running:
        yield running


@pytest.fixture
def settings(
    tmp_path: Path, demo_warehouse_url: str, stub: WeComStub, departments: list[str]
) -> Settings:
    hooks = {name: SecretStr(f"team-{i}") for i, name in enumerate(departments)}
    return wecom_settings(tmp_path, demo_warehouse_url, stub, wecom_group_webhooks=hooks)


def _cards(stub: WeComStub) -> dict[str, dict[str, object]]:
    return {key: body["template_card"] for key, body in stub.state.webhook_messages
            if body["msgtype"] == "template_card"}  # fmt: skip


def test_each_team_group_gets_its_leaderboard_as_every_member_may_see_it(
    settings: Settings, stub: WeComStub, departments: list[str], demo_warehouse_url: str
) -> None:
    result, digests = run_digest(settings, DAY)
    assert [(d.department, d.day) for d in digests] == [(n, DAY.isoformat()) for n in departments]
    assert [body["msgtype"] for _, body in stub.state.webhook_messages] == [
        "image", "template_card", "image", "template_card"]  # fmt: skip
    cards = _cards(stub)
    engine = warehouse_engine(demo_warehouse_url)
    with engine.connect() as conn:
        for i, name in enumerate(departments):
            board = leaderboard(conn, "2026-11", name, caller=Caller.operator(), as_of=DAY)
            card = cards[f"team-{i}"]
            assert card["card_type"] == "text_notice"  # a group robot takes no buttons
            items = card["horizontal_content_list"]
            assert isinstance(items, list) and len(items) == min(6, len(board.rows))
            for item, r in zip(items, board.rows, strict=False):
                assert item["keyname"] == f"{r.rank}. {r.name}"
                assert item["value"].startswith(f"¥{fmt_money(r.sales)}（")
            text = json.dumps(card, ensure_ascii=False)
            assert "目标" not in text and "奖金" not in text
            assert all(
                r.min_target is None or fmt_money(r.min_target) not in text for r in board.rows
            )
    engine.dispose()


def test_a_digest_is_sent_once_per_group_and_day(settings: Settings, stub: WeComStub) -> None:
    run_digest(settings, DAY)
    sent = len(stub.state.webhook_messages)
    again, digests = run_digest(settings, DAY)
    assert digests == [] and again.queued == [] and len(again.skipped) == 2
    assert len(stub.state.webhook_messages) == sent
    _, next_day = run_digest(settings, date(2026, 11, 21))
    assert len(next_day) == 2 and len(stub.state.webhook_messages) == 2 * sent


def test_without_a_page_to_open_the_group_gets_markdown(
    settings: Settings, stub: WeComStub
) -> None:
    run_digest(settings.model_copy(update={"public_base_url": None}), DAY)
    bodies = [body for _, body in stub.state.webhook_messages]
    assert [b["msgtype"] for b in bodies] == ["image", "markdown", "image", "markdown"]
    assert "距中位数" in bodies[1]["markdown"]["content"]


def test_the_command_lists_digests_and_a_dry_run_records_nothing(
    settings: Settings, stub: WeComStub, departments: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in environment(settings).items():
        monkeypatch.setenv(name, value)
    hooks = {name: f"team-{i}" for i, name in enumerate(departments)}
    monkeypatch.setenv("HRQ_WECOM_GROUP_WEBHOOKS", json.dumps(hooks, ensure_ascii=False))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        dry = runner.invoke(app, ["notify", "digest", "--as-of", DAY.isoformat(), "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "2 notification(s) would be sent" in dry.output
        assert stub.state.webhook_messages == []
        with app_engine(settings.app_db_url).connect() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(notifications_sent))
            assert count.scalar() == 0
        sent = runner.invoke(app, ["notify", "digest", "--as-of", DAY.isoformat(), "--json"])
        assert sent.exit_code == 0, sent.output
        listed = json.loads(sent.output)
        assert [(d["group"], d["day"]) for d in listed] == [(n, "2026-11-20") for n in departments]
        assert json.loads(runner.invoke(app, ["notify", "digest", "--as-of", "2026-11-20",
                                              "--json"]).output) == []  # fmt: skip
    finally:
        get_settings.cache_clear()


def test_the_scheduled_digest_runs_once_a_day_in_one_process(
    settings: Settings, stub: WeComStub
) -> None:
    live = settings.model_copy(update={"as_of": None, "timezone": "Asia/Shanghai"})
    at = datetime(2026, 11, 20, 18, 5, tzinfo=live.tz).timestamp()
    now = [at]
    schedulers = [
        Scheduler(JobLeases(app_engine(live.app_db_url)),
                  [digest_job(live, "18:00", clock=lambda: now[0])], clock=lambda: now[0])
        for _ in range(2)
    ]  # fmt: skip
    assert daily_offset_s("18:00", live) == 10 * 3600  # 18:00 in Shanghai is 10:00 UTC
    ran = [s.run_due() for s in schedulers]
    assert sorted(map(len, ran)) == [0, 1]
    days = {json.loads(json.dumps(b))["template_card"]["main_title"]["title"]
            for _, b in stub.state.webhook_messages if b["msgtype"] == "template_card"}  # fmt: skip
    assert days and all("2026-11" in d for d in days)
    sent = len(stub.state.webhook_messages)
    now[0] = at + 3600  # later the same day: the day's slot is done
    assert [s.run_due() for s in schedulers] == [[], []]
    now[0] = at + DAY_S + LATE_S + 60  # the next day, but started hours after 18:00
    [s.run_due() for s in schedulers]
    assert len(stub.state.webhook_messages) == sent  # too late: not sent hours after its time
    now[0] = at + 2 * DAY_S
    [s.run_due() for s in schedulers]
    assert len(stub.state.webhook_messages) == 2 * sent
    with app_engine(live.app_db_url).connect() as conn:
        rows = conn.execute(sa.select(notifications_sent.c.month)).scalars().all()
    assert sorted(set(rows)) == ["2026-11-20", "2026-11-22"]


def test_serve_sends_the_digest_at_its_time_from_one_process(
    settings: Settings, stub: WeComStub
) -> None:
    from datetime import timedelta

    from tests.wecom.live import serve, wait_for

    due = (datetime.now(settings.tz) - timedelta(minutes=1)).strftime("%H:%M")
    configured = settings.model_copy(update={"wecom_digest_at": due})
    servers = [serve(configured), serve(configured)]  # two processes, one app database
    try:
        wait_for(lambda: len(stub.state.webhook_messages) >= 4, timeout_s=30)
        time.sleep(1.0)
        assert len(stub.state.webhook_messages) == 4  # two groups, chart and card, once
    finally:
        for server in servers:
            server.stop()
    with app_engine(settings.app_db_url).connect() as conn:
        days = conn.execute(sa.select(notifications_sent.c.month)).scalars().all()
    assert days == [settings.today().isoformat()] * 2
