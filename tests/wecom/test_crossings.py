"""Live crossings: who passed the bars month to date, each event sent once, a killed run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from api.cli import app
from api.wecom.crossings import BOTH, MINIMUM, TEAM, run_crossings
from api.wecom.stub import StubConfig, WeComStub, running_stub
from schema.caller import Caller
from schema.db import warehouse_engine
from schema.settings import Settings, get_settings
from tests.wecom.live import ROOT, content_of, environment, wait_for, wecom_settings
from tools.performance import monthly_performance

MID_MONTH = date(2026, 11, 16)
DAY_LATER = date(2026, 11, 17)


@pytest.fixture
def stub() -> Iterator[WeComStub]:
    with running_stub(StubConfig()) as running:
        yield running


@pytest.fixture
def settings(tmp_path: Path, demo_warehouse_url: str, stub: WeComStub) -> Settings:
    return wecom_settings(tmp_path, demo_warehouse_url, stub)


def _engine_view(warehouse_url: str, as_of: date) -> tuple[set[str], set[str]]:
    """Employee numbers past both bars, and past the minimum only, month to date (the engine)."""
    engine = warehouse_engine(warehouse_url)
    try:
        with engine.connect() as conn:
            report = monthly_performance(conn, "2026-11", caller=Caller.operator(), as_of=as_of)
    finally:
        engine.dispose()
    both = {r.employee_no for r in report.rows if r.bonus_eligible and r.employee_no}
    minimum = {r.employee_no for r in report.rows
               if r.met_minimum and not r.bonus_eligible and r.employee_no}  # fmt: skip
    return both, minimum


def _cli(settings: Settings, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    for name, value in environment(settings).items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["notify", "crossings", *args])
    finally:
        get_settings.cache_clear()
    return result.exit_code, result.output


def test_crossings_are_the_engines_and_each_is_sent_once(
    settings: Settings, stub: WeComStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    both, minimum = _engine_view(settings.warehouse_url, MID_MONTH)
    assert both and minimum  # the demo has both kinds by mid-month

    code, output = _cli(settings, monkeypatch, "--as-of", MID_MONTH.isoformat(), "--json")
    assert code == 0, output
    events = json.loads(output)
    assert {e["employee_no"] for e in events if e["kind"] == BOTH} == both
    assert {e["employee_no"] for e in events if e["kind"] == MINIMUM} == minimum
    assert all(e["month"] == "2026-11" for e in events)
    assert set(events[0]) >= {"employee_no", "name", "department", "kind", "month"}
    teams = [e for e in events if e["kind"] == TEAM]
    assert teams and sum(e["count"] for e in teams) <= len(both)
    sent = len(stub.state.messages)
    assert sent == len(events)  # one message an event (both bars at once: one message)
    assert all("恭喜" in content_of(m) or "最低目标" in content_of(m) for m in stub.state.messages)

    code, output = _cli(settings, monkeypatch, "--as-of", MID_MONTH.isoformat(), "--json")
    assert code == 0 and json.loads(output) == []  # a second run: nothing new
    assert len(stub.state.messages) == sent

    later_both, later_minimum = _engine_view(settings.warehouse_url, DAY_LATER)
    code, output = _cli(settings, monkeypatch, "--as-of", DAY_LATER.isoformat(), "--json")
    assert code == 0, output
    later = json.loads(output)
    assert {e["employee_no"] for e in later if e["kind"] == BOTH} == later_both - both
    assert later_both - both  # someone crossed on the 17th
    # a minimum met earlier is not told again, nor to whoever now also passed the median
    assert {e["employee_no"] for e in later if e["kind"] == MINIMUM} == (
        later_minimum - minimum - both
    )


def test_a_congratulation_stands_whatever_the_median_does_afterwards(
    settings: Settings, stub: WeComStub
) -> None:
    _, first = run_crossings(settings, DAY_LATER)
    # an earlier day: fewer people past the bars, but nothing of the 17th is sent again
    _, again = run_crossings(settings, MID_MONTH)
    assert again == [] and {e.kind for e in first} >= {BOTH, TEAM}
    bodies = [json.dumps(m, sort_keys=True, ensure_ascii=False) for m in stub.state.messages]
    assert len(bodies) == len(set(bodies))


def test_dry_run_records_nothing_and_queuing_needs_a_channel(
    settings: Settings, stub: WeComStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = _cli(settings, monkeypatch, "--as-of", MID_MONTH.isoformat(), "--dry-run")
    assert code == 0 and "nothing was sent or recorded" in output and "恭喜" in output
    assert stub.state.requests == []
    bare = settings.model_copy(update={"wecom_secret": None, "wecom_agent_id": None})
    monkeypatch.delenv("HRQ_WECOM_SECRET", raising=False)
    monkeypatch.delenv("HRQ_WECOM_AGENT_ID", raising=False)
    code, output = _cli(bare, monkeypatch, "--as-of", MID_MONTH.isoformat())
    assert code == 2
    assert "no WeCom channel is configured" in output and "HRQ_WECOM_SECRET" in output
    code, output = _cli(settings, monkeypatch, "--as-of", MID_MONTH.isoformat(), "--json")
    assert code == 0 and json.loads(output)  # the dry run recorded nothing


def test_a_run_killed_while_sending_sends_nothing_twice(
    settings: Settings, stub: WeComStub
) -> None:
    """The run dies while WeCom holds its first send (taken, answer withheld); the next run
    resends it byte for byte (dropped by WeCom's duplicate check) and delivers the rest."""
    stub.state.hold_sends(1, after_taking=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HRQ_")}
    env |= environment(settings) | {"PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", "from api.cli import main; main()",
               "notify", "crossings", "--as-of", MID_MONTH.isoformat()]  # fmt: skip
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_for(lambda: stub.state.held() == 1, timeout_s=60)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    stub.state.release()
    assert len(stub.state.messages) == 1  # WeCom took the first message before the kill

    result, events = run_crossings(settings, MID_MONTH)
    assert events == [] and result.queued == []  # every event was recorded by the killed run
    both, minimum = _engine_view(settings.warehouse_url, MID_MONTH)
    received = Counter((m["touser"], content_of(m)) for m in stub.state.messages)
    assert set(received.values()) == {1}
    assert len(stub.state.duplicates) == 1  # the resend of the message WeCom had taken
    with sa.create_engine(settings.app_db_url).connect() as conn:
        kinds = Counter(conn.execute(sa.text("SELECT kind FROM notifications_sent")).scalars())
    assert kinds[BOTH] == len(both) and kinds[MINIMUM] == len(both | minimum)
