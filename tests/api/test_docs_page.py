"""``/docs`` works offline: Swagger UI from hrq's own files, under the page's policy."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from fastapi.testclient import TestClient

from tests.api.test_security_headers import PAGE_CSP, assert_secured, policy

KINDS = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


def references(html: str) -> list[str]:
    """Every URL the page loads or links to (src=, href=)."""
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_docs_references_only_local_assets_and_they_are_served(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    urls = references(page.text)
    assert len(urls) == 4  # styles, icon, Swagger UI, its start-up script
    for url in urls:
        assert not urlsplit(url).scheme and not url.startswith("//"), url  # same origin
        path = urlsplit(urljoin("http://testserver/docs", url)).path
        asset = client.get(path)
        assert asset.status_code == 200, path
        assert asset.headers["content-type"].startswith(KINDS[path[path.rindex(".") :]]), path
        assert len(asset.content) > 100, path
    assert "SwaggerUIBundle" in client.get("/docs/assets/swagger-ui-bundle.js").text
    start = client.get("/docs/assets/swagger-start.js").text
    assert 'url: "openapi.json"' in start  # relative: /openapi.json, under a prefix too
    assert client.get("/openapi.json").json()["info"]["title"] == "hrq"


def test_docs_has_no_inline_script_or_style_and_the_page_policy(client: TestClient) -> None:
    page = client.get("/docs")
    html = page.text
    assert html.count("<script") == html.count("<script src=") == 2
    assert "<style" not in html and " style=" not in html
    assert "cdn." not in html and "http" not in html.replace("http-equiv", "")
    assert_secured(page)
    assert {k: policy(page).get(k) for k in PAGE_CSP} == PAGE_CSP


def test_only_the_known_assets_are_served(client: TestClient) -> None:
    for path in ("/docs/assets/../main.py", "/docs/assets/core.py", "/docs/assets/swagger.html",
                 "/redoc", "/docs/oauth2-redirect"):  # fmt: skip
        assert client.get(path).status_code == 404, path
