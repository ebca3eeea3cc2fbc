"""What one app instance holds: settings, engines, stores, limiter, metrics, the assistant.

Built by :func:`api.http.main.create_app`, one per app (tests build as many as
they like); nothing here exists at import time. The assistant (with the warehouse
engine) is built at startup, before the server takes requests, so no request waits
for it; when the warehouse cannot be read then, it is built on first use instead,
and ``/healthz`` still answers.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace

import anyio
from sqlalchemy import Engine

from api.http.askpool import AskPool
from api.http.ratelimit import RateLimiter
from api.http.telemetry import Metrics
from api.wecom.dispute_notices import dispute_notices
from assistant.ask import Assistant
from assistant.audit import AuditLog
from assistant.callers import resolve_caller
from assistant.closes import CloseBook
from assistant.conversations import ConversationStore
from assistant.keys import KeyRecord
from schema.app import create_app_schema
from schema.caller import Caller
from schema.db import app_engine
from schema.errors import HrqError
from schema.settings import Settings
from tools.policy import BonusPolicy

log = logging.getLogger("hrq.http")


class Services:
    """The long-lived objects of one app instance."""

    def __init__(self, settings: Settings, assistant: Assistant | None = None) -> None:
        self.settings = settings
        self.app_engine: Engine = app_engine(settings.app_db_url)
        self.conversations = ConversationStore(self.app_engine, create_schema=False)
        #: Month closes (written through the app database's audit log).
        self.closes = CloseBook(
            self.app_engine,
            AuditLog(self.app_engine, create_schema=False, hmac_key=settings.audit_hmac_key),
        )
        self.limiter = RateLimiter(self.app_engine, settings.api_rate_limit_per_minute)
        self.metrics = Metrics()
        self._lock = threading.RLock()
        #: Asks that run at once in this process; the rest wait their turn on the event loop
        #: (more threads only contend for the GIL and the app database's write lock).
        self.ask_slots = anyio.CapacityLimiter(settings.api_ask_concurrency)
        #: Chart rendering (matplotlib) one at a time.
        self.render_lock = threading.Lock()
        self._assistant: Assistant | None = assistant
        #: The answering processes (``api_ask_processes``), started with the app.
        self.ask_pool: AskPool | None = None
        self._callers: dict[tuple[str, str | None], tuple[float, Caller]] = {}

    def prepare(self) -> None:
        """At startup: create the app tables that are missing and build the assistant.

        Building the assistant (reading the warehouse for the gazetteer) takes about a
        second; done here, each server worker is ready before its first request rather
        than stalling the requests that reach it first.
        """
        create_app_schema(self.app_engine)
        try:
            assistant = self.assistant()
        except HrqError as exc:  # e.g. the warehouse is missing: /readyz reports it
            log.warning("assistant not built at startup (built on first use): %s", exc)
            return
        if self.settings.api_ask_processes > 0:
            self.ask_pool = AskPool(self.settings, self.settings.api_ask_processes)
        else:  # this process runs the guarded SQL: its first worker opens the warehouse now
            assistant.executor.start()

    def warehouse(self) -> Engine:
        """The assistant's read-only warehouse engine (one per app instance)."""
        return self.assistant().warehouse

    def assistant(self) -> Assistant:
        """The assistant, built from the settings on first use."""
        with self._lock:
            if self._assistant is None:
                self._assistant = Assistant.from_settings(
                    self.settings, notifier=dispute_notices(self.settings)
                )
            return self._assistant

    def built_assistant(self) -> Assistant | None:
        """The assistant if it is already built (never builds it, never blocks)."""
        return self._assistant

    def policy(self) -> BonusPolicy:
        """The bonus policy the tools apply."""
        return self.assistant().policy

    def cached_caller(self, record: KeyRecord) -> Caller | None:
        """The key's caller if resolved recently enough (no database access), else None."""
        cache_key = (record.employee_no, record.role.value if record.role else None)
        hit = self._callers.get(cache_key)
        if hit is not None and time.monotonic() - hit[0] < self.settings.api_caller_cache_s:
            return hit[1]
        return None

    def caller_for(self, record: KeyRecord) -> Caller:
        """The caller of a key: its employee resolved in the warehouse, cached briefly.

        The key's role, when it has one, replaces the role the warehouse implies; the
        department scope always comes from the warehouse.
        """
        hit = self.cached_caller(record)
        if hit is not None:
            return hit
        cache_key = (record.employee_no, record.role.value if record.role else None)
        now = time.monotonic()
        caller = resolve_caller(record.employee_no, warehouse=self.warehouse(), app=self.app_engine)
        if record.role is not None and record.role is not caller.role:
            caller = replace(caller, role=record.role)
        self._callers[cache_key] = (now, caller)
        return caller

    def close(self) -> None:
        """Stop the answering processes and release the engines."""
        if self.ask_pool is not None:
            self.ask_pool.close()
        self.app_engine.dispose()
        if self._assistant is not None:
            self._assistant.warehouse.dispose()
            for store in (self._assistant.audit, self._assistant.conversations):
                if store is not None:
                    store.engine.dispose()
