"""The gazetteer: every phrase the planner recognises, built once at start-up.

Phrases come from the semantic model (metrics, dimensions, values, concepts,
in both languages) and from the warehouse (department names, English names and
abbreviations; employee names and pinyin; product lines). No code lists a
department or a person. :meth:`Gazetteer.tag` finds the longest matches in a
normalised question.

Names spelled in pinyin (``luoyang catering`` for 洛阳餐饮渠道组, ``shanghai`` for a city
value) are added on the first question that has Latin letters in it: only such a
question can match them, and spelling them loads pypinyin's phrase dictionary, which
takes longer than answering a question in Chinese characters.
"""

from __future__ import annotations

import gc
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy import Connection

from assistant.normalize import normalize
from assistant.pinyin import spelled
from schema.semantic import SemanticModel
from schema.warehouse import departments, employees
from schema.warehouse import metadata as warehouse_metadata

T = TypeVar("T")

#: Words that make a department name generic; removing them gives its abbreviations.
_DEPT_GENERIC = ("销售", "营销")
_DEPT_SUFFIXES = (
    "事业部",
    "办事处",
    "部门",
    "中心",
    "团队",
    "大区",
    "小组",
    "部",
    "组",
    "区",
    "队",
    "科",
    "办",
)
_EN_GENERIC = re.compile(
    r"\b(sales|team|department|dept|division|group|bu|business unit|region|area|zone|district"
    r"|center|centre|office|squad|unit|branch|desk|crew)\b"
)

SELF_WORDS = ("我的", "我", "本人", "自己", "my", "me", "mine", "myself", "i")
#: Ways of asking that contain 我 without being about the asker.
ASKING_WORDS = (
    "我们公司",
    "咱们公司",
    "我们集团",
    "our company",
    "我们这",
    "给我看",
    "给我",
    "帮我",
    "告诉我",
    "我想知道",
    "我想看",
    "我要看",
    "让我看",
    "show me",
    "tell me",
    "give me",
    "发我",
    "发给我",
    "给我发",
    "send me",
)
#: Words for the caller's own department.
TEAM_WORDS = ("我们队", "我们中心", "我们办事处", "我们办", "我们事业部", "我们小组", "我们科", "咱们科", "咱们队", "咱们组",
              "咱们中心", "我们大区", "我们片区", "我大区", "我的大区", "我下面", "我的人", "我组里", "我们组里", "我团队里", "我的团队成员", "my people", "my reps",
              "my staff", "my teammates", "我们部门", "我的部门", "我部门", "我团队", "我的团队", "我们团队", "我们组", "我们的团队", "本部门",
              "我们部", "我们销售部", "我所在部门", "我组", "我队", "我队里", "我们队里", "my team", "my department", "our team", "our department",
              "my dept", "my group", "my teams", "my departments", "我们", "咱们", "our", "we")  # fmt: skip


@dataclass(frozen=True)
class Entity:
    """A department or employee from the warehouse, as the planner shows it."""

    id: int
    name: str
    name_en: str | None = None
    department_id: int | None = None
    extra: str | None = None  # employees: department name; departments: kind


@dataclass(frozen=True)
class Tag:
    """One recognised phrase: ``kind`` and the candidates it may mean."""

    start: int
    end: int
    kind: str  # metric | dimension | value | concept | department | employee | self
    values: tuple[str, ...]
    text: str

    @property
    def value(self) -> str:
        return self.values[0]


