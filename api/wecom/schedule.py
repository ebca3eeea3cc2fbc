"""Scheduled jobs (live crossings every few minutes, the daily digest, month-end pushes once a
month), run by one process per time slot.

Time is cut into slots of ``every_s`` seconds (slot = seconds since the epoch // every_s),
or as the job says (the month-end job: one slot per month, :mod:`api.wecom.month_end`).
Every process that schedules a job (``hrq watch``, each ``hrq serve`` process with
``HRQ_WECOM_CROSSINGS_EVERY_S``) tries, once per slot, to claim the job's row in the app
database (``scheduled_jobs``) with a conditional update: the claim succeeds only when no
live lease is held and the last finished slot is older than this one. So each slot runs
in exactly one process, however many try; the winner holds a lease while it runs (renewed
by a :class:`~api.wecom.leases.LeaseKeeper`, like the WeCom message leases), and a run
left by a stopped process is taken over when its lease expires (at once when that process
ran on this host and ended: :func:`~api.wecom.leases.stopped`). A taken-over run repeats
the job; both jobs are idempotent (each notification is recorded once), so nothing is
sent twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from api.wecom.leases import LeaseKeeper, new_owner, stopped
from schema.app import create_app_schema, scheduled_jobs

log = logging.getLogger(__name__)


def slot_of(epoch_s: float, every_s: float) -> int:
    """The time slot ``epoch_s`` falls in, for a job run every ``every_s`` seconds."""
    return int(epoch_s // every_s)


class JobLeases:
    """Claims of scheduled job runs in the app database, for one owner."""

    def __init__(self, engine: Engine, *, owner: str | None = None, lease_s: float = 60.0) -> None:
        self.engine = engine
        self.owner = owner or new_owner()
        self.lease_s = lease_s
        create_app_schema(engine)

    def claim(self, job: str, slot: int) -> bool:
        """Take ``job``'s run of ``slot`` if no process holds a live lease on the job and no run
        of this slot (or a later one) finished; True if this owner now runs it."""
        now = datetime.now(UTC)
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(scheduled_jobs).values(job=job, slot=-1, runs=0, updated_at=now)
                )
        except IntegrityError:
            pass  # the row exists
        with self.engine.begin() as conn:
            holder = conn.execute(
                select(scheduled_jobs.c.lease_owner).where(scheduled_jobs.c.job == job)
            ).scalar_one_or_none()
            free = or_(
                scheduled_jobs.c.lease_owner.is_(None),
                scheduled_jobs.c.lease_expires_at < now,
            )
            if holder is not None and holder != self.owner and stopped(holder):
                free = or_(free, scheduled_jobs.c.lease_owner == holder)
            changed = conn.execute(
                update(scheduled_jobs)
                .where(
                    scheduled_jobs.c.job == job,
                    free,
                    func.coalesce(scheduled_jobs.c.finished_slot, -1) < slot,
                )
                .values(
                    slot=slot,
                    lease_owner=self.owner,
                    lease_expires_at=now + timedelta(seconds=self.lease_s),
                    runs=scheduled_jobs.c.runs + 1,
                    updated_at=now,
                )
            ).rowcount
        return changed == 1

    def renew(self) -> int:
        """Extend every lease this owner holds; returns how many."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            return conn.execute(
                update(scheduled_jobs)
                .where(scheduled_jobs.c.lease_owner == self.owner)
                .values(lease_expires_at=now + timedelta(seconds=self.lease_s), updated_at=now)
            ).rowcount

    def finish(self, job: str, slot: int, error: str | None = None) -> None:
        """Record that this owner's run of ``slot`` ended (with ``error``, if it failed)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(scheduled_jobs)
                .where(scheduled_jobs.c.job == job, scheduled_jobs.c.lease_owner == self.owner)
                .values(
                    finished_slot=slot,
                    lease_owner=None,
                    lease_expires_at=None,
                    last_error=error[:500] if error else None,
                    updated_at=datetime.now(UTC),
                )
            )


@dataclass(frozen=True)
class Job:
    """A job run once per time slot: by default every ``every_s`` seconds, its slots starting
    ``offset_s`` seconds after the epoch's (a daily job at a time of day); ``slot`` gives
    another cut (e.g. one slot a month), or None while nothing is due."""

    name: str
    every_s: float
    run: Callable[[], object]
    offset_s: float = 0.0
    slot: Callable[[float], int | None] | None = None

    def slot_at(self, epoch_s: float) -> int | None:
        """The slot ``epoch_s`` falls in (None: no run is due)."""
        if self.slot is not None:
            return self.slot(epoch_s)
        return slot_of(epoch_s - self.offset_s, self.every_s)


class Scheduler:
    """Runs due jobs on a daemon thread (or :meth:`run_due` by hand), one process per slot."""

    def __init__(
        self,
        leases: JobLeases,
        jobs: Mapping[str, Job] | list[Job],
        *,
        poll_s: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.leases = leases
        self.jobs = list(jobs.values()) if isinstance(jobs, Mapping) else list(jobs)
        self.poll_s = poll_s
        self.clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._keeper = LeaseKeeper((leases.renew,), leases.lease_s / 3)

    def run_due(self) -> list[str]:
        """Run every job whose current slot this process claims; the names of those run."""
        ran: list[str] = []
        for job in self.jobs:
            slot = job.slot_at(self.clock())
            if slot is None or not self.leases.claim(job.name, slot):
                continue
            error: str | None = None
            try:
                job.run()
            except Exception as exc:  # a failed run must not stop the schedule
                log.exception("scheduled job %s failed", job.name)
                error = f"{type(exc).__name__}: {exc}"
            finally:
                self.leases.finish(job.name, slot, error)
            ran.append(job.name)
        return ran

    def start(self) -> None:
        """Run due jobs every ``poll_s`` seconds on a daemon thread, until :meth:`close`."""
        if self._thread is None:
            self._keeper.start()
            self._thread = threading.Thread(target=self._loop, name="hrq-scheduler", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_due()
            except Exception:  # e.g. the app database is briefly unreachable
                log.exception("scheduler round failed")
            self._stop.wait(self.poll_s)

    def close(self, timeout_s: float = 10.0) -> None:
        """Stop the thread (after the job it runs) and the lease renewals."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        self._keeper.close()


def parse_every(text: str) -> float:
    """``'10m'``, ``'30s'``, ``'1h'`` or plain seconds as seconds; ValueError otherwise."""
    value = text.strip().lower()
    units = {"s": 1.0, "m": 60.0, "h": 3600.0}
    scale = units.get(value[-1:], None)
    number = value[:-1] if scale is not None else value
    try:
        seconds = float(number) * (scale or 1.0)
    except ValueError:
        raise ValueError(f"not a duration like 10m, 30s or 1h: {text!r}") from None
    if seconds < 1:
        raise ValueError(f"the interval must be at least 1 s, not {text!r}")
    return seconds
