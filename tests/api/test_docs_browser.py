"""``/docs`` in a real browser (Debian's chromium, Playwright): Swagger UI renders every route
from hrq's own files, asks no other origin and breaks no Content-Security-Policy rule."""

from __future__ import annotations

import pytest

from tests.api.test_browser import CHROMIUM, CHROMIUM_ARGS, WATCH_CSP

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="browser test skipped: /usr/bin/chromium is absent (apt-get install chromium)",
    ),
]


def test_swagger_ui_renders_offline_under_the_page_policy(server: tuple[str, str]) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    base, _ = server
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(20_000)
            page.add_init_script(WATCH_CSP)
            elsewhere: list[str] = []
            page.on(
                "request",
                lambda r: None if r.url.startswith((base, "data:")) else elsewhere.append(r.url),
            )
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(base + "/docs")
            page.locator(".opblock-summary-path", has_text="/v1/ask").wait_for()
            routes = page.locator(".opblock-summary-path").all_inner_texts()
            openapi = page.request.get(base + "/openapi.json").json()
            assert sorted(routes) == sorted(
                path for path, ops in openapi["paths"].items() for _ in ops
            )
            page.locator(".opblock-summary", has_text="/v1/ask").click()  # expand, try it out
            page.locator("button.try-out__btn").click()
            page.locator("button.authorize").first.click()
            page.locator(".auth-container input").wait_for()
            assert page.evaluate("window.__violations") == []
            assert elsewhere == [] and errors == []
        finally:
            browser.close()
