"""Charts find a regular CJK face (fontconfig, known paths) and never pass on "findfont"."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from matplotlib import font_manager
from typer.testing import CliRunner

from api.cli import app
from schema.caller import Caller
from schema.db import warehouse_engine
from schema.settings import get_settings
from tools import chart, cjk_font
from tools.leaderboard import Leaderboard, leaderboard

MONTH, DEPARTMENT = "2026-10", "华东销售一部"


def board(url: str) -> Leaderboard:
    engine = warehouse_engine(url, read_only=True)
    with engine.connect() as conn:
        found = leaderboard(conn, MONTH, DEPARTMENT, caller=Caller.operator())
    engine.dispose()
    return found


@pytest.fixture
def fresh_lookup() -> Iterator[None]:
    cjk_font.cjk_font_file.cache_clear()
    font_manager.FontManager._findfont_cached.cache_clear()
    yield
    cjk_font.cjk_font_file.cache_clear()
    font_manager.FontManager._findfont_cached.cache_clear()


@pytest.fixture
def stale_font_cache(fresh_lookup: None, monkeypatch: pytest.MonkeyPatch) -> str:
    """matplotlib's font list as written before the CJK fonts were installed, plus the bold
    face a search of the font folder finds first: what made every label log 'findfont'."""
    regular = cjk_font.cjk_font_file()
    if regular is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    cjk_files = {*cjk_font._fontconfig_files(), *cjk_font.KNOWN_CJK_FONT_FILES}
    manager = font_manager.fontManager
    monkeypatch.setattr(
        manager, "ttflist", [f for f in manager.ttflist if f.fname not in cjk_files]
    )
    bold = [f for f in cjk_font._fontconfig_files() if "bold" in Path(f).name.lower()]
    if bold:
        manager.addfont(bold[0])
    return regular


def test_a_stale_font_cache_still_gets_the_regular_cjk_face(
    stale_font_cache: str, caplog: pytest.LogCaptureFixture
) -> None:
    family = chart.find_cjk_font()
    assert family is not None
    with caplog.at_level(logging.WARNING, logger="matplotlib.font_manager"):
        found = font_manager.findfont(font_manager.FontProperties(family=family))
    assert Path(found).name == Path(stale_font_cache).name  # the regular face, not the bold
    assert [r.getMessage() for r in caplog.records] == []


def test_drawing_logs_no_findfont_and_warns_nothing(
    stale_font_cache: str, demo_warehouse_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    b = board(demo_warehouse_url)
    with (
        caplog.at_level(logging.DEBUG, logger="matplotlib"),
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        b.render_png(tmp_path / "board.png")
    assert (tmp_path / "board.png").read_bytes()[:4] == b"\x89PNG"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert [str(w.message) for w in caught] == []
    assert chart.NO_CJK_FONT not in b.trace


def test_fontconfig_prefers_a_regular_sans_face() -> None:
    files = [
        "/f/NotoSerifCJK-Regular.ttc",
        "/f/NotoSansCJK-Bold.ttc",
        "/f/NotoSansMonoCJK-Regular.otf",
        "/f/NotoSansCJK-Regular.ttc",
    ]
    assert sorted(files, key=cjk_font._preference)[0] == "/f/NotoSansCJK-Regular.ttc"


def test_no_cjk_font_is_said_once_on_the_command_line(
    demo_warehouse_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chart, "find_cjk_font", lambda: None)
    monkeypatch.setenv("HRQ_WAREHOUSE_URL", demo_warehouse_url)
    get_settings.cache_clear()
    png = tmp_path / "board.png"
    try:
        result = CliRunner().invoke(
            app, ["leaderboard", "--month", MONTH, "--department", DEPARTMENT, "--png", str(png)]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert result.stderr.splitlines() == [f"note: {chart.NO_CJK_FONT}"]
    assert "fonts-noto-cjk" in chart.NO_CJK_FONT
