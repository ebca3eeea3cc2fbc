"""Disputes of closed months' bonuses: ``/v1/disputes``.

``POST /v1/disputes`` opens the key's owner's dispute of their bonus (the month named,
else the latest one closed with them on the roster), once while it is open; HR is told
through WeCom. Listing and showing follow the scope of personal documents (a
salesperson their own, a manager their department subtree, HR everyone; someone
else's dispute is a 404). Resolving is for HR and admins (403 for anyone else).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api.http.closes import MONTH_PATTERN
from api.http.deps import AssistantDep, CallerDep
from api.http.errors import ApiError
from api.http.models import AUTH_ERRORS, error_responses
from assistant.ask import Assistant
from assistant.disputes import MAX_ID, Dispute, DisputeBook
from tools.period import parse_month

router = APIRouter(prefix="/v1", tags=["disputes"])

SURFACE = "http"
IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="The dispute's number.")]


class DisputeRequest(BaseModel):
    """The month whose bonus is disputed (default: the latest closed with you on the roster)
    and why."""

    model_config = ConfigDict(extra="forbid")

    month: str | None = Field(default=None, pattern=MONTH_PATTERN, examples=["2026-10"])
    reason: str | None = Field(default=None, max_length=500, examples=["10月25日的订单没有算进去"])


class ResolveRequest(BaseModel):
    """Accept with an adjustment of the bonus (CNY, negative takes off), or reject; why."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["accept", "reject"]
    adjustment: Decimal | None = Field(default=None, max_digits=14, examples=["500.00"])
    reason: str = Field(min_length=1, max_length=500)


class DisputeOut(BaseModel):
    """One dispute: the snapshot row it disputes (month, version, person, bonus as closed),
    the reason, and its resolution."""

    dispute_id: int
    month: str
    version: int = Field(description="The close version disputed.")
    employee_no: str
    name: str
    bonus: float = Field(description="The bonus as closed.")
    reason: str | None
    status: Literal["open", "accepted", "rejected"]
    opened_at: str
    opened_by: str | None
    resolved_at: str | None
    resolved_by: str | None
    resolution: str | None
    adjustment: float | None
    notified: list[str] = Field(description="WeCom userids told of the latest step.")


class OpenedOut(DisputeOut):
    created: bool = Field(description="False: this dispute was already open; nothing new.")


def _book(assistant: Assistant) -> DisputeBook:
    if assistant.disputes is None:
        raise ApiError(503, "unavailable", "disputes need the app database")
    return assistant.disputes


def _out(d: Dispute) -> DisputeOut:
    return DisputeOut.model_validate(d.public())


@router.post(
    "/disputes",
    response_model=OpenedOut,
    status_code=201,
    summary="Dispute your own bonus of a closed month",
    responses=error_responses(*AUTH_ERRORS, 403, 404, 422, 503),
)
def open_dispute(
    assistant: AssistantDep, caller: CallerDep, request: DisputeRequest, response: Response
) -> OpenedOut:
    month: date | None = None if request.month is None else parse_month(request.month)
    opened = _book(assistant).open(caller, month, request.reason, surface=SURFACE)
    if not opened.created:
        response.status_code = 200
    return OpenedOut.model_validate({**opened.dispute.public(), "created": opened.created})


@router.get(
    "/disputes",
    response_model=list[DisputeOut],
    summary="The disputes you may see, newest first",
    responses=error_responses(*AUTH_ERRORS, 503),
)
def list_disputes(
    assistant: AssistantDep,
    caller: CallerDep,
    status: Annotated[Literal["open", "resolved"] | None, Query()] = None,
) -> list[DisputeOut]:
    return [_out(d) for d in _book(assistant).listed(caller, status)]


@router.get(
    "/disputes/{dispute_id}",
    response_model=DisputeOut,
    summary="One dispute you may see",
    responses=error_responses(*AUTH_ERRORS, 404, 503),
)
def show_dispute(assistant: AssistantDep, caller: CallerDep, dispute_id: IdPath) -> DisputeOut:
    return _out(_book(assistant).get(caller, dispute_id))


@router.post(
    "/disputes/{dispute_id}/resolve",
    response_model=DisputeOut,
    summary="Accept (with an adjustment) or reject a dispute (HR and admins)",
    responses=error_responses(*AUTH_ERRORS, 403, 404, 409, 422, 503),
)
def resolve_dispute(
    assistant: AssistantDep, caller: CallerDep, dispute_id: IdPath, request: ResolveRequest
) -> DisputeOut:
    resolved = _book(assistant).resolve(
        caller, dispute_id, accept=request.decision == "accept", reason=request.reason,
        adjustment=request.adjustment, surface=SURFACE,
    )  # fmt: skip
    return _out(resolved)
