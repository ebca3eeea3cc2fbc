"""ClickHouse as a warehouse engine: a server over HTTP, or chDB on a local folder.

``dialect`` holds the SQLAlchemy dialects of the two URL schemes, ``contract`` the
contract tables' DDL (``contract.sql``) and the Arrow loader. :func:`register` names
the dialects to SQLAlchemy without importing clickhouse-connect; it is imported when
a ClickHouse engine is first made.
"""

from __future__ import annotations

#: URL scheme -> the class of its dialect in :mod:`schema.clickhouse.dialect`.
SCHEMES = {
    "clickhouse": "ClickHouseServerDialect",
    "clickhouses": "ClickHouseSecureDialect",
    "chdb": "ChdbDialect",
}


def register() -> None:
    """Make the ClickHouse URL schemes known to SQLAlchemy (idempotent, imports nothing)."""
    from sqlalchemy.dialects import registry

    for scheme, name in SCHEMES.items():
        registry.register(scheme, "schema.clickhouse.dialect", name)