@dataclass
class Gazetteer:
    """Phrase -> (kind, value) entries, and the warehouse entities behind them."""

    phrases: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    departments: dict[int, Entity] = field(default_factory=dict)
    department_parent: dict[int, int | None] = field(default_factory=dict)
    department_kind: dict[int, str] = field(default_factory=dict)
    department_city: dict[int, str | None] = field(default_factory=dict)
    employees: dict[int, Entity] = field(default_factory=dict)
    #: table -> the latest month it has, for tables posted after the month (payroll)
    latest_month: dict[str, date] = field(default_factory=dict)
    max_len: int = 1
    #: Sources of the phrases spelled in pinyin, each giving (phrase, kind, value); they are
    #: added by :meth:`add_spelled` (on the first question with Latin letters).
    spelled_sources: list[Callable[[], Iterable[tuple[str, str, str]]]] = field(
        default_factory=list
    )
    _spelling: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    #: department id -> its name, normalised (built on first use)
    _names: dict[int, str] | None = field(default=None, repr=False, compare=False)
    #: pinyin -> the vocabulary's Chinese phrases that sound so (built on first use)
    _sounds: dict[str, list[str]] | None = field(default=None, repr=False, compare=False)
    #: English words of the vocabulary (built on first use)
    _latin: frozenset[str] | None = field(default=None, repr=False, compare=False)
    #: Tables derived from the departments and employees, by key (see :meth:`derived`)
    _derived: dict[Hashable, Any] = field(default_factory=dict, repr=False, compare=False)
    _deriving: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def derived(self, key: Hashable, build: Callable[[], T]) -> T:
        """``build()``'s result, built once per gazetteer and ``key``: for tables over every
        department and employee (100,000 names) that a question would otherwise rebuild."""
        with self._deriving:
            if key not in self._derived:
                self._derived[key] = build()
            return cast(T, self._derived[key])

    def department_names(self) -> dict[int, str]:
        """Each department's name, normalised as questions are."""
        if self._names is None:
            self._names = {i: normalize(d.name) for i, d in self.departments.items()}
        return self._names

    def sounding_like(self, text: str) -> list[str]:
        """Vocabulary phrases (metrics, concepts, dimensions, values) pronounced as ``text``
        is (中位树 -> 中位数): for suggestions, never for answering."""
        with self._spelling:
            if self._sounds is None:
                sounds: dict[str, list[str]] = defaultdict(list)
                for phrase, entry in self.phrases.items():
                    if 2 <= len(phrase) <= 6 and _is_han(phrase) and entry.keys() & _VOCABULARY:
                        sounds[spelled(phrase)].append(phrase)
                self._sounds = dict(sounds)
        return [p for p in self._sounds.get(spelled(text), []) if p != text]

    def latin_words(self) -> frozenset[str]:
        """The English words of the vocabulary's phrases (not names), for mending typing
        slips (built on first use)."""
        with self._spelling:
            if self._latin is None:
                self._latin = frozenset(
                    w
                    for phrase, entry in self.phrases.items()
                    if entry.keys() & _VOCABULARY
                    for w in re.findall(r"[a-z]+", phrase)
                )
        return self._latin

    def add(self, phrase: str, kind: str, value: str) -> None:
        key = normalize(phrase)
        if not key:
            return
        entry = self.phrases.get(key)
        if entry is None:
            entry = self.phrases[key] = defaultdict(set)
        entry[kind].add(value)
        if len(key) > self.max_len:
            self.max_len = len(key)

    def add_spelled(self) -> None:
        """Add the phrases spelled in pinyin (once; safe to call from several threads)."""
        with self._spelling:
            if not self.spelled_sources:
                return
            for source in self.spelled_sources:
                for phrase, kind, value in source():
                    self.add(phrase, kind, value)
            _prefer_exact_department_names(self)
            self.spelled_sources = []

    def tag(self, text: str) -> list[Tag]:
        """Longest non-overlapping matches, left to right (text already normalised)."""
        if self.spelled_sources and _LATIN.search(text):
            self.add_spelled()
        found: list[Tag] = []
        n = len(text)
        for i in range(n):
            for length in range(min(self.max_len, n - i), 0, -1):
                piece = text[i : i + length]
                entry = self.phrases.get(piece)
                if entry is None:
                    continue
                end = i + length
                if not _word_bounded(text, i, end):
                    end = _plural_end(text, end) if length >= 3 else 0  # refund amounts
                    if not end or not _word_bounded(text, i, end):
                        continue
                for kind, values in entry.items():
                    found.append(Tag(i, end, kind, tuple(sorted(values)), text[i:end]))
                break
        found.sort(key=lambda t: (-(t.end - t.start), t.start, _KIND_ORDER.get(t.kind, 9)))
        chosen: list[Tag] = []
        taken: set[int] = set()
        for tag in found:
            span = set(range(tag.start, tag.end))
            if span & taken and not any((c.start, c.end) == (tag.start, tag.end) for c in chosen):
                continue
            chosen.append(tag)
            taken |= span
        return sorted(chosen, key=lambda t: (t.start, _KIND_ORDER.get(t.kind, 9)))

    def subtree(self, department_id: int) -> list[int]:
        """The department and every department below it."""
        children: dict[int | None, list[int]] = defaultdict(list)
        for child, parent in self.department_parent.items():
            children[parent].append(child)
        out, stack = [], [department_id]
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(children.get(current, []))
        return sorted(out)


