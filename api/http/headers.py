"""Security headers of every response: a Content-Security-Policy, no framing, no sniffing,
no referrer.

The web page loads only its own files (``/static/app.js``, ``/static/app.css``; no inline
script or style), so its policy allows ``'self'`` and nothing else; images may be
``data:`` and ``blob:`` URLs (charts, downloads). The API's JSON gets the same headers.

The OpenAPI pages (``/docs``, ``/redoc``) are FastAPI's: they load Swagger UI and ReDoc
from cdn.jsdelivr.net and start them with an inline script, so they get a policy that
allows that CDN and inline script and style, on those paths only. When those files are
served by hrq itself, :data:`DOCS_POLICY` can shrink to :data:`PAGE_POLICY`.
"""

from __future__ import annotations

from collections.abc import Collection

_COMMON = "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    f"connect-src 'self'; {_COMMON}"
)
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "img-src 'self' data: blob: https://cdn.jsdelivr.net https://fastapi.tiangolo.com; "
    "font-src 'self' https://fonts.gstatic.com; worker-src 'self' blob:; "
    f"connect-src 'self'; {_COMMON}"
)
_FIXED = (
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
)


def security_headers(path: str, docs: Collection[str] = ()) -> dict[str, str]:
    """The security headers of a response to ``path`` (``docs``: the OpenAPI pages' paths)."""
    policy = DOCS_POLICY if path in docs else PAGE_POLICY
    return {"content-security-policy": policy, **dict(_FIXED)}
