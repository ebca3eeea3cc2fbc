"""Monthly performance and the department leaderboard, cut to the caller's scope.

The tools compute over each whole roster (a median needs everyone) and then cut
their result to what the caller may see; these routes only render it as JSON,
CSV, XLSX or PNG.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.http.deps import CallerDep, ServicesDep
from api.http.errors import ApiError
from api.http.models import AUTH_ERRORS, error_responses
from api.http.services import Services
from api.http.tables import CSV_TYPE, XLSX_TYPE, TableDoc, choose_format, to_csv, to_xlsx
from assistant.answer import ColumnFormat
from assistant.labels import TOOL_COLUMNS, formats, header, headers
from assistant.trace_words import trace_in
from schema.caller import Caller
from tools.leaderboard import Leaderboard, leaderboard
from tools.performance import PerformanceReport, monthly_performance
from tools.snapshot import ClosedMonth

router = APIRouter(prefix="/v1", tags=["performance"])

MonthQuery = Annotated[
    str | None,
    Query(
        pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
        description="Month as YYYY-MM; default: the current month (month to date).",
        examples=["2026-08"],
    ),
]
DepartmentQuery = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=100,
        description="Department: Chinese or English name, id or a unique abbreviation.",
        examples=["成都组"],
    ),
]
AsOfQuery = Annotated[
    date | None,
    Query(description="Reference date; default: today in the configured time zone."),
]
LiveQuery = Annotated[
    bool, Query(description="A closed month from live data instead of its snapshot.")
]
LangQuery = Annotated[
    Literal["zh", "en"] | None,
    Query(
        description="Language of the trace (and of a download's headers); default: the "
        "request's Accept-Language (zh or en), else en.",
    ),
]


class TableOut(BaseModel):
    columns: list[str]
    rows: list[list[Any]]


class PerformanceOut(BaseModel):
    """Dual-target performance of a month: one row per roster member the caller may see."""

    month: str = Field(examples=["2026-08"])
    period: list[str] = Field(description="First and last day counted.")
    month_to_date: bool
    columns: list[str]
    rows: list[list[Any]]
    summary: TableOut = Field(description="Per department: roster size, median, counts, bonus.")
    trace: list[str] = Field(description="How the figures were calculated.")
    scope_note: str | None = Field(description="Set when the caller's scope cut the result.")
    closed: ClosedMonth | None = Field(
        default=None, description="Set for a closed month: the snapshot the figures come from."
    )


class LeaderboardOut(BaseModel):
    """One department's ranked month: name, rank, sales, gap to median (and markers)."""

    department: str
    month: str
    median: float
    month_to_date: bool
    columns: list[str]
    labels: dict[Literal["zh", "en"], list[str]] = Field(
        default_factory=dict, description="The columns' headers in Chinese and in English."
    )
    formats: list[ColumnFormat] = Field(
        default_factory=list, description="How each column reads (money, a flag, ...)."
    )
    rows: list[list[Any]]
    trace: list[str]
    scope_note: str | None
    closed: ClosedMonth | None = None


def _language(lang: str | None, accept_language: str | None) -> str:
    """zh or en: ``lang`` when given, else the first of Accept-Language's languages that is
    Chinese or English (by weight), else en."""
    if lang is not None:
        return lang
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in ("zh", "en") and weight > 0:
            ranked.append((-weight, i, primary))
    return min(ranked)[2] if ranked else "en"


def _today(services: Services) -> date:
    return services.settings.today()


def _month(month: str | None, as_of: date) -> str:
    return month or f"{as_of.year:04d}-{as_of.month:02d}"


def _negotiate(fmt: str | None, accept: str | None, allowed: tuple[str, ...]) -> str:
    chosen = choose_format(fmt, accept, allowed)
    if chosen is None:
        raise ApiError(406, "not_acceptable", f"available formats: {', '.join(allowed)}")
    return chosen


def _report(
    services: Services,
    caller: Caller,
    month: str,
    department: str | None,
    as_of: date,
    live: bool = False,
) -> PerformanceReport:
    with services.warehouse().connect() as conn:
        return monthly_performance(
            conn, month, caller=caller, department=department, as_of=as_of,
            policy=services.policy(), closes=services.closes.source(live),
        )  # fmt: skip