_LATIN = re.compile(r"[a-z]")

#: Kinds of the semantic model's vocabulary (not names of departments or people).
_VOCABULARY = frozenset({"metric", "concept", "dimension", "bundle", "value"})

_KIND_ORDER = {"employee": 0, "department": 1, "concept": 2, "bundle": 3, "metric": 3, "value": 4,
               "dimension": 5, "self": 6}  # fmt: skip


def _plural_end(text: str, end: int) -> int:
    """Where an English plural ending 's' or 'es' right after ``end`` stops; 0 if none."""
    for ending in ("s", "es"):
        if text.startswith(ending, end) and text[end - 1].isascii() and text[end - 1].isalpha():
            return end + len(ending)
    return 0


def _word_bounded(text: str, start: int, end: int) -> bool:
    """Latin phrases must not start or end inside a Latin word."""

    def latin(ch: str) -> bool:
        return ch.isascii() and ch.isalnum()

    if latin(text[start]) and start > 0 and latin(text[start - 1]):
        return False
    return not (latin(text[end - 1]) and end < len(text) and latin(text[end]))


def department_aliases(name: str, name_en: str | None, city: str | None = None) -> set[str]:
    """The names a department is called by: full names and clear abbreviations.

    华东销售一部 -> 华东一部; 成都销售组 -> 成都组, 成都; 北京大客户部 (city 北京) -> 大客户部,
    北京KA (initials of "Key Accounts"); 东部区 -> 东区; English names without generic words.
    Abbreviations two departments share are resolved (or clarified) by the planner.
    """
    return written_aliases(name, name_en, city) | city_spelled_aliases(name_en, city)


def written_aliases(name: str, name_en: str | None, city: str | None = None) -> set[str]:
    """The aliases of :func:`department_aliases` that need no pinyin."""
    aliases = {name}
    core = name
    for word in _DEPT_GENERIC:
        core = core.replace(word, "")
    if len(core) >= 2:
        aliases.add(core)
    stem = core
    for suffix in _DEPT_SUFFIXES:
        if stem.endswith(suffix) and len(stem) - len(suffix) >= 2:
            stem = stem[: -len(suffix)]
            break
    if len(stem) >= 2 and not stem[-1].isdigit() and stem[-1] not in _NUMERALS:
        aliases.update({stem, stem + "组", stem + "部", stem + "团队", stem + "队"})
    aliases |= word_initials(name)
    if name.endswith("部区") and len(name) >= 3:  # 东部区 -> 东区
        aliases.add(name[:-2] + "区")
    for alias in list(aliases):
        numbered = re.fullmatch(r"(.*?)([一二三四五六七八九十])(部|组|队|团队)?", alias)
        if numbered:
            digit = str("一二三四五六七八九十".index(numbered.group(2)) + 1)
            aliases.add(numbered.group(1) + digit + (numbered.group(3) or ""))
            if numbered.group(1).isascii() and numbered.group(1):  # KA一部 -> KA1
                aliases.add(numbered.group(1) + digit)
    # The place the name starts with: its city, or two characters naming a place that is
    # not the city (广佛直营一队 in 佛山: 广佛), when what follows is distinctive.
    place = city if city and name.startswith(city) else name[:2] if _is_han(name[:2]) else ""
    rest = name[len(place) :] if place and len(name) >= len(place) + 3 else ""
    if place and name.endswith("办事处"):  # 兰州经销商办事处 -> 兰州办
        aliases.update({f"{place}办", f"{place}办事处"})
    if place and rest and name[-1] in "组队部科" and len(name) >= len(place) + 3:
        aliases.add(f"{place}{name[-1]}")  # 哈尔滨县域市场队 -> 哈尔滨队, 线上直营组 -> 线上组
    distinctive = rest
    for word in (*_DEPT_GENERIC, *_DEPT_SUFFIXES):
        distinctive = distinctive.replace(word, "")
    if len(distinctive) >= 2 and any(
        ch not in _NUMERALS for ch in distinctive
    ):  # 大客户部, 渠道二组, 直销中心, 二手车事业部 (not 一组, 销售组)
        aliases.update({rest, f"{place}{rest[:2]}"})  # and 深圳直销, 广州电销
        for size in (2, 3):  # 合肥便利店渠道组 -> 合肥便利店组; 广州天河门店组 -> 天河组
            head = rest[:size]
            if len(rest) > size + 1 and _is_han(head) and not any(g in head for g in _DEPT_GENERIC):
                aliases.update({f"{place}{head}", f"{place}{head}组", f"{place}{head}部"})
                aliases.update({f"{head}组", f"{head}部"} if size == 2 else set())
        for acronym in re.findall(r"[A-Za-z]{2,}", rest):  # 苏州商超KA部 -> 苏州KA, KA部, KA组
            aliases.update({f"{place}{acronym}", f"{acronym}组", f"{acronym}部", f"{acronym}团队"})
        tail = rest[-3:]  # 洛阳餐饮渠道组 -> 渠道组 (shared by two teams: the planner asks which)
        if (
            len(rest) >= 5 and tail[-1] in "组部" and _is_han(tail)
            and tail[:2] not in (*_DEPT_GENERIC, "业务", "管理", "综合", "市场")
            and not any(ch in _NUMERALS for ch in tail)
        ):  # fmt: skip
            aliases.add(tail)
    if name_en:
        en = re.sub(r"[-'’]", lambda m: " " if m.group(0) == "-" else "", name_en.lower())
        aliases.update({name_en.lower(), en})
        words = [w for w in en.split() if not _EN_GENERIC.fullmatch(w)]
        # livestream team (Livestream Commerce Team): one distinctive word and "team"
        aliases.update(f"{w} team" for w in words if len(w) >= 4 and not w.isdigit())
        for size in range(2, len(words) + 1):  # beijing tianjin channel, harbin county
            for i in range(len(words) - size + 1):
                run = " ".join(words[i : i + size])
                aliases.update({run, f"{run} team", run.removesuffix("s")})
        short = _EN_GENERIC.sub(" ", en)
        short = re.sub(r"\s+", " ", short).strip()
        if len(short) >= 3:
            aliases.update({short, short + " team"})
        unnumbered = re.sub(
            r"\s+(?:\d+|i{1,3}|iv|v)$", "", en
        )  # East China Sales 1 -> east china sales
        if unnumbered != en and len(unnumbered) >= 3:
            aliases.add(unnumbered)
            aliases.add(re.sub(r"\s+", " ", _EN_GENERIC.sub(" ", unnumbered)).strip())
    return aliases


