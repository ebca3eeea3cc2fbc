"""HTTP errors: every failure is JSON ``{"error": {"code", "message"}}``, never a stack trace.

Library errors (:class:`HrqError`) map to a status by their ``code`` (walking the
class hierarchy, so a subclass inherits its parent's status); errors that only
the HTTP layer raises are :class:`ApiError` with their own status and headers.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.http.headers import security_headers
from schema.errors import HrqError

log = logging.getLogger("hrq.http")

#: Status of a library error by its ``code`` (the first code found along the class MRO wins).
STATUS_BY_CODE: dict[str, int] = {
    "conversation_not_found": 404,
    "answer_not_found": 404,
    "unknown_key": 404,
    "no_roster": 404,
    "not_closed": 404,
    "month_in_progress": 409,
    "close_conflict": 409,
    "dispute_not_found": 404,
    "dispute_resolved": 409,
    "unknown_department": 404,
    "ambiguous_department": 409,
    "department": 422,
    "invalid_argument": 422,
    "out_of_scope": 403,
    "guard": 403,
    "caller": 403,
    "tool": 422,
    "warehouse": 503,
    "audit": 503,
    "config": 500,
}

HTTP_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal",
    503: "unavailable",
}


class ApiError(HrqError):
    """An error of the HTTP layer itself (auth, limits), with its status and headers."""

    code = "api"

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.headers = headers or {}


def error_body(code: str, message: str) -> dict[str, Any]:
    """The JSON body of every error response."""
    return {"error": {"code": code, "message": message}}


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)


def status_of(exc: HrqError) -> int:
    """The HTTP status of a library error."""
    if isinstance(exc, ApiError):
        return exc.status
    for cls in type(exc).__mro__:
        code = getattr(cls, "code", None)
        if isinstance(code, str) and code in STATUS_BY_CODE:
            return STATUS_BY_CODE[code]
    return 400


async def _hrq_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HrqError)
    status = status_of(exc)
    headers = exc.headers if isinstance(exc, ApiError) else None
    if status >= 500:
        log.error("request failed: %s: %s", exc.code, exc)
    return error_response(status, exc.code, str(exc), headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return error_response(422, "invalid_request", "; ".join(parts) or "invalid request")


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return error_response(exc.status_code, code, message, getattr(exc, "headers", None))


def install_error_handlers(app: FastAPI) -> None:
    """Register the JSON error handlers on ``app``."""

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Starlette answers this one outside every middleware: the security headers are added here.
        log.exception("unexpected error", exc_info=exc)
        headers = security_headers()
        return error_response(500, "internal", "internal error; it has been logged", headers)

    app.add_exception_handler(HrqError, _hrq_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, unexpected)
