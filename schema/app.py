"""hrq's own state, kept apart from the warehouse in the app database.

One ``MetaData`` for every table hrq writes; :func:`create_app_schema` creates
what is missing (idempotent), so a new SQLite file or PostgreSQL database is
ready on first use.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, func

metadata = MetaData()

#: Role overrides set by ``hrq users grant``; otherwise the role comes from the warehouse.
role_grants = Table(
    "role_grants",
    metadata,
    Column("employee_no", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("granted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


def create_app_schema(engine: Engine) -> None:
    """Create hrq's tables that do not exist yet."""
    metadata.create_all(engine)
