"""A warehouse of 北辰汽车服务 (Beichen Auto Services) for a sealed blind held-out set."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.eval.orgs import build_renamed

SEED = 523
END_DATE = date(2026, 9, 8)
DEPARTMENTS: dict[str, tuple[str, str, str]] = {
    "星河科技": ("北辰汽车服务", "Beichen Auto Services", "沈阳"),
    "华东大区": ("辽宁营销中心", "Liaoning Sales Centre", "沈阳"),
    "华北大区": ("吉林营销中心", "Jilin Sales Centre", "长春"),
    "华南大区": ("黑龙江营销中心", "Heilongjiang Sales Centre", "哈尔滨"),
    "西南大区": ("蒙东营销中心", "East Inner Mongolia Sales Centre", "通辽"),
    "华中大区": ("车主会员运营中心", "Car Owner Membership Centre", "大连"),
    "华东销售一部": ("沈阳4S店合作组", "Shenyang Dealer Partnerships", "沈阳"),
    "华东销售二部": ("鞍山快修连锁组", "Anshan Quick Repair Chain", "鞍山"),
    "华北销售部": ("长春车队客户组", "Changchun Fleet Accounts", "长春"),
    "华南销售部": ("哈尔滨保险理赔组", "Harbin Insurance Claims", "哈尔滨"),
    "成都销售组": ("通辽轮胎批发组", "Tongliao Tyre Wholesale", "通辽"),
    "武汉销售部": ("大连会员续费组", "Dalian Membership Renewals", "大连"),
    "市场部": ("车主增长部", "Owner Growth", "沈阳"),
    "人力资源部": ("人才与薪酬部", "Talent & Rewards", "沈阳"),
    "运营部": ("配件仓储调度部", "Parts Warehousing & Dispatch", "鞍山"),
}
PRODUCT_LINES: dict[str, str] = {
    "SaaS": "保养套餐",
    "Hardware": "轮胎与配件",
    "Services": "道路救援服务",
}


def build_org16(path: Path) -> None:
    build_renamed(
        path, seed=SEED, end_date=END_DATE, departments=DEPARTMENTS, product_lines=PRODUCT_LINES
    )
