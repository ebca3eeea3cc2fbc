"""A bonus statement as an XLSX workbook, in the style of the table exports (``api.http.xlsx``).

The first sheet is the statement: a bold, frozen header row (item, value, note), one
row per field (``api.http.statement_fields``), money as ¥ to the cent (a median to
its third decimal when it has one), the rate as a percentage, flags in words,
columns as wide as their content. The second sheet has the statement's sentences
and the ids of the orders counted.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from api.http.statement_fields import Field, fields, heading, word
from api.http.xlsx import HEADER_FILL, MAX_WIDTH, MIN_WIDTH, NUMBER_FORMATS, _printable, _width

FORMATS = {
    "money": NUMBER_FORMATS["money"],
    "median": '"¥"#,##0.00#;-"¥"#,##0.00#',
    "percent": "0.0##%",
    "count": NUMBER_FORMATS["count"],
}
#: Long text values with no note: they run on into the empty note cell beside them.
OVERFLOW = ("policy", "closed_at", "hash")
#: Rows whose value is the statement's result, in bold.
BOLD = ("eligible", "bonus", "final_bonus")


def _cell(field: Field, language: str) -> Any:
    """The cell's value: numbers stay numbers, flags and a missing cap become words."""
    if field.value is None or field.kind == "flag":
        return field.shown(language)
    if field.kind in ("money", "median", "percent"):
        return float(field.value)
    return field.value


def statement_xlsx(doc: dict[str, Any]) -> bytes:
    """The statement document (``tools.statement.statement``) as XLSX bytes."""
    lang = doc["language"]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = word("sheet", lang)
    sheet.append([word("item", lang), word("value", lang), word("note", lang)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    widths = [_width(str(c.value)) for c in sheet[1]]
    for field in fields(doc):
        sheet.append([field.label, _cell(field, lang), field.note or None])
        label, value, note = sheet[sheet.max_row]
        if field.kind in FORMATS and field.value is not None:
            value.number_format = FORMATS[field.kind]
        value.alignment = Alignment(horizontal="left" if field.kind == "text" else "right")
        if field.key in BOLD:
            label.font = value.font = Font(bold=True)
        for i, text in enumerate((field.label, field.shown(lang), field.note)):
            if not (i == 1 and field.key in OVERFLOW):
                widths[i] = max(widths[i], _width(text))
    for letter, width in zip("ABC", widths, strict=True):
        sheet.column_dimensions[letter].width = max(MIN_WIDTH, min(MAX_WIDTH + 20, width + 2))
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    _printable(sheet)
    sheet.page_setup.orientation = "portrait"

    about = book.create_sheet(word("about", lang))
    about.append([f"{heading(doc, lang)}: {doc['name']} ({doc['employee_no']})"])
    about["A1"].font = Font(bold=True, size=13)
    for line in doc["lines"]:
        about.append([line])
    about.append([])
    about.append([word("orders_counted", lang)])
    about[f"A{about.max_row}"].font = Font(bold=True)
    ids = [str(i) for i in doc["orders_counted"]]
    for start in range(0, len(ids), 10):
        about.append([", ".join(ids[start : start + 10])])
    about.column_dimensions["A"].width = max(_width(line) for line in doc["lines"]) + 4
    _printable(about)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
