"""Benchmark: monthly performance of every department vs the bare SQL floor.

The floor is the least any implementation must do: one GROUP BY over that month's
paid orders, fetched. The engine does that plus the roster join, the median,
eligibility, bonus and rank for every roster member; its report keeps the rows
column-wise, so the benchmark also times building every row as Python objects, as a
caller reading all of them would. Both run in the same process on
the same connection, interleaved, after a warm-up; the median of ``--repeat`` runs is
reported.

    .venv/bin/python bench/performance.py --url duckdb:///data/demo-large.duckdb
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date

import sqlalchemy as sa

from schema.caller import Caller
from schema.db import warehouse_engine
from tools.performance import fetch_roster_columns, monthly_performance
from tools.period import month_label, next_month, parse_month
from tools.policy import load_policy

FLOOR_SQL = sa.text(
    "SELECT employee_id, SUM(amount) AS sales FROM sales_orders "
    "WHERE status = 'paid' AND order_date >= :start AND order_date < :end "
    "GROUP BY employee_id"
)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="duckdb:///data/demo-large.duckdb")
    parser.add_argument("--month", help="YYYY-MM (default: the last full month with a roster)")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    engine = warehouse_engine(args.url, read_only=True)
    policy = load_policy()
    operator = Caller.operator()
    with engine.connect() as conn:
        orders = conn.execute(sa.text("SELECT count(*) FROM sales_orders")).scalar()
        if args.month:
            month = parse_month(args.month)
        else:
            months = (
                conn.execute(
                    sa.text("SELECT DISTINCT month FROM sales_targets ORDER BY month DESC LIMIT 2")
                )
                .scalars()
                .all()
            )
            month = months[-1] if len(months) > 1 else months[0]
        month = month if isinstance(month, date) else parse_month(str(month)[:7])
        params = {"start": month, "end": next_month(month)}

        def floor() -> object:
            return conn.execute(FLOOR_SQL, params).all()

        def engine_run() -> object:
            return monthly_performance(conn, month, caller=operator, policy=policy)

        def query_only() -> object:
            return fetch_roster_columns(conn, month, month, next_month(month))

        def with_rows() -> object:
            return list(engine_run().rows)  # type: ignore[attr-defined]

        def with_json() -> object:
            return engine_run().as_table()  # type: ignore[attr-defined]

        report = monthly_performance(conn, month, caller=operator, policy=policy)
        for _ in range(2):  # warm-up: caches, first-query planning
            floor()
            engine_run()
        floor_times, engine_times, query_times, rows_times, json_times = [], [], [], [], []
        for _ in range(args.repeat):
            floor_times.append(timed(floor))
            engine_times.append(timed(engine_run))
            query_times.append(timed(query_only))
            rows_times.append(timed(with_rows))
            json_times.append(timed(with_json))
        month_orders = conn.execute(
            sa.text(
                "SELECT count(*) FROM sales_orders WHERE order_date >= :start AND order_date < :end"
            ),
            params,
        ).scalar()
    engine.dispose()

    f, e = statistics.median(floor_times), statistics.median(engine_times)
    q = statistics.median(query_times)
    r = statistics.median(rows_times)
    j = statistics.median(json_times)
    print(f"warehouse      {args.url}")
    print(f"orders         {orders:,} in total, {month_orders:,} in {month_label(month)}")
    print(f"roster         {len(report.rows):,} members in {len(report.summaries)} departments")
    print(
        f"floor          {f * 1000:8.1f} ms  (GROUP BY over the month's paid orders; median of {args.repeat})"
    )
    print(
        f"  its queries  {q * 1000:8.1f} ms  (the grouped roster query, column-wise, and the department names)"
    )
    print(
        f"performance    {e * 1000:8.1f} ms  (all departments, every figure computed; median of {args.repeat})"
    )
    print(f"ratio          {e / f:8.2f} x floor  (target <= 1.5 x and < 500 ms)")
    print(
        f"  + all rows   {r * 1000:8.1f} ms  ({len(report.rows):,} rows built as Python objects: {r / f:.2f} x floor)"
    )
    print(
        f"  + as JSON    {j * 1000:8.1f} ms  (the report's table for the API, from the columns: {j / f:.2f} x floor)"
    )


if __name__ == "__main__":
    main()
