"""The background worker that answers WeCom messages after the callback was acknowledged.

One daemon thread per app instance, started with the app (or on the first
message): it takes leased messages from a bounded queue, lets the channel
compose the replies, queues them in the outbox under the message's lease
(:meth:`Inbox.commit_replies`, so a message taken over by another process is
never answered twice) and sends them. Every ``poll_s`` it also takes over the
messages whose lease expired (their process stopped) and answers them, and
retries the outbox's due sends (a reply that failed while WeCom was
unreachable, or a send left by a stopped process). A :class:`LeaseKeeper`
renews this process's leases while it lives. Messages of the intelligent robot are
composed by its :class:`RobotComposer` (their answer is a stream, finished in the
transaction that marks them replied), under the same leases.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection

from api.wecom.channel import WeComChannel
from api.wecom.inbox import MAX_ATTEMPTS, Inbox, Leased
from api.wecom.leases import LeaseKeeper
from api.wecom.messages import WeComMessage
from api.wecom.outbox import Draft, Outbox, text_draft
from api.wecom.render import FAILURE
from api.wecom.robot_messages import is_robot

log = logging.getLogger(__name__)

_STOP = object()


@dataclass(frozen=True)
class Composition:
    """The answer to a robot message: messages for the outbox, the status the message is left
    in, and what else to write in the transaction that marks it replied (its stream)."""

    drafts: list[Draft]
    outcome: str
    commit: Callable[[Connection], object]


class RobotComposer(Protocol):
    """Composes the robot channel's answer to a leased message (:mod:`api.wecom.robot`)."""

    def compose(self, leased: Leased) -> Composition: ...


class CallbackWorker:
    """Answers queued and recovered messages in order on one background thread."""

    def __init__(
        self,
        channel: WeComChannel,
        inbox: Inbox,
        outbox: Outbox,
        *,
        process_lease_s: float,
        poll_s: float,
        max_queue: int = 10_000,
        robot: RobotComposer | None = None,
    ) -> None:
        self.channel = channel
        self.robot = robot
        """Composes the robot channel's answers (streams), if it is configured."""
        self.inbox = inbox
        self.outbox = outbox
        self.owner = outbox.owner
        """The lease owner name of this worker (its outbox's)."""
        self.process_lease_s = process_lease_s
        self.poll_s = poll_s
        self._queue: queue.Queue[object] = queue.Queue(max_queue)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        renew_every = min(process_lease_s, outbox.lease.total_seconds()) / 3
        self._keeper = LeaseKeeper(
            (lambda: inbox.renew(self.owner, process_lease_s), outbox.renew), renew_every
        )

    def claim(self, message: WeComMessage) -> Leased | None:
        """Lease a received message to this worker (see :meth:`Inbox.claim`)."""
        return self.inbox.claim(message, self.owner, self.process_lease_s)

    def submit(self, leased: Leased) -> None:
        """Queue a message this worker holds the lease of (starts the thread on first use).

        With the queue full, the lease is let go instead: the next recovery round (of this
        process or another) takes the message up."""
        self.start()
        self._idle.clear()
        try:
            self._queue.put(leased, timeout=5)
        except queue.Full:
            log.warning("WeCom worker queue full; message left to recovery")
            self.inbox.release(leased.message, self.owner)

    def start(self) -> None:
        """Start the thread (recovering at once) and the lease renewals, if not running."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="wecom-worker", daemon=True)
                self._thread.start()
        self._keeper.start()

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """Block until every queued message was answered (for tests and the benchmark)."""
        return self._idle.wait(timeout_s)

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop the thread after the messages already queued, then the renewals."""
        with self._lock:
            thread = self._thread
            self._thread = None
        if thread is not None and thread.is_alive():
            self._queue.put(_STOP)
            thread.join(timeout_s)
        self._keeper.close()

    def _run(self) -> None:
        next_poll = time.monotonic()
        while True:
            if time.monotonic() >= next_poll:
                self._recover()
                next_poll = time.monotonic() + self.poll_s
            try:
                item = self._queue.get(timeout=max(0.0, next_poll - time.monotonic()))
            except queue.Empty:
                continue
            if item is _STOP:
                self._idle.set()
                return
            if isinstance(item, Leased):
                self._answer(item)
            if self._queue.empty():
                self._idle.set()

    def _answer(self, leased: Leased) -> None:
        message = leased.message
        try:
            also = None
            if is_robot(message):
                if self.robot is None:  # a robot message recovered by a process without it
                    self.inbox.release(message, self.owner)
                    return
                composition = self.robot.compose(leased)
                drafts, outcome, also = composition.drafts, composition.outcome, composition.commit
            else:
                drafts, outcome = self._replies(leased)
            ids = self.inbox.commit_replies(message, self.owner, drafts, also)
            if ids is None:  # our lease ran out and another process answers it
                log.warning("WeCom message %s was taken over by another process", message.msg_id)
                return
            report = self.outbox.deliver(ids)
            if outcome == "answered" and report.retrying:
                outcome = "queued"
            self.inbox.mark(message, outcome)
        except Exception:  # one bad message (or a database hiccup) must not stop the worker
            log.exception("answering a WeCom message failed")

    def _replies(self, leased: Leased) -> tuple[list[Draft], str]:
        """The replies to a leased message and the status they leave it in."""
        sender = leased.message.from_user_name
        if leased.attempt > MAX_ATTEMPTS:  # each earlier attempt ended with its process
            log.error("WeCom message %s taken up %d times; answering with an apology",
                      leased.message.msg_id, leased.attempt)  # fmt: skip
            return [text_draft(sender, FAILURE)], "failed"
        try:
            return self.channel.replies(leased.message), "answered"
        except Exception:
            log.exception("composing the reply to a WeCom message failed")
            return [text_draft(sender, FAILURE)], "failed"

    def _recover(self) -> None:
        """Answer the messages left by stopped processes; retry the outbox's due sends."""
        try:
            for leased in self.inbox.take_expired(self.owner, self.process_lease_s):
                log.info("taking over WeCom message %s (attempt %d)",
                         leased.message.msg_id, leased.attempt)  # fmt: skip
                self._answer(leased)
            if self.outbox.deliver_pending().sent:
                self.inbox.settle()
        except Exception:
            log.exception("WeCom recovery round failed")
