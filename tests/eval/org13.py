"""A warehouse of 凌云家居 (Lingyun Home Furnishings) for a sealed blind held-out set."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.eval.orgs import build_renamed

SEED = 271
END_DATE = date(2026, 9, 24)
DEPARTMENTS: dict[str, tuple[str, str, str]] = {
    "星河科技": ("凌云家居", "Lingyun Home Furnishings", "佛山"),
    "华东大区": ("华东事业部", "East China Division", "杭州"),
    "华北大区": ("北方事业部", "Northern Division", "北京"),
    "华南大区": ("华南事业部", "South China Division", "广州"),
    "西南大区": ("西南事业部", "Southwest Division", "成都"),
    "华中大区": ("新零售与电商事业部", "New Retail & E-commerce Division", "佛山"),
    "华东销售一部": ("杭州门店一组", "Hangzhou Stores Team 1", "杭州"),
    "华东销售二部": ("杭州门店二组", "Hangzhou Stores Team 2", "杭州"),
    "华北销售部": ("北京工程渠道部", "Beijing Contract Channel", "北京"),
    "华南销售部": ("广州整装组", "Guangzhou Full-Home Team", "广州"),
    "成都销售组": ("成都经销商组", "Chengdu Dealer Team", "成都"),
    "武汉销售部": ("直播电商组", "Livestream Commerce Team", "佛山"),
    "市场部": ("品牌与内容营销部", "Brand & Content Marketing", "佛山"),
    "人力资源部": ("人力与行政中心", "People & Admin Centre", "佛山"),
    "运营部": ("交付与客服部", "Delivery & Customer Care", "佛山"),
}
PRODUCT_LINES: dict[str, str] = {
    "SaaS": "Custom Cabinetry",
    "Hardware": "Upholstered Furniture",
    "Services": "Installation Services",
}


def build_org13(path: Path) -> None:
    build_renamed(
        path, seed=SEED, end_date=END_DATE, departments=DEPARTMENTS, product_lines=PRODUCT_LINES
    )
