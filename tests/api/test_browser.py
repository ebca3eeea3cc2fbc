"""The web page in a real browser (Debian's chromium driven by Playwright): sign in, ask in
Chinese, see the table and the chart, sort, download the XLSX, switch to English, leaderboard;
a bad key refused at sign-in, and no Content-Security-Policy violation."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from assistant.keys import create_key, revoke
from schema.db import app_engine
from tests.api.conftest import Persona

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip

SCREENSHOTS = Path("/tmp/audit-web")
#: Collects Content-Security-Policy violations in the page (window.__violations).
WATCH_CSP = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="browser test skipped: /usr/bin/chromium is absent (apt-get install chromium)",
    ),
]


def test_sign_in_ask_chart_sort_download_and_leaderboard(
    server: tuple[str, str], personas: dict[str, Persona], tmp_path: Path
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    base, app_db = server
    engine = app_engine(app_db)
    key, _ = create_key(engine, personas["hr"].employee_no)
    engine.dispose()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(accept_downloads=True)
            page.set_default_timeout(20_000)
            page.add_init_script(WATCH_CSP)
            page.goto(base + "/")
            assert page.locator("h1").inner_text() == "hrq 人力数据问答"
            page.fill("#key", key)
            page.click("#signin button[type=submit]")
            page.wait_for_selector("#app:not([hidden])")

            page.fill("#question", "2026年8月各部门销售额")
            page.click("#ask")
            answer = page.locator(".msg.a").last
            answer.locator("table.result").wait_for()
            assert answer.get_attribute("data-kind") == "answer"
            assert "2026年8月" in answer.locator(".sentence").inner_text()
            assert answer.locator("table.result tbody tr").count() == 6
            assert answer.locator("figure.chart .bar").count() == 6
            answer.locator("details summary").first.click()
            assert "SELECT" in answer.locator("pre.sql").inner_text().upper()

            value_header = answer.locator("table.result th").last
            value_header.click()
            cells = answer.locator("table.result tbody tr td:last-child").all_inner_texts()
            numbers = [float(c.strip("¥").replace(",", "")) for c in cells]
            assert numbers == sorted(numbers)
            value_header.click()
            cells = answer.locator("table.result tbody tr td:last-child").all_inner_texts()
            assert [float(c.strip("¥").replace(",", "")) for c in cells] == sorted(
                numbers, reverse=True
            )

            with page.expect_download() as info:
                answer.locator("button.dl-xlsx").click()
            target = tmp_path / "report.xlsx"
            info.value.save_as(target)
            sheet, about = load_workbook(target).worksheets
            assert (sheet["A1"].value, sheet.freeze_panes) == ("部门", "A2")
            assert about["A1"].value == "hrq 报表：2026年8月各部门销售额"

            page.click("#lang")
            assert page.locator("#ask").inner_text() == "Ask"
            assert page.locator("#lang").inner_text() == "中文"

            page.fill("#board-month", "2026-08")
            page.fill("#board-dept", "成都销售组")
            page.click("#board-form button[type=submit]")
            page.locator("#board figure.chart").wait_for()
            assert page.locator("#board table.result tbody tr").count() >= 5
            assert "成都销售组" in page.locator("#board .sentence").inner_text()
            assert page.evaluate("window.__violations") == []
        finally:
            browser.close()


def test_a_bad_key_is_refused_at_sign_in_and_the_page_runs_under_its_csp(
    server: tuple[str, str], personas: dict[str, Persona]
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    base, app_db = server
    engine = app_engine(app_db)
    key, _ = create_key(engine, personas["manager"].employee_no)
    second, record = create_key(engine, personas["manager"].employee_no)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(20_000)
            console: list[str] = []
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
            page.add_init_script(WATCH_CSP)
            response = page.goto(base + "/")
            assert (
                response is not None
                and "script-src 'self'" in response.headers["content-security-policy"]
            )

            page.fill("#key", "hrq_not_a_real_key")
            page.click("#signin button[type=submit]")
            error = page.locator("#signin-error")
            sync_api.expect(error).to_have_text("密钥无效或已撤销，请检查后重试。")
            assert page.locator("#app").is_hidden() and page.locator("#signin").is_visible()
            assert page.locator("#messages > *").count() == 0
            assert page.evaluate("sessionStorage.getItem('hrq.key')") is None
            assert page.input_value("#key") == ""
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            for width, height in ((1280, 800), (390, 844)):  # a laptop and a phone
                page.set_viewport_size({"width": width, "height": height})
                page.screenshot(path=str(SCREENSHOTS / f"signin-refused-{width}.png"))
            page.set_viewport_size({"width": 1280, "height": 800})

            page.fill("#key", key)
            page.click("#signin button[type=submit]")
            page.wait_for_selector("#app:not([hidden])")
            assert error.inner_text() == "" and page.locator("#messages > *").count() == 0
            page.fill("#question", "2026年8月成都销售组的销售额")
            page.click("#ask")
            answer = page.locator(".msg.a").last
            answer.wait_for()
            assert answer.get_attribute("data-kind") == "answer"
            page.screenshot(path=str(SCREENSHOTS / "answered.png"))

            # Revoked while signed in: back to sign-in, and the chat is gone with the session.
            page.click("#signout")
            page.fill("#key", second)
            page.click("#signin button[type=submit]")
            page.wait_for_selector("#app:not([hidden])")
            revoke(engine, record.key_id)
            page.fill("#question", "2026年8月成都销售组的销售额")
            page.click("#ask")
            sync_api.expect(error).to_have_text("密钥无效或已撤销，请重新登录。")
            assert page.locator("#messages > *").count() == 0 and page.locator("#app").is_hidden()

            violations = page.evaluate("window.__violations")
            assert violations == [], violations
            # The only errors: the browser logging the two refused requests (401).
            unexpected = [c for c in console if c.startswith(("error", "pageerror"))
                          and "status of 401" not in c]  # fmt: skip
            assert unexpected == [], console
        finally:
            browser.close()
            engine.dispose()


def test_a_rep_opens_their_statement_downloads_it_and_disputes_it(
    server: tuple[str, str], personas: dict[str, Persona], tmp_path: Path
) -> None:
    """A closed month's statement on the page at a laptop's and a phone's width: the figures
    are the API's, the XLSX and PDF downloads read back to the same, the dispute button opens
    one dispute tied to the close (a second press finds it open); HR looks the rep up by
    employee no. and gets no dispute button for someone else's bonus."""
    from decimal import Decimal

    import httpx
    from pypdf import PdfReader

    from tools.money import fmt_money

    sync_api = pytest.importorskip("playwright.sync_api")
    base, app_db = server
    engine = app_engine(app_db)
    hr_key, _ = create_key(engine, personas["hr"].employee_no)
    rep_key, _ = create_key(engine, personas["sales"].employee_no)
    engine.dispose()
    rep, month = personas["sales"].employee_no, "2026-08"
    hr = {"Authorization": f"Bearer {hr_key}"}
    closed = httpx.post(f"{base}/v1/closes", json={"month": month}, headers=hr, timeout=60)
    assert closed.status_code == 201, closed.text
    version = closed.json()["version"]
    truth = httpx.get(f"{base}/v1/statements/{rep}/{month}", headers=hr, timeout=60).json()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(accept_downloads=True)
            page.set_default_timeout(20_000)
            page.add_init_script(WATCH_CSP)
            page.goto(base + "/")
            page.fill("#key", rep_key)
            page.click("#signin button[type=submit]")
            page.wait_for_selector("#app:not([hidden])")
            assert page.locator("#statement-employee").is_hidden()  # a rep sees their own only
            page.fill("#statement-month", month)
            page.click("#statement-form button[type=submit]")
            card = page.locator("#statement .statement")
            card.wait_for()
            assert card.get_attribute("data-employee") == rep
            figures = dict(zip(card.locator("dt").all_inner_texts(),
                               card.locator("dd").all_inner_texts(), strict=True))  # fmt: skip
            assert figures["业绩"] == f"¥{truth['sales']:,.2f}"
            median = Decimal(str(truth["median"]["value"]))
            assert figures["部门中位数"] == f"¥{fmt_money(median)}"  # a third decimal kept
            assert any(
                li.startswith(f"部门中位数：¥{fmt_money(median)}（") for li in truth["lines"]
            )
            assert figures["奖金（结账时）"] == f"¥{truth['bonus']:,.2f}"
            assert figures["奖金资格"] == ("是" if truth["eligible"] else "否")
            assert f"结账快照第 {version} 版" in card.locator(".source").inner_text()
            assert truth["hash"][:16] in card.locator(".source").inner_text()

            with page.expect_download() as info:
                card.locator("button.dl-st-xlsx").click()
            assert info.value.suggested_filename == f"statement-{rep}-{month}-v{version}-1.xlsx"
            info.value.save_as(tmp_path / "mine.xlsx")
            cells = {a: b for a, b, _ in load_workbook(tmp_path / "mine.xlsx").worksheets[0]
                     .iter_rows(min_row=2, values_only=True)}  # fmt: skip
            assert (cells["业绩"], cells["奖金（结账时）"], cells["快照哈希"]) == (
                truth["sales"],
                truth["bonus"],
                truth["hash"],
            )
            with page.expect_download() as info:
                card.locator("button.dl-st-pdf").click()
            info.value.save_as(tmp_path / "mine.pdf")
            text = PdfReader(tmp_path / "mine.pdf").pages[0].extract_text()
            assert f"¥{truth['bonus']:,.2f}" in text and truth["hash"] in text

            disputed = []
            for width, height in ((1280, 800), (390, 844)):
                page.set_viewport_size({"width": width, "height": height})
                page.locator("#statement .statement button.dispute").click()
                page.fill("#dispute-reason", "8月25日的订单没有算进去")
                page.screenshot(path=str(SCREENSHOTS / f"statement-dispute-form-{width}.png"),
                                full_page=True)  # fmt: skip
                page.click(".dispute-form button.dispute-send")
                result = page.locator("#statement .dispute-result").last
                result.wait_for()
                disputed.append((result.get_attribute("data-dispute-id"), result.inner_text()))
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                page.screenshot(path=str(SCREENSHOTS / f"statement-disputed-{width}.png"),
                                full_page=True)  # fmt: skip
                page.click("#statement-form button[type=submit]")  # the statement afresh
                result.wait_for(state="detached")
            (first_id, opened), (again_id, already) = disputed
            assert first_id == again_id and f"已提交异议 #{first_id}" in opened
            assert f"第 {version} 版结账" in opened and "已有一个未处理的异议" in already
            listed = httpx.get(f"{base}/v1/disputes", headers=hr, timeout=60).json()
            mine = next(d for d in listed if str(d["dispute_id"]) == first_id)
            assert (mine["employee_no"], mine["month"], mine["version"], mine["status"]) == (
                rep,
                month,
                version,
                "open",
            )
            assert mine["reason"] == "8月25日的订单没有算进去"
            assert mine["bonus"] == truth["bonus"]

            # HR: by employee no., in English; no dispute button on someone else's bonus
            page.set_viewport_size({"width": 1280, "height": 800})
            page.click("#signout")
            page.fill("#key", hr_key)
            page.click("#signin button[type=submit]")
            page.wait_for_selector("#app:not([hidden])")
            page.click("#lang")
            page.fill("#statement-employee", rep)
            page.fill("#statement-month", month)
            page.click("#statement-form button[type=submit]")
            card.wait_for()
            assert card.locator("dt").first.inner_text() == "Sales"
            assert card.locator("button.dispute").count() == 0
            assert card.locator("button.dl-st-pdf").inner_text() == "Download PDF"
            page.screenshot(path=str(SCREENSHOTS / "statement-hr-1280.png"), full_page=True)
            assert page.evaluate("window.__violations") == []
        finally:
            browser.close()
