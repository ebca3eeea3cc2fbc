"""The web page as a person sees it, in Debian's Chromium at 1280 px and 390 px.

Signs in (a bad key is refused first), asks a breakdown, a ranking, a leaderboard, a
follow-up and the median questions of issue 16, switches language; asserts what is on
the screen: the chart's measure is the one asked for, no "null", headers in the page's
language, no horizontal overflow on a phone, names on one line. Screenshots of both
widths are written to ``SCREENSHOTS`` to be looked at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.keys import create_key
from schema.db import app_engine
from tests.api.conftest import DEMO_END, Persona
from tests.api.test_browser import CHROMIUM, CHROMIUM_ARGS, WATCH_CSP

SCREENSHOTS = Path("/tmp/hrq-web")
LATIN_HEADER = re.compile(r"[a-z]{3,}|_")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="browser test skipped: /usr/bin/chromium is absent (apt-get install chromium)",
    ),
]


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, warehouse_url: str, personas: dict[str, Persona]
) -> Iterator[tuple[str, str]]:
    """(base URL, an HR key) of ``hrq serve`` over the demo warehouse, as of its last day."""
    from tests.api.live import live_server

    app_db = f"sqlite:///{tmp_path_factory.mktemp('web') / 'app.db'}"
    env = {
        "HRQ_WAREHOUSE_URL": warehouse_url,
        "HRQ_APP_DB_URL": app_db,
        "HRQ_API_RATE_LIMIT_PER_MINUTE": "0",
        "HRQ_AS_OF": DEMO_END.isoformat(),
    }
    with live_server(env) as base:
        engine = app_engine(app_db)
        key, _ = create_key(engine, personas["hr"].employee_no)
        engine.dispose()
        yield base, key


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def ask(page: Any, question: str) -> Any:
    """Ask and wait for the answer; the answer's box."""
    before = page.locator(".msg.a").count()
    page.fill("#question", question)
    page.click("#ask")
    page.locator(".msg.a").nth(before).wait_for()
    return page.locator(".msg.a").nth(before)


def headers(box: Any) -> list[str]:
    return [h.strip(" ▲▼") for h in box.locator("table.result th").all_inner_texts()]


def chart_of(box: Any) -> tuple[str, int]:
    """The chart's measure (its caption) and how many bars it has."""
    chart = box.locator("figure.chart")
    return chart.get_attribute("data-measure"), chart.locator(".bar").count()


