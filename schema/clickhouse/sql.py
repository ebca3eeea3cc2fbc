"""The SQL that hrq writes for ClickHouse: sqlglot's ``clickhouse`` dialect, where its
meaning differs from the other engines', made to mean what DuckDB and PostgreSQL mean.

Importing this module registers :class:`ClickHouse` as sqlglot's ``"clickhouse"``
dialect (sqlglot keys dialects by class name), so every ``transpile``, ``parse`` and
``sql(dialect="clickhouse")`` in the process writes these forms; the guard imports it.
The differences, each found by answering the development set on every engine
(``tests/clickhouse/test_same_answers.py``):

- ``a / b``: ClickHouse divides two decimals (or a decimal and an integer) as a decimal
  of the dividend's scale, cutting digits off (cost per lead 429.46 for 429.4611);
  DuckDB and PostgreSQL keep them. Written ``toFloat64(a) / b``, as DuckDB computes it.
- ``median(x)``: ClickHouse's ``median`` is the approximate ``quantile`` (a reservoir
  sample on large inputs). Written as the mean of the exact low and high middle
  values, the median of an even count as DuckDB and PostgreSQL define it, and exact
  for decimals.
- ``quantile_cont(x, q)``: ``quantileExactInclusive`` (exact, linear interpolation),
  over ``toFloat64`` since it takes no decimals. (``percentile_cont ... WITHIN GROUP``
  keeps sqlglot's form.)
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.dialects.clickhouse import ClickHouse as BaseClickHouse
from sqlglot.generators.clickhouse import ClickHouseGenerator


def _div_sql(self: ClickHouseGenerator, expression: exp.Div) -> str:
    if expression.args.get("typed"):  # integer division asked for by the SQL's own dialect
        return self.binary(expression, "/")
    dividend = self.sql(expression, "this")
    return f"toFloat64({dividend}) / {self.sql(expression, 'expression')}"


def _median_sql(self: ClickHouseGenerator, expression: exp.Median) -> str:
    value = self.sql(expression, "this")
    return f"((quantileExactLow(0.5)({value}) + quantileExactHigh(0.5)({value})) / 2)"


def _quantile_sql(self: ClickHouseGenerator, expression: exp.Quantile) -> str:
    value = self.sql(expression, "this")
    quantile = expression.args["quantile"]
    if isinstance(quantile, exp.Array):
        return self.func("quantilesExactInclusive", *quantile.expressions) + f"(toFloat64({value}))"
    return f"quantileExactInclusive({self.sql(quantile)})(toFloat64({value}))"


class ClickHouse(BaseClickHouse):
    """sqlglot's ClickHouse dialect with the meanings of DuckDB and PostgreSQL."""

    class Generator(ClickHouseGenerator):
        TRANSFORMS = {
            **ClickHouseGenerator.TRANSFORMS,
            exp.Div: _div_sql,
            exp.Median: _median_sql,
            exp.Quantile: _quantile_sql,
        }
