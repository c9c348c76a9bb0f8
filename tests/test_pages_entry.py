"""The data-entry pages under AppTest (no browser), each on its own temporary database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from perfwatch import dataset, db, entry, store

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def page_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, point_app: Callable[[Path], Path], mini_data: dict[str, Any]) -> Iterator[Path]:
    """The mini dataset in the app's database file, sign-in off, no cache leaking between tests."""
    path = tmp_path / "pages.duckdb"
    conn = db.open_database(path)
    dataset.load_targets(conn, store.SYSTEM, mini_data)
    conn.close()
    yield point_app(path)


def read(path: Path, sql: str) -> list[tuple[Any, ...]]:
    """Query the app's file through the app's own cached connection (DuckDB allows one per file)."""
    from perfwatch import web

    return web._connection(str(path)).execute(sql).fetchall()


def page(name: str, role: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("PERFWATCH_ROLE", role)
    monkeypatch.setenv("PERFWATCH_PROJECTS", "P001,P002")  # an owner's assigned projects
    at = AppTest.from_file(str(next((REPO / "pages").glob(f"*/{name}"))), default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def edit_grid(at: AppTest, edited_rows: dict[int, dict[str, float]]) -> None:
    """Seed the spend grid's edit state (what a person typing into cells produces) and rerun."""
    key = at.data_editor[0].key
    assert key is not None and key.startswith("spend_grid")
    at.session_state[key] = {"edited_rows": edited_rows, "added_rows": [], "deleted_rows": []}
    at.run()


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


def test_spend_grid_saves_an_edited_cell(page_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test that editing March of P001 in the grid and saving writes 1.5 万元 and shows it."""
    at = page("entry_spend.py", "finance", monkeypatch)
    grid = at.data_editor[0]
    assert list(grid.value["项目编码"]) == ["P001", "P002"]
    edit_grid(at, {0: {"3月": 1.5}})
    at.button(key="spend_save").click().run()
    assert not at.exception, at.exception
    assert not at.error, errors(at)
    assert [(float(a), b) for a, b in read(page_db, "SELECT amount, entered_by FROM spend_entries")] == [(1.5, "本机用户")]
    assert any("已保存 1 项支出" in s.value for s in at.success)
    assert at.data_editor[0].value.loc[0, "3月"] == 1.5


def test_spend_grid_blank_month_is_blank_and_zero_is_zero(page_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test that an empty month shows blank (not "None") and stays unwritten on save, while a typed 0 is saved as 0."""
    at = page("entry_spend.py", "finance", monkeypatch)
    grid = at.data_editor[0]
    # The browser draws missing cells with this text; without it Streamlit draws "None".
    assert grid.proto.HasField("placeholder") and grid.proto.placeholder == ""
    assert grid.value["3月"].isna().all()  # nothing entered yet: missing, not 0
    edit_grid(at, {0: {"2月": 0.0}})  # P001 February: 0 typed; P001 March and all of P002 stay blank
    at.button(key="spend_save").click().run()
    assert not at.exception and not at.error, errors(at)
    assert [(float(a), m) for a, m in read(page_db, "SELECT amount, month(period) FROM spend_entries")] == [(0.0, 2)]
    shown = at.data_editor[0].value
    assert shown.loc[0, "2月"] == 0.0 and shown.iloc[0].drop(["项目编码", "项目名称", "预算数", "2月", "合计", "执行率"]).isna().all()


def test_spend_grid_over_budget_asks_for_confirmation(page_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test that saving more than the budget shows a warning and a confirmation box; ticking it saves."""
    at = page("entry_spend.py", "finance", monkeypatch)
    edit_grid(at, {0: {"3月": 12.0}})
    at.button(key="spend_save").click().run()
    assert any("超过预算" in w.value for w in at.warning)
    assert read(page_db, "SELECT count(*) FROM spend_entries") == [(0,)]
    at.checkbox(key="spend_confirm_over").check().run()
    at.button(key="spend_save").click().run()
    assert not at.exception and not at.error, errors(at)
    assert read(page_db, "SELECT count(*) FROM spend_entries") == [(1,)]


def test_spend_grid_conflict_is_shown_not_overwritten(page_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test that a change by someone else after the grid was loaded is reported as a conflict."""
    at = page("entry_spend.py", "finance", monkeypatch)
    from perfwatch import web

    conn = web._connection(str(page_db))
    p1 = next(p.id for p in entry.projects_all(conn) if p.code == "P001")
    entry.save_spend(conn, store.Actor("王出纳", "finance"), [entry.SpendChange(p1, dt.date(2024, 3, 1), 2, None)])
    edit_grid(at, {0: {"3月": 1.0}})
    at.button(key="spend_save").click().run()
    assert not at.exception
    assert "王出纳" in errors(at) and "未保存" in errors(at)
    assert [float(r[0]) for r in read(page_db, "SELECT amount FROM spend_entries")] == [2.0]


def test_spend_page_lock_and_history(page_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test that an admin locks March from the page, and the lock shows in the grid caption and history."""
    at = page("entry_spend.py", "admin", monkeypatch)
    assert at.button(key="spend_save").disabled  # admin: lock/unlock only
    at.multiselect(key="spend_lock_months").select(dt.date(2024, 3, 1)).run()
    at.button(key="spend_lock").click().run()
    assert not at.exception, at.exception
    assert any("已锁定 1 个月份" in s.value for s in at.success)
    assert read(page_db, "SELECT locked, changed_by FROM period_locks") == [(True, "本机用户")]
    assert any("已锁定：3月" in c.value for c in at.caption)


def test_spend_page_undo_last_save(page_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test that 撤销上一次保存 restores the previous figure."""
    at = page("entry_spend.py", "finance", monkeypatch)
    edit_grid(at, {1: {"2月": 3.0}})
    at.button(key="spend_save").click().run()
    at.button(key="spend_undo_last").click().run()
    assert not at.exception and not at.error, errors(at)
    assert [float(r[0]) for r in read(page_db, "SELECT amount FROM spend_entries ORDER BY id")] == [3.0, 0.0]


def test_results_form_requires_cause_then_saves(page_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test that the results form refuses 有可能 without cause and measure, saying why, then saves
    once they are filled, and the indicator's light appears in the table."""
    at = page("entry_results.py", "owner", monkeypatch)
    from perfwatch import web

    conn = web._connection(str(page_db))
    iid = next(i.id for i in entry.indicators_all(conn) if i.level3 == "办案数量")
    as_of = entry.reporting_as_of(2024, entry.default_month(2024))
    suffix = f"{iid}_{as_of}"
    # a closed indicator draws no form (drawn when opened: a page of 20 forms is slow); open it
    assert f"results_value_{suffix}" not in [w.key for w in at.number_input]
    at.session_state[f"results_open_{suffix}"] = True
    at.run()
    at.number_input(key=f"results_value_{suffix}").set_value(100.0)
    at.radio(key=f"results_likelihood_{suffix}").set_value("有可能")
    form_buttons = [b for b in at.button if b.label == "保存"]
    form_buttons[0].click().run()
    assert not at.exception, at.exception
    for required in ("必须选择偏差原因类别", "必须填写原因说明", "必须填写纠偏措施", "必须填写全年预计完成情况"):
        assert required in errors(at)
    assert read(page_db, "SELECT count(*) FROM indicator_results") == [(0,)]
    at.multiselect(key=f"results_cats_{suffix}").select("人员保障")
    at.text_area(key=f"results_cause_{suffix}").input("人员调离")
    at.text_input(key=f"results_projected_{suffix}").input("预计全年完成200件")
    at.text_area(key=f"results_measure_{suffix}").input("增派人员")
    [b for b in at.button if b.label == "保存"][0].click().run()
    assert not at.exception and not at.error, errors(at)
    assert read(page_db, "SELECT value, likelihood, measure FROM indicator_results") == [(100.0, "有可能", "增派人员")]
    table = at.dataframe[0].value
    row = table[table["三级指标"] == "办案数量"].iloc[0]
    assert row["截至目前"] == "100件" and "黄灯" in row["指标灯"]


def _report_case_count(path: Path, as_of: dt.date, value: float) -> None:
    """办案数量's result to ``as_of`` saved (on 2024-08-15) through the app's own connection."""
    from perfwatch import web

    conn = web._connection(str(path))
    ind = int(conn.execute("SELECT id FROM indicators WHERE level3 = '办案数量'").fetchone()[0])
    entry.save_results(conn, store.SYSTEM, [entry.ResultInput(ind, as_of, value=value)], today=dt.date(2024, 8, 15))


def test_results_page_flags_an_indicator_not_updated_this_round(page_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test that 办案数量, last reported at May's end (40 件), reads 本期未更新 with its date in the
    June round of 指标填报 (table and expander, the words of 项目填报), and its plain value in May."""
    _report_case_count(page_db, dt.date(2024, 5, 31), 40.0)
    at = page("entry_results.py", "owner", monkeypatch)
    at.selectbox(key="results_month").set_value(6).run()
    assert not at.exception, at.exception
    note = "本期未更新，最近一次：40 件（截至5月31日）"  # by hand: May 31 is before June, unit 件
    table = at.dataframe[0].value.set_index("三级指标")
    assert table.loc["办案数量", "截至目前"] == note
    assert table.loc["服务对象满意度", "截至目前"] == "未填报"
    assert [e.label for e in at.expander if "办案数量" in e.label][0].endswith(f"〔{note}〕")
    at.selectbox(key="results_month").set_value(5).run()
    assert not at.exception, at.exception
    assert at.dataframe[0].value.set_index("三级指标").loc["办案数量", "截至目前"] == "40件"
    assert not any("本期未更新" in e.label for e in at.expander)


def test_results_page_for_finance_is_refused(page_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test that a finance user opening the results page gets a message, not the form."""
    monkeypatch.setenv("PERFWATCH_ROLE", "finance")
    at = AppTest.from_file(str(REPO / "pages" / "entry" / "entry_results.py"), default_timeout=60).run()
    assert not at.exception and "无权" in errors(at)


def test_completeness_page(page_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test that the completeness page lists the department and the indicators still owed."""
    at = page("completeness.py", "leader", monkeypatch)
    summary = at.dataframe[0].value
    assert list(summary["指标已填/总数"]) == ["0/5"]
    missing = at.dataframe[2].value
    assert len(missing) == 5 and "办案数量" in set(missing["三级指标"])


def test_completeness_page_lists_stale_results_apart(page_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test that a June result viewed in the July round is 本期未更新 with its date, not 未填报."""
    _report_case_count(page_db, dt.date(2024, 6, 30), 50.0)
    at = page("completeness.py", "leader", monkeypatch)
    at.selectbox(key="completeness_month").set_value(7).run()
    assert not at.exception, at.exception
    assert at.dataframe[0].value["其中本期未更新"].tolist() == [1]
    projects = next(d.value for d in at.dataframe if "审核状态" in d.value.columns)
    assert projects[["项目编码", "未填报", "本期未更新"]].values.tolist() == [["P001", 2, 1], ["P002", 1, 0]]  # by hand
    missing = at.dataframe[2].value.set_index("三级指标")
    assert (missing.loc["办案数量", "情况"], missing.loc["办案数量", "最近结果"]) == ("本期未更新", "50 件（截至6月30日）")
    assert (missing.loc["总成本", "情况"], missing.loc["总成本", "最近结果"]) == ("未填报", "—")
    assert {m.label: m.value for m in at.metric}["本期未更新指标"] == "1"


def test_completeness_page_reads_once_and_is_fresh_after_a_write(page_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test that 填报情况's cached read (issue 15 item 6) is not rebuilt on a rerun without a write,
    and shows a result saved between two reruns (the data version moved): 0/5 then 1/5 (by hand)."""
    from perfwatch import pageviews, web

    calls: list[int] = []
    real = pageviews.completeness_of_year
    monkeypatch.setattr(pageviews, "completeness_of_year", lambda *a: calls.append(1) or real(*a))
    at = page("completeness.py", "leader", monkeypatch)
    at.run()
    assert not at.exception, at.exception
    assert list(at.dataframe[0].value["指标已填/总数"]) == ["0/5"] and len(calls) == 1
    conn = web._connection(str(page_db))
    ind = int(conn.execute("SELECT id FROM indicators WHERE level3 = '办案数量'").fetchone()[0])
    month = int(at.selectbox(key="completeness_month").value)
    entry.save_results(conn, store.SYSTEM, [entry.ResultInput(ind, entry.reporting_as_of(2024, month), value=100.0)],
                       today=dt.date(2024, 12, 31))
    at.run()
    assert not at.exception, at.exception
    assert list(at.dataframe[0].value["指标已填/总数"]) == ["1/5"] and len(calls) == 2
