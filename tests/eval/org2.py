"""A warehouse of another organisation for the second held-out set (``holdout2.yaml``).

The demo generator always names its departments the same way (华东销售一部, 华北销售部, ...).
``build_org2`` generates a small demo warehouse (seed 41, last day 2026-08-31) and then
rewrites it into 云帆集团 / Yunfan Group: every department gets another name, English name
and city in another naming style, and the product lines are renamed. People, orders,
targets and every other number stay as generated, and ``kind``/``parent_id`` are kept, so
the warehouse still follows the contract (``schema/contract/schema.sql``) and RULES.md.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.eval.orgs import build_renamed

SEED = 41
END_DATE = date(2026, 8, 31)

# generator's department name -> (name, name_en, city) in Yunfan Group
DEPARTMENTS: dict[str, tuple[str, str, str]] = {
    "星河科技": ("云帆集团", "Yunfan Group", "杭州"),
    "华东大区": ("东部区", "East Region", "上海"),
    "华北大区": ("北方区", "North Region", "北京"),
    "华南大区": ("南方区", "South Region", "深圳"),
    "西南大区": ("西部区", "West Region", "西安"),
    "华中大区": ("电销事业部", "Telesales Division", "广州"),
    "华东销售一部": ("上海渠道二组", "Shanghai Channel Team 2", "上海"),
    "华北销售部": ("北京大客户部", "Beijing Key Accounts", "北京"),
    "华南销售部": ("深圳直销中心", "Shenzhen Direct Sales", "深圳"),
    "成都销售组": ("西安销售三部", "Xi'an Sales 3", "西安"),
    "华东销售二部": ("杭州一组", "Hangzhou Team 1", "杭州"),
    "武汉销售部": ("广州电销组", "Guangzhou Telesales", "广州"),
    "市场部": ("品牌市场中心", "Brand & Marketing", "杭州"),
    "人力资源部": ("人事行政部", "HR & Admin", "杭州"),
    "运营部": ("运营支持部", "Operations Support", "杭州"),
}

PRODUCT_LINES: dict[str, str] = {
    "SaaS": "云服务",
    "Hardware": "智能终端",
    "Services": "实施服务",
}


def build_org2(path: Path) -> None:
    """Generate the demo warehouse and rewrite it at ``path`` as this organisation (deterministic)."""
    build_renamed(
        path, seed=SEED, end_date=END_DATE, departments=DEPARTMENTS, product_lines=PRODUCT_LINES
    )
