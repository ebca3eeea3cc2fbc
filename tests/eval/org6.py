"""A warehouse of a sixth organisation for the sixth held-out set (``holdout6.yaml``).

Like ``tests/eval/org5.py``: ``build_org6`` generates a small demo warehouse (seed 101, last
day 2026-04-27) into a scratch file and copies its rows into fresh contract tables as
鲁通汽车 / Lutong Auto, a car-dealer group in Shandong (HQ 济南) whose departments are
named by city and line of business (青岛新车零售一科, 烟台大客户中心, 淄博二手车事业部,
临沂汽车金融科, 济宁置换业务组, 德州网销直播组) under 大区 regions of the province, and
whose product lines are 整车 / 精品配件 / 延保服务. People, orders, targets and every other
number stay as generated, and ``kind``/``parent_id`` are kept, so the warehouse still
follows the contract (``schema/contract/schema.sql``) and RULES.md.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.eval.orgs import build_renamed

SEED = 101
END_DATE = date(2026, 4, 27)

# generator's department name -> (name, name_en, city) in Lutong Auto
DEPARTMENTS: dict[str, tuple[str, str, str]] = {
    "星河科技": ("鲁通汽车", "Lutong Auto", "济南"),
    "华东大区": ("胶东大区", "Jiaodong Region", "青岛"),
    "华北大区": ("鲁中大区", "Central Shandong Region", "淄博"),
    "华南大区": ("鲁南大区", "South Shandong Region", "临沂"),
    "西南大区": ("鲁西大区", "West Shandong Region", "济宁"),
    "华中大区": ("鲁北大区", "North Shandong Region", "德州"),
    "华东销售一部": ("青岛新车零售一科", "Qingdao New Car Retail 1", "青岛"),
    "华东销售二部": ("烟台大客户中心", "Yantai Fleet Accounts Center", "烟台"),
    "华北销售部": ("淄博二手车事业部", "Zibo Used Car BU", "淄博"),
    "华南销售部": ("临沂汽车金融科", "Linyi Auto Finance Desk", "临沂"),
    "成都销售组": ("济宁置换业务组", "Jining Trade-in Team", "济宁"),
    "武汉销售部": ("德州网销直播组", "Dezhou Online & Livestream", "德州"),
    "市场部": ("品牌企划部", "Brand Planning", "济南"),
    "人力资源部": ("人力资源共享中心", "HR Shared Service Center", "济南"),
    "运营部": ("客户服务中心", "Customer Care Center", "济南"),
}

PRODUCT_LINES: dict[str, str] = {
    "SaaS": "整车",
    "Hardware": "精品配件",
    "Services": "延保服务",
}


def build_org6(path: Path) -> None:
    """Generate the demo warehouse and rewrite it at ``path`` as this organisation (deterministic)."""
    build_renamed(
        path, seed=SEED, end_date=END_DATE, departments=DEPARTMENTS, product_lines=PRODUCT_LINES
    )
