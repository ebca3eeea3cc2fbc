"""The bilingual planner: question -> :data:`Plan`, with no model.

Steps (each testable alone): normalise; find the time expression; tag the rest
against the gazetteer; resolve entities (ambiguous names become a
clarification); pick the question's shape from the tags and fill its slots.
Confidence is how much of the question the tags explain; a question the tags
do not explain is refused or clarified, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import cn2an

from assistant import lexicon as lx
from assistant.accounting import NEGATIVE_CONDITIONS, Context, account
from assistant.clarify import unaccounted, unknown_names
from assistant.gazetteer import Gazetteer, Tag
from assistant.normalize import normalize
from assistant.operators import OPERATOR_PATTERNS, PER_HEAD, WHICH
from assistant.plan import (
    OPPOSITE_CONDITION,
    Choice,
    Clarify,
    Comparison,
    Condition,
    Focus,
    PeriodSlot,
    Plan,
    QueryPlan,
    Refuse,
    ToolPlan,
)
from assistant.timeparse import find_period, month_period
from schema.caller import Caller, Role
from schema.semantic import SemanticModel
from tools.period import next_month

#: Share of a question's content the tags must explain for the plan to run.
MIN_COVERAGE = 0.6

_TOOL_CONCEPTS = {"per_head", "median", "above_median", "below_median", "not_above_median", "met_minimum", "missed_minimum",
                  "bonus_eligible", "bonus", "gap", "attainment", "leaderboard", "min_target",
                  "forecast", "suggest_targets"}  # fmt: skip
_CONDITIONS = {"above_median", "below_median", "not_above_median", "met_minimum", "missed_minimum",
               "bonus_eligible"}  # fmt: skip
_NEGATED_ELIGIBLE = re.compile(
    r"(没|没有|未|不能|不会|拿不到|没能|not|n't|no)\s*(拿到|获得|有|能拿|拿|eligible|get|got|qualify|earn)?\s*(奖金|业绩奖励|bonus)"
)


@dataclass
class Understanding:
    """What the planner read in a question: normalised text, period, tags, coverage."""

    text: str
    language: str
    tags: list[Tag] = field(default_factory=list)
    period: PeriodSlot | None = None
    period_span: tuple[int, int] | None = None
    #: A second period of the same grain compared with the first.
    also: PeriodSlot | None = None
    coverage: float = 0.0
    rest: str = ""
    #: Employees named as the head of a team (徐刚浩团队, 李颖手下): their direct reports.
    managers: list[int] = field(default_factory=list)
    #: Regions named in the question (华东, 东部区): several sales teams, several medians.
    regions_named: list[int] = field(default_factory=list)
    #: Where the time expressions are (one, or two compared side by side).
    period_spans: list[tuple[int, int]] = field(default_factory=list)
    #: The plan continues the previous turn's (a follow-up).
    follow_up: bool = False

    def kinds(self, kind: str) -> list[Tag]:
        return [t for t in self.tags if t.kind == kind]

    def values_of(self, kind: str) -> list[str]:
        return [t.value for t in self.tags if t.kind == kind]

    def has(self, words: tuple[str, ...]) -> bool:
        return any(w in self.text for w in words)


def detect_language(question: str) -> str:
    cjk = sum(1 for ch in question if "\u4e00" <= ch <= "\u9fff")
    latin = sum(1 for ch in question if ch.isascii() and ch.isalpha())
    return "zh" if cjk * 2 >= latin or cjk >= 4 else "en"


_PERIOD_JOIN = re.compile(r"\s*(?:和|与|跟|及|以及|还有|对比|比|vs\.?|versus|and|、|,)\s*")


def understand(question: str, as_of: date, gazetteer: Gazetteer) -> Understanding:
    """Normalise, find the period and tag the question."""
    text = normalize(question)
    u = Understanding(text=text, language=detect_language(question))
    # Names first: 杭州线上上个月 is 杭州线上 + 上个月, not 上上个月.
    names = list(text)
    for tag in gazetteer.tag(text):
        if tag.kind in ("department", "employee"):
            names[tag.start : tag.end] = "\0" * (tag.end - tag.start)
    found = find_period(lx.TO_DATE.sub(lambda m: "\0" * len(m.group(0)), "".join(names)), as_of)
    masked = text
    if found:
        period, span = found
        u.period = PeriodSlot.of(period)
        u.period_span = span
        u.period_spans.append(span)
        masked = text[: span[0]] + " " * (span[1] - span[0]) + text[span[1] :]
        # A second period joined to the first (2025年Q4和2026年Q1, 9月和11月): compared side by side.
        joined = _PERIOD_JOIN.match(masked, span[1])
        rest = "".join(names)[joined.end() :] if joined else ""
        second = find_period(rest, as_of) if joined else None
        if joined and second and second[1][0] == 0:
            other, (a, b) = second
            start = joined.end()
            if other.grain == period.grain:
                u.also = PeriodSlot.of(other)
                masked = masked[:start] + " " * (b - a) + masked[start + b :]
                u.period_spans.append((start + a, start + b))
    u.tags = gazetteer.tag(masked)
    explained = masked
    for pattern in [p for p, _ in (*lx.COMPARISONS, *lx.SUFFIX_COMPARISONS)] + [
        lx.TOP_N,
        lx.BOTTOM_N,
        lx.HALF,
        *lx.RECORDS,
        *OPERATOR_PATTERNS.values(),
    ]:
        explained = pattern.sub(lambda m: " " * len(m.group(0)), explained)
    u.coverage = _coverage(explained, u.tags)
    rest = masked
    for tag in u.tags:
        if tag.kind in ("concept", "metric", "bundle", "department", "employee", "value"):
            rest = rest[: tag.start] + " " * (tag.end - tag.start) + rest[tag.end :]
    u.rest = rest
    return u


def _coverage(masked: str, tags: list[Tag]) -> float:
    """Share of the content characters (not filler, not time) explained by tags."""
    covered = [False] * len(masked)
    for tag in tags:
        for i in range(tag.start, tag.end):
            covered[i] = True
    rest = "".join(ch if not covered[i] else " " for i, ch in enumerate(masked))
    rest = re.sub(r"\d+(\.\d+)?", " ", rest)
    rest = lx.FILLER_PATTERN.sub(" ", rest)
    unexplained = sum(1 for ch in rest if ch.isalnum())
    explained = sum(1 for c in covered if c)
    total = unexplained + explained
    return 1.0 if total == 0 else explained / total


def plan(
    question: str,
    as_of: date,
    caller: Caller,
    gazetteer: Gazetteer,
    model: SemanticModel,
    previous: dict | None = None,
    pins: dict[str, int] | None = None,
) -> tuple[Plan, Understanding]:
    """The plan for ``question`` asked by ``caller`` on ``as_of``: answered only when it
    accounts for the whole question (:mod:`assistant.accounting`), else a clarification
    that offers the partial reading. ``pins`` resolve ambiguous names (their text) to one
    department or employee id: a clarification's choice."""
    the_plan, u = _read(question, as_of, caller, gazetteer, model, previous, pins or {})
    if isinstance(the_plan, ToolPlan) and _colleagues_hidden(the_plan, caller):
        return _refuse(
            "denied_colleagues",
            "同事的奖金、最低目标和达标情况只有主管和 HR 可以查看；你可以查询自己的，"
            "也可以看本部门排行榜（业绩和与中位数的差距）。",
            "Colleagues' bonuses, minimum targets and whether they met them are for managers "
            "and HR; you may ask about your own, or see your department's leaderboard "
            "(sales and gap to the median).",
        ), u
    if isinstance(the_plan, QueryPlan | ToolPlan):
        context = Context(the_plan, caller, gazetteer, model, u.follow_up)
        left = account(u.text, u.period_spans, u.tags, context)
        if left:
            return unaccounted(question, u.language, the_plan, left, model, gazetteer), u
    return the_plan, u


