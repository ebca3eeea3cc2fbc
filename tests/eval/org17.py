"""A warehouse of 南粤齿科连锁 (Nanyue Dental Group) for a sealed blind held-out set."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.eval.orgs import build_renamed

SEED = 611
END_DATE = date(2026, 7, 22)
DEPARTMENTS: dict[str, tuple[str, str, str]] = {
    "星河科技": ("南粤齿科连锁", "Nanyue Dental Group", "广州"),
    "华东大区": ("广佛诊所群", "Guangzhou-Foshan Clinics", "广州"),
    "华北大区": ("深莞诊所群", "Shenzhen-Dongguan Clinics", "深圳"),
    "华南大区": ("粤西诊所群", "West Guangdong Clinics", "湛江"),
    "西南大区": ("桂南诊所群", "South Guangxi Clinics", "南宁"),
    "华中大区": ("企业与保险客户中心", "Corporate & Insurance Centre", "广州"),
    "华东销售一部": ("天河种植顾问组", "Tianhe Implant Advisors", "广州"),
    "华东销售二部": ("佛山正畸顾问组", "Foshan Orthodontics Advisors", "佛山"),
    "华北销售部": ("深圳美白贴面组", "Shenzhen Whitening & Veneers", "深圳"),
    "华南销售部": ("湛江儿牙组", "Zhanjiang Paediatric Dentistry", "湛江"),
    "成都销售组": ("南宁洁牙会员组", "Nanning Cleaning Memberships", "南宁"),
    "武汉销售部": ("团体体检牙科组", "Group Dental Check-ups", "广州"),
    "市场部": ("患者获客部", "Patient Acquisition", "广州"),
    "人力资源部": ("医护人事部", "Clinical Staff HR", "广州"),
    "运营部": ("器械耗材供应部", "Instruments & Supplies", "佛山"),
}
PRODUCT_LINES: dict[str, str] = {
    "SaaS": "种植修复",
    "Hardware": "隐形矫治",
    "Services": "口腔护理会员",
}


def build_org17(path: Path) -> None:
    build_renamed(
        path, seed=SEED, end_date=END_DATE, departments=DEPARTMENTS, product_lines=PRODUCT_LINES
    )
