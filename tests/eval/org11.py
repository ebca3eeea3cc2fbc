"""A warehouse of 青藤教育集团 (Qingteng Education Group) for a sealed blind held-out set."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.eval.orgs import build_renamed

SEED = 191
END_DATE = date(2026, 5, 31)
DEPARTMENTS: dict[str, tuple[str, str, str]] = {
    "星河科技": ("青藤教育集团", "Qingteng Education Group", "杭州"),
    "华东大区": ("江浙沪区域", "Jiangsu-Zhejiang-Shanghai Area", "上海"),
    "华北大区": ("京津冀区域", "Beijing-Tianjin-Hebei Area", "北京"),
    "华南大区": ("粤港澳区域", "Greater Bay Area", "广州"),
    "西南大区": ("川渝区域", "Sichuan-Chongqing Area", "成都"),
    "华中大区": ("两湖区域", "Hubei-Hunan Area", "武汉"),
    "华东销售一部": ("上海职考课程中心", "Shanghai Certification Course Center", "上海"),
    "华东销售二部": ("在线职考事业部", "Online Certification Division", "杭州"),
    "华北销售部": ("北京企业内训办事处", "Beijing Corporate Training Office", "北京"),
    "华南销售部": ("广州少儿编程组", "Guangzhou Kids Coding Team", "广州"),
    "成都销售组": ("成都学历提升队", "Chengdu Degree Upgrade Squad", "成都"),
    "武汉销售部": ("武汉考研顾问部", "Wuhan Postgrad Exam Advisors", "武汉"),
    "市场部": ("招生增长部", "Enrolment Growth", "杭州"),
    "人力资源部": ("伙伴成长部", "Partner Growth", "杭州"),
    "运营部": ("教务交付部", "Academic Delivery", "杭州"),
}
PRODUCT_LINES: dict[str, str] = {
    "SaaS": "Online Courses",
    "Hardware": "Learning Kits",
    "Services": "Classroom Training",
}


def build_org11(path: Path) -> None:
    build_renamed(
        path, seed=SEED, end_date=END_DATE, departments=DEPARTMENTS, product_lines=PRODUCT_LINES
    )