def _read(
    question: str,
    as_of: date,
    caller: Caller,
    gazetteer: Gazetteer,
    model: SemanticModel,
    previous: dict | None,
    pins: dict[str, int],
) -> tuple[Plan, Understanding]:
    """The planner's best reading of ``question``, before accounting."""
    u = understand(question, as_of, gazetteer)
    if u.has(lx.WRITE_WORDS) or lx.WRITE_PATTERN.search(u.text):
        return _refuse(
            "read_only",
            "我只能查询数据，不能修改、删除或新增任何记录。",
            "I can only read data; I cannot change, delete or add records.",
        ), u
    resolved = _resolve_entities(u, gazetteer, caller, pins)
    if isinstance(resolved, Clarify):
        return resolved, u
    departments, employees = resolved
    if not departments and not employees and not previous:
        shared = _shared_name_part(u, gazetteer)
        if shared is not None:
            return shared, u

    if previous and previous.get("kind") == "tool" and _REFERS_BACK.search(u.text):
        # 其中谁也达标了, 那他们的奖金呢, which of them: this question, about the people,
        # month and team of the previous answer
        fresh, _ = _read(question, as_of, caller, gazetteer, model, None, pins)
        if isinstance(fresh, ToolPlan):
            u.follow_up = True
            return _narrowed(ToolPlan.model_validate(previous), fresh, u, departments, employees), u
    if previous and _is_follow_up(u):
        merged = _follow_up(previous, u, departments, employees, model)
        if merged is not None:
            u.follow_up = True
            return merged, u

    concepts = _compose_conditions(u)
    if PER_HEAD.search(u.text) and not concepts and _metrics(u, model) in ([], ["sales"]):
        concepts.add("per_head")  # 人均业绩: department sales per roster member (the engine)
    threshold = _comparison(u)
    if (
        "min_target" in concepts
        and threshold is not None
        and ("%" in u.text or "百分之" in u.text or "一半" in u.text or "half" in u.text)
    ):
        concepts.add("attainment")
        concepts -= {"met_minimum", "missed_minimum"}
    metrics = _metrics(u, model)
    if "bonus" in concepts and any(model.metrics[m].table == "payroll" for m in metrics):
        concepts.discard("bonus")
        metrics.append("payroll_bonus")
    if (
        (not metrics or metrics == ["sales"])
        and not concepts
        and employees
        and u.has(lx.RANK_WORDS)
    ):
        concepts = {"leaderboard"}
    if concepts & _TOOL_CONCEPTS and _is_dual_target(concepts, metrics):
        return _tool_plan(u, concepts, departments, employees, as_of, gazetteer), u
    records = _records_plan(u, metrics, departments, employees, model, gazetteer)
    if records is not None:
        return records, u
    if metrics and _payroll_of_others(metrics, model, caller, departments, employees, u):
        if model.metrics[metrics[0]].personal:
            return _refuse(
                "denied_personal_data",
                "手机号和邮箱仅 HR 可以查看，你只能查询自己的。",
                "Phone numbers and emails are visible to HR only; you may ask about your own.",
            ), u
        return _refuse(
            "denied_payroll",
            "工资数据仅 HR 可以查看，你只能查询自己的工资。",
            "Payroll is visible to HR only; you may ask about your own pay.",
        ), u
    if metrics:
        if u.coverage < MIN_COVERAGE:
            return _unknown_name_or_refuse(u, gazetteer), u
        return _query_plan(u, metrics, departments, employees, model, gazetteer), u
    if employees or departments:
        figures = ["业绩", "订单数", "迟到次数", "请假天数"]
        return Clarify(
            message_zh="您想了解哪一项数据？例如业绩、订单数、考勤或请假。",
            message_en="Which figure would you like? For example sales, orders, attendance or leave.",
            options=figures,
            choices=[Choice(label=f, question=f"{u.text} {f}", pins=pins) for f in figures],
        ), u
    return _unknown_name_or_refuse(u, gazetteer), u


_ACHIEVE = (
    "完成",
    "达到",
    "达成",
    "达标",
    "做到",
    "够",
    "过了",
    "hit",
    "met",
    "meet",
    "reach",
    "achiev",
    "made",
    "make",
)
_NEGATE = ("没有", "没", "未", "不", "尚未", "还没", "missed", "misses", "missing", "miss", "n't", "not", "failed", "short", "低于", "不到",
           "少于", "below", "under")  # fmt: skip
_ABOVE_AFTER = ("以上", "之上", "上面", "上方", "高")
_BELOW_AFTER = ("以下", "之下", "下面", "下方", "低")
_ABOVE = ("跑赢", "ahead of", "超过", "高于", "大于", "超出", "超", "比中位数高", "above", "beat", "over", "exceed", "higher", "more than",
          "better than")  # fmt: skip
_BELOW = ("没过", "没到", "跑输", "behind", "低于", "不到", "没超过", "没有超过", "未超过", "不足", "below", "under", "lower", "less than", "short of",
          "worse than")  # fmt: skip


_EITHER_WAY = re.compile(
    r"above or below|below or above|above/below|高于还是低于|低于还是高于|高还是低|超过还是低于"
)


