"""``GET /v1/me``: who a key belongs to; the web page checks a key with it at sign-in."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.http.deps import CallerDep
from api.http.models import AUTH_ERRORS, error_responses

router = APIRouter(prefix="/v1", tags=["me"])


class MeOut(BaseModel):
    """The caller behind the key: employee number, name and the role that scopes every answer."""

    employee_no: str | None = Field(description="None only for the local operator.")
    name: str
    role: str = Field(examples=["hr"])


@router.get(
    "/me",
    response_model=MeOut,
    summary="The caller behind the API key (checks the key)",
    responses=error_responses(*AUTH_ERRORS, 403),
)
async def me(caller: CallerDep) -> MeOut:
    return MeOut(employee_no=caller.employee_no, name=caller.name, role=str(caller.role))
