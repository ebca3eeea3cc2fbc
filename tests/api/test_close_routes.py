"""Month closes and statements over HTTP: who may close, who sees which rows, answers from the
snapshot, the app database's new tables on an existing database."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.http.main import create_app
from api.http.tables import XLSX_TYPE
from assistant.ask import Assistant
from assistant.audit import AuditLog
from assistant.closes import CloseBook
from assistant.keys import create_key
from schema.app import metadata, month_close_rows, month_closes
from schema.caller import Caller
from schema.db import app_engine
from schema.settings import Settings
from tests.api.conftest import DEMO_END, Persona, assistant_for, bearer, make_answer

MONTH = "2026-08"


@pytest.fixture
def closing(
    api_settings: Settings, shared_assistant: Assistant, personas: dict[str, Persona]
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The app with ``today`` pinned to the demo's end, and an API key per persona."""
    settings = api_settings.model_copy(update={"as_of": DEMO_END})
    app = create_app(settings, assistant=assistant_for(shared_assistant, settings))
    with TestClient(app, raise_server_exceptions=False) as client:
        engine = client.app.state.services.app_engine  # type: ignore[attr-defined]
        keys = {n: create_key(engine, p.employee_no, p.role)[0] for n, p in personas.items()}
        yield client, keys


def test_only_hr_and_admin_close_and_everyone_sees_their_scope(
    closing: tuple[TestClient, dict[str, str]], personas: dict[str, Persona]
) -> None:
    client, keys = closing
    for who in ("sales", "manager"):
        refused = client.post("/v1/closes", json={"month": MONTH}, headers=bearer(keys[who]))
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"] == {
            "code": "close_forbidden",
            "message": f"only HR and admins may close a month; you are signed in as {who}",
        }
    busy = client.post("/v1/closes", json={"month": "2026-09"}, headers=bearer(keys["hr"]))
    assert busy.status_code == 409 and "still in progress" in busy.json()["error"]["message"]
    done = client.post("/v1/closes", json={"month": MONTH}, headers=bearer(keys["hr"]))
    assert done.status_code == 201, done.text
    closed = done.json()
    assert (closed["month"], closed["version"], closed["diff"]) == (MONTH, 1, None)
    everyone = {r["employee_no"]: r for r in closed["rows"]}

    listed = client.get("/v1/closes", headers=bearer(keys["sales"])).json()
    assert [(c["month"], c["version"], c["hash"]) for c in listed] == [(MONTH, 1, closed["hash"])]

    def rows(who: str) -> list[str]:
        response = client.get(f"/v1/closes/{MONTH}", headers=bearer(keys[who]))
        assert response.status_code == 200, response.text
        assert response.json()["hash"] == closed["hash"]
        return sorted(r["employee_no"] for r in response.json()["rows"])

    rep = personas["sales"].employee_no
    assert rows("hr") == sorted(everyone)
    assert rows("sales") == [rep]
    team = rows("manager")
    assert rep in team and all(everyone[n]["department"] == personas["manager"].department
                               for n in team if n != personas["manager"].employee_no)  # fmt: skip
    assert len(team) < len(everyone)

    own = client.get(f"/v1/statements/{rep}/{MONTH}", headers=bearer(keys["sales"]))
    assert own.status_code == 200, own.text
    body = own.json()
    assert {k: body[k] for k in ("sales", "median", "bonus")} == {
        "sales": everyone[rep]["sales"],
        "median": {**body["median"], "value": everyone[rep]["median"]},
        "bonus": everyone[rep]["bonus"],
    }
    assert (body["version"], body["hash"], body["changed_since_close"]) == (
        1,
        closed["hash"],
        False,
    )
    assert body["median"]["roster_size"] == sum(
        1 for r in everyone.values() if r["department"] == everyone[rep]["department"]
    )
    colleague = next(n for n in team if n not in (rep, personas["manager"].employee_no))
    for path in (f"/v1/statements/{colleague}/{MONTH}", f"/v1/statements/E99999/{MONTH}"):
        hidden = client.get(path, headers=bearer(keys["sales"]))
        assert hidden.status_code == 403, hidden.text
        assert hidden.json()["error"]["message"] == "you may see only your own bonus statement"
    assert client.get(f"/v1/statements/{colleague}/{MONTH}?lang=en",
                      headers=bearer(keys["manager"])).status_code == 200  # fmt: skip
    wuhan = client.get(f"/v1/closes/{MONTH}", headers=bearer(keys["sales_wuhan"])).json()
    assert [r["department"] for r in wuhan["rows"]] == ["武汉销售部"]

    # the performance route answers from the snapshot and names it
    perf = client.get("/v1/performance", params={"month": MONTH}, headers=bearer(keys["hr"]))
    assert perf.json()["closed"] == {"month": MONTH, "version": 1, "hash": closed["hash"],
                                     "changed_since_close": False, "source": "snapshot"}  # fmt: skip
    live = client.get("/v1/performance", params={"month": MONTH, "live": "true"},
                      headers=bearer(keys["hr"]))  # fmt: skip
    assert live.json()["closed"]["source"] == "live"
    asked = client.post("/v1/ask", json={"question": "上个月成都销售组谁超过了中位数"},
                        headers=bearer(keys["manager"]))  # fmt: skip
    assert asked.json()["closed"]["hash"] == closed["hash"]
    for who in ("sales", "manager"):
        for fmt in ("csv", "xlsx"):
            denied = client.get(
                f"/v1/closes/{MONTH}/payroll?format={fmt}", headers=bearer(keys[who])
            )
            assert denied.status_code == 403 and "only HR and admins" in denied.text
    paid = client.get(f"/v1/closes/{MONTH}/payroll", headers=bearer(keys["hr"]))
    assert paid.status_code == 200 and paid.headers["content-type"].startswith("text/csv")
    assert f'filename="payroll-{MONTH}-v1.csv"' in paid.headers["content-disposition"]
    lines = [line.split(",") for line in paid.content.decode("utf-8-sig").splitlines()]
    assert lines[0] == ["employee_no", "month", "bonus", "version"]
    assert {no: float(b) for no, _m, b, _v in lines[1:]} == {
        n: r["bonus"] for n, r in everyone.items()
    }
    sheet = client.get(f"/v1/closes/{MONTH}/payroll?format=xlsx", headers=bearer(keys["admin"]))
    assert sheet.headers["content-type"] == XLSX_TYPE, sheet.text
    assert f'filename="payroll-{MONTH}-v1.xlsx"' in sheet.headers["content-disposition"]
    cells = list(load_workbook(io.BytesIO(sheet.content)).worksheets[0].iter_rows(values_only=True))
    assert {no: b for no, _m, b, _v in cells[1:]} == {n: r["bonus"] for n, r in everyone.items()}
    never = client.get("/v1/closes/2026-07/payroll", headers=bearer(keys["hr"]))
    assert never.status_code == 404 and "hrq close --month 2026-07" in never.text
    again = client.post("/v1/closes", json={"month": MONTH}, headers=bearer(keys["admin"]))
    assert again.status_code == 201 and again.json()["version"] == 2
    assert again.json()["diff"]["people"] == []


