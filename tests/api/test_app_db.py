"""The app database engine: a SQLite file is set up for several writers on every connection."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from assistant.audit import AuditLog, prepare_sqlite
from assistant.conversations import ConversationStore
from schema.db import SQLITE_BUSY_TIMEOUT_MS, app_engine, sqlite_pragmas


def test_sqlite_file_gets_wal_busy_timeout_and_no_ping(tmp_path: Path) -> None:
    engine = app_engine(f"sqlite:///{tmp_path / 'sub' / 'app.db'}")
    assert event.contains(engine, "connect", sqlite_pragmas)
    assert not engine.pool._pre_ping  # a local file: nothing to ping
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
    engine.dispose()


def test_stores_do_not_prepare_twice(tmp_path: Path) -> None:
    engine = app_engine(f"sqlite:///{tmp_path / 'app.db'}")
    AuditLog(engine)
    ConversationStore(engine)
    prepare_sqlite(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_engines_built_elsewhere_are_still_prepared(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'other.db'}")
    prepare_sqlite(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_other_databases_keep_the_pre_ping() -> None:
    engine = app_engine("sqlite://")  # in memory: no file to prepare, defaults as before
    assert engine.pool._pre_ping
    assert not event.contains(engine, "connect", sqlite_pragmas)
