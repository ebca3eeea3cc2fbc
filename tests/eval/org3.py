"""A warehouse of a third organisation for the third held-out set (``holdout3.yaml``).

Like ``tests/eval/org2.py``: ``build_org3`` generates a small demo warehouse (seed 59, last
day 2026-07-15) into a scratch file and copies its rows into fresh contract tables as
恒星零售 / Hengxing Retail, a retail chain whose departments are named in yet another style
(KA一部, 新零售事业部, 苏州门店组, 南京分公司销售部, ...) and whose product lines are
会员服务 / 门店设备 / 咨询培训. People, orders, targets and every other number stay as
generated, and ``kind``/``parent_id`` are kept, so the warehouse still follows the contract
(``schema/contract/schema.sql``) and RULES.md.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.eval.orgs import build_renamed

SEED = 59
END_DATE = date(2026, 7, 15)

# generator's department name -> (name, name_en, city) in Hengxing Retail
DEPARTMENTS: dict[str, tuple[str, str, str]] = {
    "星河科技": ("恒星零售", "Hengxing Retail", "苏州"),
    "华东大区": ("长三角区", "Yangtze Delta", "上海"),
    "华北大区": ("华北二区", "North 2", "天津"),
    "华南大区": ("珠三角区", "Pearl River Delta", "广州"),
    "西南大区": ("江苏区", "Jiangsu Region", "南京"),
    "华中大区": ("东南沿海区", "Southeast Coast", "厦门"),
    "华东销售一部": ("KA一部", "KA Team 1", "上海"),
    "华东销售二部": ("苏州门店组", "Suzhou Stores", "苏州"),
    "华北销售部": ("天津渠道部", "Tianjin Channels", "天津"),
    "华南销售部": ("新零售事业部", "New Retail BU", "广州"),
    "成都销售组": ("南京分公司销售部", "Nanjing Branch Sales", "南京"),
    "武汉销售部": ("厦门外勤组", "Xiamen Field Team", "厦门"),
    "市场部": ("品牌部", "Brand", "苏州"),
    "人力资源部": ("人力资源中心", "People Center", "苏州"),
    "运营部": ("财务运营部", "Finance & Ops", "苏州"),
}

PRODUCT_LINES: dict[str, str] = {
    "SaaS": "会员服务",
    "Hardware": "门店设备",
    "Services": "咨询培训",
}


def build_org3(path: Path) -> None:
    """Generate the demo warehouse and rewrite it at ``path`` as this organisation (deterministic)."""
    build_renamed(
        path, seed=SEED, end_date=END_DATE, departments=DEPARTMENTS, product_lines=PRODUCT_LINES
    )
