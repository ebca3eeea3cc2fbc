"""The background worker that answers WeCom messages after the callback was acknowledged.

One daemon thread per app instance, started on the first message (never at
import): it takes messages from a bounded queue, lets the channel answer each
(ask, queue the reply in the outbox, send it), and records the outcome in the
inbox. When idle it retries the outbox's due messages, so a reply that failed
while WeCom was unreachable goes out once WeCom is back.
"""

from __future__ import annotations

import logging
import queue
import threading

from api.wecom.channel import WeComChannel
from api.wecom.messages import WeComMessage
from api.wecom.render import FAILURE

log = logging.getLogger(__name__)

_STOP = object()


class CallbackWorker:
    """Answers queued messages in order on one background thread."""

    def __init__(
        self, channel: WeComChannel, *, idle_retry_s: float = 5.0, max_queue: int = 10_000
    ) -> None:
        self.channel = channel
        self.idle_retry_s = idle_retry_s
        self._queue: queue.Queue[object] = queue.Queue(max_queue)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()

    def submit(self, message: WeComMessage) -> None:
        """Queue ``message`` for answering (starts the thread on first use)."""
        self._ensure_started()
        self._idle.clear()
        self._queue.put(message, timeout=5)

    def _ensure_started(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="wecom-worker", daemon=True)
                self._thread.start()

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """Block until every queued message was answered (for tests and the benchmark)."""
        return self._idle.wait(timeout_s)

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop the thread after the messages already queued."""
        with self._lock:
            thread = self._thread
            self._thread = None
        if thread is not None and thread.is_alive():
            self._queue.put(_STOP)
            thread.join(timeout_s)

    def _run(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=self.idle_retry_s)
            except queue.Empty:
                self._retry_outbox()
                continue
            if item is _STOP:
                self._idle.set()
                return
            if isinstance(item, WeComMessage):
                self._answer(item)
            if self._queue.empty():
                self._idle.set()

    def _answer(self, message: WeComMessage) -> None:
        inbox = self.channel.inbox
        try:
            report = self.channel.process(message)
            inbox.mark(message, "answered" if not report.retrying else "queued")
        except Exception:  # one bad message must not stop the worker
            log.exception("answering a WeCom message failed")
            inbox.mark(message, "failed")
            try:
                self.channel.outbox.deliver(
                    [self.channel.outbox.text(message.from_user_name, FAILURE)]
                )
            except Exception:
                log.exception("could not tell the sender about the failure")

    def _retry_outbox(self) -> None:
        try:
            self.channel.outbox.deliver_pending()
        except Exception:
            log.exception("outbox retry failed")
