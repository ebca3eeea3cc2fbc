"""Dependencies of the routes, as ``Annotated`` aliases: settings, services, assistant, caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.http.errors import ApiError
from api.http.services import Services
from assistant.ask import Assistant
from assistant.keys import KeyRecord, authenticate
from schema.caller import Caller
from schema.settings import Settings

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An hrq API key (`hrq keys create --user EMPLOYEE_NO`), as `Bearer hrq_...`.",
)


# The cheap dependencies are ``async``: FastAPI runs a plain ``def`` dependency in the
# thread pool, a thread hop per request for an attribute read. Those that touch a
# database stay plain functions, so they never block the event loop.


async def get_services(request: Request) -> Services:
    """The app instance's services."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_app_settings(services: ServicesDep) -> Settings:
    """The settings the app was built with."""
    return services.settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


async def get_assistant(services: ServicesDep) -> Assistant:
    """The assistant that answers questions (built in the thread pool on first use)."""
    built = services.built_assistant()
    if built is not None:
        return built
    return await run_in_threadpool(services.assistant)


AssistantDep = Annotated[Assistant, Depends(get_assistant)]


def get_key(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> KeyRecord:
    """The valid API key of the request, within its rate limit; 401 or 429 otherwise."""
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(
            401, "unauthorized", "missing API key: send Authorization: Bearer <key>", challenge
        )
    record = authenticate(services.app_engine, credentials.credentials)
    if record is None:
        raise ApiError(401, "unauthorized", "invalid or revoked API key", challenge)
    wait = services.limiter.acquire(record.key_id)
    if wait is not None:
        raise ApiError(
            429, "rate_limited", f"too many requests; retry in {wait} s", {"Retry-After": str(wait)}
        )
    return record


KeyDep = Annotated[KeyRecord, Depends(get_key)]


async def get_caller(services: ServicesDep, key: KeyDep) -> Caller:
    """The caller behind the key: its employee and role, scoped by the warehouse.

    A recently resolved caller comes from the cache on the event loop; resolving one
    reads the databases, in the thread pool.
    """
    cached = services.cached_caller(key)
    if cached is not None:
        return cached
    return await run_in_threadpool(services.caller_for, key)


CallerDep = Annotated[Caller, Depends(get_caller)]
