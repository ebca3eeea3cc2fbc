"""A bonus statement as XLSX and PDF, read back: the figures are the snapshot's (money to
the cent, a median's third decimal kept), the headers are Chinese for zh, the median's
middle values and the adjustments are there, and the PDF is one page whose text is
extractable (Chinese included) with the full hash."""

from __future__ import annotations

import io
import warnings
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from api.http.statement_fields import fields
from api.http.statement_files import file_name, statement_file
from api.http.statement_pdf import wrap
from api.http.xlsx import _width
from schema.caller import Caller
from tools.adjustment import Adjustment
from tools.cjk_font import cjk_font_file
from tools.money import fmt_money
from tools.policy import BonusPolicy, RatePolicy
from tools.snapshot import MonthSnapshot, SnapshotRow
from tools.statement import statement

D = Decimal
HASH = "0123456789abcdef" * 4


def _row(no: int, sales: str, median: str, dept: int = 3) -> SnapshotRow:
    s, m = D(sales), D(median)
    eligible = s >= D("60000") and s > m
    bonus = min(((s - m) * D("0.035")).quantize(D("0.01")), D("900.00")) if eligible else D("0.00")
    return SnapshotRow(
        no, f"E{no:05d}", f"张{no}号", f"Zhang {no}", dept, "华南销售二部", "South China Sales 2",
        s, D("60000.00"), m, s - m, s >= 60000, s > m, eligible, bonus, 1, tuple(range(no * 10, no * 10 + 7)),
    )  # fmt: skip


#: Four on the roster: the median is the mean of the middle two, with a third decimal.
SALES = ("41000.01", "52000.00", "88000.00", "70500.50")
MEDIAN = str((D("52000.00") + D("70500.50")) / 2)  # 61250.25
assert MEDIAN == "61250.25"
ODD_MEDIAN = str((D("52000.00") + D("70500.51")) / 2)  # 61250.255


def _snapshot(median: str = MEDIAN, sales: tuple[str, ...] = SALES) -> MonthSnapshot:
    rows = tuple(_row(i + 1, s, median) for i, s in enumerate(sales))
    policy = BonusPolicy(
        departments={"3": RatePolicy(rate=D("0.035"), cap=D("900.00"), source="华南销售二部")},
        origin="bonus_policy.toml",
    )
    return MonthSnapshot(date(2026, 10, 1), 2, HASH, "2026-11-02T08:00:00Z", None,
                         date(2026, 11, 2), policy, rows)  # fmt: skip


def _adjustment(amount: str) -> Adjustment:
    return Adjustment(
        7, "E00004", D(amount), "10月30日的订单漏算", 2, "2026-11-05T09:00:00Z", "E00001"
    )


def _document(language: str, snapshot: MonthSnapshot | None = None, **kw: object) -> dict:
    snapshot = snapshot or _snapshot()
    document = statement(snapshot, "E00004", caller=Caller.operator(),
                         language=language, **kw)  # type: ignore[arg-type]  # fmt: skip
    document["changed_since_close"] = False
    return document


def _cells(body: bytes) -> dict[str, tuple[object, str]]:
    """Label -> (value, number format) of the statement sheet."""
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    return {str(a.value): (b.value, b.number_format) for a, b, _c in sheet.iter_rows(min_row=2)}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_xlsx_holds_the_snapshots_figures_with_number_formats(language: str) -> None:
    snapshot = _snapshot()
    row = snapshot.row_of("E00004")
    assert row is not None and row.eligible
    body, media = statement_file(_document(language, adjustments=[_adjustment("120.50")]), "xlsx")
    assert media.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(body))
    sheet, about = book.worksheets
    header = [c.value for c in sheet[1]]
    assert header == (["项目", "数值", "说明"] if language == "zh" else ["Item", "Value", "Note"])
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    cells = _cells(body)
    zh = language == "zh"
    money = '"¥"#,##0.00;-"¥"#,##0.00'
    expected = {
        ("业绩" if zh else "Sales"): row.sales,
        ("最低目标" if zh else "Minimum target"): row.min_target,
        ("与中位数差距" if zh else "Gap to the median"): row.gap,
        ("奖金（结账时）" if zh else "Bonus as closed"): row.bonus,
        ("调整（争议 #7）" if zh else "Adjustment (dispute #7)"): D("120.50"),
        ("最终奖金" if zh else "Final bonus"): row.bonus + D("120.50"),
        ("奖金上限" if zh else "Bonus cap"): D("900.00"),
    }
    for label, value in expected.items():
        assert (D(str(cells[label][0])), cells[label][1]) == (value, money), label
    median_label = "部门中位数" if zh else "Department median"
    assert D(str(cells[median_label][0])) == row.median
    assert cells["中间值 1" if zh else "Middle value 1"][0] == 52000.0
    assert cells["中间值 2" if zh else "Middle value 2"][0] == 70500.5
    assert cells["部门在册人数" if zh else "Department roster size"][0] == len(SALES)
    assert cells["提成比例" if zh else "Bonus rate"] == (0.035, "0.0##%")
    assert cells["获得奖金资格" if zh else "Bonus eligible"][0] == ("是" if zh else "yes")
    assert cells["快照哈希" if zh else "Snapshot hash"][0] == HASH
    assert cells["结账快照版本" if zh else "Close version"][0] == 2
    assert cells["结算单版本" if zh else "Statement version"][0] == 2
    assert sheet.column_dimensions["A"].width >= max(_width(k) for k in cells)
    # the second sheet: the sentences and every order counted
    texts = [str(c.value) for (c,) in about.iter_rows(max_col=1) if c.value]
    assert [t for t in texts if t in _document(language)["lines"]]
    heading = texts.index("计入的订单编号" if zh else "Order ids counted")
    listed = {int(i) for t in texts[heading + 1 :] for i in t.split(", ")}
    assert listed == set(row.order_ids)