def city_spelled_aliases(name_en: str | None, city: str | None) -> set[str]:
    """Short English names of a department whose English name starts with its city in
    pinyin: Luoyang Catering Channel -> luoyang catering, luoyang channel; Beijing Key
    Accounts -> 北京ka, beijing ka. Every one has Latin letters (see the module's docs)."""
    if not name_en or not city:
        return set()
    en = re.sub(r"[-'’]", lambda m: " " if m.group(0) == "-" else "", name_en.lower())
    named = en.split()
    words = [
        w for w in re.findall(r"[a-z]+", en) if w not in ("sales", "team", "department", "dept")
    ]
    if len(named) < 3 and len(words) < 3:
        return set()
    aliases: set[str] = set()
    city_spelled = spelled(city)
    if len(named) >= 3 and named[0] == city_spelled:
        # Luoyang Catering Channel -> luoyang catering; Suzhou Supermarket KA -> suzhou ka
        aliases.update({" ".join(named[:2]), f"{named[0]} {named[-1]}"})
    if len(words) >= 3 and words[0] == city_spelled:  # Beijing Key Accounts -> 北京ka
        initials = "".join(w[0] for w in words[1:])
        aliases.update({city + initials, f"{words[0]} {initials}"})
    return aliases


def word_initials(name: str) -> set[str]:
    """客户服务中心 -> 客服中心, 人力资源部 -> 人资部: the first characters of a name's two words."""
    for suffix in ("中心", "部"):
        words = name.removesuffix(suffix)
        if words != name and len(words) == 4 and _is_han(words):
            return {words[0] + words[2] + suffix}
    return set()


_NUMERALS = "一二三四五六七八九十0123456789"


def _is_han(text: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)


