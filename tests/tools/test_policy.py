"""The bonus policy file: packaged default, per-department overrides, validation errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tools.errors import PolicyError
from tools.policy import load_policy, parse_policy


def test_packaged_default_is_five_percent_no_cap() -> None:
    policy = load_policy()
    assert policy.default.rate == Decimal("0.05") and policy.default.cap is None
    assert policy.ramp_ladder == (Decimal("0.40"), Decimal("0.60"), Decimal("0.80"))
    assert policy.for_department(7, "任意部门", None).describe() == "rate 5 %, no cap (default)"


def test_department_overrides_by_name_english_name_or_id() -> None:
    policy = parse_policy(
        "[default]\nrate = 0.04\ncap = 1000\n"
        '[department."销售甲部"]\nrate = "6%"\n'
        '[department."Sales B"]\ncap = 50\n'
        '[department."9"]\nrate = 0.1\n'
        "[ramp]\nladder = [0.5, 1]\n"
    )
    assert policy.for_department(1, "销售甲部", None).rate == Decimal("0.06")
    assert policy.for_department(1, "销售甲部", None).cap == Decimal(
        "1000"
    )  # inherits the default cap
    assert policy.for_department(2, "乙", "sales b").cap == Decimal("50")
    assert policy.for_department(2, "乙", "sales b").rate == Decimal("0.04")
    assert policy.for_department(9, "丙", None).rate == Decimal("0.1")
    assert policy.for_department(3, "丁", None).rate == Decimal("0.04")
    assert [policy.ramp_fraction(m) for m in (1, 2, 3)] == [Decimal("0.5"), Decimal("1"), None]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[default]\nrate = 1.5\n", "line 2, default.rate: rate must be between 0 and 1"),
        ("[default]\nrate = 0.05\ncap = -3\n", "line 3, default.cap: cap must not be negative"),
        ("# comment\n[default]\nrat = 0.05\n", "line 3, default.rat: unknown key 'rat'"),
        ('[default]\nrate = "five"\n', "line 2, default.rate: rate must be a number"),
        (
            '[department."甲"]\nrate = 0.1\n\n[department."乙"]\nrate = 2\n',
            "line 5, department.乙.rate: rate must be between 0 and 1",
        ),
        ("[bonus]\nrate = 0.1\n", "line 1, bonus: unknown section [bonus]"),
        (
            "[ramp]\nladder = [0.4, 1.2]\n",
            "line 2, ramp.ladder: each ladder step must be in (0, 1]",
        ),
        (
            "[default\nrate = 0.1\n",
            "invalid TOML: Expected ']' at the end of a table declaration (at line 1",
        ),
    ],
)
def test_bad_policy_names_the_line(text: str, message: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "policy.toml")
    assert str(info.value).startswith("bonus policy policy.toml")
    assert message in str(info.value)


def test_bad_file_on_disk_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bonus.toml"
    path.write_text('[default]\nrate = 0.05\ncap = "lots"\n', encoding="utf-8")
    with pytest.raises(PolicyError, match=rf"{path}, line 3, default.cap: cap must be a number"):
        load_policy(path)
    with pytest.raises(PolicyError, match="cannot read bonus policy"):
        load_policy(tmp_path / "missing.toml")
