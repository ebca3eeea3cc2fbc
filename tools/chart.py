"""PNG chart of a leaderboard with matplotlib (Agg, imported only when drawing).

Chinese names need a CJK font (``tools/cjk_font.py``; CI installs Debian's
fonts-noto-cjk). Without one the chart is still drawn, with one warning, and names
may show as boxes. matplotlib's own font messages ("findfont: ...") are not passed on.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from tools.cjk_font import NO_CJK_FONT, find_cjk_font

if TYPE_CHECKING:
    from tools.leaderboard import Leaderboard

__all__ = ["NO_CJK_FONT", "draw_leaderboard", "find_cjk_font"]


class _NoFindfont(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("findfont")


@contextmanager
def _quiet_font_manager() -> Iterator[None]:
    """matplotlib logs a warning per text it draws when a font lacks a weight or family:
    the chart says once what is missing (NO_CJK_FONT) instead."""
    logger, muted = logging.getLogger("matplotlib.font_manager"), _NoFindfont()
    logger.addFilter(muted)
    try:
        yield
    finally:
        logger.removeFilter(muted)


def draw_leaderboard(board: Leaderboard, path: Path, font: str | None = "auto") -> str | None:
    """Draw ``board`` to ``path``; returns a warning when no CJK font was found, else None."""
    import matplotlib
    from matplotlib import ticker
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    family = find_cjk_font() if font == "auto" else font
    warning = None
    if family is None:
        warning = NO_CJK_FONT
        warnings.warn(warning, stacklevel=2)
    families = [family, "DejaVu Sans"] if family else ["DejaVu Sans"]
    with (
        matplotlib.rc_context({"font.family": families, "axes.unicode_minus": False}),
        warnings.catch_warnings(),
        _quiet_font_manager(),
    ):
        if family is None:  # one warning above is enough, not one per missing glyph
            warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        width = max(6.0, 0.55 * len(board.rows) + 2)
        figure = Figure(figsize=(width, 4.8), dpi=110)
        FigureCanvasAgg(figure)
        ax = figure.add_subplot()
        xs = list(range(len(board.rows)))
        colours = [
            "#2e7d32"
            if r.met_minimum and r.above_median
            else "#1976d2"
            if r.above_median
            else "#9e9e9e"
            for r in board.rows
        ]
        ax.bar(xs, [float(r.sales) for r in board.rows], color=colours, label="sales")
        ax.axhline(float(board.median), color="#d32f2f", linestyle="--", linewidth=1.2,
                   label=f"median {float(board.median):,.2f}")  # fmt: skip
        targets = [(x, float(r.min_target)) for x, r in zip(xs, board.rows, strict=True)
                   if r.min_target is not None]  # fmt: skip
        if targets:
            ax.scatter([x for x, _ in targets], [t for _, t in targets], marker="_", s=400,
                       color="black", linewidths=2, zorder=3, label="minimum target")  # fmt: skip
        ax.set_xticks(xs, [f"{r.rank}. {r.name}" for r in board.rows], rotation=45, ha="right")
        ax.set_ylabel("sales (CNY)")
        ax.set_title(board.title)
        ax.legend(loc="upper right", fontsize="small")
        ax.yaxis.set_major_formatter(ticker.StrMethodFormatter("{x:,.0f}"))
        figure.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, format="png")
    return warning