def _compose_conditions(u: Understanding) -> set[str]:
    """Concepts, with 'met/missed the minimum' and 'above/below the median' read from the
    verbs before 最低目标 / 中位数 when the question splits them (没达到最低业绩目标,
    missed their minimum target), and a negation before a positive concept flipping it
    (hasn't met the minimum target)."""
    concepts = set(u.values_of("concept"))
    for tag in u.kinds("concept"):
        before = _before(u, tag)
        if tag.value == "met_minimum" and _negated(before):
            concepts.discard("met_minimum")
            concepts.add("missed_minimum")
        if tag.value == "above_median" and _negated(before):  # 没有超过中位数: at or below it
            concepts.discard("above_median")
            concepts.add("not_above_median")
        if tag.value == "below_median" and _NOT_ABOVE.search(tag.text):
            concepts.discard("below_median")  # 没超过中位数 / did not exceed: at or below it
            concepts.add("not_above_median")
        if tag.value == "bonus" and _GOT.search(before) and "bonus_eligible" not in concepts:
            # 拿到了业绩奖励 / got a performance bonus: who is eligible
            concepts.add("bonus_eligible" if not _negated(before) else "bonus")
        if "attainment" in concepts:
            continue
        after = u.text[tag.end : tag.end + 8]
        if tag.value == "min_target" and not concepts & {"met_minimum", "missed_minimum"}:
            asking = _ASKING_NOT.sub(" ", before)  # 有没有人完成了: a question, not a negation
            if any(w in asking for w in _NEGATE) or re.match(
                r"\s*\S{0,2}\s*(没|未|还没|没有)\s*(完成|达到|达成|达标|过|到)", after
            ):
                concepts.add("missed_minimum")
            elif any(w in before for w in _ACHIEVE) or any(w in after[:4] for w in _ACHIEVE):
                concepts.add("met_minimum")
        if tag.value == "median" and not concepts & {"above_median", "below_median"}:
            if any(w in before for w in _BELOW) and any(w in before for w in _ABOVE):
                concepts.add("gap")  # above or below my team's median: how far, either way
            elif any(w in before for w in _BELOW) or after.startswith(_BELOW_AFTER):
                # 没过中位数 / not above the median: at or below it; 低于 / below: strictly
                concepts.add("not_above_median" if _NOT_ABOVE.search(before) else "below_median")
            elif any(w in before for w in _ABOVE) or after.startswith(_ABOVE_AFTER):
                # didn't beat / 没有超过 the median: the above-word is negated
                word_at = max(before.rfind(w) for w in _ABOVE)
                negated = word_at >= 0 and _negated(before[:word_at])
                concepts.add("not_above_median" if negated else "above_median")
    if {"above_median", "below_median", "not_above_median"} & concepts and _EITHER_WAY.search(
        u.text
    ):
        concepts |= {"above_median", "below_median"}  # how far above or below: either way
    if "above_median" in concepts and concepts & {"below_median", "not_above_median"}:
        concepts -= {
            "above_median",
            "below_median",
            "not_above_median",
        }  # above or below: no filter
        concepts.add("gap")
    return concepts


def _before(u: Understanding, tag: Tag) -> str:
    """The words just before a tag: 10 characters of Chinese, about five English words.

    Names are blanked: a department called 商超KA部 does not say 超 (above).
    """
    width = 10 if u.language == "zh" else 32
    start = max(0, tag.start - width)
    words = list(u.text[start : tag.start])
    for other in u.tags:
        if other.kind in ("department", "employee", "value") and other.end > start:
            for i in range(max(other.start, start), min(other.end, tag.start)):
                words[i - start] = " "
    return "".join(words)


def _negated(before: str) -> bool:
    """A negation just before a concept; 有没有 / 是不是 ask a question, they do not negate,
    and a negation before a conjunction (没达标但是超过中位数) belongs to the first part."""
    before = _ASKING_NOT.sub(" ", before)
    before = re.split(r"但是|但|却|而且|并且|同时|\bbut\b|\band\b", before)[-1]
    return bool(re.search(r"(没有|没|未|尚未|还没|不|n't|\bnot\b|\bnever\b)\s*\S{0,4}\s*$", before))


#: Phrasings of 'below the median' that say 'not above' (the middle person included).
_NOT_ABOVE = re.compile(
    r"没过|没超过|没有超过|未超过|不超过|没有高于|没高于|not exceed|not above|not beat|n't"
)
_GOT = re.compile(
    r"(拿到了|拿到|拿了|获得了|获得|领到了|领到|got|get|gets|earned|received|receive)\s*(?:a|the)?\s*$"
)
_ASKING_NOT = re.compile(r"有没有|是不是|是否|能不能|会不会|有无")


def _payroll_of_others(
    metrics: list[str],
    model: SemanticModel,
    caller: Caller,
    departments: list[int],
    employees: list[int],
    u: Understanding,
) -> bool:
    """A non-HR caller asking for payroll of anyone but themselves (RULES: payroll is HR's)."""
    metric = model.metrics[metrics[0]]
    if caller.role.sees_everything or not (metric.table == "payroll" or metric.personal):
        return False
    own = caller.employee_id is not None and employees == [caller.employee_id]
    others = ("所有人", "每个人", "大家", "全部人", "同事", "everyone", "everybody", "all employees", "teammates",
              "colleagues")  # fmt: skip
    return not own or "team" in u.values_of("self") or u.has(others)


def _refuse(reason: str, zh: str, en: str) -> Refuse:
    return Refuse(reason=reason, message_zh=zh, message_en=en)


def _is_dual_target(concepts: set[str], metrics: list[str]) -> bool:
    """Dual-target words mean the performance engine unless another metric is ranked."""
    if concepts - {"leaderboard", "min_target"}:
        return True
    return not metrics or metrics == ["sales"]


