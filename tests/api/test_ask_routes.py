"""Ask, conversations, feedback and reports over HTTP, every question audited."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from assistant.answer import Answer
from assistant.audit import AuditLog
from assistant.conversations import ConversationStore
from tests.api.conftest import Persona, bearer

AS_OF = "2026-09-15"
RANKING = "上个月成都销售组的业绩排名"
PUBLIC_KEYS = set(Answer.model_fields) - {"sql_written", "scopes", "plan", "statements"}


def _ask(client: TestClient, key: str, question: str, **extra: object) -> dict:
    response = client.post(
        "/v1/ask", json={"question": question, "as_of": AS_OF, **extra}, headers=bearer(key)
    )
    assert response.status_code == 200, response.text
    return response.json()


def _audit(client: TestClient) -> AuditLog:
    return AuditLog(client.app.state.services.app_engine)  # type: ignore[attr-defined]


def test_ask_returns_the_public_answer_with_ids(
    client: TestClient, keys: dict[str, str], personas: dict[str, Persona]
) -> None:
    body = _ask(client, keys["hr"], RANKING)
    assert set(body) == PUBLIC_KEYS
    assert (body["kind"], body["language"], body["path"], body["as_of"]) == (
        "answer",
        "zh",
        "planner",
        AS_OF,
    )
    assert body["columns"][:3] == ["排名", "姓名", "工号"]
    assert len(body["rows"]) >= 5 and body["rows"][0][0] == 1
    assert body["conversation_id"] and body["answer_id"]
    (record,) = _audit(client).tail(5)
    assert (record.surface, record.employee_no, record.role, record.question) == (
        "http",
        personas["hr"].employee_no,
        "hr",
        RANKING,
    )
    assert (record.answer_id, record.conversation_id) == (
        body["answer_id"],
        body["conversation_id"],
    )
    assert record.row_count == len(body["rows"])


def test_follow_up_and_conversation_for_its_owner_only(
    client: TestClient, keys: dict[str, str]
) -> None:
    first = _ask(client, keys["hr"], "上个月各部门销售额")
    cid = first["conversation_id"]
    second = _ask(client, keys["hr"], "那上上个月呢?", conversation_id=cid)
    assert second["kind"] == "answer" and second["conversation_id"] == cid
    assert second["rows"] != first["rows"] and len(second["rows"]) == len(first["rows"])
    turns = client.get(f"/v1/conversations/{cid}", headers=bearer(keys["hr"]))
    assert turns.status_code == 200
    assert [t["question"] for t in turns.json()["turns"]] == ["上个月各部门销售额", "那上上个月呢?"]
    assert [t["answer_id"] for t in turns.json()["turns"]] == [
        first["answer_id"],
        second["answer_id"],
    ]
    for key in (keys["sales"], keys["admin"]):
        other = client.get(f"/v1/conversations/{cid}", headers=bearer(key))
        assert (other.status_code, other.json()["error"]["code"]) == (404, "conversation_not_found")
        hijack = client.post(
            "/v1/ask", json={"question": "那上个月呢?", "conversation_id": cid}, headers=bearer(key)
        )
        assert hijack.status_code == 404
    assert client.get("/v1/conversations/nope", headers=bearer(keys["hr"])).status_code == 404
    assert _audit(client).count() == 2


def test_sales_key_sees_no_payroll_or_other_department_through_ask(
    client: TestClient, keys: dict[str, str], personas: dict[str, Persona]
) -> None:
    payroll = _ask(client, keys["sales"], "上个月各部门的工资总额")
    if payroll["kind"] == "refusal":  # the guard refuses payroll outright
        assert payroll["rows"] == [] and payroll["reason"].startswith("denied")
        metric = f'hrq_guard_refusals_total{{reason="{payroll["reason"]}"}} 1.0'
        assert metric in client.get("/metrics").text
    else:  # or cuts it to the caller's own rows
        assert payroll["scoped"] is True
        assert {row[0] for row in payroll["rows"]} <= {"成都销售组"}
    other = _ask(client, keys["sales"], "上个月武汉销售部的销售额")
    assert other["scoped"] is True
    assert all(v is None or v == 0 for row in other["rows"] for v in row)
    hr_view = _ask(client, keys["hr"], "上个月武汉销售部的销售额")
    assert hr_view["rows"][0][0] > 0
    records = _audit(client).tail(10)
    assert [r.employee_no for r in records] == [personas["sales"].employee_no] * 2 + [
        personas["hr"].employee_no
    ]
    assert records[1].scopes != "[]"


def test_clarification_and_refusal_are_answers_too(
    client: TestClient, keys: dict[str, str]
) -> None:
    clarify = _ask(client, keys["hr"], "张伟上个月的销售额")
    assert clarify["kind"] == "clarification" and len(clarify["options"]) >= 2
    refuse = _ask(client, keys["hr"], "今天天气如何")
    assert refuse["kind"] == "refusal" and len(refuse["examples"]) == 3
    text = client.get("/metrics").text
    assert 'hrq_answers_total{kind="clarification",path="planner"} 1.0' in text
    assert 'hrq_answers_total{kind="refusal",path="planner"} 1.0' in text
    assert [r.kind for r in _audit(client).tail(5)] == ["clarification", "refusal"]


def test_feedback_kept_for_review_owner_only(client: TestClient, keys: dict[str, str]) -> None:
    answer = _ask(client, keys["hr"], RANKING)
    url = f"/v1/answers/{answer['answer_id']}/feedback"
    response = client.post(
        url, json={"correct": False, "comment": "少了一个人"}, headers=bearer(keys["hr"])
    )
    assert response.status_code == 201, response.text
    assert (
        response.json()["correct"] is False and response.json()["answer_id"] == answer["answer_id"]
    )
    assert (
        client.post(url, json={"correct": True}, headers=bearer(keys["sales"])).status_code == 404
    )
    assert (
        client.post(url, json={"correct": "maybe"}, headers=bearer(keys["hr"])).status_code == 422
    )
    missing = client.post(
        "/v1/answers/nope/feedback", json={"correct": True}, headers=bearer(keys["hr"])
    )
    assert missing.json()["error"]["code"] == "answer_not_found"
    store = ConversationStore(client.app.state.services.app_engine)  # type: ignore[attr-defined]
    (wrong,) = store.list_feedback(correct=False)
    assert (wrong.question, wrong.comment) == (RANKING, "少了一个人")


def test_report_xlsx_has_title_question_as_of_and_sql_sheet(
    client: TestClient, keys: dict[str, str]
) -> None:
    question = "上个月各部门销售额"
    response = client.post(
        "/v1/reports",
        json={"question": question, "format": "xlsx", "as_of": AS_OF},
        headers=bearer(keys["hr"]),
    )
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    table, about = book.worksheets
    rows = list(table.iter_rows(values_only=True))
    assert rows[0] == ("部门", "销售额") and len(rows) - 1 == 6
    context = {r[0]: r[1] for r in about.iter_rows(min_row=2, values_only=True) if r[0]}
    assert about["A1"].value == f"hrq 报表：{question}"
    assert context["问题"] == question and context["截至"] == AS_OF
    assert context["我的理解"].startswith("我的理解：") and "SELECT" in context["SQL"].upper()
    assert _audit(client).tail(1)[0].question == question


def test_report_csv_and_non_table_answers(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post(
        "/v1/reports",
        json={"question": RANKING, "format": "csv", "as_of": AS_OF},
        headers=bearer(keys["hr"]),
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == f"hrq 报表：{RANKING}"
    assert "王芳" in text or len(text.splitlines()) > 8
    clarify = client.post(
        "/v1/reports",
        json={"question": "张伟上个月的销售额", "format": "csv"},
        headers=bearer(keys["hr"]),
    )
    assert (clarify.status_code, clarify.json()["error"]["code"]) == (409, "clarification_needed")
    bad = client.post(
        "/v1/reports", json={"question": "x", "format": "pdf"}, headers=bearer(keys["hr"])
    )
    assert bad.status_code == 422


def test_report_of_an_earlier_answer_is_not_asked_again(
    client: TestClient, keys: dict[str, str]
) -> None:
    answer = _ask(client, keys["hr"], "上个月各部门销售额")
    response = client.post(
        "/v1/reports",
        json={"answer_id": answer["answer_id"], "format": "csv"},
        headers=bearer(keys["hr"]),
    )
    assert response.status_code == 200
    assert response.headers["x-hrq-answer-id"] == answer["answer_id"]
    assert _audit(client).count() == 1
    foreign = client.post(
        "/v1/reports", json={"answer_id": answer["answer_id"]}, headers=bearer(keys["sales"])
    )
    assert foreign.status_code == 404
    both = client.post(
        "/v1/reports", json={"answer_id": "x", "question": "y"}, headers=bearer(keys["hr"])
    )
    assert both.status_code == 422


def test_an_answer_by_id_for_its_owner_only(client: TestClient, keys: dict[str, str]) -> None:
    first = _ask(client, keys["hr"], "上个月各部门销售额")
    mine = client.get(f"/v1/answers/{first['answer_id']}", headers=bearer(keys["hr"]))
    assert mine.status_code == 200
    assert (mine.json()["question"], mine.json()["rows"]) == (first["question"], first["rows"])
    for key in (keys["sales"], keys["admin"]):
        other = client.get(f"/v1/answers/{first['answer_id']}", headers=bearer(key))
        assert other.status_code == 404
    assert client.get("/v1/answers/nope", headers=bearer(keys["hr"])).status_code == 404
    assert client.get(f"/v1/answers/{first['answer_id']}").status_code == 401
