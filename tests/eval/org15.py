"""A warehouse of 江南云织服饰 (Jiangnan Yunzhi Apparel) for a sealed blind held-out set."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.eval.orgs import build_renamed

SEED = 419
END_DATE = date(2026, 11, 19)
DEPARTMENTS: dict[str, tuple[str, str, str]] = {
    "星河科技": ("江南云织服饰", "Jiangnan Yunzhi Apparel", "苏州"),
    "华东大区": ("苏浙沪事业部", "Yangtze Delta Division", "苏州"),
    "华北大区": ("京津冀事业部", "Capital Region Division", "天津"),
    "华南大区": ("闽粤事业部", "Fujian-Guangdong Division", "厦门"),
    "西南大区": ("川渝事业部", "Sichuan-Chongqing Division", "重庆"),
    "华中大区": ("电商直播事业部", "Live Commerce Division", "杭州"),
    "华东销售一部": ("苏州商场专柜组", "Suzhou Mall Counters", "苏州"),
    "华东销售二部": ("无锡加盟店组", "Wuxi Franchise Stores", "无锡"),
    "华北销售部": ("天津团体定制组", "Tianjin Corporate Uniforms", "天津"),
    "华南销售部": ("厦门外贸订单组", "Xiamen Export Orders", "厦门"),
    "成都销售组": ("重庆奥莱组", "Chongqing Outlets", "重庆"),
    "武汉销售部": ("杭州直播间组", "Hangzhou Live Studio", "杭州"),
    "市场部": ("品牌与内容中心", "Brand & Content Centre", "苏州"),
    "人力资源部": ("人事与组织发展部", "People & Organisation", "苏州"),
    "运营部": ("供应链与仓储部", "Supply Chain & Warehousing", "无锡"),
}
PRODUCT_LINES: dict[str, str] = {
    "SaaS": "女装成衣",
    "Hardware": "针织配饰",
    "Services": "定制与改衣服务",
}


def build_org15(path: Path) -> None:
    build_renamed(
        path, seed=SEED, end_date=END_DATE, departments=DEPARTMENTS, product_lines=PRODUCT_LINES
    )
