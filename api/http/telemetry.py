"""Prometheus metrics of one app instance (its own ``CollectorRegistry``)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

from assistant.answer import Answer

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


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
        if is_guard_refusal(answer):
            self.guard_refusals.labels(reason=answer.reason or "guard").inc()


#: ``GuardError.reason`` values documented in :mod:`assistant.guard`.
GUARD_REASONS = frozenset(
    "empty too_long parse_error multiple_statements not_read_only function_not_allowed "
    "parameter_not_allowed system_catalog unknown_table cte_shadows_table unknown_column "
    "ambiguous_column denied_payroll denied_table no_scope unsupported internal_error "
    "invalid_limit timeout".split()
)


def is_guard_refusal(answer: Answer) -> bool:
    """A refusal by the SQL guard: a guard reason, or SQL that was written and then refused."""
    if answer.kind != "refusal":
        return False
    return answer.reason in GUARD_REASONS or answer.sql_written is not None