def _resolve_entities(
    u: Understanding, gz: Gazetteer, caller: Caller, pins: dict[str, int]
) -> tuple[list[int], list[int]] | Clarify:
    departments: list[int] = []
    for tag in u.kinds("department"):
        ids = [int(v) for v in tag.values]
        if tag.text in pins and pins[tag.text] in gz.departments:
            departments.append(pins[tag.text])  # chosen in a clarification
            continue
        partial = _partial_department(u, tag, gz)
        if partial is not None:
            return partial
        if len(ids) == 1 and gz.department_kind.get(ids[0]) == "region":
            u.regions_named.append(ids[0])
        if len(ids) > 1:
            sales = [i for i in ids if gz.department_kind.get(i) == "sales"]
            if len(sales) > 1 and u.has(lx.GROUP_WORDS):  # 每个门店组: each of the teams it names
                departments.extend(sales)
                continue
            if len(sales) != 1:
                names = [gz.departments[i].name for i in ids]
                return Clarify(
                    message_zh=f"「{tag.text}」可能指以下部门，请问是哪一个？",
                    message_en=f"'{tag.text}' matches several departments; which one?",
                    options=names,
                    choices=[
                        Choice(label=n, question=u.text, pins={**pins, tag.text: i})
                        for n, i in zip(names, ids, strict=True)
                    ],
                )
            ids = sales
        departments.extend(ids)
    employees: list[int] = []
    for tag in u.kinds("employee"):
        ids = [int(v) for v in tag.values]
        if tag.text in pins and pins[tag.text] in gz.employees:
            ids = [pins[tag.text]]  # chosen in a clarification
        if len(ids) > 1 and departments:
            scope = {d for root in departments for d in gz.subtree(root)}
            narrowed = [i for i in ids if gz.employees[i].department_id in scope]
            ids = narrowed or ids
        team_of = len(ids) == 1 and (
            _TEAM_AFTER.match(u.text, tag.end)
            or _TEAM_BEFORE.search(u.text[max(0, tag.start - 16) : tag.start])
        )
        if len(ids) > 1:
            options = [f"{gz.employees[i].name}（{gz.employees[i].extra}）" for i in ids]
            return Clarify(
                message_zh=f"有{len(ids)}位员工叫「{gz.employees[ids[0]].name}」，请问是哪一位？",
                message_en=f"{len(ids)} employees are called {gz.employees[ids[0]].name}; which one?",
                options=options,
                choices=[
                    Choice(label=o, question=u.text, pins={**pins, tag.text: i})
                    for o, i in zip(options, ids, strict=True)
                ],
            )
        if team_of:
            u.managers.extend(ids)
            continue
        employees.extend(ids)
    if caller.employee_id is not None and _REPORTS_TO_ME.search(u.text):
        u.managers.append(caller.employee_id)  # who reports to me: my direct reports
    selves = set(u.values_of("self"))
    if "team" in selves and caller.department_id is not None and not departments:
        departments.append(caller.department_id)
    if (
        "me" in selves
        and caller.employee_id is not None
        and not employees
        and caller.employee_id not in u.managers
    ):
        employees.append(caller.employee_id)
    # A department named only as the home of a named employee is not a filter of its own.
    return departments, employees


_REPORTS_TO_ME = re.compile(r"(?:reports?|reporting) to me\b|向我汇报|我的直属下属|我的下属")
_TEAM_BEFORE = re.compile(r"(?:reports? to|reporting to|working for|works for|under|向|归)\s*$")
_TEAM_AFTER = re.compile(
    r"\s*(?:的)?(?:团队|手下|下面|下属|组里|带的团队|带的人|带的|管的|team|people|direct reports|reports)"
)


def _full_name(tag: Tag, gz: Gazetteer) -> bool:
    """Whether the tag is some department's full Chinese or English name."""
    return any(
        normalize(d.name) == tag.text or normalize(d.name_en or "") == tag.text
        for d in gz.departments.values()
    )


#: Words many department names share; they name no department of their own.
_COMMON_NAME_PARTS = ("销售", "营销", "部门", "团队", "中心", "事业", "业务", "区域", "大区", "片区", "小组", "销售部", "销售组",
                      "一组", "二组", "三组", "一部", "二部", "三部", "一队", "二队")  # fmt: skip


def _shared_name_part(u: Understanding, gz: Gazetteer) -> Clarify | None:
    """门店那边的中位数, with 珠海门店二组 and 广州天河门店组: a word of the question that no
    phrase explains but that is part of several sales departments' names; ask which one
    rather than answer for every department."""
    if u.has(lx.GROUP_WORDS):  # 每个销售部: every department, none in particular
        return None
    untagged = list(u.rest)
    for tag in u.tags:  # dimension words (渠道) and the asker (我们) are explained too
        untagged[tag.start : tag.end] = " " * (tag.end - tag.start)
    for run in re.findall(r"[\u4e00-\u9fff]{2,}", "".join(untagged)):
        for size in (4, 3, 2):
            for i in range(len(run) - size + 1):
                part = run[i : i + size]
                if part in _COMMON_NAME_PARTS or any(part in w for w in lx.FILLER):
                    continue
                names = [d.name for i_, d in gz.departments.items()
                         if gz.department_kind.get(i_) == "sales" and part in d.name]  # fmt: skip
                if len(names) >= 2:
                    return Clarify(
                        message_zh=f"「{part}」可能指以下部门，请问是哪一个？",
                        message_en=f"'{part}' matches several departments; which one?",
                        options=sorted(names),
                        choices=[
                            Choice(label=n, question=u.text.replace(part, n, 1))
                            for n in sorted(names)
                        ],
                    )
    return None


_DEPARTMENT_TAILS = ("销售部", "销售组", "销售中心", "销售团队", "sales")


def _partial_department(u: Understanding, tag: Tag, gz: Gazetteer) -> Clarify | None:
    """'华东销售部' when only 华东销售一部 and 华东销售二部 exist: the tag matched an
    abbreviation and the question goes on with a department word, so ask which one."""
    tail = u.text[tag.end : tag.end + 6].lstrip()
    if not tail.startswith(_DEPARTMENT_TAILS):
        return None
    if _full_name(tag, gz):
        return None
    head = tag.text.strip()
    candidates = [d.name for d in gz.departments.values()
                  if gz.department_kind.get(d.id) == "sales" and (head in normalize(d.name) or head in normalize(d.name_en or ""))]  # fmt: skip
    if len(candidates) < 2:
        return None
    word = next(t for t in _DEPARTMENT_TAILS if tail.startswith(t))
    gap = len(u.text[tag.end : tag.end + 6]) - len(tail)  # spaces before the word
    spoken = u.text[tag.start : tag.end + gap + len(word)]  # 华东销售部: the span to replace
    return Clarify(
        message_zh=f"「{tag.text}{tail[:3]}」可能指以下部门，请问是哪一个？",
        message_en=f"'{tag.text} {tail.split()[0] if tail.split() else ''}' matches several departments; which one?",
        options=candidates,
        choices=[Choice(label=c, question=u.text.replace(spoken, c, 1)) for c in candidates],
    )


