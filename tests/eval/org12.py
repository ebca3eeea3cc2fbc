"""A warehouse of 博瑞医疗器械 (Borui Medical Devices) for a sealed blind held-out set."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.eval.orgs import build_renamed

SEED = 233
END_DATE = date(2026, 8, 19)
DEPARTMENTS: dict[str, tuple[str, str, str]] = {
    "星河科技": ("博瑞医疗器械", "Borui Medical Devices", "苏州"),
    "华东大区": ("长三角营销中心", "Yangtze Delta Marketing Center", "南京"),
    "华北大区": ("北方营销中心", "Northern Marketing Center", "天津"),
    "华南大区": ("南方营销中心", "Southern Marketing Center", "深圳"),
    "西南大区": ("西部营销中心", "Western Marketing Center", "重庆"),
    "华中大区": ("中部营销中心", "Central Marketing Center", "郑州"),
    "华东销售一部": ("南京医院渠道科", "Nanjing Hospital Channel Section", "南京"),
    "华东销售二部": ("苏州耗材直营组", "Suzhou Consumables Direct Team", "苏州"),
    "华北销售部": ("天津影像设备部", "Tianjin Imaging Equipment Unit", "天津"),
    "华南销售部": ("深圳体外诊断组", "Shenzhen IVD Team", "深圳"),
    "成都销售组": ("重庆基层医疗队", "Chongqing Primary Care Squad", "重庆"),
    "武汉销售部": ("郑州民营医院部", "Zhengzhou Private Hospitals Unit", "郑州"),
    "市场部": ("学术推广部", "Medical Affairs & Promotion", "苏州"),
    "人力资源部": ("组织与人才部", "Organisation & Talent", "苏州"),
    "运营部": ("供应链与服务部", "Supply Chain & Service", "苏州"),
}
PRODUCT_LINES: dict[str, str] = {
    "SaaS": "Diagnostic Software",
    "Hardware": "Imaging Devices",
    "Services": "Maintenance Contracts",
}


def build_org12(path: Path) -> None:
    build_renamed(
        path, seed=SEED, end_date=END_DATE, departments=DEPARTMENTS, product_lines=PRODUCT_LINES
    )
