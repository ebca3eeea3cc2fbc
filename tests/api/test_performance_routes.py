"""Performance and leaderboard over HTTP: formats, scope cuts, errors."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.api.conftest import Persona, bearer

MONTH = "2026-08"


def _perf(client: TestClient, key: str, **params: str) -> dict:
    response = client.get("/v1/performance", params={"month": MONTH, **params}, headers=bearer(key))
    assert response.status_code == 200, response.text
    return response.json()


def _column(body: dict, name: str) -> list:
    index = body["columns"].index(name)
    return [row[index] for row in body["rows"]]


def test_admin_sees_every_department_in_full(client: TestClient, keys: dict[str, str]) -> None:
    body = _perf(client, keys["admin"])
    assert len(set(_column(body, "department"))) == 6
    assert all(b is not None for b in _column(body, "bonus"))
    assert body["scope_note"] is None
    assert body["month"] == MONTH and body["month_to_date"] is False
    assert len(body["summary"]["rows"]) == 6


def test_sales_sees_own_department_leaderboard_columns_only(
    client: TestClient, keys: dict[str, str], personas: dict[str, Persona]
) -> None:
    body = _perf(client, keys["sales"])
    assert set(_column(body, "department")) == {"成都销售组"}
    own = [r for r in body["rows"] if r[body["columns"].index("employee_no")] is not None]
    assert [r[body["columns"].index("employee_no")] for r in own] == [personas["sales"].employee_no]
    others = [r for r in body["rows"] if r not in own]
    assert others and all(
        r[body["columns"].index(c)] is None for r in others for c in ("bonus", "min_target")
    )
    assert body["scope_note"]


def test_sales_and_manager_cannot_see_another_department(
    client: TestClient, keys: dict[str, str]
) -> None:
    for who in ("sales", "manager"):
        for path in ("/v1/performance", "/v1/leaderboard"):
            response = client.get(
                path, params={"month": MONTH, "department": "武汉销售部"}, headers=bearer(keys[who])
            )
            assert response.status_code == 403, (who, path, response.text)
            assert response.json()["error"]["code"] == "out_of_scope"
            assert "武汉" not in response.text.replace("武汉销售部", "")


def test_manager_sees_own_department_in_full(client: TestClient, keys: dict[str, str]) -> None:
    body = _perf(client, keys["manager"], department="成都销售组")
    assert set(_column(body, "department")) == {"成都销售组"}
    assert all(b is not None for b in _column(body, "bonus"))


def test_csv_by_format_and_by_accept(client: TestClient, keys: dict[str, str]) -> None:
    by_param = client.get(
        "/v1/performance",
        params={"month": MONTH, "department": "成都销售组", "format": "csv"},
        headers=bearer(keys["hr"]),
    )
    by_accept = client.get(
        "/v1/performance",
        params={"month": MONTH, "department": "成都销售组"},
        headers={**bearer(keys["hr"]), "Accept": "text/csv"},
    )
    for response in (by_param, by_accept):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
    text = by_param.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("业绩 performance 2026-08")
    assert any(line.startswith("rank,employee_no,name,department,sales") for line in lines)
    assert sum("成都销售组" in line for line in lines) >= 5


def test_xlsx_has_title_table_and_second_sheet(client: TestClient, keys: dict[str, str]) -> None:
    response = client.get(
        "/v1/performance",
        params={"month": MONTH, "department": "成都销售组"},
        headers={
            **bearer(keys["hr"]),
            "Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        },
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    first, second = book.worksheets
    values = [[c for c in row] for row in first.iter_rows(values_only=True)]
    assert values[0][0] == "rank" and len(values) - 1 >= 5 and first.freeze_panes == "A2"
    assert str(second["A1"].value).startswith("业绩 performance 2026-08")
    sales = values[0].index("sales") + 1
    assert first.cell(2, sales).number_format.startswith('"¥"#,##0.00')


def test_unavailable_formats(client: TestClient, keys: dict[str, str]) -> None:
    headers = {**bearer(keys["hr"]), "Accept": "application/pdf"}
    response = client.get("/v1/performance", params={"month": MONTH}, headers=headers)
    assert response.status_code == 406
    assert response.json()["error"]["code"] == "not_acceptable"
    response = client.get(
        "/v1/performance", params={"month": MONTH, "format": "pdf"}, headers=bearer(keys["hr"])
    )
    assert response.status_code == 422


def test_bad_month_and_month_without_roster(client: TestClient, keys: dict[str, str]) -> None:
    bad = client.get("/v1/performance", params={"month": "2026-13"}, headers=bearer(keys["hr"]))
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_request"
    empty = client.get("/v1/performance", params={"month": "2020-01"}, headers=bearer(keys["hr"]))
    assert empty.status_code == 404
    assert empty.json()["error"]["code"] == "no_roster"
    unknown = client.get(
        "/v1/performance",
        params={"month": MONTH, "department": "火星部"},
        headers=bearer(keys["hr"]),
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "unknown_department"


def test_leaderboard_defaults_to_own_department(client: TestClient, keys: dict[str, str]) -> None:
    response = client.get("/v1/leaderboard", params={"month": MONTH}, headers=bearer(keys["sales"]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["department"] == "成都销售组"
    assert body["columns"][:3] == ["rank", "name", "sales"]
    assert body["labels"] == {
        "zh": ["排名", "姓名", "业绩", "与中位数差距", "达到最低目标", "超过中位数"],
        "en": ["rank", "name", "sales", "gap to median", "met minimum", "above median"],
    }
    assert [f["kind"] for f in body["formats"]] == [
        "count",
        "text",
        "money",
        "money",
        "flag",
        "flag",
    ]
    ranks = [row[0] for row in body["rows"]]
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert body["median"] > 0


def test_leaderboard_png(client: TestClient, keys: dict[str, str]) -> None:
    response = client.get(
        "/v1/leaderboard",
        params={"month": MONTH, "department": "成都销售组", "format": "png"},
        headers=bearer(keys["manager"]),
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_leaderboard_of_a_department_without_a_single_roster(
    client: TestClient, keys: dict[str, str]
) -> None:
    """Without ``department`` the caller's own is used: HR has no roster, the CEO's spans six."""
    hr = client.get("/v1/leaderboard", params={"month": MONTH}, headers=bearer(keys["hr"]))
    assert (hr.status_code, hr.json()["error"]["code"]) == (404, "no_roster")
    admin = client.get("/v1/leaderboard", params={"month": MONTH}, headers=bearer(keys["admin"]))
    assert (admin.status_code, admin.json()["error"]["code"]) == (409, "ambiguous_department")
    assert "成都销售组" in admin.json()["error"]["message"]


def test_the_trace_is_cut_like_the_rows_in_every_format(
    client: TestClient, keys: dict[str, str]
) -> None:
    """A salesperson's trace names only their own department, with its median and none of
    the counts or totals that make colleagues' bonuses computable; a manager's names only
    their subtree; CSV and XLSX notes are the same trace."""
    whole = _perf(client, keys["admin"])
    departments = {row[0] for row in whole["summary"]["rows"]}
    for who in ("sales", "manager"):
        body = _perf(client, keys[who])
        own = {row[0] for row in body["summary"]["rows"]}
        trace = "\n".join(body["trace"])
        assert own and all(d not in trace for d in departments - own), (who, trace)
        assert "total bonus across" not in trace
        if who == "sales":
            assert "median of" in trace
            assert "met their minimum" not in trace and "eligible" not in trace, trace
        for fmt in ("csv", "xlsx"):
            response = client.get(
                "/v1/performance", params={"month": MONTH, "format": fmt}, headers=bearer(keys[who])
            )
            text = response.text if fmt == "csv" else _xlsx_text(response.content)
            assert all(d not in text for d in departments - own), (who, fmt)
            assert "total bonus across" not in text


def _xlsx_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content))
    return "\n".join(
        str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row if cell.value
    )


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_the_trace_follows_the_requests_language(client: TestClient, keys: dict[str, str]) -> None:
    """lang= or Accept-Language picks the trace's language, worded as the ask traces are;
    the figures are the same in both."""
    from assistant.trace_words import trace_in

    english = _perf(client, keys["hr"], department="成都销售组")
    chinese = _perf(client, keys["hr"], department="成都销售组", lang="zh")
    by_header = client.get(
        "/v1/performance",
        params={"month": MONTH, "department": "成都销售组"},
        headers={**bearer(keys["hr"]), "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"},
    ).json()
    weighted = client.get(
        "/v1/performance",
        params={"month": MONTH, "department": "成都销售组"},
        headers={**bearer(keys["hr"]), "Accept-Language": "fr, en;q=0.9, zh;q=0.5"},
    ).json()
    overridden = client.get(
        "/v1/performance",
        params={"month": MONTH, "department": "成都销售组", "lang": "en"},
        headers={**bearer(keys["hr"]), "Accept-Language": "zh-CN"},
    ).json()
    assert english["trace"] and not any(
        _has_chinese(ln.replace("成都销售组", "")) for ln in english["trace"]
    )
    assert chinese["trace"] == trace_in("zh", english["trace"]) != english["trace"]
    assert any("中位数" in line for line in chinese["trace"])
    assert by_header["trace"] == chinese["trace"]
    assert weighted["trace"] == overridden["trace"] == english["trace"]
    assert chinese["rows"] == english["rows"]


def test_a_salespersons_chinese_trace_is_cut_like_the_english_one(
    client: TestClient, keys: dict[str, str]
) -> None:
    """A salesperson's Chinese trace says what their English one says: their own
    department's median, and nobody's counts, bonuses or other departments."""
    english = _perf(client, keys["sales"])
    chinese = _perf(client, keys["sales"], lang="zh")
    everyone = _perf(client, keys["hr"], lang="zh")
    assert len(chinese["trace"]) == len(english["trace"])
    joined = "\n".join(chinese["trace"])
    departments = set(_column(everyone, "department"))
    assert [d for d in departments if d in joined] == ["成都销售组"]
    assert "中位数" in joined
    for hidden in ("达到最低目标", "获得奖金", "合计"):
        assert hidden not in joined and hidden in "\n".join(everyone["trace"]), hidden


def test_a_chinese_download_has_chinese_headers_and_trace(
    client: TestClient, keys: dict[str, str]
) -> None:
    response = client.get(
        "/v1/performance",
        params={"month": MONTH, "department": "成都销售组", "format": "xlsx", "lang": "zh"},
        headers=bearer(keys["hr"]),
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    first, about = book.worksheets[0], book.worksheets[1]
    headers = [c.value for c in first[1]]
    assert "业绩" in headers and "奖金" in headers and "bonus" not in headers
    notes = "\n".join(str(c.value) for row in about.iter_rows() for c in row if c.value)
    assert "中位数" in notes
