"""A warehouse of a seventh organisation for the seventh held-out set (``holdout7.yaml``).

Like ``tests/eval/org6.py``: ``build_org7`` generates a small demo warehouse (seed 113, last
day 2026-07-31) into a scratch file and copies its rows into fresh contract tables as
悦肤美妆 / Yuefu Beauty, a cosmetics company in Guangdong (HQ 广州) whose sales teams are
named by city and way of selling (广佛直营一队, 广州天河门店组, 东莞加盟拓展部, 珠海门店二组,
汕头经销商组, 惠州社群运营小组) under 片区 regions of the province, and whose product lines
are 护肤 / 彩妆 / 美容护理. People, orders, targets and every other number stay as generated,
and ``kind``/``parent_id`` are kept, so the warehouse still follows the contract
(``schema/contract/schema.sql``) and RULES.md.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.eval.orgs import build_renamed

SEED = 113
END_DATE = date(2026, 7, 31)

# generator's department name -> (name, name_en, city) in Yuefu Beauty
DEPARTMENTS: dict[str, tuple[str, str, str]] = {
    "星河科技": ("悦肤美妆", "Yuefu Beauty", "广州"),
    "华东大区": ("广佛片区", "Guangzhou-Foshan Area", "广州"),
    "华北大区": ("东莞片区", "Dongguan Area", "东莞"),
    "华南大区": ("珠海片区", "Zhuhai Area", "珠海"),
    "西南大区": ("粤东片区", "East Guangdong Area", "汕头"),
    "华中大区": ("惠州片区", "Huizhou Area", "惠州"),
    "华东销售一部": ("广佛直营一队", "Guangfo Direct Team 1", "佛山"),
    "华东销售二部": ("广州天河门店组", "Guangzhou Tianhe Stores", "广州"),
    "华北销售部": ("东莞加盟拓展部", "Dongguan Franchise Expansion", "东莞"),
    "华南销售部": ("珠海门店二组", "Zhuhai Stores Team 2", "珠海"),
    "成都销售组": ("汕头经销商组", "Shantou Distributors", "汕头"),
    "武汉销售部": ("惠州社群运营小组", "Huizhou Community Sales", "惠州"),
    "市场部": ("数字营销中心", "Digital Marketing Center", "广州"),
    "人力资源部": ("人力与组织部", "People & Organization", "广州"),
    "运营部": ("仓储物流部", "Warehousing & Logistics", "广州"),
}

PRODUCT_LINES: dict[str, str] = {
    "SaaS": "护肤",
    "Hardware": "彩妆",
    "Services": "美容护理",
}


def build_org7(path: Path) -> None:
    """Generate the demo warehouse and rewrite it at ``path`` as this organisation (deterministic)."""
    build_renamed(
        path, seed=SEED, end_date=END_DATE, departments=DEPARTMENTS, product_lines=PRODUCT_LINES
    )
