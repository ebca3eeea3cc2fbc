"""Security headers of every response: a Content-Security-Policy, no framing, no sniffing,
no referrer.

The web page loads only its own files (``/static/app.js``, ``/static/app.css``; no inline
script or style), so its policy allows ``'self'`` and nothing else; images may be
``data:`` and ``blob:`` URLs (charts, downloads). The API's JSON gets the same headers.

The OpenAPI page (``/docs``, Swagger UI) is served the same way, from hrq's own files and
with no inline script (``api/http/docs.py``), so one policy covers every response.
"""

from __future__ import annotations

_COMMON = "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    f"connect-src 'self'; {_COMMON}"
)
_FIXED = (
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
)


def security_headers() -> dict[str, str]:
    """The security headers of every response."""
    return {"content-security-policy": PAGE_POLICY, **dict(_FIXED)}
