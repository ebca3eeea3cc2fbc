"""Health: ``/healthz`` (the process answers) and ``/readyz`` (warehouse and app database)."""

from __future__ import annotations

import logging
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Engine, text

from api.http.deps import ServicesDep

router = APIRouter(tags=["health"])
log = logging.getLogger("hrq.http")


class HealthOut(BaseModel):
    status: Literal["ok"] = "ok"


class ReadyOut(BaseModel):
    """Readiness and each dependency's state ('ok' or 'unavailable')."""

    status: Literal["ok", "unavailable"]
    checks: dict[str, str]


@router.get("/healthz", response_model=HealthOut, summary="The process is up")
def healthz() -> HealthOut:
    return HealthOut()


def _check(name: str, engine_factory: object) -> str:
    try:
        engine = engine_factory() if callable(engine_factory) else engine_factory
        assert isinstance(engine, Engine)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # any failure means not ready; the reason goes to the log
        log.warning("readiness check %s failed: %s", name, exc)
        return "unavailable"


@router.get(
    "/readyz",
    response_model=ReadyOut,
    summary="The warehouse and the app database are reachable",
    responses={503: {"model": ReadyOut, "description": "A dependency is unreachable."}},
)
def readyz(services: ServicesDep) -> JSONResponse:
    checks = {
        "warehouse": _check("warehouse", services.warehouse),
        "app_db": _check("app_db", services.app_engine),
    }
    ready = all(v == "ok" for v in checks.values())
    body = ReadyOut(status="ok" if ready else "unavailable", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
