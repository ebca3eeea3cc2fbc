"""A warehouse of an eighth organisation for the eighth held-out set (``holdout8.yaml``).

澜庭家电 (Lanting Appliances) is a home-appliance maker headquartered in 佛山 (Foshan) that
sells to distributors, developers and online platforms. Its five sales regions (长三角大区,
北方大区, 华南片区, 川渝片区, 中部大区) each hold sales teams named by city and channel, with
varied suffixes: 上海大客户部 (key accounts), 杭州线上 (the online/e-commerce team, whose
name ends in 上 so "杭州线上上个月" reads two ways), 京津渠道事业部 and 成都渠道拓展队 (two
distributor-channel teams, so "渠道" alone is ambiguous), 华南直营中心 (direct sales) and
武汉工程销售组 (project sales to property developers). Support functions sit at HQ:
品牌市场部, 人力行政中心 and 供应链运营部. Product lines are 空调 (air conditioners), 厨电
(kitchen appliances) and 安装维保 (installation and maintenance service).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.eval.orgs import build_renamed

SEED = 131
END_DATE = date(2026, 9, 10)

# generator's department name -> (name, name_en, city) in Lanting Appliances
DEPARTMENTS: dict[str, tuple[str, str, str]] = {
    "星河科技": ("澜庭家电", "Lanting Appliances", "佛山"),
    # regions
    "华东大区": ("长三角大区", "Yangtze Delta Region", "上海"),
    "华北大区": ("北方大区", "Northern Region", "北京"),
    "华南大区": ("华南片区", "South China Area", "广州"),
    "西南大区": ("川渝片区", "Southwest Area", "成都"),
    "华中大区": ("中部大区", "Central Region", "武汉"),
    # sales teams
    "华东销售一部": ("上海大客户部", "Shanghai Key Accounts", "上海"),
    "华东销售二部": ("杭州线上", "Hangzhou Online", "杭州"),
    "华北销售部": ("京津渠道事业部", "Beijing-Tianjin Channel BU", "天津"),
    "华南销售部": ("华南直营中心", "South China Direct Sales Center", "广州"),
    "成都销售组": ("成都渠道拓展队", "Chengdu Channel Expansion Squad", "成都"),
    "武汉销售部": ("武汉工程销售组", "Wuhan Project Sales Team", "武汉"),
    # support
    "市场部": ("品牌市场部", "Brand Marketing", "佛山"),
    "人力资源部": ("人力行政中心", "HR & Admin Center", "佛山"),
    "运营部": ("供应链运营部", "Supply Chain Operations", "佛山"),
}

PRODUCT_LINES: dict[str, str] = {"SaaS": "空调", "Hardware": "厨电", "Services": "安装维保"}


def build_org8(path: Path) -> None:
    """Generate the demo warehouse and rewrite it at ``path`` as this organisation (deterministic)."""
    build_renamed(
        path, seed=SEED, end_date=END_DATE, departments=DEPARTMENTS, product_lines=PRODUCT_LINES
    )