@router.get(
    "/performance",
    response_model=PerformanceOut,
    summary="Monthly dual-target performance (JSON, CSV or XLSX)",
    responses={
        200: {
            "content": {"text/csv": {}, XLSX_TYPE: {}},
            "description": "JSON by default; CSV or XLSX by `format=` or `Accept`.",
        },
        **error_responses(*AUTH_ERRORS, 403, 404, 406, 409, 503),
    },
)
def performance(
    services: ServicesDep,
    caller: CallerDep,
    month: MonthQuery = None,
    department: DepartmentQuery = None,
    as_of: AsOfQuery = None,
    format: Annotated[
        Literal["json", "csv", "xlsx"] | None, Query(description="Overrides Accept.")
    ] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
    live: LiveQuery = False,
    lang: LangQuery = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Any:
    chosen = _negotiate(format, accept, ("json", "csv", "xlsx"))
    language = _language(lang, accept_language)
    as_of = as_of or _today(services)
    report = _report(services, caller, _month(month, as_of), department, as_of, live)
    table = report.as_table()
    trace = trace_in(language, list(report.trace))
    if chosen == "json":
        return PerformanceOut.model_validate({**table, "trace": trace})
    keys: list[str] = table["columns"]  # type: ignore[assignment]
    doc = TableDoc(
        title=f"业绩 performance {table['month']}" + (f" · {department}" if department else ""),
        columns=[header(c, "zh") if language == "zh" and c in TOOL_COLUMNS else c for c in keys],
        rows=table["rows"],  # type: ignore[arg-type]
        header=[("as of", as_of.isoformat()), ("period", " .. ".join(table["period"]))],  # type: ignore[arg-type]
        notes=trace + ([report.scope_note] if report.scope_note else []),
        formats=[
            ColumnFormat(kind=TOOL_COLUMNS[c].kind) if c in TOOL_COLUMNS else ColumnFormat()
            for c in keys
        ],
        language=language,
    )
    return _download(doc, chosen, f"performance-{table['month']}")


def _download(doc: TableDoc, fmt: str, stem: str) -> Response:
    body, media = (to_csv(doc), CSV_TYPE) if fmt == "csv" else (to_xlsx(doc), XLSX_TYPE)
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'},
    )


@router.get(
    "/leaderboard",
    response_model=LeaderboardOut,
    summary="A department's monthly leaderboard (JSON or PNG chart)",
    responses={
        200: {
            "content": {"image/png": {}},
            "description": "JSON by default; PNG by `format=png` or `Accept`.",
        },
        **error_responses(*AUTH_ERRORS, 403, 404, 406, 409, 503),
    },
)
def leaderboard_route(
    services: ServicesDep,
    caller: CallerDep,
    month: MonthQuery = None,
    department: DepartmentQuery = None,
    as_of: AsOfQuery = None,
    format: Annotated[Literal["json", "png"] | None, Query(description="Overrides Accept.")] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
    live: LiveQuery = False,
    lang: LangQuery = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Any:
    chosen = _negotiate(format, accept, ("json", "png"))
    as_of = as_of or _today(services)
    target: str | int | None = department or caller.department_id
    if target is None:
        raise ApiError(
            422, "invalid_request", "department: required (you have no department of your own)"
        )
    with services.warehouse().connect() as conn:
        board = leaderboard(
            conn, _month(month, as_of), target, caller=caller, as_of=as_of,
            policy=services.policy(), closes=services.closes.source(live),
        )  # fmt: skip
    if chosen == "png":
        return Response(_png(services, board), media_type="image/png")
    table = board.as_table()
    return LeaderboardOut(
        department=board.department,
        month=table["summary"]["month"],  # type: ignore[index]
        median=float(board.median),
        month_to_date=board.month_to_date,
        columns=table["columns"],  # type: ignore[arg-type]
        labels={lang: headers(list(board.COLUMNS), lang) for lang in ("zh", "en")},
        formats=formats(list(board.COLUMNS)),
        rows=table["rows"],  # type: ignore[arg-type]
        trace=trace_in(_language(lang, accept_language), board.trace),
        scope_note=board.scope_note,
        closed=board.closed,
    )


def _png(services: Services, board: Leaderboard) -> bytes:
    with services.render_lock, tempfile.TemporaryDirectory(prefix="hrq-chart-") as tmp:
        path = board.render_png(Path(tmp) / "leaderboard.png")
        return path.read_bytes()
