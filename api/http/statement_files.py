"""A bonus statement as a file to download: XLSX (``api.http.statement_xlsx``) or PDF
(``api.http.statement_pdf``), with its media type and a file name that says whose
statement, which month, which close version and which statement version it is."""

from __future__ import annotations

from typing import Any, Literal

from api.http.tables import XLSX_TYPE

PDF_TYPE = "application/pdf"
FileFormat = Literal["xlsx", "pdf"]
FILE_FORMATS: tuple[FileFormat, ...] = ("xlsx", "pdf")


def file_name(doc: dict[str, Any], fmt: str) -> str:
    """``statement-E00111-2026-10-v1-1.pdf``: person, month, close version, statement version."""
    return (
        f"statement-{doc['employee_no']}-{doc['month']}-v{doc['version']}"
        f"-{doc['statement_version']}.{fmt}"
    )


def statement_file(doc: dict[str, Any], fmt: FileFormat) -> tuple[bytes, str]:
    """The statement document as ``fmt`` bytes, and their media type."""
    if fmt == "xlsx":
        from api.http.statement_xlsx import statement_xlsx

        return statement_xlsx(doc), XLSX_TYPE
    from api.http.statement_pdf import statement_pdf

    return statement_pdf(doc), PDF_TYPE
