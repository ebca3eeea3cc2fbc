"""Scheduled jobs: one process per time slot (a lease in the app database), takeovers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from api.wecom.leases import new_owner
from api.wecom.schedule import Job, JobLeases, Scheduler, parse_every, slot_of
from schema.app import scheduled_jobs
from schema.db import app_engine
from tests.wecom.live import ROOT

SLOTS = 40

#: Each process claims every slot it can, notes the ones it ran, and finishes them.
CONTENDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from api.wecom.schedule import JobLeases
    from schema.db import app_engine
    url, out, go, slots = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
    leases = JobLeases(app_engine(url), lease_s=30)
    while not go.exists():
        time.sleep(0.005)
    ran = []
    for slot in range(slots):
        for _ in range(3):  # try each slot a few times, as several poll rounds would
            if leases.claim("job", slot):
                ran.append(slot)
                leases.finish("job", slot)
    out.write_text(" ".join(map(str, ran)))
    """
)


def _contend(url: str, tmp_path: Path) -> list[list[int]]:
    go = tmp_path / "go"
    outs = [tmp_path / f"ran-{i}" for i in range(2)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONTENDER, url, str(out), str(go), str(SLOTS)],
            cwd=ROOT,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
        for out in outs
    ]
    JobLeases(app_engine(url))  # the schema exists before both start
    go.touch()
    for proc in procs:
        assert proc.wait(120) == 0
    return [[int(s) for s in out.read_text().split()] for out in outs]


def _assert_each_slot_once(runs: list[list[int]]) -> None:
    """No slot runs twice. A slot may be skipped: when one process runs a later slot while
    the other still holds an earlier one, the earlier slot is superseded (a scheduler that
    is behind runs the latest slot, not every one it missed), so only most slots must run."""
    counts = Counter(slot for ran in runs for slot in ran)
    assert set(counts.values()) == {1}, counts
    assert len(counts) >= SLOTS // 2, sorted(counts)


def test_two_processes_run_each_slot_once_sqlite(tmp_path: Path) -> None:
    _assert_each_slot_once(_contend(f"sqlite:///{tmp_path / 'app.db'}", tmp_path))


def test_two_processes_run_each_slot_once_postgres(postgres_url: str, tmp_path: Path) -> None:
    _assert_each_slot_once(_contend(postgres_url, tmp_path))


def test_a_live_lease_blocks_until_finished_or_expired(tmp_path: Path) -> None:
    engine = app_engine(f"sqlite:///{tmp_path / 'app.db'}")
    first, second = JobLeases(engine, lease_s=30), JobLeases(engine, lease_s=30)
    assert first.claim("job", 5)
    assert not second.claim("job", 5) and not second.claim("job", 6)  # first still runs
    first.finish("job", 5)
    assert not second.claim("job", 5)  # slot 5 ran
    assert second.claim("job", 6)
    with engine.begin() as conn:  # second stalls past its lease
        conn.execute(sa.update(scheduled_jobs).values(
            lease_expires_at=datetime.now(UTC) - timedelta(seconds=1)))  # fmt: skip
    assert first.claim("job", 6)  # taken over: the run of slot 6 is repeated
    second.finish("job", 6)  # the stalled owner's finish no longer counts
    assert not second.claim("job", 7)  # first holds the lease
    first.finish("job", 6)
    assert second.claim("job", 7)


def test_a_lease_of_an_ended_process_is_taken_over_at_once(tmp_path: Path) -> None:
    engine = app_engine(f"sqlite:///{tmp_path / 'app.db'}")
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    host, _, tag = new_owner().split(":")
    dead = JobLeases(engine, owner=f"{host}:{proc.pid}:{tag}", lease_s=3600)
    assert dead.claim("job", 1)
    assert JobLeases(engine, lease_s=30).claim("job", 1)


def test_schedulers_sharing_a_database_run_a_job_once_a_slot(tmp_path: Path) -> None:
    engine = app_engine(f"sqlite:///{tmp_path / 'app.db'}")
    now = [600.0 * 2000]  # the start of a slot
    ran: list[str] = []
    schedulers = [
        Scheduler(
            JobLeases(engine),
            [Job("crossings", 600, lambda n=n: ran.append(n))],
            clock=lambda: now[0],
        )  # fmt: skip
        for n in ("a", "b")
    ]
    for _ in range(3):
        for scheduler in schedulers:
            scheduler.run_due()
        now[0] += 200  # three rounds within one 600 s slot, then the next slot
    assert len(ran) == 1
    now[0] = (slot_of(now[0], 600) + 1) * 600
    for scheduler in reversed(schedulers):
        scheduler.run_due()
    assert len(ran) == 2


def test_a_failing_job_is_recorded_and_the_schedule_goes_on(tmp_path: Path) -> None:
    engine = app_engine(f"sqlite:///{tmp_path / 'app.db'}")
    now = [6_000.0]

    def boom() -> None:
        raise RuntimeError("warehouse away")

    scheduler = Scheduler(JobLeases(engine), [Job("crossings", 60, boom)], clock=lambda: now[0])
    assert scheduler.run_due() == ["crossings"]
    with engine.connect() as conn:
        row = conn.execute(sa.select(scheduled_jobs)).one()
    assert row.last_error == "RuntimeError: warehouse away" and row.lease_owner is None
    now[0] += 60
    assert scheduler.run_due() == ["crossings"]


@pytest.mark.parametrize(
    ("text", "seconds"), [("10m", 600.0), ("30s", 30.0), ("1h", 3600.0), ("90", 90.0)]
)
def test_intervals(text: str, seconds: float) -> None:
    assert parse_every(text) == seconds


@pytest.mark.parametrize("text", ["", "m", "ten minutes", "0s", "0.5"])
def test_bad_intervals(text: str) -> None:
    with pytest.raises(ValueError):
        parse_every(text)
