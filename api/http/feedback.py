"""``POST /v1/answers/{id}/feedback``: was the answer correct?

Correct answers' questions and SQL are kept as examples; wrong ones are kept
for review (``hrq feedback list``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel, ConfigDict, Field

from api.http.deps import CallerDep, ServicesDep
from api.http.models import AUTH_ERRORS, error_responses

router = APIRouter(prefix="/v1", tags=["feedback"])


class FeedbackIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"correct": False, "comment": "少算了离职的人"}]},
    )

    correct: bool = Field(description="Whether the answer was right.")
    comment: str | None = Field(default=None, max_length=2000, description="What was wrong.")


class FeedbackOut(BaseModel):
    feedback_id: int
    answer_id: str
    correct: bool
    comment: str | None
    created_at: datetime


@router.post(
    "/answers/{answer_id}/feedback",
    response_model=FeedbackOut,
    status_code=201,
    summary="Say whether an answer was correct",
    responses=error_responses(*AUTH_ERRORS, 404, 413),
)
def add_feedback(
    services: ServicesDep,
    caller: CallerDep,
    answer_id: Annotated[str, Path(min_length=1, max_length=64)],
    body: Annotated[FeedbackIn, Body()],
) -> FeedbackOut:
    record = services.conversations.add_feedback(answer_id, caller, body.correct, body.comment)
    return FeedbackOut.model_validate(record.model_dump())
