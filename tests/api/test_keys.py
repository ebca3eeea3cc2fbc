"""API keys: shown once, stored hashed, revocable, checked in constant time."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from assistant.keys import (
    ApiKeyError,
    UnknownKeyError,
    authenticate,
    create_key,
    hash_key,
    list_keys,
    revoke,
)
from schema.app import api_keys
from schema.caller import Role


def test_created_key_authenticates_and_only_its_hash_is_stored(engine: Engine) -> None:
    key, record = create_key(engine, "E0007", Role.SALES)
    assert key.startswith(f"hrq_{record.key_id}_")
    assert len(key) > 40
    with engine.connect() as conn:
        stored = conn.execute(select(api_keys)).one()
    assert stored.key_hash == hash_key(key)
    assert key not in [str(v) for v in stored]
    found = authenticate(engine, key)
    assert found is not None
    assert (found.employee_no, found.role, found.key_id) == ("E0007", Role.SALES, record.key_id)


def test_role_is_optional(engine: Engine) -> None:
    key, record = create_key(engine, "E0001")
    assert record.role is None
    found = authenticate(engine, key)
    assert found is not None and found.role is None


@pytest.mark.parametrize(
    "presented",
    ["", "nonsense", "hrq_", "hrq_abc", "Bearer x", "hrq_unknown0_secret"],
)
def test_malformed_or_unknown_keys_fail(engine: Engine, presented: str) -> None:
    create_key(engine, "E0007", Role.SALES)
    assert authenticate(engine, presented) is None


def test_right_id_wrong_secret_fails(engine: Engine) -> None:
    key, record = create_key(engine, "E0007", Role.SALES)
    assert authenticate(engine, key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert authenticate(engine, f"hrq_{record.key_id}_x") is None


def test_revoked_key_fails_and_revoke_is_idempotent(engine: Engine) -> None:
    key, record = create_key(engine, "E0007", Role.SALES)
    other, _ = create_key(engine, "E0008", Role.HR)
    revoked = revoke(engine, record.key_id)
    assert revoked.revoked
    assert revoke(engine, record.key_id).revoked_at == revoked.revoked_at
    assert authenticate(engine, key) is None
    assert authenticate(engine, other) is not None


def test_keys_are_unique_and_listed_without_secrets(engine: Engine) -> None:
    keys = [create_key(engine, f"E{i:04d}", Role.MANAGER)[0] for i in range(20)]
    assert len(set(keys)) == 20
    listed = list_keys(engine)
    assert [r.employee_no for r in listed] == [f"E{i:04d}" for i in range(20)]
    assert all("hash" not in r.model_dump() for r in listed)


def test_errors(engine: Engine) -> None:
    with pytest.raises(UnknownKeyError):
        revoke(engine, "nope")
    with pytest.raises(ApiKeyError):
        create_key(engine, "  ")
    with pytest.raises(ValueError):
        create_key(engine, "E1", "boss")
