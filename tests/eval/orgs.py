"""Warehouses of other organisations for the held-out sets (see ``org2.py``, ``org3.py``).

The demo generator always names its departments the same way (华东销售一部, 华北销售部, ...).
:func:`build_renamed` generates a small demo warehouse and rewrites it into another
organisation: every department gets another name, English name and city, and the product
lines are renamed. People, orders, targets and every other number stay as generated, and
``kind``/``parent_id`` are kept, so the warehouse still follows the contract and RULES.md.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

# tables whose rows reference rows of the same table: (key column, referencing column)
SELF_REFERENCES = {
    "departments": ("department_id", "parent_id"),
    "employees": ("employee_id", "manager_id"),
}


def build_renamed(
    path: Path,
    *,
    seed: int,
    end_date: date,
    departments: dict[str, tuple[str, str, str]],
    product_lines: dict[str, str],
) -> None:
    """Generate the demo warehouse and rewrite it at ``path`` as another organisation.

    ``departments`` maps each generated department name to (name, name_en, city) and
    ``product_lines`` each generated product line to its new name; the result is
    deterministic for a seed and end date.

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
    generate(f"duckdb:///{scratch}", seed=seed, end_date=end_date, scale="small")
    try:
        con = duckdb.connect(str(path))
        try:
            con.execute(f"ATTACH '{scratch}' AS src (READ_ONLY)")
            names = {r[0] for r in con.execute("SELECT name FROM src.departments").fetchall()}
            if names != set(departments):
                raise RuntimeError(
                    f"unexpected generated departments: {sorted(names ^ set(departments))}"
                )
            lines = {
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT product_line FROM src.sales_orders"
                ).fetchall()
            }
            if not lines <= set(product_lines):
                raise RuntimeError(
                    f"unexpected product lines: {sorted(lines - set(product_lines))}"
                )
            Sink(con).create_tables()
            con.execute(
                "CREATE TEMP TABLE dept_map (old VARCHAR, name VARCHAR, name_en VARCHAR, city VARCHAR)"
            )
            con.executemany(
                "INSERT INTO dept_map VALUES (?, ?, ?, ?)",
                [[old, *new] for old, new in departments.items()],
            )
            con.execute("CREATE TEMP TABLE line_map (old VARCHAR, new VARCHAR)")
            con.executemany(
                "INSERT INTO line_map VALUES (?, ?)", [list(kv) for kv in product_lines.items()]
            )
            rewrites = {
                ("departments", "name"): "(SELECT m.name FROM dept_map m WHERE m.old = t.name)",
                (
                    "departments",
                    "name_en",
                ): "(SELECT m.name_en FROM dept_map m WHERE m.old = t.name)",
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
