"""Benchmark of the router: the planner's share and latency, and hrq's own overhead on the LLM path.

Run: ``.venv/bin/python bench/router.py [--llm-rounds N]``.

1. Planner path, no model configured: every development-set question through
   ``Assistant.ask`` on the demo warehouse (seed 7, end 2026-11-26, small);
   the share answered by the planner alone, the share it would hand to the
   model (refused as out of scope), and the latency.
2. LLM path against the local OpenAI-compatible stand-in server
   (``tests/agent/fake_openai.py``; one ``run_sql`` tool call, then a text
   reply): per question, hrq's overhead = the whole ``ask`` minus the time
   spent waiting for the model (``usage.model_latency_ms``), i.e. planner,
   retrieval, prompt build, guard and execution; and retrieval alone.
   Targets: retrieval under 20 ms, overhead under 50 ms.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.agent import Agent  # noqa: E402
from assistant.ask import Assistant  # noqa: E402
from assistant.callers import resolve_caller  # noqa: E402
from assistant.evaluate import load_cases  # noqa: E402
from assistant.llm import chat_model  # noqa: E402
from assistant.retrieval import open_index  # noqa: E402
from schema.caller import Caller  # noqa: E402
from schema.demodata import generate  # noqa: E402
from schema.settings import Settings  # noqa: E402
from tests.agent.fake_openai import FakeOpenAI, reply, serve, tool  # noqa: E402

SQL = ("SELECT kind, AVG(duration_minutes) AS avg_minutes FROM customer_interactions "
       "GROUP BY kind ORDER BY kind")  # fmt: skip
#: Candidates for the LLM path; those the planner answers itself are dropped at run time.
LLM_QUESTIONS = ["各类客户互动的平均时长是多少", "哪个城市的客户最多", "average chat duration by interaction kind",
                 "每个客户来源渠道的客户数量", "customers created per city this year", "哪种互动方式最常见",
                 "which product line has the most refunds per customer city"]  # fmt: skip


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def planner_path(assistant: Assistant) -> list[str]:
    cases = load_cases()
    callers: dict[str | None, Caller] = {None: Caller.operator()}
    latencies, kinds, routed = [], {"answer": 0, "clarification": 0, "refusal": 0, "error": 0}, []
    for case in cases:
        if case.user not in callers:
            callers[case.user] = resolve_caller(case.user, warehouse=assistant.warehouse)  # type: ignore[arg-type]
        started = time.perf_counter()
        answer = assistant.ask(case.question, callers[case.user], as_of=case.as_of)
        latencies.append((time.perf_counter() - started) * 1000)
        kinds[answer.kind] += 1
        if answer.kind == "refusal" and answer.reason == "out_of_scope":
            routed.append(case.question)
    n = len(cases)
    return [
        f"- questions: {n}; answered by the planner with no model: {kinds['answer']} "
        f"({kinds['answer'] / n:.1%}); clarifications {kinds['clarification']}, refusals {kinds['refusal']}, "
        f"errors {kinds['error']}",
        f"- handed to the model when one is configured (out of scope): {len(routed)} ({len(routed) / n:.1%})",
        f"- planner latency per question: median {statistics.median(latencies):.1f} ms, "
        f"p95 {pct(latencies, 0.95):.1f} ms, max {max(latencies):.1f} ms",
    ]


def llm_path(assistant: Assistant, index_dir: Path, rounds: int) -> list[str]:
    fake = FakeOpenAI()
    server, thread = serve(fake)
    try:
        settings = Settings(warehouse_url=assistant.settings.warehouse_url, app_db_url="sqlite:///:memory:",
                            llm_base_url=fake.base_url, llm_model="stand-in", llm_api_key="bench",
                            llm_max_retries=0, index_dir=index_dir)  # fmt: skip
        model = chat_model(settings)
        assert model is not None
        hrq = dataclasses.replace(assistant, settings=settings, agent=Agent(settings, model))
        retriever = open_index(settings, assistant.model)
        as_of = date(2026, 11, 26)
        questions = [q for q in LLM_QUESTIONS
                     if assistant.ask(q, Caller.operator(), as_of=as_of).reason == "out_of_scope"]  # fmt: skip
        totals, overheads, models, retrieval = [], [], [], []
        for i in range(rounds + 1):
            for question in questions:
                started = time.perf_counter()
                retriever.search(question, settings.retrieval_top_k)
                searched = (time.perf_counter() - started) * 1000
                fake.script(tool("run_sql", sql=SQL, aggregates=["max:avg_minutes"]), reply("ok"))
                started = time.perf_counter()
                answer = hrq.ask(question, Caller.operator(), as_of=as_of)
                total = (time.perf_counter() - started) * 1000
                assert answer.path == "llm" and answer.kind == "answer", (question, answer.answer)
                if i == 0:
                    continue  # warm-up round (index opened, first embeddings)
                model_ms = answer.usage.model_latency_ms if answer.usage else 0.0
                totals.append(total)
                models.append(model_ms)
                overheads.append(total - model_ms)
                retrieval.append(searched)
    finally:
        server.should_exit = True
        thread.join(timeout=5)
    return [
        f"- LLM path, {len(totals)} questions ({rounds} rounds of {len(questions)}), 2 model calls each "
        "(one run_sql, one reply) against the local stand-in server:",
        f"  - retrieval (embed the question + 3 Chroma queries): median {statistics.median(retrieval):.1f} ms, "
        f"p95 {pct(retrieval, 0.95):.1f} ms",
        f"  - hrq overhead per question (ask minus model time: planner, retrieval, prompt build, guard, "
        f"execution, composing): median {statistics.median(overheads):.1f} ms, p95 {pct(overheads, 0.95):.1f} ms",
        f"  - model time (HTTP round trips to the stand-in, both calls): median {statistics.median(models):.1f} ms",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm-rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"duckdb:///{tmp}/demo.duckdb"
        generate(url, seed=7, end_date=date(2026, 11, 26), scale="small")
        assistant = Assistant.from_settings(Settings(warehouse_url=url, app_db_url="sqlite:///:memory:"),
                                            app_state=False)  # fmt: skip
        try:
            lines = planner_path(assistant) + llm_path(
                assistant, Path(tmp) / "index", args.llm_rounds
            )
        finally:
            assistant.warehouse.dispose()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
