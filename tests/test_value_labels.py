"""The semantic model says every coded value in words, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from schema.errors import ConfigError
from schema.semantic import DEFAULT_PATH, load_semantic_model


def test_every_named_value_has_words_in_both_languages() -> None:
    model = load_semantic_model()
    for value_set in model.values:
        assert set(value_set.labels) == set(value_set.values), value_set.column
        for label in value_set.labels.values():
            assert label.zh and label.en
    assert model.dimension_labels("attendance_status", "attendance", "zh")["absent"] == "缺勤"
    assert model.dimension_labels("channel", "sales_orders", "en")["offline"] == "offline"
    late = next(f"{i}:late" for i, v in enumerate(model.values) if "late" in v.values)
    assert model.filtered_metric_label("attendance_days", [late], "zh") == "迟到天数"
    assert model.filtered_metric_label("attendance_days", [late], "en") == "days late"


def test_a_value_without_words_is_refused_on_load(tmp_path: Path) -> None:
    raw = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    first = next(v for v in raw["values"] if v.get("values"))
    dropped = sorted(first["labels"])[0]
    del first["labels"][dropped]
    path = tmp_path / "semantic.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=f"labels do not match values: \\['{dropped}'\\]"):
        load_semantic_model(path)
