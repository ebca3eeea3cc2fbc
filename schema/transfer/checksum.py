"""A checksum of a contract table that every engine computes the same way, in SQL.

Each row is written as one canonical text: integers in decimal, money and other
exact numbers as integers of their smallest unit (cents), dates as days since
1970-01-01, timestamps as microseconds since 1970-01-01, strings as they are,
the ASCII record separator (0x1e) for NULL, fields joined by the ASCII unit
separator (0x1f). The engine hashes
that text with MD5 and sums two 32-bit slices of the hashes over the table.
``(rows, sum1, sum2)`` does not depend on row order, and any changed, lost or
doubled row changes it (a value moved from one row to another too, unlike sums
per column). How an engine spells each step is data in :class:`RowSql`, one
instance per engine; the checksum query itself is written once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import Connection, Date, Integer, Numeric, String, Table, text
from sqlalchemy.types import TIMESTAMP, TypeEngine


@dataclass(frozen=True)
class RowSql:
    """How one engine writes the canonical text of a value and reads a hex digit run."""

    #: The text type to cast to.
    text_type: str
    #: Days since 1970-01-01 of a DATE ``{0}``.
    days: str
    #: Microseconds since 1970-01-01 of a TIMESTAMP ``{0}`` (no time zone).
    micros: str
    #: Lower-case hex MD5 of a text ``{0}``.
    md5: str
    #: The integer value of hex digits ``{start}`` to ``{start}+7`` of a hex text ``{0}``.
    hex32: str
    #: The field separator (ASCII unit separator, 0x1f).
    separator: str = "chr(31)"
    #: The text of NULL (ASCII record separator, 0x1e).
    null: str = "chr(30)"
    #: The 64-bit integer type to cast to (one that may hold NULL).
    integer_type: str = "BIGINT"


DUCKDB = RowSql(
    text_type="VARCHAR",
    days="({0} - DATE '1970-01-01')",
    micros="epoch_us({0})",
    md5="md5({0})",
    hex32="CAST('0x' || substr({0}, {start}, 8) AS BIGINT)",
)
POSTGRES = RowSql(
    text_type="TEXT",
    days="({0} - DATE '1970-01-01')",
    micros="CAST(EXTRACT(EPOCH FROM {0}) * 1000000 AS BIGINT)",
    md5="md5({0})",
    hex32="CAST(CAST('x' || substr({0}, {start}, 8) AS BIT(32)) AS BIGINT)",
)
CLICKHOUSE = RowSql(
    text_type="Nullable(String)",
    integer_type="Nullable(Int64)",
    days="({0} - toDate('1970-01-01'))",
    micros="toUnixTimestamp64Micro({0})",
    md5="lower(hex(MD5({0})))",
    hex32="CAST(reinterpretAsUInt32(reverse(unhex(substring({0}, {start}, 8)))) AS BIGINT)",
    separator="char(31)",
    null="char(30)",
)


@dataclass(frozen=True)
class Checksum:
    """Rows and the two hash sums of one table on one engine."""

    rows: int
    sum1: int
    sum2: int

    @property
    def digest(self) -> str:
        """A short fingerprint to show; equal checksums have equal digests."""
        return hashlib.sha256(f"{self.rows}:{self.sum1}:{self.sum2}".encode()).hexdigest()[:16]


def canonical_value(sql: RowSql, column: str, kind: TypeEngine[object]) -> str:
    """SQL for the canonical text of one column (NULL stays NULL)."""
    if isinstance(kind, Numeric) and not isinstance(kind, Integer):
        unit = 10 ** (kind.scale or 0)
        number = f"CAST(ROUND({column} * {unit}) AS {sql.integer_type})"
    elif isinstance(kind, Integer):
        number = f"CAST({column} AS {sql.integer_type})"
    elif isinstance(kind, Date):
        number = sql.days.format(column)
    elif isinstance(kind, TIMESTAMP):
        number = sql.micros.format(column)
    elif isinstance(kind, String):
        return column
    else:
        raise TypeError(f"no canonical text for column {column} of type {kind}")
    return f"CAST({number} AS {sql.text_type})"


def checksum_sql(sql: RowSql, table: Table) -> str:
    """The one query that checksums ``table`` on an engine spelled by ``sql``."""
    fields = [
        f"COALESCE({canonical_value(sql, c.name, c.type)}, {sql.null})" for c in table.columns
    ]
    row_text = f" || {sql.separator} || ".join(fields)
    first, second = sql.hex32.format("h", start=1), sql.hex32.format("h", start=9)
    return (
        f"SELECT COUNT(*), COALESCE(SUM({first}), 0), COALESCE(SUM({second}), 0) "
        f"FROM (SELECT {sql.md5.format(row_text)} AS h FROM {table.name}) AS hashed"
    )


def table_checksum(conn: Connection, sql: RowSql, table: Table) -> Checksum:
    """Checksum ``table`` through ``conn`` on its own engine."""
    row = conn.execute(text(checksum_sql(sql, table))).one()
    return Checksum(rows=int(row[0]), sum1=int(row[1]), sum2=int(row[2]))