def no_horizontal_overflow(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_the_page_as_a_person_sees_it(site: tuple[str, str], browser: Any) -> None:
    base, key = site
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        seen(page, base, key)
    except Exception:
        page.screenshot(path=str(SCREENSHOTS / "failed.png"), full_page=True)
        raise
    finally:
        page.close()


def seen(page: Any, base: str, key: str) -> None:
    page.set_default_timeout(10_000)
    page.add_init_script(WATCH_CSP)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/")

    # A bad key is refused at sign-in, before any question.
    page.fill("#key", "hrq_not_a_real_key")
    page.click("#signin button[type=submit]")
    page.locator("#signin-error:text('密钥无效')").wait_for()
    assert page.locator("#app").is_hidden()
    page.fill("#key", key)
    page.click("#signin button[type=submit]")
    page.wait_for_selector("#app:not([hidden])")

    # A breakdown: every department's figure, money to the cent, charted as the measure asked.
    breakdown = ask(page, "2026年8月各部门销售额")
    rows = breakdown.locator("table.result tbody tr").count()
    assert rows >= 6
    assert chart_of(breakdown) == ("销售额", rows)
    assert headers(breakdown) == ["部门", "销售额"]  # no English twin column in a Chinese answer
    sentence = breakdown.locator(".sentence").inner_text()
    assert sentence.startswith("2026年8月各部门销售额：") and "合计 ¥" in sentence
    assert not re.search(r"\d{4}-\d{2}-\d{2}|共 \d+ 行|其中", sentence)
    money_cells = breakdown.locator("table.result td.num").all_inner_texts()
    assert all(re.fullmatch(r"¥[\d,]+\.\d{2}", c) for c in money_cells), money_cells

    # The median per department charts the medians, not the roster sizes.
    medians = ask(page, "2026年8月各销售部门业绩中位数")
    assert chart_of(medians)[0] == "部门中位数"
    assert "在册人数" in headers(medians)

    # A ranking.
    top = ask(page, "2026年8月业绩前5名")
    assert chart_of(top) == ("销售额", 5)

    # Who beat the median: dozens of bars, each on its own readable line, full name on hover.
    above = ask(page, "2026年8月谁超过了中位数")
    people = above.locator("table.result tbody tr").count()
    assert people > 20 and chart_of(above) == ("业绩", people)
    bar_rows = above.locator("figure.chart .bar-row")
    heights = bar_rows.evaluate_all("rows => rows.map(r => r.getBoundingClientRect().height)")
    assert min(heights) >= 18
    bars = bar_rows.evaluate_all(
        "rows => rows.map(r => [r.title, r.querySelector('.bar-label').textContent,"
        " r.querySelector('.bar-value').textContent])"
    )
    assert all(title == f"{label}: {value}" for title, label, value in bars)  # full name on hover
    figures = [float(value.strip("¥").replace(",", "")) for _, _, value in bars]
    assert figures == sorted(figures, reverse=True)  # a list in no order of its own: highest first
    above.locator("figure.chart").screenshot(path=str(SCREENSHOTS / "above-median-1280.png"))

    # A leaderboard asked in words: Chinese headers, flags as marks, the median as a line.
    board = ask(page, "2026年8月成都销售组的排行榜")
    assert headers(board)[:2] == ["排名", "姓名"]
    assert not any(LATIN_HEADER.search(h) for h in headers(board))
    assert chart_of(board)[0] == "业绩"
    assert board.locator("figure.chart .reference").count() > 0
    assert set(board.locator("table.result td").all_inner_texts()) & {"✓", "✗"}

    # A follow-up: one figure, said with the department it is for; no chart for one row.
    ask(page, "2026年8月各部门奖金总额是多少")
    follow = ask(page, "其中成都销售组呢")
    assert follow.locator(".sentence").inner_text().startswith("2026年8月成都销售组奖金总额为 ¥")
    assert follow.locator("figure.chart").count() == 0

    # The leaderboard card.
    page.fill("#board-month", "2026-08")
    page.fill("#board-dept", "成都销售组")
    page.click("#board-form button[type=submit]")
    page.locator("#board figure.chart").wait_for()
    assert headers(page.locator("#board"))[:4] == ["排名", "姓名", "业绩", "与中位数差距"]
    assert page.locator("#board .sentence").inner_text().startswith("成都销售组 2026年8月")

    assert "null" not in page.locator("body").inner_text()
    assert page.locator("#messages pre.trace").first.text_content().startswith("理解：")
    page.screenshot(path=str(SCREENSHOTS / "page-1280-zh.png"), full_page=True)

    # A phone: nothing sticks out sideways, department names stay on one line.
    page.set_viewport_size({"width": 390, "height": 844})
    assert no_horizontal_overflow(page)
    cell = breakdown.locator("table.result tbody td").first
    line = float(cell.evaluate("c => parseFloat(getComputedStyle(c).lineHeight) || 20"))
    assert cell.evaluate("c => c.getBoundingClientRect().height") < 2 * line
    label = above.locator("figure.chart .bar-label").first
    assert label.evaluate("l => l.getBoundingClientRect().height") < 2 * line
    above.locator("figure.chart").screenshot(path=str(SCREENSHOTS / "above-median-390.png"))
    breakdown.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "answers-390-zh.png"))
    page.locator("#board").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "board-390-zh.png"))

    # English: the page's own words switch on earlier answers too; the card's headers follow.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("#lang")
    assert breakdown.locator("button.dl-xlsx").inner_text() == "Download XLSX"
    assert breakdown.locator("details summary").all_inner_texts() == ["Show SQL", "Calculation"]
    assert board.locator("details summary").all_inner_texts() == ["Calculation"]
    assert headers(page.locator("#board"))[:4] == ["rank", "name", "sales", "gap to median"]
    assert page.locator("#board .sentence").inner_text().startswith("成都销售组 Aug 2026")
    english = ask(page, "sales by department in August 2026")
    assert chart_of(english)[0] == "sales"
    assert "East China Sales 1" in english.locator("figure.chart").inner_text()
    english_board = ask(page, "leaderboard of Chengdu Sales Team in August 2026")
    assert headers(english_board)[:3] == ["rank", "name", "employee_no"]
    assert english_board.locator("pre.trace").text_content().startswith("plan: tool")
    assert "null" not in page.locator("body").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "page-1280-en.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert no_horizontal_overflow(page)
    english.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "answers-390-en.png"))

    assert page.evaluate("window.__violations") == []
    assert errors == []