def test_a_median_with_a_third_decimal_keeps_it_in_the_xlsx() -> None:
    snapshot = _snapshot(ODD_MEDIAN, ("41000.01", "52000.00", "88000.00", "70500.51"))
    body, _ = statement_file(_document("zh", snapshot), "xlsx")
    value, number_format = _cells(body)["部门中位数"]
    assert D(str(value)) == D("61250.255") and number_format.startswith('"¥"#,##0.00#')


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_pdf_is_one_page_whose_text_has_every_figure(language: str) -> None:
    document = _document(language, adjustments=[_adjustment("-80.00")])
    body, media = statement_file(document, "pdf")
    assert media == "application/pdf"
    reader = PdfReader(io.BytesIO(body))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    row = _snapshot().row_of("E00004")
    assert row is not None
    for value in (row.sales, row.min_target, row.median, row.bonus, row.bonus - D("80.00"),
                  D("52000.00"), D("70500.50")):  # fmt: skip
        assert f"¥{fmt_money(value)}" in text, value
    assert "-¥80.00" in text and "10月30日的订单漏算" in text
    assert HASH in text and "2026-11-02T08:00:00Z" in text
    if language == "zh":
        assert "奖金结算单" in text and "张4号" in text and "华南销售二部" in text
        assert "在册 4 人，取中间两位 ¥52,000.00 与 ¥70,500.50 的平均" in text
    else:
        assert "Bonus statement" in text and "Zhang 4" in text and "3.5 %" in text
    resources: Any = reader.pages[0]["/Resources"]
    fonts = {str(f.get_object()["/BaseFont"]) for f in resources["/Font"].values()}
    if cjk_font_file() is not None:
        assert any("CJK" in name or "Hei" in name or "Fallback" in name for name in fonts), fonts


@pytest.mark.parametrize(
    ("sales", "why"),
    [("59000.00", "minimum target not met; not above the median"),
     ("61000.00", "not above the median")],
)  # fmt: skip
def test_fields_say_why_there_is_no_bonus(sales: str, why: str) -> None:
    document = _document("en", _snapshot(sales=("41000.01", "52000.00", "88000.00", sales)))
    by_key = {f.key: f for f in fields(document)}
    assert not document["eligible"] and by_key["eligible"].shown("en") == "no"
    assert by_key["bonus"].note == why


def test_the_file_name_says_whose_and_which_versions() -> None:
    document = _document("zh", adjustments=[_adjustment("1.00")])
    assert file_name(document, "pdf") == "statement-E00004-2026-10-v2-2.pdf"


@pytest.mark.parametrize(
    "text",
    ["依据：结账快照第 1 版（2026-11-02T08:00:00Z，哈希 0123456789abcdef）" * 3,
     "Department median: ¥61,250.25 (4 on the roster: the mean of the middle values) " * 3],
)  # fmt: skip
def test_wrapped_lines_fit_and_lose_nothing(text: str) -> None:
    lines = wrap(text, 44)
    assert len(lines) > 1 and all(_width(line) <= 44 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_an_adjustment_kept_from_an_earlier_close_says_so_in_both_files() -> None:
    from dataclasses import replace

    kept = replace(_adjustment("120.50"), close_version=1)  # the snapshot is version 2
    document = _document("zh", adjustments=[kept])
    note = next(f.note for f in fields(document) if f.key == "adjustment")
    assert note == "沿用第 1 版结账的调整：10月30日的订单漏算"
    assert any("沿用第 1 版结账的调整" in line for line in document["lines"])
    text = PdfReader(io.BytesIO(statement_file(document, "pdf")[0])).pages[0].extract_text()
    assert "沿用第 1 版结账的调整" in text
    sheet = load_workbook(io.BytesIO(statement_file(document, "xlsx")[0])).worksheets[0]
    assert [c for (c,) in sheet.iter_rows(min_col=3, max_col=3, values_only=True) if c and
            c.startswith("沿用第 1 版")] == [note]  # fmt: skip
    made_here = _document("zh", adjustments=[replace(kept, close_version=2)])
    assert next(f.note for f in fields(made_here) if f.key == "adjustment") == kept.reason


def test_a_machine_without_a_cjk_font_still_gets_the_pdf_and_is_told_why(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """No CJK font installed (simulated: the font search finds none): the PDF is made with
    the figures, and the log says Chinese will show as boxes and which package to install."""
    import api.http.statement_pdf as pdf

    monkeypatch.setattr(pdf, "find_cjk_font", lambda: None)
    with caplog.at_level("WARNING"), warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        body, _ = statement_file(_document("zh"), "pdf")
    assert "fonts-noto-cjk" in caplog.text
    assert not [w for w in shown if "missing from font" in str(w.message)]  # said once, above
    text = PdfReader(io.BytesIO(body)).pages[0].extract_text()
    row = _snapshot().row_of("E00004")
    assert row is not None and f"¥{fmt_money(row.sales)}" in text
