"""Department names shortened by dropping characters: 厦门精英队 for 厦门寿险精英队,
北京内训办 for 北京企业内训办事处.

The gazetteer knows the abbreviations a rule can foresee (华东一部, 成都组); people also
drop words from the middle of a name. A span of the question that starts like a
department's name (its first two characters) and whose characters all appear in that
name, in order, is read as that department; when it fits several, all are candidates
and the planner asks which. Only spans of at least four Chinese characters count, and
only when the tags they replace lie wholly inside them (a name a person has, or a phrase
running past the span, is never cut), so 华东销售额 stays 华东 + 销售额.
"""

from __future__ import annotations

from assistant.gazetteer import Gazetteer, Tag

#: Characters an abbreviation must have: two of place and at least two more.
MIN_CHARS = 4


def with_abbreviations(text: str, tags: list[Tag], gz: Gazetteer) -> list[Tag]:
    """``tags`` with department abbreviations of ``text`` added (replacing the shorter
    tags they contain)."""
    names = gz.department_names()
    heads = {name[:2] for name in names.values()}
    longest = max((len(n) for n in names.values()), default=0)
    out = list(tags)
    i = 0
    while i <= len(text) - MIN_CHARS:
        found = _abbreviation_at(text, i, out, names, longest) if text[i : i + 2] in heads else None
        if found is None:
            i += 1
            continue
        out = [t for t in out if not (found.start <= t.start and t.end <= found.end)]
        out.append(found)
        i = found.end
    return sorted(out, key=lambda t: t.start)  # stable: same-span tags keep their order


def _abbreviation_at(
    text: str, i: int, tags: list[Tag], names: dict[int, str], longest: int
) -> Tag | None:
    head = text[i : i + 2]
    if not _is_han(head):
        return None
    candidates = [d for d, name in names.items() if name.startswith(head)]
    if not candidates:
        return None
    for j in range(min(len(text), i + longest), i + MIN_CHARS - 1, -1):
        span = text[i:j]
        if not _is_han(span):
            continue
        ids = [d for d in candidates if _in_order(span, names[d])]
        if not ids or any(span == names[d] for d in ids):
            continue
        touching = [t for t in tags if t.start < j and t.end > i]
        if any(t.start < i or t.end > j or t.kind == "employee" for t in touching):
            continue
        if any(t.kind == "department" and (t.start, t.end) == (i, j) for t in touching):
            return None  # the gazetteer already knows this name
        return Tag(i, j, "department", tuple(sorted(str(d) for d in ids)), span)
    return None


def _in_order(short: str, name: str) -> bool:
    """Whether every character of ``short`` appears in ``name``, in order."""
    rest = iter(name)
    return all(ch in rest for ch in short)


def _is_han(text: str) -> bool:
    return bool(text) and all("\u4e00" <= ch <= "\u9fff" for ch in text)
