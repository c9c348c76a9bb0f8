"""Indicator results against a real DuckDB file: value rules per kind, the required-cause rule,
conflicts, locks, undo, the Excel template round trip and reporting completeness."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import duckdb
import openpyxl
import pytest

from perfwatch import entry, store
from perfwatch.importers.results import parse_results

FIXTURES = Path(__file__).parent / "fixtures"
OWNER = store.Actor("李科长", "owner")
FINANCE = store.Actor("张会计", "finance")
ADMIN = store.Actor("管理员", "admin")
TODAY = dt.date(2024, 8, 15)
JUNE = dt.date(2024, 6, 30)


def ind(conn: duckdb.DuckDBPyConnection, level3: str) -> entry.Indicator:
    return next(i for i in entry.indicators_all(conn) if i.level3 == level3)


def dept(conn: duckdb.DuckDBPyConnection) -> int:
    return int(conn.execute("SELECT id FROM departments").fetchone()[0])


def save(conn: duckdb.DuckDBPyConnection, level3: str, actor: store.Actor = OWNER, **kw: object) -> entry.SaveResult:
    i = ind(conn, level3)
    kw.setdefault("as_of", JUNE)
    base = conn.execute("SELECT max(id) FROM indicator_results WHERE indicator_id = ? AND as_of = ?",
                        [i.id, kw["as_of"]]).fetchone()[0]
    kw.setdefault("base_id", base)
    return entry.save_results(conn, actor, [entry.ResultInput(i.id, **kw)], today=TODAY)  # type: ignore[arg-type]


def result_rows(conn: duckdb.DuckDBPyConnection) -> int:
    return conn.execute("SELECT count(*) FROM indicator_results").fetchone()[0]


# ------------------------------------------------------------------ the required-cause rule


@pytest.mark.parametrize(
    ("light", "likelihood", "needed"),
    [
        ("green", "确定能", False),
        ("green", None, False),
        ("grey", None, False),
        ("blue", "确定能", False),
        ("yellow", "确定能", True),
        ("red", None, True),
        ("green", "有可能", True),
        (None, "完全不可能", True),
    ],
)
def test_needs_explanation(light: str | None, likelihood: str | None, needed: bool) -> None:
    """Test the rule: yellow/red light or likelihood 有可能/完全不可能 makes cause and measure mandatory."""
    assert entry.needs_explanation(light, likelihood) is needed


def test_likelihood_at_risk_requires_cause_and_measure(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that 有可能 without cause and measure is refused, saying why, and nothing is written."""
    with pytest.raises(entry.EntryValidationError) as info:
        save(mini_db, "办案数量", value=50.0, likelihood="有可能")
    text = str(info.value)
    assert "完成目标可能性为“有可能”" in text and "偏差原因" in text and "纠偏措施" in text
    assert result_rows(mini_db) == 0
    save(mini_db, "办案数量", value=50.0, likelihood="有可能", cause_categories=("人员保障",), cause_text="人员调离",
         measure="增派人员", projected_text="预计全年完成90件")
    assert result_rows(mini_db) == 1


