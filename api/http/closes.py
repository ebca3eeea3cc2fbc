"""Month-end closes and bonus statements: ``/v1/closes`` and ``/v1/statements``.

Closing is for HR and admins (403 for anyone else); reading a close or a statement
follows the scope of personal documents (``tools.scope.personal_rows``): a salesperson
sees only their own row, a manager their department subtree, HR everyone.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api.http.deps import CallerDep, ServicesDep
from api.http.models import AUTH_ERRORS, error_responses
from api.http.statement_files import PDF_TYPE, file_name, statement_file
from api.http.tables import CSV_TYPE, XLSX_TYPE, payroll_xlsx
from assistant.closes import CloseSummary
from assistant.disputes import close_adjustments
from schema.caller import Caller
from tools.errors import OutOfScopeError
from tools.payroll import payroll, payroll_csv
from tools.scope import personal_rows
from tools.snapshot import MonthSnapshot
from tools.statement import statement

router = APIRouter(prefix="/v1", tags=["closes"])

SURFACE = "http"
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
MonthPath = Annotated[str, Path(pattern=MONTH_PATTERN, examples=["2026-10"])]
VersionQuery = Annotated[
    int | None, Query(ge=1, description="Snapshot version; default: the latest.")
]


class CloseRequest(BaseModel):
    """The month to close."""

    model_config = ConfigDict(extra="forbid")

    month: str = Field(pattern=MONTH_PATTERN, examples=["2026-10"])


class CloseRowOut(BaseModel):
    """One roster member as closed."""

    employee_no: str
    name: str
    department: str
    sales: float
    min_target: float
    median: float
    gap: float
    met_minimum: bool
    above_median: bool
    eligible: bool
    bonus: float


class CloseOut(BaseModel):
    """One version of a closed month: the rows the caller may see, and (HR) the diff."""

    month: str
    version: int
    hash: str = Field(description="SHA-256 of the snapshot, chained into the audit log.")
    closed_at: str
    rows: list[CloseRowOut]
    diff: dict[str, Any] | None = Field(
        description="What changed since the previous version and why (HR and admins only)."
    )


class MedianOut(BaseModel):
    value: float
    roster_size: int
    middle_values: list[float] = Field(description="The middle value, or the two middle ones.")


class PolicyOut(BaseModel):
    rate: float
    cap: float | None
    source: str
    origin: str


class AdjustmentOut(BaseModel):
    """An accepted dispute's change to the bonus."""

    dispute_id: int
    amount: float
    reason: str
    statement_version: int = Field(description="The statement version it made.")
    created_at: str
    close_version: int | None = Field(
        default=None,
        description="The close version it was made on: an earlier one when a re-close kept it.",
    )


class StatementOut(BaseModel):
    """A person's bonus statement for a closed month, from its snapshot."""

    month: str
    version: int
    statement_version: int = Field(description="1, then one more per accepted dispute.")
    hash: str
    closed_at: str
    changed_since_close: bool | None
    language: Literal["zh", "en"]
    employee_no: str
    name: str
    department: str
    sales: float
    orders_counted: list[int] = Field(description="Ids of the paid orders counted.")
    min_target: float
    met_minimum: bool
    median: MedianOut
    gap: float
    above_median: bool
    eligible: bool
    bonus: float = Field(description="The bonus as closed.")
    adjustments: list[AdjustmentOut]
    adjustment: float = Field(description="The adjustments' sum.")
    final_bonus: float = Field(description="The bonus as closed plus the adjustments.")
    policy: PolicyOut
    lines: list[str] = Field(description="The statement as sentences, in its language.")


def _out(snapshot: MonthSnapshot, caller: Caller) -> CloseOut:
    rows = personal_rows(snapshot.rows, caller)
    if not rows:
        raise OutOfScopeError(
            f"you may not see this close: nobody of {snapshot.label}'s roster is in your scope"
        )
    return CloseOut(
        month=snapshot.label,
        version=snapshot.version,
        hash=snapshot.hash,
        closed_at=snapshot.closed_at,
        rows=[CloseRowOut.model_validate(r.public()) for r in rows],
        diff=snapshot.diff if caller.role.sees_everything else None,
    )