def _metrics(u: Understanding, model: SemanticModel) -> list[str]:
    """The metrics named, strongest first.

    Generic words (多少人, 天数, times) only count when nothing more specific is
    named; a value word (病假, 迟到) implies its own metric when the named one
    cannot be filtered by it.
    """
    strong: list[str] = []
    weak: list[str] = []
    for tag in u.kinds("bundle"):
        strong.extend(m for m in model.bundles[tag.value].metrics if m not in strong)
    for tag in u.kinds("metric"):
        bucket = weak if _generic(tag.text) else strong
        for value in tag.values:
            if value not in strong and value not in weak:
                bucket.append(value)
                break
    names = strong or weak
    implied: dict[str, int] = {}
    for tag in u.kinds("value"):
        metric = model.values[int(tag.value.split(":", 1)[0])].metric
        if metric:
            implied[metric] = implied.get(metric, 0) + 1
    several = [m for m, n in implied.items() if n >= 2]
    if several:
        return several[:1]
    if not strong:
        for tag in u.kinds("dimension"):
            dim = model.dimensions[tag.value]
            if dim.tables and (not names or model.metrics[names[0]].table not in dim.tables):
                counted = [
                    n
                    for n, m in model.metrics.items()
                    if m.table in dim.tables and m.format == "count"
                ]
                if counted:
                    return counted[:1]
    for tag in u.kinds("value"):
        value_set = model.values[int(tag.value.split(":", 1)[0])]
        named = model.metrics[names[0]] if names else None
        # 没批的请假: the named metric counts approved leave only; the value asks for another state.
        value = tag.value.split(":", 1)[1]
        conflict = (
            named is not None
            and value_set.column in (named.where or "")
            and f"'{value}'" not in (named.where or "")
        )
        if value_set.metric and (named is None or named.table not in value_set.tables or conflict):
            if not strong or not names or conflict:
                names = [value_set.metric]
            break
    if not names and ("employee" in u.values_of("dimension") or u.managers):
        order, _ = _limit(u)
        if (order or _comparison(u)) and model.default_metric:  # 谁最高: ranked by sales
            names.append(model.default_metric)
        elif u.has(lx.WHO_WORDS) or u.has(lx.LIST_WORDS):  # 人事部都有谁: the people themselves
            if model.people_metric or model.default_metric:
                names.append(model.people_metric or model.default_metric)  # type: ignore[arg-type]
    if names and not strong and u.has(("多少人", "几个人", "几人", "how many people")):
        table = model.metrics[names[0]].table
        counted = [n for n, m in model.metrics.items() if m.table == table and m.format == "count"]
        if model.metrics[names[0]].format != "count" and counted:
            names = counted[:1]
    if names and u.has(_COUNTING):  # how many sales / orders got refunded: the count of those rows
        first = model.metrics[names[0]]
        siblings = [n for n, m in model.metrics.items()
                    if m.table == first.table and m.where == first.where and m.format == "count"]  # fmt: skip
        if first.format == "money" and siblings:
            both = u.has(
                ("how much", "多少钱", "金额")
            )  # how many and how much: the count and the sum
            names = [siblings[0], *names] if both else [siblings[0], *names[1:]]
    if len(names) > 1:
        table = model.metrics[names[0]].table
        names = [n for n in names if model.metrics[n].table == table]
    return names


#: Asking for a number of rows (orders, refunds), not an amount.
_COUNTING = ("how many", "number of", "几单", "多少单", "几笔", "多少笔")


def _generic(text: str) -> bool:
    return text in lx.GENERIC_METRIC_WORDS


Order = Literal["desc", "asc"]


def _limit(u: Understanding) -> tuple[Order | None, int | None]:
    """Ranking words outside the tagged phrases (最低目标 is a target, not a ranking)."""
    rest = u.rest
    for pattern, _ in (*lx.COMPARISONS, *lx.SUFFIX_COMPARISONS):
        rest = pattern.sub(lambda m: " " * len(m.group(0)), rest)
    if m := lx.TOP_N.search(rest):
        return "desc", int(m.group(1))
    if m := lx.BOTTOM_N.search(rest):
        return "asc", int(m.group(1))
    if any(w in rest for w in lx.ASC_WORDS):
        return "asc", 1
    if any(w in rest for w in lx.DESC_WORDS) or "销冠" in u.text:
        return "desc", 1
    if any(w in rest for w in lx.RANK_WORDS):
        return "desc", None
    return None, None


def _comparison(u: Understanding) -> Comparison | None:
    """A threshold in the question: 超过10万, at least 20, 两次及以上, 不到一半 (a share)."""
    if lx.HALF.search(u.rest):
        return Comparison(op="<", value=0.5)
    for pattern, op in (*lx.COMPARISONS, *lx.SUFFIX_COMPARISONS):
        if m := pattern.search(u.rest):
            raw = m.group("num")
            try:
                number = float(raw) if raw[0].isdigit() else float(cn2an.cn2an(raw, "smart"))
            except ValueError:
                continue
            groups = m.groupdict()
            number *= lx.UNITS.get(groups.get("unit") or "", 1)
            if groups.get("pct") or "百分之" in u.text[max(0, m.start() - 4) : m.end()]:
                number /= 100
            return Comparison(op=op, value=number)  # type: ignore[arg-type]
    return None


def _query_plan(
    u: Understanding,
    metrics: list[str],
    departments: list[int],
    employees: list[int],
    model: SemanticModel,
    gazetteer: Gazetteer,
) -> QueryPlan:
    table = model.metrics[metrics[0]].table
    group_by: list[str] = []
    # A word that is both the metric and a dimension (员工 in 杭州的员工有多少) is the metric.
    metric_spans = {(t.start, t.end) for t in u.kinds("metric") if metrics[0] in t.values}
    for tag in u.kinds("dimension"):
        if (tag.start, tag.end) in metric_spans:
            continue
        own = [v for v in tag.values if table in (model.dimensions[v].tables or ())]
        dim = (
            own[0]
            if own
            else next((v for v in tag.values if model.dimensions[v].tables is None), tag.value)
        )
        spec = model.dimensions[dim]
        if spec.tables is not None and table not in spec.tables:
            continue
        if (
            dim == "department"
            and departments
            and not u.has(("各", "每个", "分别", "each", "per", "by"))
        ):
            continue
        if dim == "employee" and (
            employees
            or not _per_person(u, tag)
            or len(departments) > 1
            and not _per_person_asked(u)
        ):
            continue
        if dim not in group_by:
            group_by.append(dim)
    if len(departments) > 1 and "department" not in group_by and not _per_person_asked(u):
        group_by.insert(0, "department")
    values = _values_for(u, model, table)
    for index in {v.split(":")[0] for v in values}:
        same = [v for v in values if v.split(":")[0] == index]
        column = model.values[int(index)].column
        grouping = next((n for n, d in model.dimensions.items() if d.expr == column and
                         (d.tables is None or table in d.tables)), None)  # fmt: skip
        if len(same) > 1 and grouping:  # 婚假和产假各多少: filter to those values, one row each
            if grouping not in group_by:
                group_by.append(grouping)
    default_group = model.metrics[metrics[0]].default_group
    if (
        default_group
        and not group_by
        and not any(
            model.values[int(v.split(":")[0])].column == model.dimensions[default_group].expr
            for v in values
        )
        and not employees
    ):
        group_by.append(default_group)
    compare, change = _compared(u)
    if u.also is not None and compare is None:  # two periods side by side: one row per period
        grain = {"month": "month", "quarter": "quarter", "year": "year"}.get(u.also.grain)
        if grain and grain not in group_by:
            group_by.insert(0, grain)
    order, limit = _limit(u)
    if order and limit is None and _which_group(u) in group_by:
        limit = 1  # 哪个产品线退款最多: the top group, not the whole ranking
    having = _comparison(u)
    # 'who' words outside the tagged phrases (去年的员工流失率 names a metric, not people)
    who = any(w in u.rest for w in (*lx.LIST_WORDS, *lx.WHO_WORDS)) and (
        u.has(lx.LIST_WORDS) or not u.has(lx.COUNT_WORDS)
    )
    if (order or having or who) and not group_by and not employees and len(departments) < 2:
        group_by = ["employee"] if model.facts[table].employee else ["department"]
    if group_by and order is None and u.has(lx.RANK_WORDS):
        order = "desc"
    first = model.metrics[metrics[0]]
    if first.format == "text" and not employees and "employee" not in group_by:
        group_by.insert(0, "employee")  # phone numbers of a team: each person's, not one of them
    if first.snapshot and first.format == "count" and "employee" in group_by and having is None:
        having = Comparison(op=">", value=0)  # people listed at a date: those there that day
    current = any(
        v.split(":", 1)[1] in model.values[int(v.split(":", 1)[0])].current for v in values
    )  # 还有哪些请假没批: pending now, whenever asked for
    share_of: list[str] = []
    if u.has(lx.SHARE_WORDS) and not group_by and values:
        # 空调占总销售额多少比例: the value's share of the whole, not the value's figure
        index = values[0].split(":")[0]
        column = model.values[int(index)].column
        grouping = next((n for n, d in model.dimensions.items() if d.expr == column
                         and (d.tables is None or table in d.tables)), None)  # fmt: skip
        if grouping:
            share_of = [v for v in values if v.split(":")[0] == index]
            values = [v for v in values if v not in share_of]
            group_by = [grouping]
    return QueryPlan(
        all_time=current and u.period is None,
        metrics=metrics,
        group_by=group_by,
        departments=sorted({d for root in departments for d in gazetteer.subtree(root)}),
        employees=employees,
        values=values,
        period=u.period,
        order=order if group_by else None,
        limit=limit if group_by else None,
        having=having if group_by else None,
        share=bool(group_by) and u.has(lx.SHARE_WORDS),
        share_of=share_of,
        managers=u.managers,
        also=u.also if compare is None else None,
        compare=compare,
        versus=u.also if compare == "named" else None,
        change=change,
    )


