"""Tables as downloads: CSV (UTF-8 with BOM, so Excel reads Chinese) and XLSX.

A CSV starts with a title block (title, question or subject, as-of date), then the
table. An XLSX (``api/http/xlsx.py``) has the table on its first sheet and the
question, as-of date, interpretation and SQL (or tool and trace) on the second.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.answer import ColumnFormat

if TYPE_CHECKING:
    from tools.payroll import PayrollRow
    from tools.snapshot import MonthSnapshot

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class TableDoc:
    """A table with the context a reader of the file needs."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    header: list[tuple[str, str]] = field(default_factory=list)
    sql: str | None = None
    notes: list[str] = field(default_factory=list)
    #: how each column reads (money, percent, month, ...); empty: as the values are
    formats: Sequence[ColumnFormat] = ()
    #: the language of the sheet names and the words of flags and months
    language: str = "zh"


def to_xlsx(doc: TableDoc) -> bytes:
    from api.http.xlsx import workbook_of

    return workbook_of(doc)


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return str(value)
    return value


def to_csv(doc: TableDoc) -> bytes:
    """The document as CSV: title, header lines, a blank line, then the table."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([doc.title])
    for label, value in doc.header:
        writer.writerow([label, value])
    if doc.sql:
        writer.writerow(["SQL", doc.sql])
    writer.writerow([])
    writer.writerow(list(doc.columns))
    for row in doc.rows:
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def choose_format(requested: str | None, accept: str | None, allowed: Sequence[str]) -> str | None:
    """The response format: ``format=`` wins, else the first ``Accept`` type we serve.

    Returns None when neither names a format in ``allowed`` (the caller answers 406);
    no preference at all means the first of ``allowed``.
    """
    if requested:
        return requested if requested in allowed else None
    by_type = {
        "application/json": "json",
        "text/csv": "csv",
        XLSX_TYPE: "xlsx",
        "image/png": "png",
    }
    if not accept:
        return allowed[0]
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, index, media.lower()))
    for neg_quality, _, media in sorted(ranked):
        if neg_quality == 0:
            continue
        if media in ("*/*", "application/*", "text/*", "image/*"):
            return allowed[0]
        fmt = by_type.get(media)
        if fmt in allowed:
            return fmt
    return None


def payroll_xlsx(snapshot: MonthSnapshot, rows: Sequence[PayrollRow]) -> bytes:
    """A closed month's payroll as XLSX: the rows, then the close they come from."""
    from tools.payroll import PAYROLL_COLUMNS

    return to_xlsx(TableDoc(
        title=f"payroll {snapshot.label} (close version {snapshot.version})",
        columns=PAYROLL_COLUMNS,
        rows=[(r.employee_no, r.month, r.bonus, r.version) for r in rows],
        header=[("month", snapshot.label), ("version", str(snapshot.version)),
                ("hash", snapshot.hash), ("closed at", snapshot.closed_at)],
        formats=[ColumnFormat(), ColumnFormat(), ColumnFormat(kind="money"),
                 ColumnFormat(kind="count")],
        language="en",
    ))  # fmt: skip
