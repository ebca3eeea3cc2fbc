"""The org tree: company -> regions -> sales departments, plus marketing, HR and operations."""

from __future__ import annotations

from dataclasses import dataclass

COMPANY = ("星河科技", "Xinghe Technology", "上海")
EMAIL_DOMAIN = "xinghetech.com"

#: (name, name_en, city) of each region.
REGIONS: tuple[tuple[str, str, str], ...] = (
    ("华东大区", "East China Region", "上海"),
    ("华北大区", "North China Region", "北京"),
    ("华南大区", "South China Region", "深圳"),
    ("西南大区", "Southwest Region", "成都"),
    ("华中大区", "Central China Region", "武汉"),
)

#: The named sales departments (name, name_en, city, region index), in the order scales take them.
SALES_DEPARTMENTS: tuple[tuple[str, str, str, int], ...] = (
    ("华东销售一部", "East China Sales 1", "上海", 0),
    ("华北销售部", "North China Sales", "北京", 1),
    ("华南销售部", "South China Sales", "深圳", 2),
    ("成都销售组", "Chengdu Sales Team", "成都", 3),
    ("华东销售二部", "East China Sales 2", "杭州", 0),
    ("武汉销售部", "Wuhan Sales", "武汉", 4),
    ("重庆销售组", "Chongqing Sales Team", "重庆", 3),
    ("广州销售部", "Guangzhou Sales", "广州", 2),
)

#: Cities that get numbered departments ('南京销售一部') once the named ones run out.
EXTRA_CITIES: tuple[tuple[str, str, int], ...] = (
    ("南京", "Nanjing", 0),
    ("天津", "Tianjin", 1),
    ("厦门", "Xiamen", 2),
    ("昆明", "Kunming", 3),
    ("长沙", "Changsha", 4),
    ("苏州", "Suzhou", 0),
    ("济南", "Jinan", 1),
    ("福州", "Fuzhou", 2),
    ("贵阳", "Guiyang", 3),
    ("郑州", "Zhengzhou", 4),
    ("宁波", "Ningbo", 0),
    ("青岛", "Qingdao", 1),
)
_NUMERALS = "一二三四五六七八九十"

SUPPORT = (
    ("市场部", "Marketing", "上海", "marketing"),
    ("人力资源部", "Human Resources", "上海", "hr"),
    ("运营部", "Operations", "上海", "operations"),
)


@dataclass(frozen=True)
class Department:
    """One row of ``departments``."""

    department_id: int
    name: str
    name_en: str
    parent_id: int | None
    kind: str
    city: str


def sales_department_names(count: int) -> list[tuple[str, str, str, int]]:
    """``count`` sales departments: the named ones first, then numbered ones per city."""
    out = list(SALES_DEPARTMENTS[:count])
    round_no = 0
    while len(out) < count:
        for city, city_en, region in EXTRA_CITIES:
            if len(out) == count:
                break
            out.append(
                (
                    f"{city}销售{_NUMERALS[round_no]}部",
                    f"{city_en} Sales {round_no + 1}",
                    city,
                    region,
                )
            )
        round_no += 1
    return out


def build_departments(sales_count: int) -> list[Department]:
    """The whole tree, parents before children, ids from 1."""
    sales = sales_department_names(sales_count)
    used_regions = sorted({region for *_, region in sales})
    rows = [Department(1, COMPANY[0], COMPANY[1], None, "company", COMPANY[2])]
    region_ids: dict[int, int] = {}
    for region in used_regions:
        name, name_en, city = REGIONS[region]
        region_ids[region] = len(rows) + 1
        rows.append(Department(len(rows) + 1, name, name_en, 1, "region", city))
    for name, name_en, city, region in sales:
        rows.append(Department(len(rows) + 1, name, name_en, region_ids[region], "sales", city))
    for name, name_en, city, kind in SUPPORT:
        rows.append(Department(len(rows) + 1, name, name_en, 1, kind, city))
    return rows
