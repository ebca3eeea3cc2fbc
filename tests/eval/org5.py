"""A warehouse of a fifth organisation for the fifth held-out set (``holdout5.yaml``).

Like ``tests/eval/org4.py``: ``build_org5`` generates a small demo warehouse (seed 89, last
day 2026-06-18) into a scratch file and copies its rows into fresh contract tables as
鲜禾食品 / Xianhe Foods, a food and beverage distributor (HQ 郑州) whose departments are
named by city and channel (苏州商超KA部, 合肥便利店渠道组, 南昌批发二部, 福州团购业务组,
洛阳餐饮渠道组, 温州电商直营部) under 营销区 regions, and whose product lines are
休闲零食 / 饮料 / 速冻食品. People, orders, targets and every other number stay as
generated, and ``kind``/``parent_id`` are kept, so the warehouse still follows the contract
(``schema/contract/schema.sql``) and RULES.md.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.eval.orgs import build_renamed

SEED = 89
END_DATE = date(2026, 6, 18)

# generator's department name -> (name, name_en, city) in Xianhe Foods
DEPARTMENTS: dict[str, tuple[str, str, str]] = {
    "星河科技": ("鲜禾食品", "Xianhe Foods", "郑州"),
    "华东大区": ("苏皖营销区", "Su-Wan Sales Zone", "苏州"),
    "华北大区": ("江西营销区", "Jiangxi Sales Zone", "南昌"),
    "华南大区": ("闽东营销区", "East Fujian Sales Zone", "福州"),
    "西南大区": ("中原营销区", "Central Plains Sales Zone", "洛阳"),
    "华中大区": ("浙南营销区", "South Zhejiang Sales Zone", "温州"),
    "华东销售一部": ("苏州商超KA部", "Suzhou Supermarket KA", "苏州"),
    "华东销售二部": ("合肥便利店渠道组", "Hefei Convenience Channel", "合肥"),
    "华北销售部": ("南昌批发二部", "Nanchang Wholesale 2", "南昌"),
    "华南销售部": ("福州团购业务组", "Fuzhou Group Buying", "福州"),
    "成都销售组": ("洛阳餐饮渠道组", "Luoyang Catering Channel", "洛阳"),
    "武汉销售部": ("温州电商直营部", "Wenzhou E-commerce Direct", "温州"),
    "市场部": ("品牌营销中心", "Brand Marketing", "郑州"),
    "人力资源部": ("人才发展部", "Talent Development", "郑州"),
    "运营部": ("供应链运营中心", "Supply Chain Operations", "郑州"),
}

PRODUCT_LINES: dict[str, str] = {
    "SaaS": "休闲零食",
    "Hardware": "饮料",
    "Services": "速冻食品",
}


def build_org5(path: Path) -> None:
    """Generate the demo warehouse and rewrite it at ``path`` as this organisation (deterministic)."""
    build_renamed(
        path, seed=SEED, end_date=END_DATE, departments=DEPARTMENTS, product_lines=PRODUCT_LINES
    )
