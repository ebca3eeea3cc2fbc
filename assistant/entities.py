"""Resolving the departments and people a question names: one id each, or a clarification
when a name matches several; team heads (X 的团队) and the asker (我, 我们部门)."""

from __future__ import annotations

import re

from assistant import lexicon as lx
from assistant.gazetteer import Gazetteer, Tag
from assistant.normalize import normalize
from assistant.plan import (
    Choice,
    Clarify,
)
from assistant.reading import (
    Understanding,
)
from schema.caller import Caller, Role


def resolve_entities(
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
        if len(ids) > 1 and not departments and caller.role is Role.MANAGER:
            # 张伟还差多少, asked by 张伟's manager: the one on their team, when only one is
            ours = [i for i in ids if gz.employees[i].department_id in caller.department_ids]
            ids = ours if len(ours) == 1 else ids
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


_REPORTS_TO_ME = re.compile(
    r"(?:reports?|reporting) to me\b|向我汇报|我的直属下属|我的下属|我手下|my direct reports|my reports"
)
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


def shared_name_part(u: Understanding, gz: Gazetteer) -> Clarify | None:
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
