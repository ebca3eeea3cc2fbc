"""A command loads only what it uses: ``hrq --help`` and ``hrq ask`` in a fresh process.

Not timed (``bench/cli.py`` measures start-up against a floor); this checks which
libraries a fresh process imported, which is what made every command slow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Run ``hrq ARGS`` like the console script, then write the top-level modules it loaded.
SCRIPT = """
import json, sys
out, sys.argv = sys.argv[1], ["hrq", *sys.argv[2:]]
from api.cli import main
try:
    main()
except SystemExit:
    pass
with open(out, "w") as f:
    json.dump(sorted({name.split(".")[0] for name in sys.modules}), f)
"""
#: The web stack, the LLM agent's stack, charts and spreadsheets, and the
#: dictionaries of pinyin and Chinese numerals: no plain question needs any of them.
NOT_FOR_A_QUESTION = {
    "fastapi", "starlette", "uvicorn", "langchain", "langchain_core", "langchain_openai",
    "openai", "chromadb", "matplotlib", "openpyxl", "PIL", "httpx", "pypinyin", "cn2an",
}  # fmt: skip
NOT_FOR_HELP = NOT_FOR_A_QUESTION | {
    "sqlalchemy", "duckdb", "sqlglot", "numpy", "pydantic_settings", "yaml", "assistant", "tools",
}  # fmt: skip


def loaded(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> set[str]:
    out = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(out), *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(out.read_text()))


def test_help_loads_no_library(tmp_path: Path) -> None:
    modules = loaded(tmp_path, "--help")
    assert "typer" in modules and "api" in modules
    assert modules & (NOT_FOR_HELP | {"pydantic"}) == set()


@pytest.mark.parametrize("command", ["notify", "wecom", "serve", "sql", "eval", "index"])
def test_a_command_group_help_loads_no_library(tmp_path: Path, command: str) -> None:
    # (typer itself loads pydantic to build a command's options)
    assert loaded(tmp_path, command, "--help") & NOT_FOR_HELP == set()


def test_a_question_loads_the_answering_path_only(tmp_path: Path, demo_warehouse_url: str) -> None:
    env = {
        "HRQ_WAREHOUSE_URL": demo_warehouse_url,
        "HRQ_APP_DB_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "HRQ_AS_OF": "2026-11-26",
    }
    modules = loaded(tmp_path, "ask", "本月各销售部门业绩中位数是多少", "--json", env=env)
    assert {"assistant", "sqlalchemy", "duckdb"} <= modules  # it did answer
    assert modules & NOT_FOR_A_QUESTION == set()