def test_an_existing_app_database_gains_the_close_tables(tmp_path: Path) -> None:
    """A database from before closes existed: its tables are added and its log keeps verifying."""
    engine = app_engine(f"sqlite:///{tmp_path / 'old.db'}")
    old = [t for t in metadata.sorted_tables if t not in (month_closes, month_close_rows)]
    metadata.create_all(engine, tables=old)
    log = AuditLog(engine, create_schema=False)
    log.record(make_answer(), Caller.operator(), "cli")
    assert not sa.inspect(engine).has_table("month_closes")
    book = CloseBook(engine, AuditLog(engine))  # creating the log creates what is missing
    assert sa.inspect(engine).has_table("month_closes")
    assert book.list() == [] and book.verify().ok and book.audit.verify().ok
    engine.dispose()


def test_statement_files_follow_the_statements_scope(
    closing: tuple[TestClient, dict[str, str]], personas: dict[str, Persona]
) -> None:
    """?format=xlsx|pdf: the same figures as the JSON statement and the snapshot, for whom
    the JSON is for; anyone else gets the JSON refusal, never a file."""
    from decimal import Decimal

    from pypdf import PdfReader

    from tools.money import fmt_money

    client, keys = closing
    done = client.post("/v1/closes", json={"month": MONTH}, headers=bearer(keys["hr"]))
    assert done.status_code == 201, done.text
    everyone = {r["employee_no"]: r for r in done.json()["rows"]}
    rep = personas["sales"].employee_no
    url = f"/v1/statements/{rep}/{MONTH}"
    for who in ("sales", "manager", "hr"):
        pdf = client.get(url, params={"format": "pdf", "lang": "en"}, headers=bearer(keys[who]))
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf", who
        assert f'filename="statement-{rep}-{MONTH}-v1-1.pdf"' in pdf.headers["content-disposition"]
        reader = PdfReader(io.BytesIO(pdf.content))
        text = reader.pages[0].extract_text()
        assert len(reader.pages) == 1 and done.json()["hash"] in text
        for key in ("sales", "min_target", "bonus"):
            assert (
                f"¥{fmt_money(Decimal(str(everyone[rep][key])).quantize(Decimal('0.01')))}" in text
            )
    sheet = client.get(url, params={"format": "xlsx"}, headers=bearer(keys["sales"]))
    assert sheet.headers["content-type"] == XLSX_TYPE, sheet.text
    cells = {a: b for a, b, _ in load_workbook(io.BytesIO(sheet.content)).worksheets[0]
             .iter_rows(min_row=2, values_only=True)}  # fmt: skip
    mine = everyone[rep]
    assert (cells["业绩"], cells["最低目标"], cells["奖金（结账时）"], cells["快照哈希"]) == (
        mine["sales"],
        mine["min_target"],
        mine["bonus"],
        done.json()["hash"],
    )
    assert cells["部门中位数"] == mine["median"] and cells["获得奖金资格"] == (
        "是" if mine["eligible"] else "否"
    )
    team = sorted(
        n for n, r in everyone.items() if r["department"] == personas["manager"].department
    )
    colleague = next(n for n in team if n not in (rep, personas["manager"].employee_no))
    outsider = next(n for n, r in everyone.items() if r["department"] == "武汉销售部")
    hostile = [("sales", colleague), ("sales", "E99999"), ("sales_wuhan", rep),
               ("manager", outsider)]  # fmt: skip
    for who, whose in hostile:
        for fmt in ("pdf", "xlsx"):
            refused = client.get(f"/v1/statements/{whose}/{MONTH}", params={"format": fmt},
                                 headers=bearer(keys[who]))  # fmt: skip
            assert refused.status_code == 403, (who, whose, fmt)
            assert refused.headers["content-type"].startswith("application/json")
            assert "content-disposition" not in refused.headers
    assert client.get(url, params={"format": "pdf"}).status_code == 401
    odd = client.get(url, params={"format": "docx"}, headers=bearer(keys["sales"]))
    assert odd.status_code == 422
