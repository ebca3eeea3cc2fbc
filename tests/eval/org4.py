"""A warehouse of a fourth organisation for the fourth held-out set (``holdout4.yaml``).

Like ``tests/eval/org3.py``: ``build_org4`` generates a small demo warehouse (seed 67, last
day 2026-09-20) into a scratch file and copies its rows into fresh contract tables as
远景医疗 / Vista Medical, a medical-device company whose departments are named in a fourth
style (沈阳医院线, 成都二线城市组, 武汉重点客户组, 重庆线上销售部, ...) and whose product lines
are 影像设备 / 耗材 / 维保服务. People, orders, targets and every other number stay as
generated, and ``kind``/``parent_id`` are kept, so the warehouse still follows the contract
(``schema/contract/schema.sql``) and RULES.md.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.eval.orgs import build_renamed

SEED = 67
END_DATE = date(2026, 9, 20)

# generator's department name -> (name, name_en, city) in Vista Medical
DEPARTMENTS: dict[str, tuple[str, str, str]] = {
    "星河科技": ("远景医疗", "Vista Medical", "长沙"),
    "华东大区": ("东北区", "Northeast", "沈阳"),
    "华北大区": ("西南片区", "Southwest Area", "成都"),
    "华南大区": ("华中片区", "Central Area", "武汉"),
    "西南大区": ("湘渝片区", "Hunan-Chongqing Area", "重庆"),
    "华中大区": ("辽东片区", "Liaodong Area", "大连"),
    "华东销售一部": ("沈阳医院线", "Shenyang Hospital Line", "沈阳"),
    "华东销售二部": ("大连代理商渠道部", "Dalian Distributor Channel", "大连"),
    "华北销售部": ("成都二线城市组", "Chengdu Tier-2 Team", "成都"),
    "华南销售部": ("武汉重点客户组", "Wuhan Key Clients", "武汉"),
    "成都销售组": ("长沙零售一组", "Changsha Retail 1", "长沙"),
    "武汉销售部": ("重庆线上销售部", "Chongqing Online Sales", "重庆"),
    "市场部": ("市场推广部", "Promotion", "长沙"),
    "人力资源部": ("人力行政部", "HR & Admin", "长沙"),
    "运营部": ("运营管理部", "Operations", "长沙"),
}

PRODUCT_LINES: dict[str, str] = {
    "SaaS": "影像设备",
    "Hardware": "耗材",
    "Services": "维保服务",
}


def build_org4(path: Path) -> None:
    """Generate the demo warehouse and rewrite it at ``path`` as this organisation (deterministic)."""
    build_renamed(
        path, seed=SEED, end_date=END_DATE, departments=DEPARTMENTS, product_lines=PRODUCT_LINES
    )