def build_gazetteer(model: SemanticModel, conn: Connection) -> Gazetteer:
    """Build the gazetteer from the semantic model and the warehouse's entities.

    The cyclic garbage collector is paused while it builds: the build makes a few hundred
    thousand small dicts and sets (three phrases per employee) and no cycles, and each
    collection would walk all of them again (a quarter of the time with 100,000 names).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(model, conn)
    finally:
        if enabled:
            gc.enable()


def _build(model: SemanticModel, conn: Connection) -> Gazetteer:
    gz = Gazetteer()
    for name, metric in model.metrics.items():
        for phrase in metric.phrases():
            gz.add(phrase, "metric", name)
    for name, dim in model.dimensions.items():
        for phrase in dim.phrases():
            gz.add(phrase, "dimension", name)
    for name, bundle in model.bundles.items():
        for phrase in bundle.synonyms:
            gz.add(phrase, "bundle", name)
    for concept, phrases in model.concepts.items():
        for phrase in phrases:
            gz.add(phrase, "concept", concept)
    for index, value_set in enumerate(model.values):
        for value, words in value_set.values.items():
            for word in words:
                gz.add(word, "value", f"{index}:{value}")
        if value_set.source:
            table_name, column_name = value_set.source.split(".", 1)
            column = warehouse_metadata.tables[table_name].columns[column_name]
            found = [str(v) for (v,) in conn.execute(sa.select(column).distinct()) if v]
            for value in found:
                gz.add(value, "value", f"{index}:{value}")
            gz.spelled_sources.append(partial(_spelled_values, index, found))
    for table_name, links in model.facts.items():
        if links.latest:
            column = warehouse_metadata.tables[table_name].columns[links.latest]
            latest = conn.execute(sa.select(sa.func.max(column))).scalar()
            if latest is not None:
                gz.latest_month[table_name] = _as_date(latest)
    for word in SELF_WORDS:
        gz.add(word, "self", "me")
    for word in ASKING_WORDS:
        gz.add(word, "filler", "asking")
    for word in TEAM_WORDS:
        gz.add(word, "self", "team")
    for n in range(2, 10):  # a head of several teams: 我两个组 (normalised 我2个组), my 2 teams
        for word in (f"我{n}个组", f"我的{n}个组", f"我{n}个团队", f"我的{n}个团队", f"我下面{n}个组",
                     f"我下面的{n}个组", f"my {n} teams", f"our {n} teams"):  # fmt: skip
            gz.add(word, "self", "team")

    d = departments
    for row in conn.execute(
        sa.select(d.c.department_id, d.c.name, d.c.name_en, d.c.parent_id, d.c.kind, d.c.city)
    ):
        gz.departments[row.department_id] = Entity(
            row.department_id, row.name, row.name_en, row.department_id, row.kind
        )
        gz.department_parent[row.department_id] = row.parent_id
        gz.department_kind[row.department_id] = row.kind
        gz.department_city[row.department_id] = row.city
        if row.kind in ("sales", "region"):
            gz.spelled_sources.append(
                partial(_spelled_department, row.department_id, row.name_en, row.city)
            )
        aliases = (
            written_aliases(row.name, row.name_en, row.city)
            if row.kind in ("sales", "region")
            else {
                row.name,
                *word_initials(row.name),
                *([row.name_en.lower()] if row.name_en else []),
            }
        )
        for alias in aliases:
            gz.add(alias, "department", str(row.department_id))
        for word in model.department_kinds.get(row.kind, ()):
            gz.add(word, "department", str(row.department_id))
    _prefer_exact_department_names(gz)

    e = employees
    people = conn.execute(sa.select(e.c.employee_id, e.c.name, e.c.name_en, e.c.department_id))
    for employee_id, name, name_en, department_id in people:
        dept = gz.departments.get(department_id)
        gz.employees[employee_id] = Entity(
            employee_id, name, name_en, department_id, dept.name if dept else None
        )
        value = str(employee_id)
        gz.add(name, "employee", value)
        if name_en:
            gz.add(name_en, "employee", value)
            gz.add(name_en.replace(" ", ""), "employee", value)
    return gz


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _spelled_values(index: int, values: list[str]) -> Iterable[tuple[str, str, str]]:
    """A value set's warehouse values in pinyin (上海 -> shanghai)."""
    for value in values:
        if (text := spelled(value)) != value:
            yield text, "value", f"{index}:{value}"


def _spelled_department(
    department_id: int, name_en: str | None, city: str | None
) -> Iterable[tuple[str, str, str]]:
    for alias in city_spelled_aliases(name_en, city):
        yield alias, "department", str(department_id)


def _prefer_exact_department_names(gz: Gazetteer) -> None:
    """A phrase that is some department's full name means that department only."""
    for entity in gz.departments.values():
        for full in (entity.name, entity.name_en):
            if not full:
                continue
            entry = gz.phrases.get(normalize(full))
            if entry and len(entry.get("department", ())) > 1:
                entry["department"] = {str(entity.id)}
