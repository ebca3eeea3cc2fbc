"""The robot's long connection inside ``hrq serve``: one connection per bot, whatever the
number of server processes.

When ``HRQ_WECOM_ROBOT_BOT_ID`` and ``HRQ_WECOM_ROBOT_SECRET`` are set, every server process
starts a :class:`RobotRunner` with its app. WeCom keeps one long connection per bot, so
the processes sharing the app database elect one holder with a lease (a row of
``scheduled_jobs`` named ``robot_ws:<bot id>``, :class:`~api.wecom.schedule.JobLeases`,
renewed by a :class:`~api.wecom.leases.LeaseKeeper`): the holder connects
(:class:`~api.wecom.robot_ws.RobotConnection`: subscribe, heartbeats, reconnect with
backoff after a drop) on a thread with its own event loop; the others poll every
``HRQ_WECOM_RECOVERY_POLL_S`` and take over when the holder stops (its lease released on a
clean shutdown, or expired, or at once when its process on this host ended). Messages
arriving on the connection are answered through the process's
:class:`~api.wecom.robot_callback.RobotService`, so the inbox's leases and the streams
work as for callbacks. A refused subscription (wrong bot id or secret) is logged and not
retried.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from api.wecom.leases import LeaseKeeper
from api.wecom.robot_callback import RobotService
from api.wecom.robot_ws import ConnectConfig, RobotConnectError, RobotConnection
from api.wecom.schedule import JobLeases

log = logging.getLogger(__name__)


class RobotRunner:
    """Holds the bot's connection while this process holds its lease, until :meth:`close`."""

    def __init__(
        self, service: RobotService, config: ConnectConfig, leases: JobLeases, *, poll_s: float
    ) -> None:
        self.service = service
        self.config = config
        self.leases = leases
        self.poll_s = poll_s
        self.job = f"robot_ws:{config.bot_id}"[:64]
        self.connection: RobotConnection | None = None
        self.error: RobotConnectError | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._keeper = LeaseKeeper((leases.renew,), leases.lease_s / 3)

    @property
    def holding(self) -> bool:
        """Whether this process holds the connection now."""
        return self.connection is not None

    def start(self) -> None:
        if self._thread is None:
            self._keeper.start()
            self._thread = threading.Thread(target=self._run, name="hrq-robot-ws", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            slot = int(time.time())  # later than a run that finished before (a second ago)
            try:
                claimed = self.leases.claim(self.job, slot)
            except Exception:  # the app database is briefly unreachable
                log.exception("claiming the robot's long connection failed")
                claimed = False
            if claimed:
                try:
                    self._connect()
                finally:
                    self.leases.finish(
                        self.job, slot, None if self.error is None else str(self.error)
                    )
                if self.error is not None:
                    return
            self._stop.wait(self.poll_s)

    def _connect(self) -> None:
        connection = RobotConnection(self.service, self.config)
        with self._lock:
            if self._stop.is_set():
                return
            self.connection = connection
        try:
            asyncio.run(connection.run())
        except RobotConnectError as exc:
            log.error("%s", exc)
            self.error = exc
        except Exception:
            log.exception("the robot's long connection failed")
        finally:
            with self._lock:
                self.connection = None

    def close(self, timeout_s: float = 10.0) -> None:
        """Disconnect, release the lease (another process may connect) and stop."""
        with self._lock:
            self._stop.set()
            if self.connection is not None:
                self.connection.stop()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        self._keeper.close()
