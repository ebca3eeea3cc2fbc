"""The per-app caller cache that lets the API resolve a key's caller without a thread hop."""

from __future__ import annotations

from api.http.services import Services
from assistant.keys import create_key
from schema.app import create_app_schema
from schema.caller import Role
from schema.db import app_engine
from schema.settings import Settings


def test_cached_caller_only_after_resolving_and_within_its_age(
    warehouse_url: str, app_db_url: str
) -> None:
    create_app_schema(app_engine(app_db_url))
    services = Services(Settings(warehouse_url=warehouse_url, app_db_url=app_db_url))
    try:
        _, record = create_key(services.app_engine, "E00001", Role.MANAGER)
        assert services.cached_caller(record) is None  # never resolved: no database read here
        caller = services.caller_for(record)
        assert caller.role is Role.MANAGER and caller.employee_no == "E00001"
        assert services.cached_caller(record) is caller
        assert services.caller_for(record) is caller
    finally:
        services.close()


def test_cache_age_zero_never_serves_from_the_cache(warehouse_url: str, app_db_url: str) -> None:
    create_app_schema(app_engine(app_db_url))
    settings = Settings(warehouse_url=warehouse_url, app_db_url=app_db_url, api_caller_cache_s=0)
    services = Services(settings)
    try:
        _, record = create_key(services.app_engine, "E00001")
        services.caller_for(record)
        assert services.cached_caller(record) is None
    finally:
        services.close()
