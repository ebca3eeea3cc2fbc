"""Loader of the semantic model (``schema/semantic.yaml``).

The file is the one place that says what the planner understands: metrics and
their exact definitions, dimensions, value vocabularies and the dual-target
concepts the performance engine answers. It is validated on load; an error
names the entry at fault.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from schema.errors import ConfigError
from schema.warehouse import metadata as warehouse_metadata

DEFAULT_PATH = Path(__file__).with_name("semantic.yaml")
#: libyaml's safe loader when PyYAML was built with it: it parses the model in a tenth of
#: the time, which every command answering a question pays at start.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Format = Literal["money", "count", "number", "percent", "text"]
Alias = Literal["e", "d", "m", "c", "r"]
Concept = Literal[
    "median",
    "above_median",
    "below_median",
    "met_minimum",
    "missed_minimum",
    "min_target",
    "bonus_eligible",
    "bonus",
    "gap",
    "target_gap",
    "attainment",
    "leaderboard",
    "forecast",
    "suggest_targets",
]


class Labelled(BaseModel):
    zh: str
    en: str
    synonyms: list[str] = Field(default_factory=list)

    def phrases(self) -> list[str]:
        return [self.zh, self.en, *self.synonyms]


class PerPerson(BaseModel):
    """What a count of people shows beside each person when people are listed (who joined:
    each one's hire date), since the count itself is 1 for everyone."""

    expr: str
    zh: str
    en: str


class Ratio(BaseModel):
    """A metric that is one metric divided by another, each measured over its own table for
    the same period, groups and filters (marketing ROI = sales / marketing spend)."""

    numerator: str
    denominator: str


class Metric(Labelled):
    """A named aggregate: ``expr`` over ``table`` (alias f), rows filtered by ``where``; or a
    ``ratio`` of two other metrics, whose table, time and expr the model fills in from its
    parts (the numerator's table and time; expr reads ``numerator / denominator``)."""

    table: str = ""
    expr: str = ""
    ratio: Ratio | None = None
    where: str | None = None
    time: str | None = Field(default=None, description="Column that places a row in a period.")
    time_kind: Literal["date", "quarter_label"] = "date"
    snapshot: bool = Field(default=False, description="Measured at a date ({at}), not summed.")
    period_required: bool = False
    format: Format = "number"
    default_group: str | None = Field(
        default=None, description="Dimension a bare question groups by."
    )
    personal: bool = Field(
        default=False, description="Personal data: HR sees anyone's, others their own."
    )
    per_person: PerPerson | None = Field(
        default=None,
        description="A count of people (each counts once) listed per person shows this instead.",
    )


class Dimension(Labelled):
    """A group-by: ``expr`` over the aliases; ``needs`` lists the joins it requires."""

    expr: str
    label_en: str | None = None
    key: str | None = None
    #: A column shown beside each group to tell it apart (a person's department).
    detail: Labelled | None = None
    detail_expr: str | None = None
    needs: list[Alias] = Field(default_factory=list)
    tables: list[str] | None = Field(default=None, description="Fact tables it applies to.")
    by_table: dict[str, str] = Field(
        default_factory=dict, description="Another expr for some fact tables."
    )


class Noun(BaseModel):
    zh: str
    en: str

    def of(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


class ValueSet(BaseModel):
    """Words that name values of one column, e.g. 病假 -> leave_type = 'sick'.

    ``labels`` say each value in words (late -> 迟到 / late), for answers and tables;
    ``metric_label`` names a metric filtered to one value (``{value}天数``: 迟到天数).
    """

    column: str
    tables: list[str]
    metric: str | None = Field(default=None, description="Metric implied when none is named.")
    values: dict[str, list[str]] = Field(default_factory=dict)
    labels: dict[str, Noun] = Field(default_factory=dict)
    metric_label: Noun | None = None
    source: str | None = Field(
        default=None,
        description="'table.column' whose distinct values are read from the warehouse.",
    )
    current: list[str] = Field(
        default_factory=list,
        description="Values that are a state now (pending): without a period, all of history.",
    )


class Bundle(BaseModel):
    """Several metrics of one table that a word asks for together (工资条 -> its parts)."""

    metrics: list[str]
    synonyms: list[str]


class RecordColumn(BaseModel):
    """A column of a listed row: ``expr`` over the aliases, labelled in both languages."""

    expr: str
    zh: str
    en: str
    format: Format = "text"
    headline: bool = Field(default=False, description="Shown in the answer sentence.")


class Records(BaseModel):
    """Single rows of a fact table listed rather than summed (最大的5笔订单, the biggest refunds):
    the columns shown, the column they are ranked by and a tie-breaker."""

    noun: Noun
    nouns: dict[str, Noun] = Field(
        default_factory=dict, description="Another noun when a metric names the rows (退款)."
    )
    columns: list[RecordColumn]
    measure: str
    key: str

    def noun_of(self, metric: str) -> Noun:
        return self.nouns.get(metric, self.noun)


class DisputeWords(BaseModel):
    """Words of a dispute: a claim that a figure is wrong, the documents it may name, and the
    words that introduce the reason given."""

    claims: list[str] = Field(default_factory=list)
    documents: list[str] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)
    questions: list[str] = Field(
        default_factory=list, description="Asking whether it is right (对不对): no claim."
    )


class DepartmentHead(BaseModel):
    """The person in charge of a department (组织人才部负责人是谁, who heads Brand Centre)."""

    zh: str
    en: str
    after: list[str] = Field(
        default_factory=list, description="Words right after a department's name (的 allowed)."
    )
    before: list[str] = Field(
        default_factory=list, description="Words right before a department's name."
    )
    condition: str = Field(
        description="SQL over the employee alias e: whether e heads e's own department."
    )


class FactLinks(BaseModel):
    employee: str | None = None
    department: str | None = None
    customer: str | None = None
    latest: str | None = Field(
        default=None,
        description="A table posted after its month (payroll): with no period named, a "
        "question means the latest month this column has, not the current one.",
    )


class SemanticModel(BaseModel):
    """The whole model; look-ups by name are dictionaries."""

    tables: dict[str, Labelled]
    facts: dict[str, FactLinks]
    metrics: dict[str, Metric]
    dimensions: dict[str, Dimension]
    values: list[ValueSet]
    concepts: dict[Concept, list[str]]
    bundles: dict[str, Bundle] = Field(default_factory=dict)
    records: dict[str, Records] = Field(default_factory=dict)
    default_metric: str | None = None
    people_metric: str | None = None
    #: departments.kind -> everyday words for a department of that kind (人事部 -> hr)
    department_kinds: dict[str, list[str]] = Field(default_factory=dict)
    #: 我的奖金不对: words that open a dispute of a closed month's bonus
    disputes: DisputeWords = Field(default_factory=DisputeWords)
    #: 组织人才部负责人是谁: who heads a department
    department_head: DepartmentHead | None = None

    @model_validator(mode="after")
    def _consistent(self) -> SemanticModel:
        known = set(warehouse_metadata.tables)
        for name, metric in list(self.metrics.items()):
            if metric.ratio is not None:
                self.metrics[name] = self._ratio_filled(name, metric, metric.ratio)
        for name, metric in self.metrics.items():
            if not metric.expr:
                raise ValueError(f"metric {name}: needs expr (or ratio)")
            if metric.table not in known:
                raise ValueError(f"metric {name}: unknown table {metric.table!r}")
            if metric.table not in self.facts:
                raise ValueError(f"metric {name}: table {metric.table!r} has no entry in facts")
            columns = warehouse_metadata.tables[metric.table].columns
            if metric.time and metric.time not in columns:
                raise ValueError(f"metric {name}: {metric.table} has no column {metric.time!r}")
        for name, dim in self.dimensions.items():
            for table in dim.tables or []:
                if table not in known:
                    raise ValueError(f"dimension {name}: unknown table {table!r}")
        for name, bundle in self.bundles.items():
            unknown = [m for m in bundle.metrics if m not in self.metrics]
            if unknown:
                raise ValueError(f"bundle {name}: unknown metrics {unknown}")
        for table, records in self.records.items():
            if table not in self.facts:
                raise ValueError(f"records {table}: table {table!r} has no entry in facts")
            unknown = [m for m in records.nouns if m not in self.metrics]
            if unknown:
                raise ValueError(f"records {table}: unknown metrics {unknown}")
        for key in ("default_metric", "people_metric"):
            value = getattr(self, key)
            if value and value not in self.metrics:
                raise ValueError(f"{key}: unknown metric {value!r}")
        for i, vs in enumerate(self.values):
            if vs.metric and vs.metric not in self.metrics:
                raise ValueError(f"values[{i}] ({vs.column}): unknown metric {vs.metric!r}")
            if set(vs.labels) != set(vs.values):
                missing = sorted(set(vs.values) ^ set(vs.labels))
                raise ValueError(
                    f"values[{i}] ({vs.column}): labels do not match values: {missing}"
                )
        return self

    def _ratio_filled(self, name: str, metric: Metric, ratio: Ratio) -> Metric:
        parts = []
        for part in (ratio.numerator, ratio.denominator):
            found = self.metrics.get(part)
            if found is None:
                raise ValueError(f"metric {name}: unknown ratio part {part!r}")
            if found.ratio is not None or found.snapshot or found.period_required:
                raise ValueError(f"metric {name}: ratio part {part!r} must be a plain sum or count")
            parts.append(found)
        top, bottom = parts
        return metric.model_copy(
            update={"table": top.table, "time": top.time, "expr": f"({top.expr}) / ({bottom.expr})"}
        )

    def ratio_parts(self, metrics: list[str]) -> set[str]:
        """The parts (numerators and denominators) of the ratio metrics among ``metrics``."""
        return {
            part
            for name in metrics
            if (ratio := self.metrics[name].ratio) is not None
            for part in (ratio.numerator, ratio.denominator)
        }

    def one_sided_value(self, metric: str, values: list[str]) -> str | None:
        """The first of ``values`` (plan items ``"index:value"``) that filters only one part
        of the ratio metric ``metric`` (a product line has sales but no marketing spend),
        or None; None too when ``metric`` is no ratio."""
        tables = {self.metrics[p].table for p in self.ratio_parts([metric])}
        return next(
            (v for v in values if not tables <= set(self.values[int(v.split(":", 1)[0])].tables)),
            None,
        )

    def value_labels(self, column: str, table: str, language: str) -> dict[str, str]:
        """Each value of ``column`` (an expression such as ``f.channel``) over ``table`` in
        words of ``language``; empty when the model names none."""
        return {
            value: label.of(language)
            for vs in self.values
            if vs.column == column and table in vs.tables
            for value, label in vs.labels.items()
        }

    def dimension_labels(self, dimension: str, table: str, language: str) -> dict[str, str]:
        """The values of a dimension, grouped over ``table``, in words of ``language``."""
        dim = self.dimensions[dimension]
        return self.value_labels(dim.by_table.get(table, dim.expr), table, language)

    def filtered_metric_label(self, metric: str, values: list[str], language: str) -> str:
        """The metric's name with the value filters on its own table said in words:
        销售额 + 线下 -> 线下销售额, 考勤天数 + 迟到 -> 迟到天数 (``values``: plan items
        ``"index:value"``)."""
        m = self.metrics[metric]
        name = m.zh if language == "zh" else m.en
        for item in values:
            index, value = item.split(":", 1)
            vs = self.values[int(index)]
            if m.table not in vs.tables or value not in vs.labels or vs.column.startswith("d."):
                continue
            word = vs.labels[value].of(language)
            if vs.metric_label is not None:
                name = vs.metric_label.of(language).format(value=word)
            else:
                name = f"{word}{name}" if language == "zh" else f"{word} {name}"
        return name

    @cached_property
    def fact_tables(self) -> frozenset[str]:
        return frozenset(self.facts)


def load_semantic_model(path: Path | None = None) -> SemanticModel:
    """Load and validate the semantic model; a bad file raises ConfigError naming the entry."""
    path = path or DEFAULT_PATH
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except OSError as exc:
        raise ConfigError(f"cannot read semantic model {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"semantic model {path} is not valid YAML: {exc}") from exc
    try:
        return SemanticModel.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"semantic model {path}: {where}: {first['msg']}") from exc
