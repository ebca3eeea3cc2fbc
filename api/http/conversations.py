"""``GET /v1/conversations/{id}``: the turns of a conversation, for its asker only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from api.http.deps import CallerDep, ServicesDep
from api.http.models import AUTH_ERRORS, AnswerPublic, error_responses

router = APIRouter(prefix="/v1", tags=["conversations"])


class ConversationOut(BaseModel):
    """A conversation's answers, oldest first."""

    conversation_id: str
    turns: list[AnswerPublic]


@router.get(
    "/conversations/{conversation_id}",
    response_model=ConversationOut,
    summary="A conversation's turns (the asker's own only)",
    responses=error_responses(*AUTH_ERRORS, 404),
)
def get_conversation(
    services: ServicesDep,
    caller: CallerDep,
    conversation_id: Annotated[str, Path(min_length=1, max_length=64)],
) -> ConversationOut:
    turns = services.conversations.turns(conversation_id, caller)
    return ConversationOut(
        conversation_id=conversation_id, turns=[AnswerPublic.of(a) for a in turns]
    )


@router.get(
    "/answers/{answer_id}",
    response_model=AnswerPublic,
    summary="One of the asker's answers (the full report behind a WeCom link)",
    responses=error_responses(*AUTH_ERRORS, 404),
)
def get_answer(
    services: ServicesDep,
    caller: CallerDep,
    answer_id: Annotated[str, Path(min_length=1, max_length=64)],
) -> AnswerPublic:
    return AnswerPublic.of(services.conversations.get_answer(answer_id, caller))
