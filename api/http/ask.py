"""``POST /v1/ask``: a question in, the answer object of ``hrq ask --json`` out."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import anyio
from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict, Field

from api.http.deps import AssistantDep, CallerDep, ServicesDep
from api.http.models import (
    AUTH_ERRORS,
    MAX_QUESTION_CHARS,
    AnswerPublic,
    error_responses,
)
from api.http.services import Services
from assistant.answer import Answer
from assistant.ask import Assistant
from schema.caller import Caller

router = APIRouter(prefix="/v1", tags=["ask"])

SURFACE = "http"


class AskRequest(BaseModel):
    """A question, optionally continuing a conversation, optionally as of a date."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        min_length=1,
        max_length=MAX_QUESTION_CHARS,
        description="The question, in Chinese or English (at most 2,000 characters).",
    )
    conversation_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="Continue this conversation (follow-ups reuse the previous turn).",
    )
    as_of: date | None = Field(
        default=None, description="Reference date; default: today in the configured time zone."
    )
    live: bool = Field(
        default=False,
        description="Answer a closed month from live data instead of its snapshot.",
    )


ASK_EXAMPLES = {
    "zh": {
        "summary": "A question in Chinese",
        "value": {"question": "上个月成都组谁超过了中位数?"},
    },
    "follow_up": {
        "summary": "A follow-up in the same conversation",
        "value": {
            "question": "那上上个月呢?",
            "conversation_id": "5f0c7e0a3b4d4a0e9a3c1d2b7e6f8a90",
        },
    },
    "en": {
        "summary": "In English, as of a date",
        "value": {"question": "Top 5 salespeople last month", "as_of": "2026-09-15"},
    },
}


def answer_question(
    services: Services,
    assistant: Assistant,
    caller: Caller,
    request: AskRequest,
) -> Answer:
    """Ask within the caller's conversation (a new one unless given), counting the answer.

    A new conversation is started by the assistant itself when it keeps conversations
    (it starts one when given none), which spares looking up the turns of a conversation
    that has none yet.
    """
    conversation_id: str | None
    if request.conversation_id is None:
        own_store = assistant.conversations is not None
        conversation_id = None if own_store else services.conversations.start(caller)
    else:
        services.conversations.check_owner(request.conversation_id, caller)
        conversation_id = request.conversation_id
    answer = assistant.ask(
        request.question,
        caller,
        as_of=request.as_of,
        conversation_id=conversation_id,
        surface=SURFACE,
        live=request.live,
    )
    services.metrics.observe_answer(answer)
    return answer


@router.post(
    "/ask",
    response_model=AnswerPublic,
    summary="Ask a question",
    description=(
        "Answers within the caller's scope. The reply is the object of `hrq ask --json` plus "
        "`conversation_id` and `answer_id`; pass `conversation_id` back for a follow-up."
    ),
    responses=error_responses(*AUTH_ERRORS, 403, 404, 413, 503),
)
async def ask(
    services: ServicesDep,
    assistant: AssistantDep,
    caller: CallerDep,
    request: Annotated[AskRequest, Body(openapi_examples=ASK_EXAMPLES)],
) -> AnswerPublic:
    if services.ask_pool is not None:
        return AnswerPublic.of(await _ask_in_pool(services, caller, request))
    # One hop to the thread pool for all the blocking work; the response is then
    # serialised on the event loop (a plain ``def`` route would take a second hop).
    return await anyio.to_thread.run_sync(
        _ask_public, services, assistant, caller, request, limiter=services.ask_slots
    )


async def _ask_in_pool(services: Services, caller: Caller, request: AskRequest) -> Answer:
    """The question answered by the next free answering process (``api_ask_processes``);
    the assistant there checks the conversation's owner and starts a new one."""
    assert services.ask_pool is not None
    answer = await services.ask_pool.ask(
        request.question,
        caller,
        as_of=request.as_of,
        conversation_id=request.conversation_id,
        surface=SURFACE,
        live=request.live,
    )
    services.metrics.observe_answer(answer)
    return answer


def _ask_public(
    services: Services, assistant: Assistant, caller: Caller, request: AskRequest
) -> AnswerPublic:
    return AnswerPublic.of(answer_question(services, assistant, caller, request))
