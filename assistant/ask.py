"""``ask``: the one path every question takes, from any surface.

understand (planner) -> execute (performance tool, or compiled SQL through the
guard on the read-only warehouse) -> compose (an :class:`Answer` in the
question's language) -> audit (always) and the conversation turn.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from assistant import compose
from assistant.agent import Agent
from assistant.answer import Answer, ToolCallInfo
from assistant.audit import AuditLog
from assistant.charts import query_chart, tool_chart
from assistant.closes import CloseBook
from assistant.compile import CompiledQuery, CompileError, compile_query
from assistant.conversations import ConversationStore
from assistant.dispute_answer import adjusted_note, answer_dispute
from assistant.disputes import DisputeBook, DisputeNotifier, close_adjustments
from assistant.errors import AssistantError, GuardError
from assistant.execute import Executor
from assistant.gazetteer import Gazetteer, build_gazetteer
from assistant.guard import Catalog, GuardedSql, guard
from assistant.labels import formats as tool_formats
from assistant.plan import (
    Choice,
    Clarify,
    DisputePlan,
    Plan,
    QueryPlan,
    Refuse,
    ToolPlan,
    chosen,
)
from assistant.planner import plan
from assistant.reading import detect_language
from assistant.restate import restate
from assistant.tool_answer import run_tool
from assistant.trace_words import trace_in
from assistant.whatif_answer import run_what_if
from schema.caller import Caller
from schema.db import app_engine, dialect_of, warehouse_engine
from schema.errors import HrqError, WarehouseError
from schema.jsonvalue import json_rows
from schema.semantic import SemanticModel, load_semantic_model
from schema.settings import Settings
from tools.errors import OutOfScopeError, ToolError
from tools.period import parse_month
from tools.policy import BonusPolicy, load_policy
from tools.snapshot import SnapshotSource

if TYPE_CHECKING:
    from functools import _lru_cache_wrapper

MAX_QUESTION_CHARS = 2000
GUARD_CACHE_SIZE = 1024

EXAMPLES_ZH = [
    "本月各销售部门业绩中位数是多少",
    "上个月哪些人获得了业绩奖金",
    "今年各部门的入职人数",
]
EXAMPLES_EN = ["What is each sales department's median this month?", "Who is eligible for the bonus last month?",
               "Headcount by department"]  # fmt: skip
SCOPE_NOTE = {"zh": "（仅包含你有权查看的数据）", "en": " (only data you may see is included)"}


class BadQuestionError(AssistantError):
    """The question itself cannot be read (empty, too long, not text)."""

    code = "bad_question"


@dataclass
class Assistant:
    """Everything ``ask`` needs, built once per process and passed down."""

    settings: Settings
    warehouse: Engine
    catalog: Catalog
    model: SemanticModel
    gazetteer: Gazetteer
    policy: BonusPolicy
    #: Runs guarded SQL on the warehouse within the settings' time, memory and size limits.
    executor: Executor
    audit: AuditLog | None = None
    conversations: ConversationStore | None = None
    agent: Agent | None = None  # the LLM path; None when no model is configured
    #: closed months (answered from their snapshots); None without an app database
    closes: CloseBook | None = None
    #: disputes of closed months' bonuses (我的奖金不对); None without an app database
    disputes: DisputeBook | None = None
    #: The guard's results for this assistant's compiled SQL, by (SQL, caller): the guard
    #: is a pure function of them (catalog and limit are fixed here), and a caller (frozen,
    #: with its role, employee and departments) is its scope. Refusals are not cached.
    guarded: _lru_cache_wrapper[GuardedSql] = field(init=False, repr=False, compare=False)
    #: Compiled SQL by (plan as JSON, as_of, language): compiling is a pure function of them.
    compiled: _lru_cache_wrapper[CompiledQuery] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.guarded = lru_cache(maxsize=GUARD_CACHE_SIZE)(self._guard)
        self.compiled = lru_cache(maxsize=GUARD_CACHE_SIZE)(self._compile)

    def _compile(self, plan_json: str, as_of: date, language: str) -> CompiledQuery:
        return compile_query(QueryPlan.model_validate_json(plan_json), self.model, as_of, language)

    def _guard(self, sql: str, caller: Caller) -> GuardedSql:
        return guard(sql, caller, self.catalog, limit=self.settings.sql_row_limit, read="duckdb")

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        app_state: bool = True,
        notifier: DisputeNotifier | None = None,
    ) -> Assistant:
        """Open the warehouse read-only, load the models and build the gazetteer.

        ``notifier`` queues a dispute's notices (the surface's WeCom outbox); None: none.
        """
        warehouse = warehouse_engine(settings.warehouse_url, read_only=True)
        model = load_semantic_model()
        try:
            with warehouse.connect() as conn:
                gazetteer = build_gazetteer(model, conn)
        except DBAPIError as exc:
            where = make_url(settings.warehouse_url).render_as_string(hide_password=True)
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
            raise WarehouseError(f"cannot read the warehouse at {where}: {reason}") from exc
        app = app_engine(settings.app_db_url) if app_state else None
        audit = AuditLog(app, hmac_key=settings.audit_hmac_key) if app is not None else None
        closes = CloseBook(app, audit) if app is not None and audit is not None else None
        return cls(
            settings=settings,
            warehouse=warehouse,
            catalog=Catalog.from_contract(dialect_of(settings.warehouse_url)),
            model=model,
            gazetteer=gazetteer,
            policy=load_policy(settings.bonus_policy_path),
            executor=Executor.from_settings(warehouse, settings),
            audit=audit,
            conversations=ConversationStore(app) if app is not None else None,
            agent=Agent.from_settings(settings),
            closes=closes,
            disputes=None
            if closes is None
            else DisputeBook(closes.engine, closes.audit, closes, warehouse, notifier),
        )

    def today(self) -> date:
        return self.settings.today()

    def ask(
        self,
        question: str,
        caller: Caller,
        *,
        as_of: date | None = None,
        conversation_id: str | None = None,
        surface: str = "cli",
        live: bool = False,
    ) -> Answer:
        """Answer ``question`` for ``caller`` as of ``as_of`` (default: today), audited.

        A closed month is answered from its latest snapshot; ``live`` answers it from the
        warehouse (either way ``Answer.closed`` names the close).
        """
        started = time.perf_counter()
        as_of = as_of or self.today()
        previous = None
        choice = None
        if conversation_id and self.conversations is not None:
            last = self.conversations.last_answer(conversation_id, caller)
            previous = last.plan if last else None
            choice = chosen(question, previous)
        answer = self._answer(question, caller, as_of, previous, choice, live, surface)
        answer.trace = trace_in(answer.language, answer.trace)
        answer.latency_ms = round((time.perf_counter() - started) * 1000, 2)
        if self.conversations is not None:
            if conversation_id is None:
                conversation_id, answer.answer_id = self.conversations.start_with(caller, answer)
            else:
                answer.answer_id = self.conversations.append(conversation_id, answer)
            answer.conversation_id = conversation_id
        if self.audit is not None:
            self.audit.record(answer, caller, surface)
        return answer

    def _answer(
        self,
        question: str,
        caller: Caller,
        as_of: date,
        previous: dict[str, Any] | None,
        choice: Choice | None = None,
        live: bool = False,
        surface: str = "cli",
    ) -> Answer:
        text = _check_question(question)
        language = detect_language(text)
        base = Answer(question=question, language=language, answer="", as_of=as_of)  # type: ignore[arg-type]
        try:
            the_plan: Plan
            if choice is not None and choice.plan is not None:  # a reading picked in full
                the_plan = choice.plan
                base.trace.append(f"plan: {the_plan.kind} (chosen: {choice.label})")
            else:
                asked = choice.question if choice is not None and choice.question else text
                the_plan, understanding = plan(
                    asked, as_of, caller, self.gazetteer, self.model,
                    None if choice is not None else previous,
                    pins=choice.pins if choice is not None else None,
                )  # fmt: skip
                base.trace.append(f"plan: {the_plan.kind} (coverage {understanding.coverage:.0%})")
            base.plan = the_plan.model_dump(mode="json")
            base.interpretation = restate(the_plan, self.model, self.gazetteer, language)
            if choice is None and understanding.mended and base.interpretation:
                wrong, right = understanding.mended
                base.interpretation += (
                    f"（「{wrong}」按「{right}」理解）" if language == "zh"
                    else f" (read '{wrong}' as '{right}')"
                )  # fmt: skip
            if isinstance(the_plan, Refuse):
                # Router: what the planner cannot plan (out of scope, low coverage) goes to the LLM agent.
                if the_plan.reason == "out_of_scope" and self.agent is not None:
                    return self.agent.answer(self, base, text, caller, as_of)
                return _refusal(base, the_plan.reason, the_plan.message_zh, the_plan.message_en)
            if (
                isinstance(the_plan, Clarify)
                and self.agent is not None
                and the_plan.reason in ("unaccounted", "unknown")
            ):
                # Part of the question is not in the plan: the model takes it, with the reading.
                return self.agent.answer(self, base, text, caller, as_of, hint=base.interpretation)
            if isinstance(the_plan, Clarify):
                base.kind = "clarification"
                base.answer = the_plan.message_zh if language == "zh" else the_plan.message_en
                base.options = the_plan.options
                return base
            if isinstance(the_plan, DisputePlan):
                if self.disputes is None:
                    raise AssistantError("disputes need the app database (HRQ_APP_DB_URL)")
                answered = answer_dispute(base, the_plan, self.disputes, caller, surface)
                if the_plan.month is None and answered.tool is not None:  # the month it found
                    found = the_plan.model_copy(
                        update={"month": parse_month(answered.tool.arguments["month"])}
                    )
                    answered.interpretation = restate(found, self.model, self.gazetteer, language)
                return answered
            if isinstance(the_plan, ToolPlan):
                return self._run_tool(base, the_plan, caller, as_of, live)
            return self._run_query(base, the_plan, caller, as_of)
        except GuardError as exc:
            return _refusal(base, exc.reason, _guard_zh(exc), str(exc))
        except OutOfScopeError as exc:  # a team the asker may not see: refused, not failed
            return _refusal(base, "out_of_scope_rows", _OUT_OF_SCOPE_ROWS_ZH, str(exc))
        except (ToolError, CompileError, HrqError) as exc:
            base.kind = "error"
            base.reason = getattr(exc, "code", "error")
            base.answer = str(exc)
            return base

    def snapshots(self, live: bool = False) -> SnapshotSource | None:
        """Where the performance engine finds closed months (None: no app database)."""
        return None if self.closes is None else self.closes.source(live)

    def _run_tool(
        self, base: Answer, the_plan: ToolPlan, caller: Caller, as_of: date, live: bool = False
    ) -> Answer:
        run = run_what_if if the_plan.tool == "what_if" else run_tool
        with self.warehouse.connect() as conn:
            result = run(the_plan, conn, caller, as_of, self.policy, self.snapshots(live))
        base.tool = ToolCallInfo(name=result.name, arguments=result.arguments)
        base.columns = result.columns(base.language)
        converted = json_rows(result.rows)
        base.rows, base.notes = converted.rows, converted.notes
        base.formats = tool_formats(result.keys)
        base.chart = tool_chart(result, base.language)
        base.trace.extend(result.trace)
        base.scoped = result.scoped
        base.answer = compose.tool_sentence(base.language, result.keys, result.rows, result.context)
        if result.scoped:
            base.answer += SCOPE_NOTE[base.language]
        base.closed = result.closed
        if result.closed is not None and result.closed.changed_since_close:
            base.answer += compose.closed_note(base.language, result.closed)
        if result.closed is not None and result.closed.source == "snapshot" and self.closes:
            snapshot = self.closes.get(result.closed.month, result.closed.version)
            adjusted = close_adjustments(self.closes.engine, snapshot)
            base.answer += adjusted_note(base.language, result.keys, result.rows, adjusted)
        return base

    def _run_query(self, base: Answer, the_plan: QueryPlan, caller: Caller, as_of: date) -> Answer:
        compiled = self.compiled(the_plan.model_dump_json(), as_of, base.language)
        base.sql_written = compiled.sql
        guarded = self.guarded(compiled.sql, caller)
        base.sql = guarded.sql
        base.scopes = list(guarded.scopes)
        base.scoped = bool(guarded.scopes)
        result = self.executor.execute(guarded)
        base.columns = list(compiled.columns)
        converted = result.json_rows()
        base.rows, base.notes = converted.rows, converted.notes
        base.formats = list(compiled.formats)
        period = compiled.period
        label = (period.label_zh if base.language == "zh" else period.label_en) if period else None
        if label and the_plan.also is not None:
            also = the_plan.also.label_zh if base.language == "zh" else the_plan.also.label_en
            label = f"{label}和{also}" if base.language == "zh" else f"{label} and {also}"
        subject = self._subject(the_plan, base.language)
        if the_plan.records:
            records = self.model.records[self.model.metrics[the_plan.metrics[0]].table]
            base.answer = compose.records_sentence(
                base.language, records, the_plan.metrics[0], the_plan.records,
                [list(r) for r in result.rows], label, subject,
            )  # fmt: skip
            if base.scoped:
                base.answer += SCOPE_NOTE[base.language]
            return base
        metrics = [self.model.metrics[m] for m in the_plan.metrics]
        group_labels = [c for c in compiled.columns if c not in compiled.metric_columns]
        base.chart = query_chart(
            the_plan, metrics[0], base.columns, list(compiled.metric_columns), base.formats,
            base.rows, base.language,
        )  # fmt: skip
        if the_plan.compare and period is not None and compiled.versus is not None:
            zh = base.language == "zh"
            base.answer = compose.comparison_sentence(
                base.language, metrics[0], group_labels, [list(r) for r in result.rows],
                period.label_zh if zh else period.label_en,
                compiled.versus.label_zh if zh else compiled.versus.label_en, subject,
                formats=base.formats,
            )  # fmt: skip
            if base.scoped:
                base.answer += SCOPE_NOTE[base.language]
            return base
        if (the_plan.share or the_plan.share_of or the_plan.share_of_departments) and group_labels:
            base.answer = compose.share_sentence(
                base.language, metrics[0], group_labels, [list(r) for r in result.rows],
                label, subject, base.formats,
            )  # fmt: skip
            if base.scoped:
                base.answer += SCOPE_NOTE[base.language]
            return base
        base.answer = compose.query_sentence(
            base.language, metrics, group_labels, [list(r) for r in result.rows], label, subject,
            order=the_plan.order, names=list(compiled.metric_columns), formats=base.formats,
        )  # fmt: skip
        if base.scoped:
            base.answer += SCOPE_NOTE[base.language]
        return base

    def _subject(self, the_plan: QueryPlan, language: str) -> str | None:
        names = [self.gazetteer.employees[i].name for i in the_plan.employees]
        names += [
            (d.name if language == "zh" or not d.name_en else d.name_en)
            for d in (self.gazetteer.departments[i] for i in the_plan.departments)
        ]
        head = self.model.department_head
        if names and the_plan.heads and head is not None:  # 组织人才部的负责人
            return (
                f"{'、'.join(names)}的{head.zh}"
                if language == "zh"
                else f"the {head.en} of {', '.join(names)}"
            )
        return "、".join(names) if names else None


def _check_question(question: str) -> str:
    if not isinstance(question, str):
        raise BadQuestionError("the question must be text")
    text = question.strip()
    if not text:
        raise BadQuestionError(
            "the question is empty; ask something like “本月各部门业绩中位数是多少”"
        )
    if len(text) > MAX_QUESTION_CHARS:
        raise BadQuestionError(
            f"the question is {len(text)} characters long; the limit is {MAX_QUESTION_CHARS}"
        )
    printable = sum(1 for ch in text if ch.isprintable() or ch.isspace())
    if printable < len(text) * 0.9 or "\x00" in text:
        raise BadQuestionError("the question contains binary data; send plain text")
    return text


_OUT_OF_SCOPE_ROWS_ZH = "你无权查看这部分数据：只能查看你权限范围内的人员和部门。"


def _guard_zh(exc: GuardError) -> str:
    """The guard's refusal in Chinese: what the asker may do, the detail in English."""
    if exc.reason.startswith("denied") or exc.reason == "no_scope":
        return f"{_OUT_OF_SCOPE_ROWS_ZH}（{exc}）"
    if exc.reason == "not_read_only":
        return "我只能查询数据，不能修改、删除或新增任何记录。"
    return f"这个查询没有通过安全检查，未执行（{exc}）。"


def _refusal(base: Answer, reason: str, zh: str, en: str) -> Answer:
    base.kind = "refusal"
    base.reason = reason
    base.answer = zh if base.language == "zh" else en
    base.examples = EXAMPLES_ZH if base.language == "zh" else EXAMPLES_EN
    return base


__all__ = ["Assistant", "BadQuestionError", "MAX_QUESTION_CHARS"]