def _records_plan(
    u: Understanding,
    metrics: list[str],
    departments: list[int],
    employees: list[int],
    model: SemanticModel,
    gazetteer: Gazetteer,
) -> QueryPlan | None:
    """最大的5笔订单, the last 3 refunds: single rows of the metric's table, when the model
    can list them; None when the question does not ask for single rows."""
    found = next((m for p in lx.RECORDS if (m := p.search(u.text))), None)
    if found is None:
        return None
    metric = metrics[0] if metrics else model.default_metric
    if metric is None or model.metrics[metric].table not in model.records:
        return None
    groups = found.groupdict()
    sup = groups.get("sup") or "biggest"
    kind: Literal["largest", "smallest", "latest"] = (
        "smallest" if lx.RECORD_SMALL.fullmatch(sup)
        else "latest" if lx.RECORD_RECENT.fullmatch(sup)
        else "largest"
    )  # fmt: skip
    count = groups.get("n") or groups.get("n2")
    if count and count.isdigit():
        limit = int(count)
    elif count or u.has(lx.LIST_WORDS) or (groups.get("noun") or "").endswith("s"):
        limit = 5 if count else 10  # 几笔: a few; "which orders", "biggest orders": a list
    else:
        limit = 1
    table = model.metrics[metric].table
    return QueryPlan(
        metrics=[metric],
        departments=sorted({d for root in departments for d in gazetteer.subtree(root)}),
        employees=employees,
        values=_values_for(u, model, table),
        period=u.period,
        limit=limit,
        managers=u.managers,
        records=kind,
    )


_SIBLING = re.compile(
    r"\s*(?:和|、|及|与|或|以及|and|or|,|/)\s*([a-z]{1,12}|[\u4e00-\u9fff]{1,3}?)(?=[的和、及与或\s]|$)"
)


def _values_for(u: Understanding, model: SemanticModel, table: str) -> list[str]:
    """Value filters that apply to ``table``: of each tag's readings, the first whose column
    the table has; then siblings joined to it (C和D, 婚假和产假) of the same column."""
    chosen: list[str] = []
    for tag in u.kinds("value"):
        reading = next(
            (v for v in tag.values if table in model.values[int(v.split(":")[0])].tables), None
        )
        if reading is None:
            continue
        chosen.append(reading)
        index = reading.split(":")[0]
        raw = {value.lower(): value for value in model.values[int(index)].values}
        position = tag.end
        while (match := _SIBLING.match(u.text, position)) and match.group(1) in raw:
            chosen.append(f"{index}:{raw[match.group(1)]}")
            position = match.end()
    return list(dict.fromkeys(chosen))


_PER_PERSON = (
    "per rep",
    "by rep",
    "每个人",
    "每人",
    "每位",
    "各员工",
    "每个员工",
    "每个销售",
    "每名",
    "个人",
    "each person",
    "per employee",
    "each employee",
    "by employee",
    "individual",
    "everyone's",
)


def _per_person_asked(u: Understanding) -> bool:
    return u.has(_PER_PERSON)


def _per_person(u: Understanding, tag: Tag) -> bool:
    """'people' groups by employee only when asked per person, who, or ranked."""
    order, _ = _limit(u)
    return bool(order) or u.has(lx.WHO_WORDS) or u.has(_PER_PERSON) or _comparison(u) is not None


