"""A bonus statement as a one-page PDF (A4), drawn with matplotlib's PDF backend.

The page has a title, the person, a table of the statement's fields
(``api.http.statement_fields``: label, value, note), the statement's sentences and a
footer with the snapshot's full hash. Text is in a CJK font (``tools.cjk_font``)
embedded as TrueType (``pdf.fonttype`` 42), so Chinese shows in any viewer and the
text can be searched and copied.
"""

from __future__ import annotations

import io
import logging
import warnings
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from api.http.statement_fields import fields, heading, word
from api.http.xlsx import _width
from tools.cjk_font import NO_CJK_FONT_PDF, find_cjk_font

log = logging.getLogger(__name__)

PAGE = (8.27, 11.69)  # A4, inches
MARGIN = 0.75
LABEL_X, VALUE_X, TEXT_X, NOTE_X = MARGIN, 4.05, 2.45, 4.25
ROW, LINE = 0.245, 0.19  # row height of the table, line height of a wrapped note
NOTE_COLUMNS, TEXT_COLUMNS = 44, 100
INK, GREY, RULE = "#1a1a1a", "#666666", "#b8c4d6"
BOLD = ("eligible", "bonus", "final_bonus")


def wrap(text: str, columns: int) -> list[str]:
    """``text`` in lines of at most ``columns`` display columns (a CJK character takes two),
    broken at a space when the line has one, else between characters."""
    lines: list[str] = []
    line = ""
    for ch in text:
        if _width(line + ch) > columns:
            cut = line.rfind(" ")
            if cut > 0 and ch != " ":
                lines.append(line[:cut])
                line = line[cut + 1 :]
            else:
                lines.append(line)
                line = ""
            if ch == " ":
                continue
        line += ch
    if line or not lines:
        lines.append(line)
    return lines


def statement_pdf(doc: dict[str, Any]) -> bytes:
    """The statement document (``tools.statement.statement``) as a one-page PDF."""
    lang = doc["language"]
    family = find_cjk_font()
    if family is None:
        log.warning("statement PDF: %s", NO_CJK_FONT_PDF)
    fonts = [family, "DejaVu Sans"] if family else ["DejaVu Sans"]
    with matplotlib.rc_context({"pdf.fonttype": 42, "font.family": fonts}):
        fig = Figure(figsize=PAGE)
        height = PAGE[1]

        def text(x: float, y: float, s: str, **kw: Any) -> None:
            """Text at ``x`` inches from the left, ``y`` inches from the top."""
            fig.text(x / PAGE[0], 1 - y / height, s, va="baseline", color=kw.pop("color", INK),
                     **kw)  # fmt: skip

        def rule(y: float, color: str = RULE) -> None:
            fig.add_artist(Line2D(
                [MARGIN / PAGE[0], 1 - MARGIN / PAGE[0]], [1 - y / height] * 2,
                color=color, linewidth=0.8,
            ))  # fmt: skip

        y = MARGIN + 0.3
        text(MARGIN, y, heading(doc, lang), fontsize=18, weight="bold")
        y += 0.34
        text(MARGIN, y, f"{doc['name']}（{doc['employee_no']}）  {doc['department']}"
             if lang == "zh" else f"{doc['name']} ({doc['employee_no']}), {doc['department']}",
             fontsize=11, color=GREY)  # fmt: skip
        y += 0.28
        rule(y, INK)
        y += 0.24
        for x, key in ((LABEL_X, "item"), (NOTE_X, "note")):
            text(x, y, word(key, lang), fontsize=8.5, color=GREY)
        text(VALUE_X, y, word("value", lang), fontsize=8.5, color=GREY, ha="right")
        y += 0.1
        rule(y)
        rows = [(f, wrap(f.note, NOTE_COLUMNS) if f.note else []) for f in fields(doc)]
        sentences = [part for line in doc["lines"] for part in wrap(line, TEXT_COLUMNS)]
        needed = (sum(ROW + max(0, len(notes) - 1) * LINE for _f, notes in rows)
                  + 0.53 + len(sentences) * (LINE + 0.02))  # fmt: skip
        # Many adjustments: everything below the header shrinks to keep the page one page.
        k = min(1.0, (height - MARGIN - 0.45 - y) / needed)
        for field, notes in rows:
            y += k * (ROW - 0.05)
            weight = "bold" if field.key in BOLD else "normal"
            text(LABEL_X, y, field.label, fontsize=9.5 * k, weight=weight)
            shown = field.shown(lang)
            if field.kind == "text":
                text(TEXT_X, y, shown, fontsize=(8.5 if field.key == "hash" else 9.5) * k,
                     family="DejaVu Sans Mono" if field.key == "hash" else fonts)  # fmt: skip
            else:
                text(VALUE_X, y, shown, fontsize=9.5 * k, weight=weight, ha="right")
            for i, note in enumerate(notes):
                text(NOTE_X, y + i * LINE * k, note, fontsize=8.5 * k, color=GREY)
            y += k * (max(0, len(notes) - 1) * LINE + 0.05)
            rule(y + 0.02 * k, "#e3e8ef")
        y += 0.45 * k
        text(MARGIN, y, word("about", lang), fontsize=11 * k, weight="bold")
        y += 0.08 * k
        for part in sentences:
            y += (LINE + 0.02) * k
            text(MARGIN, y, part, fontsize=8.5 * k)
        rule(height - MARGIN - 0.2)
        text(MARGIN, height - MARGIN, f"{word('hash', lang)}: {doc['hash']}", fontsize=7,
             color=GREY, family=["DejaVu Sans Mono", *fonts])  # fmt: skip
        out = io.BytesIO()
        with warnings.catch_warnings():  # one line says what is missing (above), not a glyph each
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
            fig.savefig(out, format="pdf", metadata={"Title": f"{word('title', lang)} {doc['month']} "
                                                     f"{doc['employee_no']}", "Creator": "hrq"})  # fmt: skip
    return out.getvalue()
