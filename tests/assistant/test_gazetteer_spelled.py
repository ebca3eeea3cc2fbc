"""Names spelled in pinyin join the gazetteer on the first question with Latin letters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from assistant.gazetteer import Gazetteer, build_gazetteer, department_aliases
from assistant.normalize import normalize
from assistant.pinyin import spelled
from schema.db import warehouse_engine
from schema.semantic import load_semantic_model
from schema.warehouse import departments


@pytest.fixture
def engine(demo_warehouse_url: str) -> Iterator[sa.Engine]:
    built = warehouse_engine(demo_warehouse_url, read_only=True)
    yield built
    built.dispose()


@pytest.fixture
def gazetteer(engine: sa.Engine) -> Gazetteer:
    with engine.connect() as conn:
        return build_gazetteer(load_semantic_model(), conn)


def _cities(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted({c for (c,) in conn.execute(sa.select(departments.c.city)) if c})


def test_a_question_in_chinese_characters_needs_no_pinyin(
    gazetteer: Gazetteer, engine: sa.Engine
) -> None:
    gazetteer.tag(normalize("本月各销售部门业绩中位数是多少"))
    assert gazetteer.spelled_sources  # still waiting
    assert all("value" not in gazetteer.phrases.get(spelled(c), {}) for c in _cities(engine))


def test_the_first_latin_question_adds_every_spelled_name(
    gazetteer: Gazetteer, engine: sa.Engine
) -> None:
    cities = _cities(engine)
    tags = gazetteer.tag(normalize(f"sales in {spelled(cities[0])} this month"))
    assert gazetteer.spelled_sources == []
    assert any(t.kind == "value" and t.text == spelled(cities[0]) for t in tags)
    for city in cities:
        assert any(v.endswith(f":{city}") for v in gazetteer.phrases[spelled(city)]["value"])
    with engine.connect() as conn:
        rows = conn.execute(sa.select(departments).where(departments.c.kind == "sales")).all()
    for row in rows:  # every alias, the pinyin ones included, names the department
        for alias in department_aliases(row.name, row.name_en, row.city):
            assert str(row.department_id) in gazetteer.phrases[normalize(alias)]["department"]


def test_pinyin_reads_phrases_not_characters() -> None:
    assert spelled("重庆") == "chongqing"  # 重 alone reads zhong