def test_red_light_requires_cause_and_measure(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a result turning the light red (10 of an expected 50 cases by June) needs a cause."""
    i = ind(mini_db, "办案数量")
    light, reason = entry.light_and_reason(mini_db, i, entry.ResultInput(i.id, JUNE, value=10.0))
    assert light == "red", reason
    with pytest.raises(entry.EntryValidationError, match="指标为红灯"):
        save(mini_db, "办案数量", value=10.0, likelihood="确定能")
    save(mini_db, "办案数量", value=10.0, likelihood="确定能", cause_categories=("其他",), cause_text="案件来源减少",
         measure="加强宣传", projected_value=100.0)


def test_at_risk_needs_category_sentence_measure_and_year_end(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test DOMAIN.md §5a: with a red light each of 偏差原因类别, 原因说明, 纠偏措施 and 全年预计完成情况
    is refused when missing, each with its own message."""
    full = {"value": 10.0, "likelihood": "有可能", "cause_categories": ("人员保障",), "cause_text": "人员调离",
            "measure": "增派人员", "projected_text": "预计全年完成80件"}
    for missing, message in (("cause_categories", "必须选择偏差原因类别"), ("cause_text", "必须填写原因说明"),
                             ("measure", "必须填写纠偏措施"), ("projected_text", "必须填写全年预计完成情况")):
        kw = {k: v for k, v in full.items() if k != missing}
        with pytest.raises(entry.EntryValidationError, match=message):
            save(mini_db, "办案数量", **kw)
    assert result_rows(mini_db) == 0
    save(mini_db, "办案数量", **full)
    assert result_rows(mini_db) == 1


def test_ticked_category_without_sentence_is_refused_even_when_green(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a cause category without a 原因说明 sentence is refused on a green result."""
    with pytest.raises(entry.EntryValidationError, match="勾选了偏差原因类别，请用一句话说明具体原因"):
        save(mini_db, "办案数量", value=50.0, likelihood="确定能", cause_categories=("其他",))
    assert result_rows(mini_db) == 0


def test_green_light_needs_no_cause(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that an on-track result saves without cause or measure."""
    save(mini_db, "办案数量", value=50.0, likelihood="确定能")
    assert result_rows(mini_db) == 1


def test_qualitative_rating_partial_is_yellow_and_needs_cause(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a 部分达成 rating (yellow) needs a cause; 达成 does not."""
    mini_db.execute("UPDATE indicators SET kind = 'qualitative', comparator = 'qualitative', value = NULL "
                    "WHERE level3 = '组织培训不少于 2次'")
    with pytest.raises(entry.EntryValidationError, match="纠偏措施"):
        save(mini_db, "组织培训不少于 2次", rating="部分达成", actor=store.SYSTEM)
    save(mini_db, "组织培训不少于 2次", rating="达成", actor=store.SYSTEM)


# ------------------------------------------------------------------ value rules per kind


@pytest.mark.parametrize(
    ("level3", "kw", "message"),
    [
        ("服务对象满意度", {"value": 101.0}, "超过 100%"),            # % indicator above 100
        ("服务对象满意度", {"value": -1.0}, "负数"),                   # negative
        ("办案数量", {"value": -3.0}, "负数"),
        ("办案数量", {}, "请填写截至目前的完成值"),                      # missing value
        ("办案数量", {"value": 5.0, "rating": "达成"}, "不填写完成评价"),
        ("经费保障及时性", {}, "请选择完成目标可能性"),                  # deadline: not done, no judgement
        ("经费保障及时性", {"done_date": dt.date(2024, 7, 1)}, "晚于截止日期"),
        ("办案数量", {"value": 5.0, "as_of": dt.date(2023, 12, 31)}, "不在预算年度"),
        ("办案数量", {"value": 5.0, "as_of": dt.date(2024, 9, 30)}, "在未来"),
        ("办案数量", {"value": 5.0, "likelihood": "大概"}, "完成目标可能性须为"),
        ("办案数量", {"value": 5.0, "cause_categories": ("天气",)}, "偏差原因类别须为"),
    ],
)
def test_invalid_results_are_refused(mini_db: duckdb.DuckDBPyConnection, level3: str, kw: dict, message: str) -> None:
    """Test that each invalid result is refused with a clear Chinese message and nothing is written."""
    with pytest.raises(entry.EntryValidationError, match=message):
        save(mini_db, level3, base_id=None, **kw)
    assert result_rows(mini_db) == 0


def test_counts_may_exceed_100(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a count indicator accepts more than 100 (only percentages are capped)."""
    save(mini_db, "办案数量", value=180.0)
    assert mini_db.execute("SELECT value FROM indicator_results").fetchone()[0] == 180.0


def test_deadline_done_date_saves(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a deadline indicator saves its done date."""
    save(mini_db, "经费保障及时性", done_date=dt.date(2024, 5, 20))
    assert mini_db.execute("SELECT done_date FROM indicator_results").fetchone()[0] == dt.date(2024, 5, 20)


def test_finance_may_not_enter_results(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that result.record is the owner's."""
    with pytest.raises(store.PermissionDenied):
        save(mini_db, "办案数量", actor=FINANCE, value=50.0)


def test_owner_limited_to_assigned_projects(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that an owner assigned to P002 cannot report P001's indicators, but may report, and
    undo, P002's; department-level indicators are not theirs."""
    p2 = next(p.id for p in entry.projects_all(mini_db) if p.code == "P002")
    owner2 = store.Actor("乙负责人", "owner", frozenset({p2}))
    with pytest.raises(store.PermissionDenied):
        save(mini_db, "办案数量", actor=owner2, value=50.0)
    with pytest.raises(store.PermissionDenied):
        save(mini_db, "组织培训不少于 2次", actor=owner2, value=1.0)
    save(mini_db, "总成本", actor=owner2, value=3.0)
    entry.undo_batch(mini_db, owner2, entry.last_undoable(mini_db, dept(mini_db), "result").batch_id)  # type: ignore[union-attr]
    assert result_rows(mini_db) == 2


# ------------------------------------------------------------------ conflicts, locks, undo


def test_concurrent_edit_of_the_same_result_is_a_conflict(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that two owners starting from the same row: the second save raises ConflictError with
    who and when, and the first value stays."""
    save(mini_db, "办案数量", value=50.0)
    base = mini_db.execute("SELECT max(id) FROM indicator_results").fetchone()[0]
    save(mini_db, "办案数量", actor=store.Actor("赵科员", "owner"), value=55.0, base_id=base)
    with pytest.raises(entry.ConflictError) as info:
        save(mini_db, "办案数量", value=60.0, base_id=base)
    assert info.value.changed_by == "赵科员" and "赵科员" in str(info.value)
    assert mini_db.execute("SELECT value FROM indicator_results ORDER BY id DESC LIMIT 1").fetchone()[0] == 55.0


def test_locked_period_refuses_results(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a result dated in a locked month is refused."""
    entry.set_lock(mini_db, FINANCE, dept(mini_db), [dt.date(2024, 6, 1)], True)
    with pytest.raises(entry.LockedError):
        save(mini_db, "办案数量", value=50.0)
    assert result_rows(mini_db) == 0


def test_undo_restores_the_previous_result(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that undoing the last save appends the previous result, and undoing the first save
    appends an empty one (the indicator then counts as not reported)."""
    d = dept(mini_db)
    save(mini_db, "办案数量", value=50.0)
    save(mini_db, "办案数量", value=70.0, likelihood="确定能")
    entry.undo_batch(mini_db, OWNER, entry.last_undoable(mini_db, d, "result").batch_id)  # type: ignore[union-attr]
    latest = mini_db.execute("SELECT value, likelihood FROM indicator_results ORDER BY id DESC LIMIT 1").fetchone()
    assert latest == (50.0, None) and result_rows(mini_db) == 3
    entry.undo_batch(mini_db, OWNER, entry.last_undoable(mini_db, d, "result").batch_id)  # type: ignore[union-attr]
    latest = mini_db.execute("SELECT value FROM indicator_results ORDER BY id DESC LIMIT 1").fetchone()
    assert latest == (None,) and result_rows(mini_db) == 4
    assert "办案数量" in set(entry.completeness(mini_db, d, JUNE).missing["三级指标"])
    assert mini_db.execute("SELECT count(*) FROM audit_log WHERE action = 'result.undo'").fetchone()[0] == 2


def test_undo_one_result(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test undoing one indicator's last change, and the conflict when it is no longer current."""
    i = ind(mini_db, "办案数量")
    save(mini_db, "办案数量", value=50.0)
    save(mini_db, "办案数量", value=70.0)
    row = mini_db.execute("SELECT max(id) FROM indicator_results").fetchone()[0]
    entry.undo_result_cell(mini_db, OWNER, i.id, JUNE, row)
    assert mini_db.execute("SELECT value FROM indicator_results ORDER BY id DESC LIMIT 1").fetchone()[0] == 50.0
    with pytest.raises(entry.ConflictError):
        entry.undo_result_cell(mini_db, OWNER, i.id, JUNE, row)


# ------------------------------------------------------------------ files and the template


def test_import_english_and_chinese_files(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that both fixture files import: English by project_code + level3, Chinese with 二级指标."""
    for name in ("results_en.csv", "results_cn.csv"):
        rf = parse_results((FIXTURES / name).read_bytes(), name)
        plan = entry.plan_results_import(mini_db, rf, today=TODAY)
        assert not plan.errors, [str(e) for e in plan.errors]
        entry.commit_results_import(mini_db, OWNER, plan, today=TODAY)
    values = dict(mini_db.execute(
        "SELECT i.level3, r.value FROM indicator_results r JOIN indicators i ON i.id = r.indicator_id "
        "WHERE r.id IN (SELECT max(id) FROM indicator_results GROUP BY indicator_id, as_of)").fetchall())
    assert values == {"办案数量": 20.0, "服务对象满意度": 95.0, "经费保障及时性": None, "总成本": 5.0}


def test_import_row_errors_refuse_the_whole_file(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that unknown codes, unknown indicators, a % above 100, a missing cause and duplicates are
    row errors naming file, row and column, and nothing is written."""
    data = ("项目编码,三级指标,截止日期,完成值,完成可能性,偏差原因,纠偏措施\n"
            "P001,办案数量,2024-06-30,50,确定能,,\n"            # fine
            "P404,办案数量,2024-06-30,50,,,\n"                   # unknown code
            "P001,不存在的指标,2024-06-30,50,,,\n"                 # unknown indicator
            "P001,服务对象满意度,2024-06-30,120,,,\n"              # % > 100
            "P002,总成本,2024-06-30,5,完全不可能,,\n"              # cause and measure missing
            "P001,办案数量,2024-06-30,51,确定能,,\n"              # duplicate of row 2
            ).encode()
    plan = entry.plan_results_import(mini_db, parse_results(data, "bad.csv"), today=TODAY)
    got = [(e.row, e.column) for e in plan.errors]
    # row 6: category and sentence (both read from 偏差原因), measure, and 全年预计完成情况 (no such column)
    assert got == [(3, "项目编码"), (4, "三级指标"), (5, "完成值"), (6, "偏差原因"), (6, "偏差原因"), (6, "纠偏措施"),
                   (6, "全年预计完成情况"), (7, None)]
    assert all(e.file == "bad.csv" for e in plan.errors)
    with pytest.raises(entry.EntryValidationError):
        entry.commit_results_import(mini_db, OWNER, plan, today=TODAY)
    assert result_rows(mini_db) == 0


def test_ambiguous_level3_needs_level2(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that two indicators with the same 三级指标 in a project are told apart by 二级指标."""
    mini_db.execute("UPDATE indicators SET level3 = '办案数量' WHERE level3 = '经费保障及时性'")
    plan = entry.plan_results_import(
        mini_db, parse_results("project_code,level3,as_of,value\nP001,办案数量,2024-06-30,50\n".encode(), "a.csv"),
        today=TODAY)
    assert "二级指标" in plan.errors[0].message
    plan = entry.plan_results_import(
        mini_db, parse_results("project_code,level2,level3,as_of,value\nP001,数量指标,办案数量,2024-06-30,50\n".encode(),
                               "a.csv"), today=TODAY)
    assert not plan.errors


def test_template_round_trip(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that the downloaded template lists the indicators, and once filled offline it imports;
    rows left empty are skipped."""
    d = dept(mini_db)
    data = entry.results_template(mini_db, d, JUNE)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["指标填报"]
    header = [c.value for c in ws[1]]
    assert header == list(entry.TEMPLATE_COLUMNS)
    rows = {r[5]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"组织培训不少于 2次", "办案数量", "经费保障及时性", "服务对象满意度", "总成本"}
    col = {h: k + 1 for k, h in enumerate(header)}
    for r in ws.iter_rows(min_row=2):
        if r[5].value == "办案数量":
            r[col["完成值"] - 1].value = 48
            r[col["完成可能性"] - 1].value = "确定能"
        if r[5].value == "服务对象满意度":
            r[col["完成值"] - 1].value = 92
    buf = io.BytesIO()
    wb.save(buf)
    plan = entry.plan_results_import(mini_db, parse_results(buf.getvalue(), "filled.xlsx"), department_id=d, today=TODAY)
    assert not plan.errors and len(plan.inputs) == 2 and plan.skipped == 3
    entry.commit_results_import(mini_db, OWNER, plan, today=TODAY)
    # the next template is pre-filled with what was entered
    again = openpyxl.load_workbook(io.BytesIO(entry.results_template(mini_db, d, JUNE)))["指标填报"]
    filled = {r[5]: r[col["完成值"] - 1] for r in again.iter_rows(min_row=2, values_only=True)}
    assert filled["办案数量"] == 48 and filled["服务对象满意度"] == 92


# ------------------------------------------------------------------ completeness


def test_completeness_lists_what_is_still_owed(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that completeness counts reported indicators and spend per project for the month."""
    d = dept(mini_db)
    rep = entry.completeness(mini_db, d, JUNE)
    assert (rep.indicators_reported, rep.indicators_total, rep.spend_missing) == (0, 5, 2)
    save(mini_db, "办案数量", value=50.0)
    save(mini_db, "总成本", value=3.0, as_of=dt.date(2024, 5, 31))   # May: not this month's report
    p1 = next(p.id for p in entry.projects_all(mini_db) if p.code == "P001")
    from decimal import Decimal
    entry.save_spend(mini_db, FINANCE, [entry.SpendChange(p1, dt.date(2024, 6, 1), Decimal(0), None)], today=TODAY)
    rep = entry.completeness(mini_db, d, JUNE)
    assert (rep.indicators_reported, rep.spend_missing) == (1, 1)
    assert list(rep.projects["指标已填/总数"]) == ["1/3", "0/1"]
    assert list(rep.projects["本月支出"]) == ["已填", "未填"]
    assert "办案数量" not in set(rep.missing["三级指标"]) and "总成本" in set(rep.missing["三级指标"])
    assert rep.missing.loc[rep.missing["三级指标"] == "总成本", "上次填报"].item() == "2024-05-31"


def test_completeness_tells_stale_results_from_unreported_ones(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test 本期未更新 against 未填报 at two reporting months, on hand-made results: a result older
    than the month is listed with its value and date, counted per project apart from the indicators
    never reported; a result dated after the reporting date plays no part."""
    d = dept(mini_db)
    save(mini_db, "服务对象满意度", value=95.0, as_of=dt.date(2024, 5, 31))
    save(mini_db, "办案数量", value=50.0, as_of=JUNE)
    save(mini_db, "总成本", value=3.0, as_of=dt.date(2024, 7, 15))

    # June (by hand): 办案数量 is this month's; 满意度 only has May -> 本期未更新 "95%（截至5月31日）";
    # 经费保障及时性, 总成本 (its July result is after June) and the department-level indicator: 未填报.
    june = entry.completeness(mini_db, d, JUNE)
    assert dict(zip(june.stale["三级指标"], june.stale["最近结果"], strict=True)) == {"服务对象满意度": "95%（截至5月31日）"}
    assert "总成本" in set(june.unreported["三级指标"]) and "经费保障及时性" in set(june.unreported["三级指标"])
    assert len(june.unreported) == 3 and june.indicators_reported == 1
    assert june.projects[["项目编码", "待填指标", "未填报", "本期未更新"]].values.tolist() == [["P001", 2, 1, 1], ["P002", 1, 1, 0]]

    # July (by hand): 办案数量's June result is now stale too, 总成本 (July 15) is this month's.
    july = entry.completeness(mini_db, d, dt.date(2024, 7, 31))
    assert dict(zip(july.stale["三级指标"], july.stale["最近结果"], strict=True)) == {
        "办案数量": "50 件（截至6月30日）", "服务对象满意度": "95%（截至5月31日）"}
    assert july.projects[["项目编码", "待填指标", "未填报", "本期未更新"]].values.tolist() == [["P001", 3, 1, 2], ["P002", 0, 0, 0]]
    assert july.indicators_reported == 1 and not july.complete
    assert set(july.missing["情况"]) == {"未填报", "本期未更新"}
    # A result in the month is current: nothing to date.
    assert entry.latest_result_text(dt.date(2024, 7, 1), dt.date(2024, 7, 31), value=3) is None
    # The other kinds of result, worded like the forms' 1–N月执行情况 (by hand).
    aug = dt.date(2024, 8, 31)
    assert entry.latest_result_text(dt.date(2024, 5, 31), aug, done_date=dt.date(2024, 5, 20)) == "已于5月20日完成（截至5月31日）"
    assert entry.latest_result_text(dt.date(2024, 6, 30), aug, rating="达成") == "评价：达成（截至6月30日）"
    assert entry.latest_result_text(dt.date(2024, 7, 31), aug, value=2.125, unit="万元") == "2.13 万元（截至7月31日）"


def test_completeness_names_the_owner_who_still_owes(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that each project row names its enabled 项目负责人, and unassigned projects say so."""
    from perfwatch import auth
    from perfwatch.store import Actor

    admin = Actor("adm", "admin")
    auth.create_user(mini_db, admin, "zhang", "owner", "long-enough-pw", "张三", ["P001"])
    auth.create_user(mini_db, admin, "li", "owner", "long-enough-pw", None, ["P001"])
    auth.create_user(mini_db, admin, "wang", "owner", "long-enough-pw", "王五", ["P002"])
    auth.disable_user(mini_db, admin, "wang")
    rep = entry.completeness(mini_db, dept(mini_db), JUNE)
    assert list(rep.projects["负责人"]) == ["li、张三", "（未分配）"]


def test_template_keeps_formula_like_text_as_text(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that entered text starting with '=' is written to the template as text, not a formula."""
    save(mini_db, "办案数量", value=50.0, measure="=HYPERLINK(\"http://x\")", note="+1")
    data = entry.results_template(mini_db, dept(mini_db), JUNE)
    ws = openpyxl.load_workbook(io.BytesIO(data))["指标填报"]
    cells = {c.value: c.data_type for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)}
    assert cells['=HYPERLINK("http://x")'] == "s" and cells["+1"] == "s"
