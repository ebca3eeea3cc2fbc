"""``hrq serve``: the HTTP API and the web page, run by uvicorn with the app factory.

Each worker builds its own app from the environment's settings (``HRQ_*``);
workers share the app database (keys, conversations, the audit log).
"""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.app import app, settings


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the HTTP API and the web page (at /) until stopped."""
    import uvicorn

    from schema.app import create_app_schema
    from schema.db import app_engine

    engine = app_engine(settings().app_db_url)  # fail early on a bad setting, create tables once
    create_app_schema(engine)
    engine.dispose()
    uvicorn.run(
        "api.http.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        proxy_headers=False,
    )
