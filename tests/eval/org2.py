"""A warehouse of another organisation for the second held-out set (``holdout2.yaml``).

The demo generator always names its departments the same way (华东销售一部, 华北销售部, ...).
``build_org2`` generates a small demo warehouse (seed 41, last day 2026-08-31) and then
rewrites it into 云帆集团 / Yunfan Group: every department gets another name, English name
and city in another naming style, and the product lines are renamed. People, orders,
targets and every other number stay as generated, and ``kind``/``parent_id`` are kept, so
the warehouse still follows the contract (``schema/contract/schema.sql``) and RULES.md.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

SEED = 41
END_DATE = date(2026, 8, 31)

# generator's department name -> (name, name_en, city) in Yunfan Group
DEPARTMENTS: dict[str, tuple[str, str, str]] = {
    "星河科技": ("云帆集团", "Yunfan Group", "杭州"),
    "华东大区": ("东部区", "East Region", "上海"),
    "华北大区": ("北方区", "North Region", "北京"),
    "华南大区": ("南方区", "South Region", "深圳"),
    "西南大区": ("西部区", "West Region", "西安"),
    "华中大区": ("电销事业部", "Telesales Division", "广州"),
    "华东销售一部": ("上海渠道二组", "Shanghai Channel Team 2", "上海"),
    "华北销售部": ("北京大客户部", "Beijing Key Accounts", "北京"),
    "华南销售部": ("深圳直销中心", "Shenzhen Direct Sales", "深圳"),
    "成都销售组": ("西安销售三部", "Xi'an Sales 3", "西安"),
    "华东销售二部": ("杭州一组", "Hangzhou Team 1", "杭州"),
    "武汉销售部": ("广州电销组", "Guangzhou Telesales", "广州"),
    "市场部": ("品牌市场中心", "Brand & Marketing", "杭州"),
    "人力资源部": ("人事行政部", "HR & Admin", "杭州"),
    "运营部": ("运营支持部", "Operations Support", "杭州"),
}

PRODUCT_LINES: dict[str, str] = {
    "SaaS": "云服务",
    "Hardware": "智能终端",
    "Services": "实施服务",
}


# tables whose rows reference rows of the same table: (key column, referencing column)
SELF_REFERENCES = {
    "departments": ("department_id", "parent_id"),
    "employees": ("employee_id", "manager_id"),
}


def build_org2(path: Path) -> None:
    """Generate the demo warehouse and rewrite it at ``path`` as Yunfan Group (deterministic).

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
