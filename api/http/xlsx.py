"""A table as an XLSX workbook a person opens in Excel.

The first sheet is the table: a bold, frozen header row with a filter, columns as
wide as their content, money as ¥ to the cent, fractions as percentages, months as
months (2026年1月), coded values and flags in words. The second sheet says where the
table comes from: title, question, as-of date, interpretation, SQL (or the tool and
its trace) and notes.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from assistant.answer import ColumnFormat

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from api.http.tables import TableDoc

NUMBER_FORMATS = {
    "money": '"¥"#,##0.00;-"¥"#,##0.00',
    "percent": "0.0%",
    "count": "#,##0",
    "date": "yyyy-mm-dd",
}
MONTH_FORMATS = {"zh": 'yyyy"年"m"月"', "en": "mmm yyyy"}
SHEETS = {"zh": ("结果", "说明"), "en": ("Result", "About")}
FLAGS = {"zh": ("是", "否"), "en": ("yes", "no")}
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
MIN_WIDTH, MAX_WIDTH = 8, 60
ABOUT_WIDTH = 100


def _width(text: str) -> int:
    """Display width: a CJK character takes two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _value(value: Any, fmt: ColumnFormat | None, language: str) -> Any:
    """The cell's value: numbers stay numbers (money to the cent), months and dates
    become dates, coded values and flags become words."""
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return str(value)
    kind = fmt.kind if fmt is not None else "text"
    if fmt is not None and str(value) in fmt.values:
        return fmt.values[str(value)]
    if isinstance(value, bool) or kind == "flag":
        yes, no = FLAGS.get(language, FLAGS["en"])
        return yes if value else no
    if kind in ("month", "date") and isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return value
    if kind == "money" and isinstance(value, (int, float, Decimal)):
        return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return value


def _shown(value: Any, fmt: ColumnFormat | None, language: str) -> str:
    """Roughly what Excel shows, to size the column."""
    if isinstance(value, float) and fmt is not None and fmt.kind == "money":
        return f"¥{value:,.2f}"
    if isinstance(value, date):
        return "2026年12月" if language == "zh" else "Dec 2026"
    return "" if value is None else str(value)


def _fit(sheet: Worksheet, widths: list[int]) -> None:
    for i, width in enumerate(widths, start=1):
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = max(MIN_WIDTH, min(MAX_WIDTH, width + 2))


def _printable(sheet: Worksheet) -> None:
    """Printed (or made a PDF) landscape, every column on one page's width."""
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0


def _table(sheet: Worksheet, doc: TableDoc) -> None:
    language = doc.language
    formats = list(doc.formats) or [None] * len(doc.columns)  # type: ignore[list-item]
    # A Chinese table leaves out the English twins of its names (部门_en).
    keep = [i for i, c in enumerate(doc.columns) if not (language == "zh" and c.endswith("_en"))]
    sheet.append([doc.columns[i] for i in keep])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    widths = [_width(doc.columns[i]) for i in keep]
    for row in doc.rows:
        values = [_value(row[i], formats[i], language) for i in keep]
        sheet.append(values)
        for j, (i, value) in enumerate(zip(keep, values, strict=True)):
            widths[j] = max(widths[j], _width(_shown(value, formats[i], language)))
    for j, i in enumerate(keep, start=1):
        fmt = formats[i]
        kind = fmt.kind if fmt is not None else "text"
        number_format = MONTH_FORMATS[language] if kind == "month" else NUMBER_FORMATS.get(kind)
        for (cell,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
            if number_format is not None:
                cell.number_format = number_format
            if kind == "flag":
                cell.alignment = Alignment(horizontal="center")
    _fit(sheet, widths)
    _printable(sheet)
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    if doc.rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(keep))}{len(doc.rows) + 1}"


def _about(sheet: Worksheet, doc: TableDoc) -> None:
    zh = doc.language == "zh"
    sheet.append([doc.title])
    sheet["A1"].font = Font(bold=True, size=13)
    for label, value in doc.header:
        sheet.append([label, value])
    sql_label = "SQL"
    sheet.append([sql_label, doc.sql or ("（由绩效引擎计算，无 SQL；见下方计算过程）" if zh
                                        else "(no SQL: answered by a tool; see the trace below)")])  # fmt: skip
    for i, note in enumerate(doc.notes):
        sheet.append([("计算过程" if zh else "trace") if i == 0 else "", note])
    for (label,) in sheet.iter_rows(min_row=2, max_col=1):
        label.font = Font(bold=True)
        label.alignment = Alignment(vertical="top")
    for (value,) in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        value.alignment = Alignment(wrap_text=True, vertical="top")
        lines = sum(
            -(-_width(part) // ABOUT_WIDTH) or 1 for part in str(value.value or "").split("\n")
        )
        if lines > 1:  # spreadsheet programs do not all grow a wrapped row by themselves
            sheet.row_dimensions[value.row].height = 15 * lines
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = ABOUT_WIDTH
    _printable(sheet)


def workbook_of(doc: TableDoc) -> bytes:
    """The document as XLSX bytes: the table, then where it comes from."""
    book = Workbook()
    table = book.active
    assert table is not None
    first, second = SHEETS.get(doc.language, SHEETS["en"])
    table.title = first
    _table(table, doc)
    _about(book.create_sheet(second), doc)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
