"""'Did you mean ...' for an unknown name: built from the gazetteer's people once, not per
question (with 100,000 employees the pinyin of every name took seconds per question)."""

from __future__ import annotations

from assistant.clarify import unknown_names
from assistant.gazetteer import Entity, Gazetteer

PEOPLE = {1: ("张伟", "Zhang Wei"), 2: ("李娜", "Li Na"), 3: ("王芳", "Wang Fang")}


def _gazetteer() -> Gazetteer:
    gz = Gazetteer()
    gz.departments[10] = Entity(10, "华东销售一部", "East China Sales 1", 10, "sales")
    for i, (name, name_en) in PEOPLE.items():
        gz.employees[i] = Entity(i, name, name_en, 10, "华东销售一部")
    return gz


def test_an_unknown_latin_name_is_offered_the_closest_people() -> None:
    gz = _gazetteer()
    reply = unknown_names("zhang wie's sales", "zhang wie", "en", gz)
    assert reply.options and reply.options[0].startswith("张伟")


def test_the_comparison_table_is_built_once_per_script_and_language() -> None:
    gz = _gazetteer()
    first = unknown_names("zhang wie's sales", "zhang wie", "en", gz)
    tables = dict(gz._derived)
    again = unknown_names("li nna's sales", "li nna", "en", gz)
    assert len(tables) == 1 and gz._derived == tables  # reused, not rebuilt
    assert first.options != again.options and again.options[0].startswith("李娜")
    unknown_names("张维的业绩", "张维", "zh", gz)
    assert len(gz._derived) == 2  # Chinese characters are compared with another table