def _tool_plan(
    u: Understanding,
    concepts: set[str],
    departments: list[int],
    employees: list[int],
    as_of: date,
    gz: Gazetteer,
) -> Plan:
    period = u.period.period() if u.period else month_period(as_of.replace(day=1))
    if "suggest_targets" in concepts:
        return ToolPlan(tool="suggest_targets", month=period.start, department=departments[0] if departments else None,
                        spend=_first_number(u), period=u.period)  # fmt: skip
    if "forecast" in concepts and not (concepts & _CONDITIONS - {"met_minimum", "missed_minimum"}):
        return ToolPlan(tool="forecast", month=as_of.replace(day=1), department=departments[0] if departments else None,
                        employees=employees)  # fmt: skip
    if u.regions_named and not departments[1:] and not u.has(lx.GROUP_WORDS):
        region = u.regions_named[0]
        teams = [
            gz.departments[d].name
            for d in gz.subtree(region)
            if gz.department_kind.get(d) == "sales"
        ]
        if len(teams) > 1:
            spoken = next((t.text for t in u.kinds("department") if str(region) in t.values), "")
            return Clarify(
                message_zh=f"{gz.departments[region].name}下有{len(teams)}个销售部门，中位数按部门计算，请问是哪一个？",
                message_en=f"{gz.departments[region].name_en or gz.departments[region].name} has {len(teams)} sales "
                           "departments, each with its own median; which one?",
                options=teams,
                choices=[Choice(label=t, question=u.text.replace(spoken, t, 1) if spoken else f"{t} {u.text}")
                         for t in teams],
            )  # fmt: skip
    if not departments:  # 天津那边的中位数: the sales teams of a city named in the question
        cities = {v.split(":", 1)[1] for t in u.kinds("value") for v in t.values if _is_city(v, gz)}
        departments = [d for d, city in gz.department_city.items()
                       if city in cities and gz.department_kind.get(d) == "sales"]  # fmt: skip
    if u.managers and not departments:
        departments = [d for m in u.managers if (d := gz.employees[m].department_id) is not None]
    months: list[date] = []
    if period.grain != "month" and u.period is not None:
        months = _months_in(period.start, period.end)
    if months and (len(months) > 12 or not concepts & {"median"}):
        a, b = u.period_span or (0, 0)
        return Clarify(
            message_zh="中位数、达标和奖金按自然月计算，请指定一个月份（例如“上个月”）。",
            message_en="Medians, targets and bonuses are monthly; please name one month (e.g. 'last month').",
            options=["本月", "上个月"],
            choices=[
                Choice(label=m, question=u.text[:a] + m + u.text[b:]) for m in ("本月", "上个月")
            ],
        )
    conditions: list[Condition] = [
        c
        for c in (
            "above_median",
            "below_median",
            "not_above_median",
            "met_minimum",
            "missed_minimum",
            "bonus_eligible",
        )  # fmt: skip
        if c in concepts
    ]
    if "bonus_eligible" in conditions and _NEGATED_ELIGIBLE.search(u.text):
        conditions = [c for c in conditions if c != "bonus_eligible"]
        conditions.append("not_bonus_eligible")
    elif "bonus" in concepts and _NEGATED_ELIGIBLE.search(u.text):
        conditions.append("not_bonus_eligible")
    both_ways = [c for c in conditions if OPPOSITE_CONDITION.get(c) in conditions]
    if both_ways and lx.EVERYONE_ASKED.search(u.text):
        # 是不是都达标了？没达标的是谁: one question, the exceptions listed
        conditions = [c for c in conditions if c not in both_ways or c in NEGATIVE_CONDITIONS]
        conditions = [OPPOSITE_CONDITION[c] for c in conditions]
    asked: Literal["everyone", "anyone"] | None = None
    if (
        conditions
        and all(c in OPPOSITE_CONDITION for c in conditions)
        and lx.EVERYONE_ASKED.search(u.text)
        and not employees
    ):
        asked = "everyone"  # did everyone reach it? the answer lists those who did not
        conditions = [OPPOSITE_CONDITION[c] for c in conditions]
    elif conditions and lx.ANYONE_ASKED.search(u.text):
        asked = "anyone"
    order, limit = _limit(u)
    counting = _counts_first(u) and asked is None
    totalling = u.has(lx.TOTAL_WORDS)
    focus = _focus(concepts, conditions, employees, counting, totalling)
    if employees and (any(w in u.rest for w in lx.RANK_WORDS) or "leaderboard" in concepts):
        focus = "rank"
    if u.has(lx.SHARE_WORDS) and conditions:
        focus = "share"
    if "per_head" in concepts:
        focus = "per_head"
    if focus == "rows" and order is None and ("leaderboard" in concepts or limit):
        order = order or "desc"
    having = _comparison(u) if "attainment" in concepts else None
    sort_by: Literal["sales", "bonus", "attainment", "gap_to_median"] = "sales"
    if concepts & {"bonus", "bonus_eligible"}:
        sort_by = "bonus"
    elif "attainment" in concepts:
        sort_by = "attainment"
    elif "gap" in concepts:
        sort_by = "gap_to_median"
    grouped = u.has(lx.GROUP_WORDS) or (
        "department" in u.values_of("dimension") and not departments and not totalling
    )
    if _which_group(u) in ("department", "region") and not employees:
        # 哪个组拿奖金的人最多, which team had the most bonus eligible reps: the groups ranked
        grouped, order, limit = True, order or "desc", 1
        focus = (
            "count" if conditions
            else "total_bonus" if concepts & {"bonus", "bonus_eligible"}
            else "median"
        )  # fmt: skip
    return ToolPlan(
        tool="performance",
        month=months[0] if months else period.start,
        months=months,
        department=departments[0] if len(departments) == 1 else None,
        departments=departments if len(departments) > 1 else [],
        employees=employees,
        grouped=grouped,
        having=having,
        sort_by=sort_by,
        conditions=conditions,
        focus=focus,
        order=order,
        limit=limit,
        period=u.period,
        asked=asked,
        each=_per_person_asked(u),
    )


_VERSUS_PREVIOUS = re.compile(
    r"环比|比上个?月|比前一个?月|比上季度|比上个季度|跟上个?月比|和上个?月比|与上个?月相比|"
    r"month (?:on|over) month|\bmom\b|quarter (?:on|over) quarter|\bqoq\b|than last month|"
    r"(?:vs|versus|compared (?:with|to)) last month"
)
_VERSUS_YEAR = re.compile(
    r"同比|去年同期|比去年|跟去年比|year (?:on|over) year|\byoy\b|same (?:period|month) last year|"
    r"than last year|(?:vs|versus|compared (?:with|to)) last year"
)
_VERSUS_NAMED = re.compile(
    r"比|对比|相比|\bvs\b|versus|compared?|side by side|多卖|少卖|多了|少了|差了|difference|增长|growth|变化"
)
_GROWTH = re.compile(r"增长率|增幅|增速|涨幅|百分之|%|growth|grew|increase|增长|上涨|下降|涨|降")
_DIFFERENCE = re.compile(
    r"多了多少|少了多少|多卖了|少卖了|多多少|少多少|差多少|差了多少|多出|how much more|how much less|"
    r"difference|差额"
)


def _compared(u: Understanding) -> tuple[Literal["previous", "year_ago", "named"] | None, Literal["side_by_side", "difference", "growth"] | None]:  # fmt: skip
    """环比 / 同比 / 8月比7月: which period the question compares with, and what it asks of
    the comparison (both figures, the difference, the growth)."""
    text = u.text
    compare: Literal["previous", "year_ago", "named"] | None = (
        "year_ago" if _VERSUS_YEAR.search(text)
        else "previous" if _VERSUS_PREVIOUS.search(text)
        else "named" if u.also is not None and _VERSUS_NAMED.search(text)
        else None
    )  # fmt: skip
    if compare is None:
        return None, None
    if _DIFFERENCE.search(text):
        return compare, "difference"
    if _GROWTH.search(text) or compare != "named":
        return compare, "growth"
    return None, None  # two periods named side by side: one row each (also)


