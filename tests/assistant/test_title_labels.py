"""Job titles read in Chinese in a Chinese answer (the semantic model's labels), as the
warehouse spells them in an English one; the table keeps the warehouse's value."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from assistant.ask import Assistant
from schema.caller import Caller
from schema.semantic import load_semantic_model

AS_OF = date(2026, 11, 26)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _titles(assistant: Assistant) -> set[str]:
    with assistant.warehouse.connect() as conn:
        return {t for (t,) in conn.execute(sa.text("SELECT DISTINCT title FROM employees"))}


def test_every_title_of_the_warehouse_has_a_chinese_label(assistant: Assistant) -> None:
    model = load_semantic_model()
    labels = model.value_labels("e.title", "employees", "zh")
    titles = _titles(assistant)
    assert len(titles) > 5
    assert titles <= set(labels)
    assert all(CJK.search(labels[t]) for t in titles)
    assert model.value_labels("e.title", "employees", "en") == {t: t for t in labels}


def test_a_chinese_answer_names_titles_in_chinese(assistant: Assistant) -> None:
    answer = assistant.ask("各职位有多少人", Caller.operator(), as_of=AS_OF)
    assert answer.kind == "answer", answer.answer
    title = answer.columns.index("职位")
    labels = answer.formats[title].values
    shown = {row[title] for row in answer.rows}
    assert shown == _titles(assistant)
    assert shown and all(CJK.search(labels[t]) for t in shown)
    top = max(answer.rows, key=lambda r: r[answer.columns.index("在职人数")])
    assert labels[top[title]] in answer.answer
    assert top[title] not in answer.answer  # no English title in the Chinese sentence


def test_an_english_answer_keeps_the_warehouse_spelling(assistant: Assistant) -> None:
    answer = assistant.ask("how many employees per title", Caller.operator(), as_of=AS_OF)
    assert answer.kind == "answer", answer.answer
    title = answer.columns.index("title")
    assert not any(CJK.search(label) for label in answer.formats[title].values.values())
    top = max(answer.rows, key=lambda r: r[answer.columns.index("headcount")])
    assert top[title] in answer.answer
