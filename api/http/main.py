"""Assemble the FastAPI app: ``create_app(settings)``; nothing is built at import time.

``hrq serve`` runs it with uvicorn's factory mode (``api.http.main:create_app``),
each worker building its own app from the environment's settings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.http import (
    ask,
    closes,
    conversations,
    disputes,
    docs,
    feedback,
    health,
    me,
    metrics,
    performance,
    reports,
)
from api.http.errors import install_error_handlers
from api.http.middleware import BodyLimitMiddleware, MetricsMiddleware, SecurityHeadersMiddleware
from api.http.services import Services
from api.web.routes import router as web_router
from api.wecom.callback import router as wecom_router
from api.wecom.robot_callback import router as robot_router
from assistant.ask import Assistant
from schema.settings import Settings, get_settings

DESCRIPTION = """\
Ask the HR warehouse in Chinese or English. Every route under `/v1` needs an API key
(`Authorization: Bearer hrq_...`, created with `hrq keys create --user EMPLOYEE_NO`);
the key's employee and role scope everything it can see. Errors are
`{"error": {"code", "message"}}`. Every question is audited.
"""


def create_app(settings: Settings | None = None, *, assistant: Assistant | None = None) -> FastAPI:
    """The hrq HTTP app for ``settings`` (default: from the environment).

    ``assistant`` is built from the settings on first use unless one is given (tests
    share one across apps).
    """
    settings = settings or get_settings()
    services = Services(settings, assistant)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        services.prepare()
        try:
            yield
        finally:
            services.close()

    app = FastAPI(
        title="hrq",
        version="1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # api/http/docs.py serves /docs from hrq's own files, without a CDN
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,  # keys are bearer tokens: no OAuth2 flow
    )
    app.state.services = services
    install_error_handlers(app)
    routers = (
        ask,
        closes,
        conversations,
        disputes,
        feedback,
        me,
        performance,
        reports,
        health,
        metrics,
        docs,
    )
    for module in routers:
        app.include_router(module.router)
    app.include_router(web_router)
    app.include_router(wecom_router)
    app.include_router(robot_router)
    app.add_middleware(BodyLimitMiddleware, limit=settings.api_max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=services.metrics)
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: 413s get them too
    return app
