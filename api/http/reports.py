"""``POST /v1/reports``: ask a question (or name an earlier answer) and download its table.

An XLSX has the table on its first sheet (headers in the question's language,
money, percentages and months formatted) and the question, as-of date,
interpretation and SQL (or the tool and its trace) on the second; a CSV has them
in a header block above the table. Only answers with a table make a report.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Body
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.http.ask import AskRequest, answer_question
from api.http.deps import AssistantDep, CallerDep, ServicesDep
from api.http.errors import ApiError
from api.http.models import AUTH_ERRORS, MAX_QUESTION_CHARS, error_responses
from api.http.tables import CSV_TYPE, XLSX_TYPE, TableDoc, to_csv, to_xlsx
from assistant.answer import Answer

router = APIRouter(prefix="/v1", tags=["reports"])

NOT_A_TABLE = {
    "clarification": (409, "clarification_needed"),
    "refusal": (403, "refused"),
    "error": (422, "unanswerable"),
}


class ReportRequest(BaseModel):
    """Either a question to ask now, or the id of an answer already given (not asked again)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"question": "上个月各部门销售额", "format": "xlsx"},
                {"answer_id": "b1e2c3d4e5f60718293a4b5c6d7e8f90", "format": "csv"},
            ]
        },
    )

    question: str | None = Field(default=None, min_length=1, max_length=MAX_QUESTION_CHARS)
    answer_id: str | None = Field(
        default=None, min_length=1, max_length=64, description="One of your earlier answers."
    )
    format: Literal["csv", "xlsx"] = Field(default="xlsx", description="File format.")
    as_of: date | None = None
    conversation_id: str | None = Field(default=None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _one_source(self) -> ReportRequest:
        if (self.question is None) == (self.answer_id is None):
            raise ValueError("give either question or answer_id")
        return self


#: The labels of the report's context, in the question's language.
ABOUT = {
    "zh": ("hrq 报表：", "问题", "截至", "我的理解", "回答", "工具", "（仅包含你有权查看的数据）"),
    "en": ("hrq report: ", "question", "as of", "interpretation", "answer", "tool",
           "(only data you may see is included)"),
}  # fmt: skip


def report_doc(answer: Answer) -> TableDoc:
    """The answer's table with the context a reader of the file needs, in its language."""
    title, question, as_of, understood, said, tool, scoped = ABOUT[answer.language]
    header = [(question, answer.question), (as_of, answer.as_of.isoformat())]
    if answer.interpretation:
        header.append((understood, answer.interpretation))
    header.append((said, answer.answer))
    if answer.tool is not None:
        header.append((tool, f"{answer.tool.name} {answer.tool.arguments}"))
    notes = list(answer.trace) + ([scoped] if answer.scoped else [])
    return TableDoc(
        title=f"{title}{answer.question}",
        columns=answer.columns,
        rows=answer.rows,
        header=header,
        sql=answer.sql,
        notes=notes,
        formats=answer.formats,
        language=answer.language,
    )


@router.post(
    "/reports",
    summary="Ask a question and download the answer's table",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}, XLSX_TYPE: {}}, "description": "The report file."},
        **error_responses(*AUTH_ERRORS, 403, 404, 409, 413, 503),
    },
)
def create_report(
    services: ServicesDep,
    assistant: AssistantDep,
    caller: CallerDep,
    body: Annotated[ReportRequest, Body()],
) -> Response:
    if body.answer_id is not None:
        answer = services.conversations.get_answer(body.answer_id, caller)
    else:
        request = AskRequest(
            question=body.question or "", as_of=body.as_of, conversation_id=body.conversation_id
        )
        answer = answer_question(services, assistant, caller, request)
    if answer.kind != "answer" or not answer.columns:
        status, code = NOT_A_TABLE.get(answer.kind, (422, "no_table"))
        raise ApiError(status, code, answer.answer or "this answer has no table")
    doc = report_doc(answer)
    content, media = (to_csv(doc), CSV_TYPE) if body.format == "csv" else (to_xlsx(doc), XLSX_TYPE)
    filename = f"hrq-report-{answer.as_of.isoformat()}.{body.format}"
    return Response(
        content,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Hrq-Answer-Id": answer.answer_id or "",
            "X-Hrq-Conversation-Id": answer.conversation_id or "",
        },
    )
