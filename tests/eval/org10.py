"""A warehouse of 汇安保险经纪 (Huian Insurance Brokers) for a sealed blind held-out set."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.eval.orgs import build_renamed

SEED = 173
END_DATE = date(2026, 11, 20)

DEPARTMENTS: dict[str, tuple[str, str, str]] = {
    "星河科技": ("汇安保险经纪", "Huian Insurance Brokers", "宁波"),
    "华东大区": ("浙东分公司", "Zhejiang East Branch", "宁波"),
    "华北大区": ("辽东分公司", "Liaodong Branch", "大连"),
    "华南大区": ("闽南分公司", "Minnan Branch", "厦门"),
    "西南大区": ("中原分公司", "Central Plains Branch", "郑州"),
    "华中大区": ("荆楚分公司", "Jingchu Branch", "武汉"),
    "华东销售一部": ("宁波寿险营业部", "Ningbo Life Agency", "宁波"),
    "华东销售二部": ("温州财富管理中心", "Wenzhou Wealth Management Centre", "温州"),
    "华北销售部": ("大连团险事业部", "Dalian Group Benefits Division", "大连"),
    "华南销售部": ("厦门寿险精英队", "Xiamen Life Elite Squad", "厦门"),
    "成都销售组": ("郑州电销组", "Zhengzhou Telesales Team", "郑州"),
    "武汉销售部": ("武汉银保办事处", "Wuhan Bancassurance Office", "武汉"),
    "市场部": ("获客策划中心", "Client Acquisition Studio", "宁波"),
    "人力资源部": ("组织人才部", "Org & Talent Department", "宁波"),
    "运营部": ("核保理赔服务部", "Underwriting & Claims Services", "宁波"),
}

PRODUCT_LINES: dict[str, str] = {
    "SaaS": "健康险",
    "Hardware": "年金险",
    "Services": "财富规划",
}


def build_org10(path: Path) -> None:
    build_renamed(
        path, seed=SEED, end_date=END_DATE, departments=DEPARTMENTS, product_lines=PRODUCT_LINES
    )
