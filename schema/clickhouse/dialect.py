"""SQLAlchemy dialects for a ClickHouse warehouse: a server, or chDB on a local folder.

Both are clickhouse-connect's own dialect (its compiler, types and DB-API); they differ
only in how a URL becomes a client:

- ``clickhouse://user:password@host:8123/database`` (``clickhouses://`` for HTTPS): a
  ClickHouse server over HTTP.
- ``chdb:///path/to/dir``: chDB, the ClickHouse engine in this process, on a data folder
  (clickhouse-connect's ``chdb`` backend, which the chdb package provides). As with
  ``duckdb:///`` and ``sqlite:///``, three slashes start a path relative to the working
  folder and four an absolute one (``chdb:////srv/hrq/warehouse``).

:func:`schema.clickhouse.register` names them to SQLAlchemy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clickhouse_connect.cc_sqlalchemy.dialect import ClickHouseDialect
from sqlalchemy.engine import URL
from sqlalchemy.engine.interfaces import ConnectArgsType


def _dbapi() -> Any:
    from clickhouse_connect import dbapi

    return dbapi


class ClickHouseServerDialect(ClickHouseDialect):
    """A ClickHouse server over HTTP (clickhouse-connect's client)."""

    supports_statement_cache = False

    @classmethod
    def import_dbapi(cls) -> Any:  # (SQLAlchemy looks for it in each class's own dict)
        return _dbapi()

    secure = False

    def create_connect_args(self, url: URL) -> ConnectArgsType:
        options: dict[str, Any] = {
            "host": url.host or "localhost",
            "port": url.port or (8443 if self.secure else 8123),
            "username": url.username or "default",
            "password": url.password or "",
            "database": url.database or "default",
            "interface": "https" if self.secure else "http",
        }
        options.update(url.query)
        return [], options


class ClickHouseSecureDialect(ClickHouseServerDialect):
    """A ClickHouse server over HTTPS."""

    supports_statement_cache = False

    @classmethod
    def import_dbapi(cls) -> Any:  # (SQLAlchemy looks for it in each class's own dict)
        return _dbapi()

    secure = True


class ChdbDialect(ClickHouseDialect):
    """chDB on a data folder in this process (created on first use)."""

    supports_statement_cache = False

    @classmethod
    def import_dbapi(cls) -> Any:  # (SQLAlchemy looks for it in each class's own dict)
        return _dbapi()

    def create_connect_args(self, url: URL) -> ConnectArgsType:
        folder = url.database or ""
        if not folder or folder == ":memory:":
            return [], {"dsn": "chdb://memory", "interface": "chdb"}
        return [], {"dsn": f"chdb://{Path(folder).resolve()}", "interface": "chdb"}