def _which_group(u: Understanding) -> str | None:
    """The dimension a 'which' word asks about (哪个部门, which team, 哪条产品线), if any."""
    for match in WHICH.finditer(u.text):
        after = next((t for t in u.tags if t.start >= match.end()), None)
        if after is None or after.start - match.end() > 2 or after.kind != "dimension":
            continue
        if after.value != "employee":
            return after.value
    return None


def _is_city(reading: str, gz: Gazetteer) -> bool:
    """Whether a value reading ('<set>:<value>') names a city of some department."""
    return reading.split(":", 1)[1] in set(gz.department_city.values())


def _months_in(start: date, end: date) -> list[date]:
    months, cursor = [], start.replace(day=1)
    while cursor < end:
        months.append(cursor)
        cursor = next_month(cursor)
    return months


def _focus(
    concepts: set[str],
    conditions: list[Condition],
    employees: list[int],
    counting: bool,
    totalling: bool,
) -> Focus:
    if counting and (conditions or not employees):
        return "count"
    if concepts & {"bonus", "bonus_eligible"} and totalling and not employees:
        return "total_bonus"
    if "leaderboard" in concepts and not employees:
        return "leaderboard"
    for concept in ("gap", "attainment", "bonus", "min_target"):
        if concept in concepts and (employees or not conditions):
            return concept
    if "median" in concepts and not conditions and not employees:
        return "median"
    return "rows"


def _counts_first(u: Understanding) -> bool:
    """Whether the question asks how many: a count word before any listing word
    ('number of reps who met...' counts; 'who met it, and how many' lists)."""

    def first(words: tuple[str, ...]) -> int:
        return min((i for w in words if (i := u.text.find(w)) >= 0), default=len(u.text))

    count_at = first(lx.COUNT_WORDS)
    return count_at < len(u.text) and count_at < first(lx.LIST_WORDS)


def _first_number(u: Understanding) -> float | None:
    m = re.search(r"(\d+(?:\.\d+)?)\s*(百万|万|千|k|w|m)?", u.text)
    if not m:
        return None
    return float(m.group(1)) * lx.UNITS.get(m.group(2) or "", 1)


#: What a salesperson may not see of colleagues (RULES.md: only the leaderboard's columns).
_HIDDEN_FOCUS = frozenset({"bonus", "total_bonus", "min_target", "attainment"})
_HIDDEN_CONDITIONS = frozenset(
    {"met_minimum", "missed_minimum", "bonus_eligible", "not_bonus_eligible"}
)


def _colleagues_hidden(plan: ToolPlan, caller: Caller) -> bool:
    """A salesperson asking for colleagues' bonuses, targets or who met them."""
    if caller.role is not Role.SALES or plan.tool != "performance":
        return False
    if caller.employee_id is not None and plan.employees == [caller.employee_id]:
        return False
    return plan.focus in _HIDDEN_FOCUS or bool(set(plan.conditions) & _HIDDEN_CONDITIONS)


#: Words that point at the previous answer's people (among them, 其中, 他们).
_REFERS_BACK = re.compile(
    r"^(?:那|那么|and|so)\b|^那|其中|里面|这些人|那些人|他们|她们|\bof them\b|\bamong them\b|\bthose\b|\bthem\b"
)


def _narrowed(
    previous: ToolPlan,
    fresh: ToolPlan,
    u: Understanding,
    departments: list[int],
    employees: list[int],
) -> ToolPlan:
    """``fresh`` over the previous answer: its month, team and people unless this question
    names its own, and its conditions kept (其中: among those)."""
    update: dict = {"conditions": list(dict.fromkeys([*previous.conditions, *fresh.conditions]))}
    if u.period is None:
        update.update(month=previous.month, months=previous.months, period=previous.period)
    if not departments and not employees:
        update.update(
            department=previous.department,
            departments=previous.departments,
            employees=previous.employees,
            grouped=previous.grouped or fresh.grouped,
        )
    return fresh.model_copy(update=update)


def _is_follow_up(u: Understanding) -> bool:
    content = [t for t in u.tags if t.kind in ("metric", "concept")]
    return (
        not content
        or u.text.startswith(("那", "and", "what about", "how about"))
        and u.text.endswith("呢")
        or (not content and u.text.endswith("呢"))
    )


def _follow_up(
    previous: dict,
    u: Understanding,
    departments: list[int],
    employees: list[int],
    model: SemanticModel,
) -> Plan | None:
    """Reuse the previous turn's slots, replacing those this question names."""
    kind = previous.get("kind")
    if kind == "query":
        prev = QueryPlan.model_validate(previous)
        update: dict = {}
        if u.period is not None:
            update["period"] = u.period
        if departments:
            update["departments"] = departments
            update["employees"] = []
        if employees:
            update["employees"] = employees
        dims = [t.value for t in u.kinds("dimension")]
        if dims:
            update["group_by"] = dims
        values = [t.value for t in u.kinds("value")]
        if values:
            update["values"] = values
        compare, change = _compared(u)
        if compare is not None:  # 同比呢: the same question, compared
            update.update(compare=compare, change=change, versus=u.also, also=None)
        if not update:
            return None
        return prev.model_copy(update=update)
    if kind == "tool":
        prev_tool = ToolPlan.model_validate(previous)
        update = {}
        if u.period is not None:
            update["month"] = u.period.start
            update["period"] = u.period
        if departments:
            update["department"] = departments[0]
            update["employees"] = []
        if employees:
            update["employees"] = employees
        if not update:
            return None
        return prev_tool.model_copy(update=update)
    return None


def _unknown_name_or_refuse(u: Understanding, gz: Gazetteer) -> Plan:
    """A question the plan cannot read: asked back with the closest names when it names
    warehouse things (a metric, a department, a person), refused only when it names none."""
    masked = list(u.text)
    for tag in u.tags:
        masked[tag.start : tag.end] = " " * (tag.end - tag.start)
    for a, b in u.period_spans:
        masked[a:b] = " " * (b - a)
    warehouse_words = [
        t for t in u.tags if t.kind in ("metric", "concept", "bundle", "department", "employee")
    ]
    if not warehouse_words:
        return _refuse("out_of_scope", _OUT_OF_SCOPE_ZH, _OUT_OF_SCOPE_EN)
    return unknown_names(u.text, "".join(masked), u.language, gz)


_OUT_OF_SCOPE_ZH = (
    "这个问题超出了我能回答的范围。我可以回答业绩、目标、奖金、人事、考勤、请假等问题。"
)
_OUT_OF_SCOPE_EN = (
    "That is outside what I can answer. I answer questions about sales, targets, bonuses, people, "
    "attendance and leave."
)
