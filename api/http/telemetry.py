"""Prometheus metrics of one app instance (its own ``CollectorRegistry``)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

from assistant.answer import Answer

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
#: Refusal reasons that come from the SQL guard rather than the planner.
GUARD_REASON_PREFIXES = ("denied_", "not_", "unknown_", "too_", "timeout", "guard")


class Metrics:
    """Requests, latencies, answers by path and kind, and guard refusals."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "hrq_http_requests",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "hrq_http_request_duration_seconds",
            "HTTP request latency by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.answers = Counter(
            "hrq_answers",
            "Answers given over HTTP, by path (planner, llm) and kind.",
            ["path", "kind"],
            registry=self.registry,
        )
        self.guard_refusals = Counter(
            "hrq_guard_refusals",
            "Answers refused by the SQL guard, by reason.",
            ["reason"],
            registry=self.registry,
        )

    def observe_answer(self, answer: Answer) -> None:
        """Count one answer (and a guard refusal when it is one)."""
        self.answers.labels(path=answer.path, kind=answer.kind).inc()
        if answer.kind in ("refusal", "error") and is_guard_reason(answer.reason):
            self.guard_refusals.labels(reason=answer.reason or "guard").inc()


def is_guard_reason(reason: str | None) -> bool:
    """Whether a refusal reason names a guard check."""
    return bool(reason) and str(reason).startswith(GUARD_REASON_PREFIXES)
