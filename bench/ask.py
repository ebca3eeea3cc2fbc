"""In-process ``ask`` latency over the development set, split into its stages.

    .venv/bin/python bench/ask.py --url duckdb:////tmp/hrq-bench/small.duckdb [--repeat 3]

Stages: understanding (normalise, time, tagging, planning), guard (compile + guard),
execution (the warehouse query or the performance-engine call: the floor), and the
end-to-end ``Assistant.ask`` (without the app database, as the floor is measured).
Prints median and p95 of each, per path (SQL / tool), over warm runs.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from datetime import date

from assistant.ask import Assistant
from assistant.compile import compile_query
from assistant.evaluate import load_cases
from assistant.guard import guard
from assistant.plan import QueryPlan, ToolPlan
from assistant.planner import plan
from assistant.tool_answer import run_tool
from schema.caller import Caller
from schema.settings import Settings


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url", required=True, help="warehouse URL (a demo built with seed 7, end 2026-11-26)"
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    assistant = Assistant.from_settings(Settings(warehouse_url=args.url), app_state=False)
    operator = Caller.operator()
    cases = [c for c in load_cases() if c.user is None]
    for case in cases:  # warm-up
        assistant.ask(case.question, operator, as_of=case.as_of)
    stages: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.repeat):
        for case in cases:
            t0 = time.perf_counter()
            the_plan, _u = plan(
                case.question, case.as_of, operator, assistant.gazetteer, assistant.model
            )
            t1 = time.perf_counter()
            stages["understanding"].append((t1 - t0) * 1000)
            if isinstance(the_plan, QueryPlan):
                compiled = compile_query(the_plan, assistant.model, case.as_of, "zh")
                guarded = guard(compiled.sql, operator, assistant.catalog, read="duckdb")
                t2 = time.perf_counter()
                assistant.executor.execute(guarded)
                t3 = time.perf_counter()
                stages["guard (sql path)"].append((t2 - t1) * 1000)
                stages["execution (sql path)"].append((t3 - t2) * 1000)
            elif isinstance(the_plan, ToolPlan):
                with assistant.warehouse.connect() as conn:
                    t2 = time.perf_counter()
                    run_tool(the_plan, conn, operator, case.as_of, assistant.policy)
                    t3 = time.perf_counter()
                stages["execution (tool path)"].append((t3 - t2) * 1000)
            t4 = time.perf_counter()
            assistant.ask(case.question, operator, as_of=case.as_of)
            stages["ask end to end"].append((time.perf_counter() - t4) * 1000)
    print(f"warehouse {args.url}; {len(cases)} questions x {args.repeat}; {date.today()}")
    print(f"{'stage':28} {'n':>5} {'median ms':>10} {'p95 ms':>8}")
    for name, values in stages.items():
        print(
            f"{name:28} {len(values):5d} {statistics.median(values):10.2f} {pct(values, 0.95):8.2f}"
        )


if __name__ == "__main__":
    main()
