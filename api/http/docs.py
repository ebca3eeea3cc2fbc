"""The OpenAPI page, ``/docs`` (Swagger UI), served with hrq's own copy of its script and
styles (``/docs/assets/...``): it works without the internet and under the policy of every
response (:data:`api.http.headers.PAGE_POLICY`: no other origin, no inline script or style).

FastAPI's own page loads Swagger UI from a CDN and starts it with an inline script; here the
page is a static file (``docs_static/swagger.html``) whose start-up script is a file too.
Swagger UI's files are those the fastapi-offline package ships. Every URL in the page is
relative, so it also works under a proxy's path prefix. There is no ``/redoc``: ReDoc needs
inline styles and loads its logo from its own CDN.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

DOCS_URL, ASSETS_URL = "/docs", "/docs/assets"
PAGES = Path(__file__).with_name("docs_static")
#: Swagger UI (bundle and styles) and FastAPI's icon.
VENDORED = Path(str(importlib.resources.files("fastapi_offline") / "static"))
ASSETS: dict[str, tuple[Path, str]] = {
    "swagger-ui-bundle.js": (VENDORED, "text/javascript; charset=utf-8"),
    "swagger-ui.css": (VENDORED, "text/css; charset=utf-8"),
    "favicon.png": (VENDORED, "image/png"),
    "swagger-start.js": (PAGES, "text/javascript; charset=utf-8"),
}

router = APIRouter(include_in_schema=False)


@router.get(DOCS_URL)
def swagger_ui() -> FileResponse:
    return FileResponse(PAGES / "swagger.html", media_type="text/html; charset=utf-8")


@router.get(ASSETS_URL + "/{name}")
def asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise HTTPException(404, "no such file")
    folder, media_type = ASSETS[name]
    return FileResponse(folder / name, media_type=media_type)
