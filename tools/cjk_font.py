"""A font with Chinese glyphs for charts, found once per process.

Where it looks, in order: matplotlib's own font list (a regular-weight face of a known
CJK family), fontconfig (``fc-list :lang=zh``, best match of ``fc-match`` first), and
the files Debian's (and macOS's, Windows') CJK font packages install. The file found is
registered with matplotlib, so its font cache may predate the font's installation.
On Debian: ``apt-get install fonts-noto-cjk``.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

#: Family names matplotlib may already list (a fresh font cache lists these).
CJK_FONT_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC",
    "Source Han Sans CN", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei",
    "SimHei", "PingFang SC", "Heiti SC", "Droid Sans Fallback",
)  # fmt: skip
#: Where CJK font packages put their regular face: Debian's fonts-noto-cjk (two layouts),
#: fonts-wqy-zenhei, fonts-wqy-microhei, fonts-droid-fallback; then macOS and Windows.
KNOWN_CJK_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
#: Words in a font file's name that mark a face other than the regular sans one.
_NOT_REGULAR = ("bold", "light", "thin", "black", "medium", "heavy", "semi", "extra", "demi")
_REGULAR_WEIGHTS = (400, "normal", "regular", "book")
NO_CJK_FONT = (
    "no CJK font found, so the chart uses DejaVu Sans and Chinese names may show as boxes "
    "(on Debian: apt-get install fonts-noto-cjk)"
)

NO_CJK_FONT_PDF = (
    "no CJK font found, so the PDF uses DejaVu Sans and Chinese shows as boxes "
    "(on Debian: apt-get install fonts-noto-cjk)"
)


def find_cjk_font() -> str | None:
    """The family name of a CJK font registered with matplotlib, or None if there is none."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    for family in CJK_FONT_FAMILIES:
        if any(f.name == family and f.weight in _REGULAR_WEIGHTS for f in manager.ttflist):
            return family
    path = cjk_font_file()
    if path is None:
        return None
    if not any(f.fname == path for f in manager.ttflist):
        manager.addfont(path)
    return str(font_manager.FontProperties(fname=path).get_name())


@functools.cache
def cjk_font_file() -> str | None:
    """A font file that covers Chinese: fontconfig's, else a known package's; None if none."""
    for path in (*_fontconfig_files(), *KNOWN_CJK_FONT_FILES):
        if Path(path).is_file():
            return path
    return None


def _fontconfig_files() -> list[str]:
    """Files fontconfig lists as covering Chinese, best first (regular sans faces)."""
    if shutil.which("fc-list") is None:
        return []
    files = sorted(set(_run("fc-list", "--format", "%{file}\n", ":lang=zh").split("\n")) - {""})
    files.sort(key=_preference)
    if shutil.which("fc-match"):
        best = _run("fc-match", "--format", "%{file}", "sans-serif:lang=zh-cn:weight=regular")
        if best in files and _preference(best) <= _preference(files[0]):
            files.remove(best)
            files.insert(0, best)
    return files


def _preference(path: str) -> tuple[bool, bool, bool]:
    """Sort key: sans before serif, proportional before mono, regular before other weights."""
    name = Path(path).name.lower()
    return (
        "serif" in name and "sans" not in name,
        "mono" in name,
        any(word in name for word in _NOT_REGULAR),
    )


def _run(*argv: str) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""