@router.post(
    "/closes",
    response_model=CloseOut,
    status_code=201,
    summary="Close a finished month (HR and admins)",
    responses=error_responses(*AUTH_ERRORS, 403, 404, 409, 503),
)
def close_month(services: ServicesDep, caller: CallerDep, request: CloseRequest) -> CloseOut:
    with services.warehouse().connect() as conn:
        snapshot = services.closes.close(
            conn, request.month, caller=caller, today=services.settings.today(),
            policy=services.policy(), surface=SURFACE,
        )  # fmt: skip
    return _out(snapshot, caller)


@router.get(
    "/closes",
    response_model=list[CloseSummary],
    summary="Every close: month, version, when, by whom, hash",
    responses=error_responses(*AUTH_ERRORS, 503),
)
def list_closes(services: ServicesDep, _caller: CallerDep) -> list[CloseSummary]:
    return services.closes.list()


@router.get(
    "/closes/{month}",
    response_model=CloseOut,
    summary="One closed month, scoped to the caller",
    responses=error_responses(*AUTH_ERRORS, 403, 404, 503),
)
def show_close(
    services: ServicesDep, caller: CallerDep, month: MonthPath, version: VersionQuery = None
) -> CloseOut:
    return _out(services.closes.get(month, version), caller)


@router.get(
    "/statements/{employee_no}/{month}",
    response_model=StatementOut,
    summary="A person's bonus statement for a closed month (JSON, XLSX or PDF)",
    responses={
        200: {
            "content": {"application/json": {}, XLSX_TYPE: {}, PDF_TYPE: {}},
            "description": "The statement; format=xlsx or pdf: the file to download.",
        },
        **error_responses(*AUTH_ERRORS, 403, 404, 503),
    },
)
def show_statement(
    services: ServicesDep,
    caller: CallerDep,
    employee_no: Annotated[str, Path(min_length=1, max_length=64)],
    month: MonthPath,
    version: VersionQuery = None,
    lang: Annotated[Literal["zh", "en"], Query(description="Language of the lines.")] = "zh",
    format: Annotated[
        Literal["json", "xlsx", "pdf"], Query(description="JSON, or a file: XLSX or a PDF page.")
    ] = "json",
) -> StatementOut | Response:
    book = services.closes
    snapshot = book.get(month, version)
    adjustments = close_adjustments(book.engine, snapshot, employee_no)
    document = statement(
        snapshot, employee_no, caller=caller, language=lang, adjustments=adjustments
    )
    if book.get(month).version == snapshot.version:
        row = snapshot.row_of(employee_no)
        assert row is not None
        with services.warehouse().connect() as conn:
            document["changed_since_close"] = book.changed_since(
                conn, snapshot, services.policy(), row.department_id
            )
    if format == "json":
        return StatementOut.model_validate(document)
    body, media = statement_file(document, format)
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{file_name(document, format)}"'
    })  # fmt: skip


@router.get(
    "/closes/{month}/payroll",
    summary="A closed month's payroll, CSV or XLSX (HR and admins)",
    responses={
        200: {"content": {"text/csv": {}, XLSX_TYPE: {}}, "description": "employee_no, month, "
              "bonus, version: one row per roster member, from the latest close."},
        **error_responses(*AUTH_ERRORS, 403, 404, 503),
    },
)  # fmt: skip
def payroll_export(
    services: ServicesDep,
    caller: CallerDep,
    month: MonthPath,
    format: Annotated[Literal["csv", "xlsx"], Query(description="File format.")] = "csv",
) -> Response:
    snapshot = services.closes.get(month)
    rows = payroll(snapshot, caller, close_adjustments(services.closes.engine, snapshot))
    if format == "csv":
        body, media = payroll_csv(rows), CSV_TYPE
    else:
        body, media = payroll_xlsx(snapshot, rows), XLSX_TYPE
    name = f"payroll-{snapshot.label}-v{snapshot.version}.{format}"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
