"""A warehouse of a ninth organisation for the ninth held-out set (``holdout9.yaml``).

秦岳建材集团 (Qinyue Building Materials Group) is a building-materials maker headquartered
in 西安 that sells gypsum board, waterproofing membranes and installation services across
northern and western China. Its regions are named after provinces (西北大区, 晋冀大区, 新疆大区,
东北大区, 蒙宁大区); its sales teams are named by city and route to market, with mixed
suffixes (部/组/中心/队/办事处): two project-sales teams share the word 工程 (西安工程直销部,
太原工程渠道组), so "工程部" is ambiguous, and the e-commerce team is called 线上直营组, whose
leading 线上 sits next to time words such as 上月 in chat. Support departments are
品牌推广部 (marketing), 人力综合部 (HR) and 物流保障部 (operations).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.eval.orgs import build_renamed

SEED = 151
END_DATE = date(2026, 3, 31)

# generator's department name -> (name, name_en, city) in 秦岳建材集团
DEPARTMENTS: dict[str, tuple[str, str, str]] = {
    "星河科技": ("秦岳建材集团", "Qinyue Building Materials Group", "西安"),
    # regions
    "华东大区": ("西北大区", "Northwest Region", "西安"),
    "华北大区": ("晋冀大区", "Shanxi-Hebei Region", "太原"),
    "华南大区": ("新疆大区", "Xinjiang Region", "乌鲁木齐"),
    "西南大区": ("东北大区", "Northeast Region", "哈尔滨"),
    "华中大区": ("蒙宁大区", "Inner Mongolia-Ningxia Region", "呼和浩特"),
    # sales departments
    "华东销售一部": ("西安工程直销部", "Xi'an Project Direct Sales", "西安"),
    "华东销售二部": ("兰州经销商办事处", "Lanzhou Dealer Office", "兰州"),
    "华北销售部": ("太原工程渠道组", "Taiyuan Project Channel Team", "太原"),
    "华南销售部": ("乌鲁木齐大客户中心", "Urumqi Key Account Center", "乌鲁木齐"),
    "成都销售组": ("哈尔滨县域市场队", "Harbin County Market Team", "哈尔滨"),
    "武汉销售部": ("线上直营组", "Online Direct Sales Team", "银川"),
    # support
    "市场部": ("品牌推广部", "Brand Promotion", "西安"),
    "人力资源部": ("人力综合部", "HR & General Affairs", "西安"),
    "运营部": ("物流保障部", "Logistics Support", "石家庄"),
}

PRODUCT_LINES: dict[str, str] = {
    "SaaS": "防水卷材",
    "Hardware": "石膏板",
    "Services": "施工服务",
}


def build_org9(path: Path) -> None:
    """Generate the demo warehouse and rewrite it at ``path`` as this organisation (deterministic)."""
    build_renamed(
        path, seed=SEED, end_date=END_DATE, departments=DEPARTMENTS, product_lines=PRODUCT_LINES
    )
