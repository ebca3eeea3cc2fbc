"""Disputes and statements through the stand-in WeCom, over real HTTP: a rep's 我的奖金不对 in
chat opens a dispute and HR is told, HR resolves it on the command line and the rep is told
with the new statement; statements go out on close, once per person and version."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from typer.testing import CliRunner

from api.cli import app
from api.wecom.stub import StubConfig, WeComStub, running_stub
from assistant.closes import CloseBook
from schema.caller import Caller
from schema.db import warehouse_engine
from schema.settings import Settings, get_settings
from tests.conftest import DEMO_END_DATE
from tests.wecom.live import (
    HrqServer,
    content_of,
    environment,
    sent_to,
    serve,
    wait_for,
    wecom_settings,
)
from tools.policy import load_policy
from tools.snapshot import MonthSnapshot

MONTH = "2026-10"


@pytest.fixture
def stub() -> Iterator[WeComStub]:
    with running_stub(StubConfig()) as running:
        yield running


@pytest.fixture
def settings(tmp_path: Path, demo_warehouse_url: str, stub: WeComStub) -> Settings:
    return wecom_settings(tmp_path, demo_warehouse_url, stub)


def _cli(settings: Settings, *args: str) -> Result:
    """``hrq ARGS`` with the settings as HRQ_* variables (read afresh, forgotten after)."""
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, list(args), env=environment(settings))
    finally:
        get_settings.cache_clear()


def _close(settings: Settings) -> MonthSnapshot:
    book = CloseBook.from_settings(settings)
    engine = warehouse_engine(settings.warehouse_url, read_only=True)
    try:
        with engine.connect() as conn:
            return book.close(conn, MONTH, caller=Caller.operator(), today=settings.today(),
                              policy=load_policy(None))  # fmt: skip
    finally:
        engine.dispose()
        book.engine.dispose()


def _userids(settings: Settings, where: str) -> dict[str, str]:
    """employee_no -> wecom_userid of the active employees matching ``where``."""
    engine = warehouse_engine(settings.warehouse_url, read_only=True)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT e.employee_no, e.wecom_userid FROM employees e JOIN departments d "
                f"USING (department_id) WHERE e.status = 'active' AND e.wecom_userid IS NOT NULL "
                f"AND {where} ORDER BY e.employee_no"
            )).all()  # fmt: skip
    finally:
        engine.dispose()
    return {r[0]: r[1] for r in rows}


@pytest.fixture
def closed(settings: Settings) -> MonthSnapshot:
    return _close(settings)


@pytest.fixture
def hrq(settings: Settings, closed: MonthSnapshot) -> Iterator[HrqServer]:
    server = serve(settings)
    yield server
    server.stop()


def test_a_dispute_round_trip_through_wecom(
    stub: WeComStub, settings: Settings, closed: MonthSnapshot, hrq: HrqServer
) -> None:
    reps = _userids(settings, "e.title = 'Sales Representative'")
    row = next(r for r in closed.rows if r.employee_no in reps)
    rep = reps[row.employee_no]
    hr = _userids(settings, "d.kind = 'hr'")
    assert hr and rep not in hr.values()

    # the rep says so in chat: a dispute of their row, confirmed to them, HR told
    stub.send_text(hrq.url, rep, "我的奖金不对，10月有一笔订单没算进去")
    (reply,) = wait_for(lambda: sent_to(stub, rep))
    confirmation = content_of(reply)
    found = re.search(r"异议 #(\d+)", confirmation)
    assert found is not None, confirmation
    dispute_id = int(found.group(1))
    assert f"结账第 1 版中你的奖金为 ¥{row.bonus:,.2f}" in confirmation
    assert (
        "理由：10月有一笔订单没算进去" in confirmation and "已通过企业微信通知 HR" in confirmation
    )
    for userid in hr.values():
        (notice,) = wait_for(lambda u=userid: sent_to(stub, u))
        text = content_of(notice)
        assert text.startswith(f"**奖金异议 #{dispute_id}**")
        assert (
            f"{row.name}（{row.employee_no}）对 {MONTH} 奖金（结账第 1 版：¥{row.bonus:,.2f}）"
            in text
        )
        assert "理由：10月有一笔订单没算进去" in text

    # said again: the open dispute is named, HR is not told twice
    stub.send_text(hrq.url, rep, "my bonus is wrong")
    replies = wait_for(lambda: (lambda m: m if len(m) >= 2 else None)(sent_to(stub, rep)))
    assert f"Your dispute #{dispute_id}" in content_of(replies[1])
    time.sleep(1.5)  # a recovery round of the server's worker delivers any pending notice
    assert all(len(sent_to(stub, u)) == 1 for u in hr.values())

    # a rep cannot resolve; HR accepts with an adjustment; the rep gets the new statement
    refused = _cli(settings, "disputes", "resolve", str(dispute_id), "--accept",
                   "--adjustment", "500", "--reason", "漏算", "--as", row.employee_no)  # fmt: skip
    assert refused.exit_code == 2 and "only HR and admins resolve disputes" in refused.output
    hr_no = next(iter(hr))
    done = _cli(settings, "disputes", "resolve", str(dispute_id), "--accept", "--adjustment",
                "500", "--reason", "10月25日订单漏算", "--as", hr_no)  # fmt: skip
    assert done.exit_code == 0, done.output
    assert f"{row.name} notified through WeCom" in done.output
    messages = sent_to(stub, rep)
    assert len(messages) == 3  # delivered by the command itself
    outcome = content_of(messages[2])
    final = row.bonus + 500
    assert outcome.startswith(f"**你的奖金异议 #{dispute_id} 已接受**\n{MONTH} 奖金调整 +¥500.00")
    assert (
        f"> 调整（争议 #{dispute_id}，结算单第 2 版）：+¥500.00，理由：10月25日订单漏算" in outcome
    )
    assert f"> 最终奖金：¥{row.bonus:,.2f}（结账时）+ ¥500.00（调整）= ¥{final:,.2f}" in outcome
    others = [r.employee_no for r in closed.rows if r.employee_no != row.employee_no]
    assert not any(no in outcome for no in others)

    # the statement has its new version; every step is in the audit log, which verifies
    shown = _cli(settings, "statement", "--user", row.employee_no, "--month", MONTH,
                 "--as", row.employee_no)  # fmt: skip
    document = json.loads(shown.output)
    assert (document["statement_version"], document["final_bonus"]) == (2, float(final))
    verified = _cli(settings, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert "disputes: 2 disputes and adjustments match their audit records" in verified.output
    listed = json.loads(
        _cli(settings, "disputes", "list", "--json", "--as", row.employee_no).output
    )
    assert [(d["dispute_id"], d["status"], d["adjustment"]) for d in listed] == [
        (dispute_id, "accepted", 500.0)
    ]


def test_statements_go_out_on_close_once_per_person_and_version(
    stub: WeComStub, settings: Settings
) -> None:
    first = _cli(settings, "close", "--month", MONTH, "--send-statements", "--json")
    assert first.exit_code == 0, first.output
    document = json.loads(first.output)
    userids = _userids(settings, "TRUE")
    roster = [r for r in CloseBook.from_settings(settings).get(MONTH).rows]
    reached = {r.employee_no: userids[r.employee_no] for r in roster if r.employee_no in userids}
    sent = document["statements_sent"]
    assert sorted(sent["queued"]) == sorted(reached.values())
    assert sent["delivered"] == len(reached) and sent["already_sent"] == []
    for r in roster:
        if r.employee_no not in reached:
            continue
        (message,) = sent_to(stub, reached[r.employee_no])
        text = content_of(message)
        assert text.startswith(f"**2026年10月奖金结算单：{r.name}（{r.employee_no}）")
        assert f"> 奖金：¥{r.bonus:,.2f}" in text or f"= ¥{r.bonus:,.2f}" in text
        assert "结账快照第 1 版" in text
        assert not any(o.employee_no in text for o in roster if o.employee_no != r.employee_no)

    again = _cli(settings, "closes", "send", "--month", MONTH)
    assert again.exit_code == 0, again.output
    assert f"0 queued, {len(reached)} already sent before" in again.output
    assert all(len(sent_to(stub, u)) == 1 for u in reached.values())

    second = _cli(settings, "close", "--month", MONTH, "--send-statements")
    assert second.exit_code == 0, second.output
    assert f"statements of version 2: {len(reached)} queued, 0 already sent" in second.output
    for userid in reached.values():
        messages = sent_to(stub, userid)
        assert len(messages) == 2 and "结账快照第 2 版" in content_of(messages[1])


def test_statements_are_not_sent_without_the_wecom_app(
    tmp_path: Path, demo_warehouse_url: str
) -> None:
    bare = Settings(warehouse_url=demo_warehouse_url, app_db_url=f"sqlite:///{tmp_path / 'a.db'}",
                    as_of=date.fromisoformat(DEMO_END_DATE))  # fmt: skip
    refused = _cli(bare, "close", "--month", MONTH, "--send-statements")
    assert refused.exit_code == 2 and "nothing was closed" in refused.output
    assert CloseBook.from_settings(bare).list() == []


def test_hrq_ask_opens_a_dispute_and_tells_hr_at_once(
    stub: WeComStub, settings: Settings, closed: MonthSnapshot
) -> None:
    reps = _userids(settings, "e.title = 'Sales Representative'")
    mine, theirs = [r for r in closed.rows if r.employee_no in reps][:2]
    hr = _userids(settings, "d.kind = 'hr'")
    asked = _cli(
        settings, "ask", "上个月的奖金算错了，因为退款那笔不是我的", "--user", mine.employee_no
    )
    assert asked.exit_code == 0, asked.output
    assert "已记录你对2026年10月奖金的异议 #1" in asked.output
    for userid in hr.values():  # delivered by the command, no server running
        (notice,) = sent_to(stub, userid)
        assert "理由：退款那笔不是我的" in content_of(notice)
    other = _cli(settings, "ask", "my bonus is wrong", "--user", theirs.employee_no)
    assert other.exit_code == 0 and "dispute #2" in other.output
    # a rep lists and shows only their own; resolving is refused
    listed = json.loads(
        _cli(settings, "disputes", "list", "--json", "--as", mine.employee_no).output
    )
    assert [d["employee_no"] for d in listed] == [mine.employee_no]
    hidden = _cli(settings, "disputes", "show", "2", "--as", mine.employee_no)
    assert hidden.exit_code == 2 and "no dispute #2 that you may see" in hidden.output
    refused = _cli(settings, "disputes", "resolve", "1", "--reject", "--reason", "no",
                   "--as", mine.employee_no)  # fmt: skip
    assert refused.exit_code == 2 and "only HR and admins resolve disputes" in refused.output
    everyone = json.loads(_cli(settings, "disputes", "list", "--json", "--status", "open").output)
    assert [d["dispute_id"] for d in everyone] == [2, 1]
