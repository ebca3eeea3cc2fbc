"""API keys: who is asking over HTTP.

A key reads ``hrq_<key_id>_<secret>``. ``key_id`` is public (it names the key in
``hrq keys list`` and ``hrq keys revoke``); only the SHA-256 of the whole key is
stored, so the key is shown once, at creation, and never again. Authentication
looks the record up by ``key_id`` and compares hashes in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import Engine, insert, select, update

from schema.app import api_keys, create_app_schema
from schema.caller import Role
from schema.errors import HrqError

KEY_PREFIX = "hrq_"
_ID_BYTES = 6  # 8 url-safe characters
_SECRET_BYTES = 32


class ApiKeyError(HrqError):
    """A key operation cannot be done as asked."""

    code = "key"


class UnknownKeyError(ApiKeyError):
    """No key has that id."""

    code = "unknown_key"


class KeyRecord(BaseModel):
    """A stored key, without its secret. ``role`` None: the role comes from the warehouse."""

    key_id: str
    employee_no: str
    role: Role | None
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def hash_key(key: str) -> str:
    """The stored form of a key: SHA-256, hex."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(
    engine: Engine, employee_no: str, role: Role | str | None = None
) -> tuple[str, KeyRecord]:
    """Create a key for ``employee_no`` (optionally forcing ``role``); return (key, record).

    The key itself is returned only here; the database keeps its hash.
    """
    employee_no = employee_no.strip()
    if not employee_no:
        raise ApiKeyError("a key needs the employee number of its user")
    role_value = Role(role) if role is not None else None
    create_app_schema(engine)
    key_id = secrets.token_urlsafe(_ID_BYTES).replace("_", "x").replace("-", "y")
    key = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(_SECRET_BYTES)}"
    record = KeyRecord(
        key_id=key_id,
        employee_no=employee_no,
        role=role_value,
        created_at=datetime.now(UTC),
    )
    with engine.begin() as conn:
        conn.execute(
            insert(api_keys).values(
                key_id=key_id,
                key_hash=hash_key(key),
                employee_no=employee_no,
                role=role_value.value if role_value else None,
                created_at=record.created_at,
            )
        )
    return key, record


def revoke(engine: Engine, key_id: str) -> KeyRecord:
    """Revoke a key by its id (idempotent); return the record."""
    create_app_schema(engine)
    with engine.begin() as conn:
        found = conn.execute(select(api_keys).where(api_keys.c.key_id == key_id)).first()
        if found is None:
            raise UnknownKeyError(f"no API key with id {key_id!r}; see `hrq keys list`")
        if found.revoked_at is None:
            conn.execute(
                update(api_keys)
                .where(api_keys.c.key_id == key_id)
                .values(revoked_at=datetime.now(UTC))
            )
    return _get(engine, key_id)


def list_keys(engine: Engine) -> list[KeyRecord]:
    """Every key, oldest first, without secrets."""
    create_app_schema(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(api_keys).order_by(api_keys.c.created_at)).all()
    return [_to_record(row) for row in rows]


def key_id_of(key: str) -> str | None:
    """The public id inside a presented key, or None when it is not shaped like one."""
    if not key.startswith(KEY_PREFIX):
        return None
    key_id, sep, secret = key[len(KEY_PREFIX) :].partition("_")
    if not sep or not key_id or not secret:
        return None
    return key_id


def authenticate(engine: Engine, key: str) -> KeyRecord | None:
    """The record of a valid, unrevoked key, else None."""
    key_id = key_id_of(key)
    if key_id is None:
        return None
    with engine.connect() as conn:
        row = conn.execute(select(api_keys).where(api_keys.c.key_id == key_id)).first()
    if row is None or not hmac.compare_digest(row.key_hash, hash_key(key)):
        return None
    if row.revoked_at is not None:
        return None
    return _to_record(row)


def _get(engine: Engine, key_id: str) -> KeyRecord:
    with engine.connect() as conn:
        row = conn.execute(select(api_keys).where(api_keys.c.key_id == key_id)).first()
    if row is None:
        raise UnknownKeyError(f"no API key with id {key_id!r}")
    return _to_record(row)


def _to_record(row: object) -> KeyRecord:
    data = dict(row._mapping)  # type: ignore[attr-defined]
    data.pop("key_hash", None)
    return KeyRecord.model_validate(data)
