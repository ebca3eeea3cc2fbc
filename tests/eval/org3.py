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


# tables whose rows reference rows of the same table: (key column, referencing column)
SELF_REFERENCES = {
    "departments": ("department_id", "parent_id"),
    "employees": ("employee_id", "manager_id"),
}


def build_org3(path: Path) -> None:
    """Generate the demo warehouse and rewrite it at ``path`` as Hengxing Retail (deterministic).

    DuckDB cannot UPDATE a UNIQUE column (``departments.name``) of a row other tables
    reference by foreign key (an update of an indexed column is a delete plus an insert), so
    the generator writes to a scratch file beside ``path`` and its rows are copied into the
    contract tables at ``path`` with the department and product-line columns rewritten on
    the way in; every other value is copied unchanged.
    """
    import duckdb

    from schema.demodata import generate
    from schema.demodata.sink import Sink
    from schema.warehouse import TABLES

    path = Path(path)
    scratch = path.with_name(f".{path.name}.generated")
    for leftover in (scratch, Path(f"{scratch}.wal")):
        leftover.unlink(missing_ok=True)
    generate(f"duckdb:///{scratch}", seed=SEED, end_date=END_DATE, scale="small")
    try:
        con = duckdb.connect(str(path))
        try:
            con.execute(f"ATTACH '{scratch}' AS src (READ_ONLY)")
            names = {r[0] for r in con.execute("SELECT name FROM src.departments").fetchall()}
            if names != set(DEPARTMENTS):
                raise RuntimeError(f"unexpected generated departments: {sorted(names ^ set(DEPARTMENTS))}")
            lines = {r[0] for r in con.execute("SELECT DISTINCT product_line FROM src.sales_orders").fetchall()}
            if not lines <= set(PRODUCT_LINES):
                raise RuntimeError(f"unexpected product lines: {sorted(lines - set(PRODUCT_LINES))}")
            Sink(con).create_tables()
            con.execute("CREATE TEMP TABLE dept_map (old VARCHAR, name VARCHAR, name_en VARCHAR, city VARCHAR)")
            con.executemany(
                "INSERT INTO dept_map VALUES (?, ?, ?, ?)",
                [[old, *new] for old, new in DEPARTMENTS.items()],
            )
            con.execute("CREATE TEMP TABLE line_map (old VARCHAR, new VARCHAR)")
            con.executemany("INSERT INTO line_map VALUES (?, ?)", [list(kv) for kv in PRODUCT_LINES.items()])
            rewrites = {
                ("departments", "name"): "(SELECT m.name FROM dept_map m WHERE m.old = t.name)",
                ("departments", "name_en"): "(SELECT m.name_en FROM dept_map m WHERE m.old = t.name)",
                ("departments", "city"): "(SELECT m.city FROM dept_map m WHERE m.old = t.name)",
                ("sales_orders", "product_line"): (
                    "(SELECT m.new FROM line_map m WHERE m.old = t.product_line)"
                ),
            }
            for table in TABLES:
                columns = [c.name for c in table.columns]
                select = ", ".join(rewrites.get((table.name, c), f"t.{c}") for c in columns)
                key = ", ".join(f"t.{c.name}" for c in table.primary_key.columns)
                insert = f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT {select} FROM src.{table.name} t"
                parent = SELF_REFERENCES.get(table.name)
                if parent is None:
                    con.execute(f"{insert} ORDER BY {key}")
                    continue
                # DuckDB checks a self-reference before the statement's own rows exist:
                # insert one level of the tree at a time.
                own, ref = parent
                while True:
                    before = con.execute(f"SELECT COUNT(*) FROM {table.name}").fetchone()[0]
                    con.execute(
                        f"{insert} WHERE t.{own} NOT IN (SELECT {own} FROM {table.name})"
                        f" AND (t.{ref} IS NULL OR t.{ref} IN (SELECT {own} FROM {table.name}))"
                        f" ORDER BY {key}"
                    )
                    after = con.execute(f"SELECT COUNT(*) FROM {table.name}").fetchone()[0]
                    if after == before:
                        break
                total = con.execute(f"SELECT COUNT(*) FROM src.{table.name}").fetchone()[0]
                if after != total:
                    raise RuntimeError(f"{table.name}: copied {after} of {total} rows")
            con.execute("DETACH src")
            con.execute("CHECKPOINT")
        finally:
            con.close()
    finally:
        for leftover in (scratch, Path(f"{scratch}.wal")):
            leftover.unlink(missing_ok=True)
