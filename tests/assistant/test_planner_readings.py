"""General readings of the planner, each checked against the warehouse's own rows:
ties at a top-N cut, people listed without a figure, leave requests by status, a
department's name not read as a condition, abbreviations of department names, English
plurals and 'above or below the median'."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from assistant.ask import Assistant
from assistant.callers import resolve_caller
from assistant.gazetteer import department_aliases
from schema.caller import Caller
from schema.settings import Settings
from tests.tools.builders import WarehouseBuilder

AS_OF = date(2026, 11, 26)


def _assistant(url: str) -> Assistant:
    return Assistant.from_settings(
        Settings(warehouse_url=url, app_db_url="sqlite:///:memory:"), app_state=False
    )


@pytest.fixture(scope="module")
def demo(demo_warehouse_url: str) -> Iterator[Assistant]:
    built = _assistant(demo_warehouse_url)
    yield built
    built.warehouse.dispose()


def _scalars(assistant: Assistant, sql: str) -> list[object]:
    with assistant.warehouse.connect() as conn:
        return list(conn.execute(sa.text(sql)).scalars())


@pytest.fixture
def tied(tmp_path: Path) -> Iterator[Assistant]:
    """Three people in one sales team; two tie for the most sales in October."""
    october = date(2026, 10, 1)
    b = WarehouseBuilder().department(1, "商超KA部", "Supermarket KA")
    for employee_id, name, amount in ((1, "甲", "500"), (2, "乙", "500"), (3, "丙", "100")):
        b.employee(employee_id, name, 1).target(employee_id, october, "50")
        b.order(employee_id, date(2026, 10, 9), amount)
    built = _assistant(b.duckdb(tmp_path))
    yield built
    built.warehouse.dispose()


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("10月销售额最高的是谁", {"甲", "乙"}),  # both tied at the top
        ("top 2 by sales in October 2026", {"甲", "乙"}),
        ("10月销售额最低的是谁", {"丙"}),
    ],
)
def test_a_tie_at_the_cut_keeps_everyone_tied(
    tied: Assistant, question: str, names: set[str]
) -> None:
    answer = tied.ask(question, Caller.operator(), as_of=AS_OF)
    assert answer.kind == "answer", answer.answer
    assert {row[0] for row in answer.rows} == names


def test_a_department_name_is_not_read_as_a_condition(tied: Assistant) -> None:
    """商超KA部 contains 超 ('above'): the median of the team, not who is above it."""
    answer = tied.ask("商超KA部10月中位数多少", Caller.operator(), as_of=AS_OF)
    assert answer.tool is not None and answer.columns[:2] == ["部门", "部门中位数"]
    assert answer.rows == [["商超KA部", 500.0, 3]]


def test_who_is_in_a_department_lists_its_current_people(demo: Assistant) -> None:
    answer = demo.ask("人力资源部都有谁", Caller.operator(), as_of=AS_OF)
    expected = _scalars(demo, (
        "SELECT e.name FROM employees e JOIN departments d USING (department_id) "
        "WHERE d.name = '人力资源部' AND e.hire_date <= DATE '2026-11-26' "
        "AND (e.termination_date IS NULL OR e.termination_date > DATE '2026-11-26')"
    ))  # fmt: skip
    assert answer.kind == "answer" and sorted(row[0] for row in answer.rows) == sorted(expected)
    assert answer.answer.startswith(f"人力资源部共 {len(expected)} 人：")


def test_who_reports_to_a_manager_lists_current_reports(demo: Assistant) -> None:
    name, manager_id = _scalars(
        demo,
        (
            "SELECT m.name || '|' || m.employee_id FROM employees m WHERE m.employee_id IN "
            "(SELECT manager_id FROM employees WHERE manager_id IS NOT NULL) AND m.name IN "
            "(SELECT name FROM employees GROUP BY name HAVING count(*) = 1) ORDER BY m.employee_id LIMIT 1"
        ),
    )[0].split("|")  # type: ignore[union-attr]
    expected = _scalars(demo, (
        f"SELECT name FROM employees WHERE manager_id = {manager_id} AND "
        "hire_date <= DATE '2026-11-26' AND (termination_date IS NULL OR termination_date > DATE '2026-11-26')"
    ))  # fmt: skip
    answer = demo.ask(f"谁向{name}汇报", Caller.operator(), as_of=AS_OF)
    assert sorted(row[0] for row in answer.rows) == sorted(expected)


@pytest.mark.parametrize(
    ("question", "status"),
    [
        ("今年被驳回的请假申请有几个", "rejected"),
        ("How many leave requests were approved so far this year?", "approved"),
    ],
)
def test_leave_requests_by_status(demo: Assistant, question: str, status: str) -> None:
    (expected,) = _scalars(demo, (
        f"SELECT count(*) FROM leave_requests WHERE status = '{status}' "
        "AND start_date >= DATE '2026-01-01' AND start_date <= DATE '2026-11-26'"
    ))  # fmt: skip
    answer = demo.ask(question, Caller.operator(), as_of=AS_OF)
    assert answer.kind == "answer" and answer.rows == [[expected]]


def test_how_many_of_a_money_metric_counts_its_rows(demo: Assistant) -> None:
    (expected,) = _scalars(demo, (
        "SELECT count(*) FROM sales_orders WHERE status = 'refunded' "
        "AND order_date >= DATE '2026-10-01' AND order_date < DATE '2026-11-01'"
    ))  # fmt: skip
    answer = demo.ask("How many orders got refunded last month?", Caller.operator(), as_of=AS_OF)
    assert answer.rows == [[expected]]
    plural = demo.ask("refund amounts by department last month", Caller.operator(), as_of=AS_OF)
    assert plural.kind == "answer" and plural.columns[0] == "department"


def test_above_or_below_the_median_is_the_gap(demo: Assistant) -> None:
    answer = demo.ask(
        "how far above or below the median was each rep in East China Sales 1 last month",
        Caller.operator(),
        as_of=AS_OF,
    )
    assert answer.tool is not None and "gap to median" in answer.columns
    (roster,) = _scalars(demo, (
        "SELECT count(*) FROM sales_targets t JOIN employees e USING (employee_id) "
        "JOIN departments d USING (department_id) WHERE d.name = '华东销售一部' AND t.month = DATE '2026-10-01'"
    ))  # fmt: skip
    assert len(answer.rows) == roster  # everyone, not only those below


@pytest.mark.parametrize(
    ("name", "name_en", "city", "expected"),
    [
        ("洛阳餐饮渠道组", "Luoyang Catering Channel", "洛阳",
         {"洛阳餐饮", "洛阳餐饮组", "渠道组", "luoyang catering", "luoyang channel"}),
        ("合肥便利店渠道组", "Hefei Convenience Channel", "合肥", {"合肥便利店组", "hefei convenience"}),
        ("苏州商超KA部", "Suzhou Supermarket KA", "苏州",
         {"苏州KA", "suzhou ka", "商超KA部", "ka组", "KA组", "KA部"} - {"ka组"}),
        ("直播电商组", "Livestream Commerce Team", "佛山", {"livestream team", "commerce team"}),
        ("华东销售一部", "East China Sales 1", "上海", {"华东一部", "east china", "east china sales"}),
    ],
)  # fmt: skip
def test_department_abbreviations(name: str, name_en: str, city: str, expected: set[str]) -> None:
    assert expected <= department_aliases(name, name_en, city)


def test_generic_tails_are_not_department_abbreviations() -> None:
    assert "业务组" not in department_aliases("福州团购业务组", "Fuzhou Group Buying", "福州")
    assert "销售组" not in department_aliases("成都销售组", "Chengdu Sales Team", "成都")


def test_number_of_people_who_is_a_count_per_department(demo: Assistant) -> None:
    answer = demo.ask(
        "Number of reps who met their minimum target in September 2026, by department",
        Caller.operator(),
        as_of=AS_OF,
    )
    (departments,) = _scalars(demo, (
        "SELECT count(DISTINCT e.department_id) FROM sales_targets t JOIN employees e "
        "USING (employee_id) WHERE t.month = DATE '2026-09-01'"
    ))  # fmt: skip
    assert answer.columns == ["department", "count"] and len(answer.rows) == departments


def test_is_there_anyone_does_not_negate(demo: Assistant) -> None:
    """有没有人超过了中位数却没完成最低目标: above the median, minimum missed."""
    answer = demo.ask("上个月有没有人超过了中位数却没完成最低目标", Caller.operator(), as_of=AS_OF)
    plan = answer.plan or {}
    assert set(plan["conditions"]) == {"above_median", "missed_minimum"}


def test_a_text_attribute_of_a_team_is_listed_per_person(demo: Assistant) -> None:
    answer = demo.ask("成都销售组所有人的邮箱", Caller.operator(), as_of=AS_OF)
    expected = _scalars(demo, (
        "SELECT e.email FROM employees e JOIN departments d USING (department_id) "
        "WHERE d.name = '成都销售组'"
    ))  # fmt: skip
    assert sorted(row[-1] for row in answer.rows) == sorted(expected)


@pytest.mark.parametrize(
    "question", ["上个月各销售组的提成", "commission of each sales team last month"]
)
def test_sales_teams_are_the_sales_departments(demo: Assistant, question: str) -> None:
    answer = demo.ask(question, Caller.operator(), as_of=AS_OF)
    expected = _scalars(demo, "SELECT name FROM departments WHERE kind = 'sales'")
    assert sorted(row[0] for row in answer.rows) == sorted(expected)


def test_average_commission_per_person_by_sales_team(demo: Assistant) -> None:
    answer = demo.ask("上个月各销售组人均提成是多少", Caller.operator(), as_of=AS_OF)
    with demo.warehouse.connect() as conn:
        expected = {
            name: float(avg)
            for name, avg in conn.execute(sa.text(
                "SELECT d.name, AVG(p.commission) FROM payroll p JOIN employees e USING (employee_id) "
                "JOIN departments d USING (department_id) WHERE d.kind = 'sales' "
                "AND p.month = DATE '2026-10-01' GROUP BY d.name"
            ))
        }  # fmt: skip
    got = {row[0]: row[-1] for row in answer.rows}
    assert got.keys() == expected.keys()
    assert all(got[k] == pytest.approx(expected[k], abs=0.01) for k in expected)


def test_pending_leave_is_a_state_now_whenever_it_started(demo: Assistant) -> None:
    """还有哪些请假没批: the approved-days metric does not apply; every pending request counts."""
    answer = demo.ask("现在还有多少请假申请没批", Caller.operator(), as_of=AS_OF)
    (expected,) = _scalars(demo, "SELECT count(*) FROM leave_requests WHERE status = 'pending'")
    assert answer.plan is not None and answer.plan["all_time"] and answer.rows == [[expected]]


def test_how_many_and_how_much_gives_both(demo: Assistant) -> None:
    answer = demo.ask(
        "Refunds by department last month: how many and how much?", Caller.operator(), as_of=AS_OF
    )
    with demo.warehouse.connect() as conn:
        expected = sorted(
            (name, count, float(total))
            for name, count, total in conn.execute(sa.text(
                "SELECT d.name, count(*), sum(o.amount) FROM sales_orders o JOIN employees e "
                "USING (employee_id) JOIN departments d USING (department_id) WHERE o.status = "
                "'refunded' AND o.order_date >= DATE '2026-10-01' AND o.order_date < DATE '2026-11-01' "
                "GROUP BY d.name"
            ))
        )  # fmt: skip
    assert sorted((r[0], r[-2], r[-1]) for r in answer.rows) == expected


def test_got_the_bonus_counts_the_eligible(demo: Assistant) -> None:
    answer = demo.ask("上个月全公司有多少人拿到了业绩奖励", Caller.operator(), as_of=AS_OF)
    assert answer.plan is not None and answer.plan["conditions"] == ["bonus_eligible"]
    assert answer.plan["focus"] == "count"


@pytest.mark.parametrize(
    ("question", "same_as"),
    [
        ("how many reps met their min target last month", "上个月达标的有几个人"),
        ("上个月谁在 median 以下", "上个月谁低于中位数"),
        ("上个月每个人的业绩和中位数差距", "上个月每个人与中位数的差距"),
        ("上个月华东销售一部业绩第一名是谁", "上个月华东销售一部业绩最高的是谁"),
        ("上季度谁的销售额排名第一", "上季度谁的销售额最高"),
        ("本季度各组销售额排名", "本季度各销售部门销售额从高到低"),
        ("how much bonus was paid to each team last month", "上个月各组奖金总额"),
        ("上个月各组奖金多少", "上个月各组奖金总额"),
        (
            "华东销售一部上个月第一名是谁，超了中位数多少",
            "华东销售一部上个月业绩最高的人超过中位数多少",
        ),
    ],
)
def test_mixed_and_terse_wordings_read_as_their_plain_form(
    demo: Assistant, question: str, same_as: str
) -> None:
    answer = demo.ask(question, Caller.operator(), as_of=AS_OF)
    plain = demo.ask(same_as, Caller.operator(), as_of=AS_OF)
    assert answer.kind == "answer" and plain.kind == "answer"
    assert answer.plan and plain.plan
    for slot in ("conditions", "focus", "month"):
        assert answer.plan.get(slot) == plain.plan.get(slot), slot
    assert answer.rows == plain.rows


def test_a_ranking_of_something_not_ranked_is_asked_back(demo: Assistant) -> None:
    # 销售 names the people here; a leaderboard of headcount would list everyone tied
    answer = demo.ask("今年销售排名前5的员工", Caller.operator(), as_of=AS_OF)
    assert answer.kind == "clarification" and not answer.rows


@pytest.mark.parametrize(
    "question",
    [
        "How many people qualified for the bonus in each team last month?",
        "how many people in each team had a bonus last month",
        "上个月各组有几个人能拿奖",
    ],
)
def test_how_many_with_the_bonus_counts_the_eligible_not_the_roster(
    demo: Assistant, question: str
) -> None:
    answer = demo.ask(question, Caller.operator(), as_of=AS_OF)
    eligible = demo.ask("上个月各组拿到奖金的有几个人", Caller.operator(), as_of=AS_OF)
    roster = demo.ask("上个月各组名册上有几个人", Caller.operator(), as_of=AS_OF)
    assert answer.plan is not None and answer.plan["conditions"] == ["bonus_eligible"]
    assert answer.rows == eligible.rows and answer.rows != roster.rows


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("今年前三季度销售额", "2026-01-01", "2026-10-01"),
        ("去年前两个季度的销售额", "2025-01-01", "2025-07-01"),
        ("sales in the first three quarters of 2025", "2025-01-01", "2025-10-01"),
        ("Q2-Q3 sales", "2026-04-01", "2026-10-01"),
        ("去年一整年营收合计是多少", "2025-01-01", "2026-01-01"),
        ("8月底各部门在职人数", "2026-08-01", "2026-09-01"),
        ("年初到现在一共卖了多少", "2026-01-01", "2026-11-27"),
        ("average review score in the last review cycle", "2026-07-01", "2026-10-01"),
        ("去年四季度的绩效得分", "2025-10-01", "2026-01-01"),
    ],
)
def test_period_readings(demo: Assistant, question: str, start: str, end: str) -> None:
    answer = demo.ask(question, Caller.operator(), as_of=AS_OF)
    period = (answer.plan or {})["period"]
    assert (period["start"], period["end"]) == (start, end)


def test_a_metric_word_is_not_a_who_word(demo: Assistant) -> None:
    """去年的员工流失率 contains 的员工 but asks for one rate, not a list of people."""
    answer = demo.ask("华东销售一部去年的员工流失率是多少", Caller.operator(), as_of=AS_OF)
    assert answer.plan is not None and answer.plan["group_by"] == [] and len(answer.rows) == 1


def test_more_department_abbreviations() -> None:
    assert "二手车事业部" in department_aliases("淄博二手车事业部", "Zibo Used Car BU", "淄博")
    assert "jiaodong" in department_aliases("胶东大区", "Jiaodong Region", "青岛")


def _missed(demo: Assistant, department: str) -> list[object]:
    return _scalars(demo, (
        "WITH s AS (SELECT employee_id, sum(amount) AS sales FROM sales_orders WHERE status = 'paid' "
        "AND order_date >= DATE '2026-10-01' AND order_date < DATE '2026-11-01' GROUP BY employee_id) "
        "SELECT e.name FROM sales_targets t JOIN employees e USING (employee_id) JOIN departments d "
        "USING (department_id) LEFT JOIN s USING (employee_id) WHERE t.month = DATE '2026-10-01' "
        f"AND d.name = '{department}' AND coalesce(s.sales, 0) < t.min_target"
    ))  # fmt: skip


def test_did_everyone_lists_the_exceptions(demo: Assistant) -> None:
    missed = _missed(demo, "成都销售组")
    assert missed  # the demo's team has someone below the minimum
    answer = demo.ask("上个月成都销售组大家都达标了吗", Caller.operator(), as_of=AS_OF)
    assert sorted(row[0] for row in answer.rows) == sorted(missed)
    assert answer.answer.startswith("不是。") and f"有 {len(missed)} 人" in answer.answer
    english = demo.ask(
        "Did everyone in Chengdu Sales Team reach their minimum last month?",
        Caller.operator(),
        as_of=AS_OF,
    )
    assert english.answer.startswith("No. ") and len(english.rows) == len(missed)


def test_did_anyone_answers_yes_or_no_first(demo: Assistant) -> None:
    yes = demo.ask("上个月华东销售一部有没有人拿到业绩奖金", Caller.operator(), as_of=AS_OF)
    assert yes.answer.startswith("有。") and yes.rows
    plan = yes.plan or {}
    assert plan["asked"] == "anyone" and plan["conditions"] == ["bonus_eligible"]


def test_sales_by_region_groups_by_the_parent_department(demo: Assistant) -> None:
    answer = demo.ask("上个月各大区销售额分别多少", Caller.operator(), as_of=AS_OF)
    with demo.warehouse.connect() as conn:
        expected = {
            name: float(total)
            for name, total in conn.execute(sa.text(
                "SELECT r.name, sum(o.amount) FROM sales_orders o JOIN employees e USING (employee_id) "
                "JOIN departments d ON d.department_id = e.department_id "
                "JOIN departments r ON r.department_id = d.parent_id WHERE o.status = 'paid' "
                "AND o.order_date >= DATE '2026-10-01' AND o.order_date < DATE '2026-11-01' GROUP BY r.name"
            ))
        }  # fmt: skip
    got = {row[0]: row[-1] for row in answer.rows}
    assert got.keys() == expected.keys()
    assert all(got[k] == pytest.approx(expected[k], abs=0.01) for k in expected)


@pytest.mark.parametrize(
    ("question", "condition"),
    [
        ("上个月没过中位数的有哪些人", "not_above_median"),
        ("who didn't beat the median last month", "not_above_median"),
        ("上个月低于中位数的有哪些人", "below_median"),
    ],
)
def test_not_above_is_not_below(demo: Assistant, question: str, condition: str) -> None:
    answer = demo.ask(question, Caller.operator(), as_of=AS_OF)
    assert (answer.plan or {})["conditions"] == [condition]


def test_who_reports_to_me(demo: Assistant) -> None:
    (manager_no, manager_id) = _scalars(
        demo,
        (
            "SELECT m.employee_no || '|' || m.employee_id FROM employees m WHERE m.employee_id IN "
            "(SELECT manager_id FROM employees) AND m.termination_date IS NULL ORDER BY m.employee_id DESC LIMIT 1"
        ),
    )[0].split("|")  # type: ignore[union-attr]
    from assistant.callers import resolve_caller

    caller = resolve_caller(manager_no, warehouse=demo.warehouse)
    expected = _scalars(demo, (
        f"SELECT name FROM employees WHERE manager_id = {manager_id} AND hire_date <= DATE '2026-11-26' "
        "AND (termination_date IS NULL OR termination_date > DATE '2026-11-26')"
    ))  # fmt: skip
    answer = demo.ask("who reports to me right now?", caller, as_of=AS_OF)
    assert sorted(row[0] for row in answer.rows) == sorted(expected)


def test_a_place_prefix_that_is_not_the_city() -> None:
    assert "直营一队" in department_aliases("广佛直营一队", "Guangfo Direct Team 1", "佛山")


@pytest.fixture
def two_stores(tmp_path: Path) -> Iterator[Assistant]:
    """Two sales teams whose names share 门店, and one that does not."""
    october = date(2026, 10, 1)
    b = WarehouseBuilder().department(1, "珠海门店二组").department(2, "广州天河门店组")
    b.department(3, "东莞加盟拓展部")
    for employee_id in (1, 2, 3):
        b.employee(employee_id, f"人{employee_id}", employee_id).target(employee_id, october, "10")
        b.order(employee_id, date(2026, 10, 9), "100")
    built = _assistant(b.duckdb(tmp_path))
    yield built
    built.warehouse.dispose()


def test_a_word_several_team_names_share_is_asked_about(two_stores: Assistant) -> None:
    answer = two_stores.ask("门店那边上个月中位数多少", Caller.operator(), as_of=AS_OF)
    assert answer.kind == "clarification"
    assert answer.options == ["广州天河门店组", "珠海门店二组"]
    every = two_stores.ask("上个月每个门店组的中位数", Caller.operator(), as_of=AS_OF)
    assert every.kind == "answer" and sorted(r[0] for r in every.rows) == answer.options


def test_two_word_initials_name_a_department() -> None:
    from assistant.gazetteer import word_initials

    assert word_initials("客户服务中心") == {"客服中心"}
    assert word_initials("人力资源部") == {"人资部"}
    assert word_initials("华东销售一部") == set()


@pytest.mark.parametrize(
    ("question", "sql"),
    [
        (
            "上月批下来的请假一共多少天",
            "SELECT sum(days) FROM leave_requests WHERE status = 'approved' "
            "AND start_date >= DATE '2026-10-01' AND start_date < DATE '2026-11-01'",
        ),
        (
            "上个月企业微信聊天消息一共多少条",
            "SELECT sum(message_count) FROM customer_interactions WHERE kind = 'chat' "
            "AND occurred_at >= TIMESTAMP '2026-10-01' AND occurred_at < TIMESTAMP '2026-11-01'",
        ),
        ("人资部现在有几个人", (
            "SELECT count(*) FROM employees e JOIN departments d USING (department_id) "
            "WHERE d.name = '人力资源部' AND e.hire_date <= DATE '2026-11-26' "
            "AND (e.termination_date IS NULL OR e.termination_date > DATE '2026-11-26')"
        )),
    ],
)  # fmt: skip
def test_everyday_wordings(demo: Assistant, question: str, sql: str) -> None:
    (expected,) = _scalars(demo, sql)
    answer = demo.ask(question, Caller.operator(), as_of=AS_OF)
    assert answer.kind == "answer", answer.answer
    assert float(answer.rows[0][-1]) == pytest.approx(float(expected))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question", "conditions"),
    [
        # a negation after a conjunction belongs to the second part only
        ("上个月华东销售一部完成任务了但没过中位数的有谁", {"met_minimum", "not_above_median"}),
        # missed the bonus: not eligible; bonus-eligible written with a hyphen
        ("Who in East China Sales 1 met the minimum but missed the bonus last month?",
         {"met_minimum", "not_bonus_eligible"}),
        ("bonus-eligible reps in East China Sales 1 last month", {"bonus_eligible"}),
        # both targets met: the two bars of the bonus
        ("上个月华东销售一部双重目标都达成的有哪些人", {"bonus_eligible"}),
    ],
)  # fmt: skip
def test_conditions_read_from_the_verbs(
    demo: Assistant, question: str, conditions: set[str]
) -> None:
    answer = demo.ask(question, Caller.operator(), as_of=AS_OF)
    assert answer.kind == "answer", answer.answer
    assert set((answer.plan or {})["conditions"]) == conditions


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Is 华东销售一部 above her department's median?", "clarification"),  # no person: asked
        ("给王芳涨薪20%", "refusal"),  # a write request, not a question about a figure
        ("上个月各部门电话沟通时长", "answer"),
        ("上个月各部门新拓了多少客户", "answer"),
    ],
)
def test_words_of_everyday_questions(demo: Assistant, question: str, kind: str) -> None:
    assert demo.ask(question, Caller.operator(), as_of=AS_OF).kind == kind


def test_a_named_month_against_the_same_month_last_year(demo: Assistant) -> None:
    answer = demo.ask(
        "How did September sales compare with September last year?", Caller.operator(), as_of=AS_OF
    )
    assert answer.kind == "answer", answer.answer
    (now,) = _scalars(demo, "SELECT SUM(amount) FROM sales_orders WHERE status = 'paid' AND "
                      "order_date BETWEEN DATE '2026-09-01' AND DATE '2026-09-30'")  # fmt: skip
    (then,) = _scalars(demo, "SELECT SUM(amount) FROM sales_orders WHERE status = 'paid' AND "
                       "order_date BETWEEN DATE '2025-09-01' AND DATE '2025-09-30'")  # fmt: skip
    figures = sorted(v for row in answer.rows for v in row if isinstance(v, float))
    assert pytest.approx(float(now)) in figures and pytest.approx(float(then)) in figures


@pytest.mark.parametrize(
    ("question", "kind", "reason"),
    [
        # a period or a team, and no figure: which figure? (not "out of my scope")
        ("上个月数据怎么样", "clarification", None),
        ("How is the team doing?", "clarification", None),
        ("上个月表现如何", "clarification", None),
        # a period and words of another domain: out of scope
        ("what's our stock price today?", "refusal", "out_of_scope"),
        # the company has no single median: per department, asked back
        ("全公司上个月业绩中位数多少", "clarification", None),
    ],
)
def test_questions_that_name_no_figure(
    demo: Assistant, question: str, kind: str, reason: str | None
) -> None:
    answer = demo.ask(question, Caller.operator(), as_of=AS_OF)
    assert answer.kind == kind, answer.answer
    if reason:
        assert answer.reason == reason


def test_one_team_of_a_city_with_several_is_asked_back(tmp_path: Path) -> None:
    october = date(2026, 10, 1)
    b = WarehouseBuilder()
    b.department(1, "杭州门店一组", "Hangzhou Stores 1", city="杭州")
    b.department(2, "杭州门店二组", "Hangzhou Stores 2", city="杭州")
    for employee_id, department in ((1, 1), (2, 1), (3, 2), (4, 2)):
        b.employee(employee_id, f"员工{employee_id}", department).target(employee_id, october, "50")
        b.order(employee_id, date(2026, 10, 9), str(100 * employee_id))
    built = _assistant(b.duckdb(tmp_path))
    try:
        one = built.ask("杭州那个组上个月中位数多少", Caller.operator(), as_of=AS_OF)
        assert one.kind == "clarification" and {"杭州门店一组", "杭州门店二组"} <= set(one.options)
        both = built.ask("杭州那边上个月中位数多少", Caller.operator(), as_of=AS_OF)
        assert both.kind == "answer" and len(both.rows) == 2
    finally:
        built.warehouse.dispose()


def test_another_team_s_figures_are_refused_in_the_question_s_language(demo: Assistant) -> None:
    """A manager asking for a team outside their subtree: a refusal (never an error), in
    Chinese for a Chinese question."""
    (head,) = _scalars(demo, (
        "SELECT m.employee_no FROM employees e JOIN employees m ON m.employee_id = e.manager_id "
        "JOIN departments d ON d.department_id = e.department_id WHERE d.name = '华东销售一部' "
        "GROUP BY m.employee_no ORDER BY count(*) DESC LIMIT 1"
    ))  # fmt: skip
    manager = resolve_caller(str(head), warehouse=demo.warehouse)
    for question in ("华北销售部上个月的排行榜发我一下", "华北销售部上个月谁超过了中位数"):
        answer = demo.ask(question, manager, as_of=AS_OF)
        assert answer.kind == "refusal" and answer.rows == [], answer.answer
        assert "无权查看" in answer.answer


def test_the_person_farthest_below_the_median(demo: Assistant) -> None:
    from tools.performance import monthly_performance

    answer = demo.ask("上个月华东销售一部谁离中位数最远（低于的）", Caller.operator(), as_of=AS_OF)
    assert answer.kind == "answer", answer.answer
    with demo.warehouse.connect() as conn:
        report = monthly_performance(conn, "2026-10", caller=Caller.operator(), as_of=AS_OF,
                                     policy=demo.policy)  # fmt: skip
    team = [r for r in report.rows if r.department == "华东销售一部"]
    lowest = min(r.gap_to_median for r in team)
    assert {row[0] for row in answer.rows} == {r.name for r in team if r.gap_to_median == lowest}
    # which side is not said: asked back
    either = demo.ask("上个月华东销售一部谁离中位数最远", Caller.operator(), as_of=AS_OF)
    assert either.kind == "clarification"


@pytest.mark.parametrize(
    "question",
    ["上个月销售额增长了多少", "sales growth last month", "last month's sales vs the month before"],
)
def test_growth_of_one_month_is_on_the_month_before(demo: Assistant, question: str) -> None:
    answer = demo.ask(question, Caller.operator(), as_of=AS_OF)
    assert answer.kind == "answer", answer.answer
    assert (answer.plan or {}).get("compare") == "previous"
    (now,) = _scalars(demo, "SELECT SUM(amount) FROM sales_orders WHERE status = 'paid' AND "
                      "order_date BETWEEN DATE '2026-10-01' AND DATE '2026-10-31'")  # fmt: skip
    (then,) = _scalars(demo, "SELECT SUM(amount) FROM sales_orders WHERE status = 'paid' AND "
                       "order_date BETWEEN DATE '2026-09-01' AND DATE '2026-09-30'")  # fmt: skip
    assert answer.rows[0][:2] == [pytest.approx(float(now)), pytest.approx(float(then))]


def test_the_team_that_grew_most_is_ranked_by_growth(demo: Assistant) -> None:
    answer = demo.ask(
        "Which team grew sales the most last month vs the month before?", Caller.operator(),
        as_of=AS_OF,
    )  # fmt: skip
    assert answer.kind == "answer", answer.answer
    rows = _scalars(demo, (
        "SELECT d.name FROM sales_orders o JOIN employees e ON e.employee_id = o.employee_id "
        "JOIN departments d ON d.department_id = e.department_id WHERE o.status = 'paid' "
        "GROUP BY d.name ORDER BY SUM(o.amount) FILTER (WHERE o.order_date BETWEEN DATE '2026-10-01' "
        "AND DATE '2026-10-31') / SUM(o.amount) FILTER (WHERE o.order_date BETWEEN "
        "DATE '2026-09-01' AND DATE '2026-09-30') DESC LIMIT 1"
    ))  # fmt: skip
    assert [row[0] for row in answer.rows] == rows


def test_the_shortfall_to_the_minimum_target(demo: Assistant) -> None:
    """离最低目标还差多少: minimum target less sales (0 once met), not the gap to the median."""
    from tools.performance import monthly_performance

    answer = demo.ask(
        "上个月华北销售部没达标的人各自离目标还差多少", Caller.operator(), as_of=AS_OF
    )
    assert answer.kind == "answer", answer.answer
    with demo.warehouse.connect() as conn:
        report = monthly_performance(conn, "2026-10", caller=Caller.operator(), as_of=AS_OF,
                                     policy=demo.policy)  # fmt: skip
    missed = {
        r.name: float(r.min_target - r.sales)
        for r in report.rows
        if r.department == "华北销售部" and r.min_target is not None and r.sales < r.min_target
    }
    column = answer.columns.index("距最低目标还差")
    assert {row[0]: row[column] for row in answer.rows} == pytest.approx(missed)
    met = next(r for r in report.rows if r.met_minimum and r.employee_no)
    mine = demo.ask(
        "我上个月离最低目标还差多少", resolve_caller(str(met.employee_no), warehouse=demo.warehouse),
        as_of=AS_OF,
    )  # fmt: skip
    assert mine.kind == "answer" and "已达到最低目标" in mine.answer


def test_two_months_named_are_both_answered(demo: Assistant) -> None:
    both = demo.ask("7月和8月华东销售一部的中位数分别是多少", Caller.operator(), as_of=AS_OF)
    july = demo.ask("7月华东销售一部的中位数", Caller.operator(), as_of=AS_OF)
    august = demo.ask("8月华东销售一部的中位数", Caller.operator(), as_of=AS_OF)
    assert both.kind == "answer" and both.plan and len(both.plan["months"]) == 2
    medians = {str(v) for r in both.rows for v in r}
    for one in (july, august):
        at = one.columns.index(next(c for c in one.columns if "中位数" in c))
        assert str(one.rows[0][at]) in medians
    assert "2026年7月和2026年8月" in (both.interpretation or "")


def test_their_department_median_is_no_grouping(demo: Assistant) -> None:
    total = demo.ask(
        "how many people were below their department median last month",
        Caller.operator(),
        as_of=AS_OF,
    )
    per_team = demo.ask("上个月各组低于中位数的有几个人", Caller.operator(), as_of=AS_OF)
    assert len(total.rows) == 1 and len(per_team.rows) > 1
    assert total.rows[0][-1] == sum(r[-1] for r in per_team.rows)


def test_a_team_ranked_by_attainment_comes_in_attainment_order(demo: Assistant) -> None:
    answer = demo.ask(
        "rank 华东销售一部 by attainment for last month", Caller.operator(), as_of=AS_OF
    )
    at = answer.columns.index(next(c for c in answer.columns if c in ("目标完成率", "attainment")))
    values = [r[at] for r in answer.rows]
    assert len(values) > 3 and values == sorted(values, reverse=True)


def test_each_teams_pass_rate_is_per_team(demo: Assistant) -> None:
    shares = demo.ask("上个月各组达标率分别是多少", Caller.operator(), as_of=AS_OF)
    counts = demo.ask("上个月各组达标的有几个人", Caller.operator(), as_of=AS_OF)
    medians = demo.ask("上个月各组的中位数", Caller.operator(), as_of=AS_OF)  # roster sizes
    assert shares.kind == "answer" and len(shares.rows) == len(counts.rows) > 1
    met = {r[0]: r[-1] for r in counts.rows}
    sizes = {r[0]: r[-1] for r in medians.rows}
    for department, share, n, size in shares.rows:
        assert (n, size) == (met[department], sizes[department])
        assert abs(share - n / size) < 1e-9


def test_each_kind_of_leave_in_days(demo: Assistant) -> None:
    answer = demo.ask("上个月各类请假分别多少天", Caller.operator(), as_of=AS_OF)
    plain = demo.ask("上个月各请假类型的请假天数", Caller.operator(), as_of=AS_OF)
    assert answer.kind == "answer" and answer.rows == plain.rows and len(answer.rows) > 1


def test_an_amount_of_bonus_is_no_count_of_people(demo: Assistant) -> None:
    rep = resolve_caller("E00048", warehouse=demo.warehouse)
    mine = demo.ask("我上个月奖金有多少", rep, as_of=AS_OF)
    assert mine.plan and mine.plan["focus"] != "count" and mine.plan["conditions"] == []
    everyone = demo.ask("上个月奖金有多少", Caller.operator(), as_of=AS_OF)
    assert everyone.plan and everyone.plan["focus"] != "count"


def test_one_share_of_everyone_is_one_figure(demo: Assistant) -> None:
    answer = demo.ask("上个月完成最低指标的人占全部销售的比例", Caller.operator(), as_of=AS_OF)
    assert answer.kind == "answer" and len(answer.rows) == 1
