"""Chinese personal and company names, their pinyin, and WeCom user ids.

The pools avoid characters whose name reading differs from the common one (单, 曾, 乐 ...),
so the pinyin ``name_en`` is always the one a person would write.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭肖田董袁潘"
    "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江"
)
# Rough frequency: the first surnames are far more common.
_SURNAME_WEIGHTS = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.8

GIVEN_MALE = "伟强磊军勇杰涛明超鹏浩宇俊峰辉鑫斌宁凯帅刚飞建文博志浩然子轩晨阳天佑振宏"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞婷雪琳颖慧璐倩洁玲燕欣怡悦佳萍晶琪月红梅梓涵雨萱诗晴"

COMPANY_WORDS = (
    "瑞丰",
    "华信",
    "鼎盛",
    "恒通",
    "嘉和",
    "宏远",
    "启明",
    "众诚",
    "天成",
    "博雅",
    "汇智",
    "万达",
    "金鹏",
    "新元",
    "东升",
    "安泰",
    "永辉",
    "德信",
    "盛华",
    "联创",
)
COMPANY_TRADES = (
    "贸易",
    "科技",
    "电子",
    "物流",
    "餐饮",
    "医疗器械",
    "教育",
    "制造",
    "建材",
    "文化传媒",
)

#: (name, gender) pairs given to more than one person on purpose, so that
#: questions about "张伟" need disambiguation. Values: how many people share it.
SHARED_NAMES: tuple[tuple[str, str, int], ...] = (
    ("张伟", "M", 3),
    ("王芳", "F", 2),
    ("李娜", "F", 2),
    ("刘洋", "M", 2),
)


def person_names(rng: np.random.Generator, genders: Iterable[str]) -> list[str]:
    """A random Chinese name (surname + one or two given characters) per gender."""
    out: list[str] = []
    weights = _SURNAME_WEIGHTS / _SURNAME_WEIGHTS.sum()
    for gender in genders:
        surname = SURNAMES[int(rng.choice(len(SURNAMES), p=weights))]
        pool = GIVEN_MALE if gender == "M" else GIVEN_FEMALE
        length = 1 if rng.random() < 0.45 else 2
        given = "".join(pool[int(k)] for k in rng.integers(0, len(pool), length))
        out.append(surname + given)
    return out


class Romaniser:
    """Pinyin of names, cached per name (pypinyin is imported on first use)."""

    def __init__(self) -> None:
        from pypinyin import lazy_pinyin

        self._lazy_pinyin = lazy_pinyin
        self._cache: dict[str, list[str]] = {}

    def syllables(self, name: str) -> list[str]:
        if name not in self._cache:
            self._cache[name] = self._lazy_pinyin(name, v_to_u=True)
        return self._cache[name]

    def english(self, name: str) -> str:
        """'张晓明' -> 'Zhang Xiaoming'."""
        first, *rest = self.syllables(name)
        return f"{first.capitalize()} {''.join(rest).capitalize()}".strip()

    def userid(self, name: str) -> str:
        """'张晓明' -> 'zhangxiaoming' (ASCII: ü is written v)."""
        return "".join(self.syllables(name)).replace("ü", "v")


def unique_userids(bases: list[str]) -> list[str]:
    """Make ids unique in order: zhangwei, zhangwei2, zhangwei3, ..."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for base in bases:
        count = seen.get(base, 0) + 1
        seen[base] = count
        out.append(base if count == 1 else f"{base}{count}")
    return out


def company_names(rng: np.random.Generator, cities: np.ndarray) -> np.ndarray:
    """Company names such as '上海瑞丰贸易有限公司' for an array of city names."""
    words = np.array(COMPANY_WORDS, dtype=object)[rng.integers(0, len(COMPANY_WORDS), len(cities))]
    trades = np.array(COMPANY_TRADES, dtype=object)[
        rng.integers(0, len(COMPANY_TRADES), len(cities))
    ]
    return cities.astype(object) + words + trades + "有限公司"
