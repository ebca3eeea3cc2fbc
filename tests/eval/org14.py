"""A warehouse of 齐鲁鲜达食品 (Qilu Xianda Foods) for a sealed blind held-out set."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.eval.orgs import build_renamed

SEED = 307
END_DATE = date(2026, 10, 13)
DEPARTMENTS: dict[str, tuple[str, str, str]] = {
    "星河科技": ("齐鲁鲜达食品", "Qilu Xianda Foods", "济南"),
    "华东大区": ("山东本部", "Shandong Home Region", "济南"),
    "华北大区": ("西北战区", "Northwest Region", "西安"),
    "华南大区": ("华中战区", "Central Region", "长沙"),
    "西南大区": ("西南战区", "Southwest Region", "昆明"),
    "华中大区": ("社区团购与即时零售部", "Community & Instant Retail", "合肥"),
    "华东销售一部": ("济南商超KA组", "Jinan Key Accounts", "济南"),
    "华东销售二部": ("青岛餐饮渠道组", "Qingdao Foodservice", "青岛"),
    "华北销售部": ("西安批发流通组", "Xi'an Wholesale", "西安"),
    "华南销售部": ("长沙便利店组", "Changsha Convenience Stores", "长沙"),
    "成都销售组": ("昆明特通渠道组", "Kunming Special Channels", "昆明"),
    "武汉销售部": ("合肥社群团购组", "Hefei Group Buying", "合肥"),
    "市场部": ("品牌推广中心", "Brand Promotion Centre", "济南"),
    "人力资源部": ("人力行政服务部", "HR & Admin Services", "济南"),
    "运营部": ("冷链仓配部", "Cold-Chain Warehousing", "青岛"),
}
PRODUCT_LINES: dict[str, str] = {
    "SaaS": "低温乳品",
    "Hardware": "烘焙零食",
    "Services": "冷链配送服务",
}


def build_org14(path: Path) -> None:
    build_renamed(
        path, seed=SEED, end_date=END_DATE, departments=DEPARTMENTS, product_lines=PRODUCT_LINES
    )
