"""The dashboard pages under AppTest: every page runs without exception, and the numbers shown
are the engine's (perfwatch.status.compute_status) for a fixture written through perfwatch.store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from perfwatch import dataset, db, demo, entry, store, views
from perfwatch.status import Status, compute_status

REPO = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2024, 6, 30)
FINANCE = store.Actor("财务科", "finance")
OWNER = store.Actor("项目科", "owner")
DASHBOARD_PAGES = ["pages/monitor/overview.py", "pages/monitor/spend.py", "pages/monitor/indicators.py", "pages/monitor/project.py",
                   "pages/monitor/departments.py"]

# Fixture spend (万元 per month) as of 2024-06-30; plans are 25/50/75/100 or 8/50/75/100, so the
# expectation at 06-30 is 50% for every project.
SPEND = {
    "13052924P00584012128B": {1: 0.2, 3: 0.3, 6: 0.5},   # 法律援助 2.00: 1.00 = 50%, ratio 100 green
    # 13052924P00584012124W 法治工作 1.00: nothing spent -> ratio 0, red, the worst
    "13052924P00584210790E": {4: 10.0, 6: 11.6},         # 72.00: 21.60 = 30%, ratio 60.0 -> yellow (boundary)
    "13052924P00584210795G": {5: 7.79},                  # 26.00: 7.79 = 29.96%, ratio 59.9 -> red
    "13052924P00584210803P": {2: 1.0, 6: 2.1},           # 2.90: 3.10 spent > budget: overspent flag
}


def _indicator(conn: duckdb.DuckDBPyConnection, code: str, level3: str) -> int:
    return int(conn.execute(
        "SELECT i.id FROM indicators i JOIN projects p ON p.id = i.project_id WHERE p.code = ? AND i.level3 = ?",
        [code, level3]).fetchone()[0])


def fill_fixture(conn: duckdb.DuckDBPyConnection) -> None:
    """Spend and results through the one write path (as finance and a project owner)."""
    ids = {code: pid for pid, code in conn.execute("SELECT id, code FROM projects").fetchall()}
    for code, months in SPEND.items():
        for month, amount in months.items():
            entry.record_spend(conn, FINANCE, ids[code], dt.date(2024, month, 1), amount, confirm_over_budget=True)
    # A corrected figure: the latest row of a month wins (1.00 -> 0.50 above is the second entry).
    entry.record_spend(conn, FINANCE, ids["13052924P00584012128B"], dt.date(2024, 6, 1), 0.5, note="更正")
    # Rate 60% against ≥90%: red, with cause and measure entered.
    entry.record_result(conn, OWNER, _indicator(conn, "13052924P00584012124W", "宣传覆盖率"), AS_OF, value=60,
                        likelihood="有可能", cause_categories=["经费保障"], cause_text="经费未到位",
                        measure="三季度集中开展宣传", projected_text="预计年底达到90%")
    # Rate 87% against ≥90%: within the 5pp tolerance -> yellow.
    entry.record_result(conn, OWNER, _indicator(conn, "13052924P00584012128B", "宣传覆盖率"), AS_OF, value=87,
                        cause_categories=["人员保障"], cause_text="宣传人员不足", measure="抽调人员",
                        projected_text="预计年底达到90%")
    # Count 60 against ≥100 件 pro-rated to 50 by 06-30 -> 120% -> blue.
    entry.record_result(conn, OWNER, _indicator(conn, "13052924P00584210790E", "支持办案（业务）数量"), AS_OF, value=60)
    entry.record_project_report(conn, OWNER, ids["13052924P00584210790E"], AS_OF, projected_amount=70,
                                progress_text="装备采购招标中")


@pytest.fixture
def dashboard_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, point_app: Callable[[Path], Path]) -> Iterator[Path]:
    """A database with the seed targets and the fixture actuals; the app pointed at it, sign-in off,
    the demo built into a temp file, caches clean."""
    path = tmp_path / "dash.duckdb"
    conn = dataset.open_seeded(path)
    fill_fixture(conn)
    conn.close()
    monkeypatch.setenv(demo.ENV_DEMO_DB, str(tmp_path / "demo.duckdb"))
    yield point_app(path)


def engine_status(path: Path, as_of: dt.date = AS_OF) -> Status:
    conn = db.open_database(path)
    try:
        return compute_status(conn, as_of, department_id=1)
    finally:
        conn.close()


def run_page(page: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    if page != "pages/monitor/overview.py" or query:
        for k, v in query.items():
            at.query_params[k] = v
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_every_dashboard_page_runs(dashboard_db: Path) -> None:
    """Test that each dashboard page runs through the frame without an exception."""
    for page in DASHBOARD_PAGES:
        run_page(page)


def test_overview_cards_and_attention_equal_the_engine(dashboard_db: Path) -> None:
    """Test that the 总览 cards and the first 需要关注 row are the engine's numbers and reason."""
    s = engine_status(dashboard_db)
    at = run_page("pages/monitor/overview.py")
    m = metrics(at)
    assert m["预算总额（万元）"] == f"{s.total['budget']:,.2f}" == "122.90"
    assert m["累计支出（万元）"] == f"{s.total['spent']:,.2f}"
    assert m["预算执行率"] == f"{s.total['execution_pct']:.2f}%"
    assert m["计划应达进度"] == f"{s.total['expected_pct']:.2f}%" == "50.00%"
    assert m["序时进度"] == f"{s.total['time_pct']:.2f}%" == "50.00%"
    attention = at.dataframe[0].value
    assert s.projects.sort_values("ratio").iloc[0]["name"] == "法治工作经费"  # lowest ratio, but small money
    # First row: the red project furthest behind plan in 万元 (budget × expected% − spent), not the lowest ratio.
    red = s.projects[s.projects["execution_light"] == "red"].copy()
    red["_behind"] = red["budget"] * red["expected_pct"] / 100 - red["spent"]
    worst = red.sort_values("_behind", ascending=False).iloc[0]
    first = attention.iloc[0]
    assert first["落后计划（万元）"] == pytest.approx(round(worst["_behind"], 2))
    assert first["项目"] == worst["name"]
    assert first["原因"] == worst["execution_reason"]
    assert first["灯"] == "红灯"
    # The detail panel shows the first row's why in full (wrapped text, not a cut cell) and the order rule.
    assert first["原因"] in [t.value for t in at.text]
    assert any("红灯在前，黄灯在后；同色按落后计划的金额" in c.value for c in at.caption)
    # The indicator with cause and measure entered shows them.
    row = attention[(attention["类别"] == "绩效指标") & (attention["名称"] == "宣传覆盖率")
                    & (attention["项目"] == "法治工作经费")].iloc[0]
    assert row["偏差原因/说明"] == "经费保障：经费未到位" and row["纠偏措施"] == "三季度集中开展宣传"
    # Every red/yellow spend light and indicator light of the engine is listed, nothing else.
    n_lagging = int(s.projects["execution_light"].isin(["red", "yellow"]).sum()
                    + (~s.projects["execution_light"].isin(["red", "yellow"]) & s.projects["overspent"]).sum()
                    + s.indicators["light"].isin(["red", "yellow"]).sum())
    assert len(attention) == n_lagging
    assert list(attention["灯"]) == sorted(attention["灯"], key=["红灯", "黄灯"].index)


def test_overview_defaults_to_the_last_month_end_with_data(dashboard_db: Path) -> None:
    """Test that the 截至 date defaults to the last month-end with data (06-30 here)."""
    at = run_page("pages/monitor/overview.py")
    assert at.sidebar.selectbox[0].value == AS_OF


def test_spend_page_variance_table_equals_the_engine(dashboard_db: Path) -> None:
    """Test that 支出进度 lists every project worst first with the engine's figures."""
    s = engine_status(dashboard_db)
    at = run_page("pages/monitor/spend.py")
    m = metrics(at)
    assert m["执行率"] == f"{s.departments.iloc[0]['execution_pct']:.2f}%"
    table = at.dataframe[0].value
    assert len(table) == len(s.projects) == 8
    by_name = s.projects.set_index("name")
    for row in table.itertuples(index=False):
        p = by_name.loc[row.项目名称]
        assert row[table.columns.get_loc("累计支出（万元）")] == pytest.approx(p["spent"])
        assert row[table.columns.get_loc("偏差（百分点）")] == pytest.approx(p["gap_pp"])
        assert row[table.columns.get_loc("距下一节点尚需支出（万元）")] == pytest.approx(p["to_next_checkpoint"])
    assert list(table["偏差（百分点）"]) == sorted(table["偏差（百分点）"])
    # Boundary cases of the fixture: ratio 60.0 is yellow, 59.9 red; overspending is flagged.
    assert by_name.loc["冀财政法2023年49号提前下达2024年中央政法纪检监察转移支付资金-司法局", "execution_light"] == "yellow"
    assert by_name.loc["冀财政法2023年50号提前下达2024年省级基层公检法司转移支付资金-司法局", "execution_light"] == "red"
    over = table[table["项目名称"] == "冀财政法2023年51号提前下达2024年社区矫正补助资金"].iloc[0]
    assert over["超预算"] == "是"
    assert len(at.get("plotly_chart")) == 2


def test_indicators_page_rows_and_light_filter(dashboard_db: Path) -> None:
    """Test that 绩效指标 shows every project indicator with the engine's light, and filters by light."""
    s = engine_status(dashboard_db)
    at = run_page("pages/monitor/indicators.py")
    table = at.dataframe[0].value
    proj_ind = s.indicators[s.indicators["project_id"].notna()]
    assert len(table) == len(proj_ind)
    row = table[(table["项目"] == "冀财政法2023年49号提前下达2024年中央政法纪检监察转移支付资金-司法局")
                & (table["三级指标"] == "支持办案（业务）数量")].iloc[0]
    engine_row = proj_ind[proj_ind["level3"] == "支持办案（业务）数量"].iloc[0]
    assert row["灯"] == "蓝灯" and engine_row["light"] == "blue"
    assert row["判定依据"] == engine_row["reason"]
    # The department-level part is its own group (one table per sub-goal).
    assert any(md.value.startswith("**分项目标 1") for md in at.markdown)
    at.multiselect[3].set_value(["red"]).run()
    assert not at.exception
    assert len(at.dataframe[0].value) == int((proj_ind["light"] == "red").sum()) >= 1


def test_project_page_from_the_url(dashboard_db: Path) -> None:
    """Test that 项目详情 opens the project named in ?project= and shows its figures and history."""
    code = "13052924P00584210790E"
    s = engine_status(dashboard_db)
    p = s.projects.set_index("code").loc[code]
    at = run_page("pages/monitor/project.py", project=code)
    assert at.selectbox[0].value == code
    m = metrics(at)
    assert m["累计支出（万元）"] == f"{p['spent']:,.2f}" == "21.60"
    assert m["执行率"] == f"{p['execution_pct']:.2f}%"
    assert m["全年预计（万元）"] == "70.00"  # the owner's 全年预计执行数
    spend_history = at.tabs[0].dataframe[0].value
    assert len(spend_history) == 2 and set(spend_history["金额（万元）"]) == {10.0, 11.6}
    assert len(at.get("plotly_chart")) == 1


def test_departments_page_needs_two_departments(dashboard_db: Path) -> None:
    """Test that 部门汇总 says it needs two departments, then ranks them once a second exists."""
    at = run_page("pages/monitor/departments.py")
    assert any("只有 1 个部门" in i.value for i in at.info)
    conn = db.open_database(dashboard_db)
    dataset.load_targets(conn, store.SYSTEM, dataset.read_dataset(REPO / "tests" / "fixtures" / "mini.targets.json"))
    conn.close()
    st.cache_data.clear()
    st.cache_resource.clear()
    at = run_page("pages/monitor/departments.py")
    table = at.dataframe[0].value
    assert len(table) == 2
    # The mini department has no spend at all: the larger shortfall, so first.
    assert table.iloc[0]["部门名称"] == "测试县测试局"
    assert list(table["偏差（百分点）"]) == sorted(table["偏差（百分点）"])


def test_empty_database_points_to_entry_and_offers_the_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test that without actuals every page says so (no charts), and the demo button shows the demo
    with its banner on every page while the real database stays empty."""
    real = tmp_path / "real.duckdb"
    monkeypatch.setenv(db.ENV_DB, str(real))
    monkeypatch.setenv(demo.ENV_DEMO_DB, str(tmp_path / "demo.duckdb"))
    monkeypatch.setenv("PERFWATCH_AUTH", "off")
    monkeypatch.chdir(REPO)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60).run()
    assert not at.exception
    for page in DASHBOARD_PAGES[:4]:
        at.switch_page(page).run()
        assert not at.exception
        assert any("还没有填报任何实际支出" in i.value for i in at.info), page
        assert len(at.get("plotly_chart")) == 0
    at.switch_page("pages/monitor/overview.py").run()
    next(b for b in at.button if b.label == "先看看示例数据").click().run()
    assert not at.exception
    for page in DASHBOARD_PAGES:
        at.switch_page(page).run()
        assert not at.exception, at.exception
        assert any(demo.DEMO_BANNER in w.value for w in at.warning), page
    at.switch_page("pages/monitor/overview.py").run()
    assert metrics(at)["累计支出（万元）"] == "46.85"
    # Pages outside the dashboard keep showing the real database (no banner).
    at.switch_page("pages/targets/targets.py").run()
    assert not any(demo.DEMO_BANNER in w.value for w in at.warning)
    st.cache_resource.clear()
    conn = db.open_database(real)
    assert db.query(conn, "views/actuals_count") == [(0, 0)]
    conn.close()
    st.cache_data.clear()
    st.cache_resource.clear()


def test_as_of_change_recomputes(dashboard_db: Path) -> None:
    """Test that choosing another 截至 date shows the engine's figures at that date."""
    at = run_page("pages/monitor/overview.py")
    at.sidebar.selectbox[0].set_value(dt.date(2024, 3, 31)).run()
    assert not at.exception
    s = engine_status(dashboard_db, dt.date(2024, 3, 31))
    assert metrics(at)["预算执行率"] == f"{s.total['execution_pct']:.2f}%"
    assert metrics(at)["计划应达进度"] == f"{s.total['expected_pct']:.2f}%"


def test_as_of_after_the_last_data_warns(dashboard_db: Path) -> None:
    """Test that the default 截至日期 (the last month with data) shows no warning, and choosing 12月底,
    months after the last data, warns in the sidebar with both dates."""
    at = run_page("pages/monitor/overview.py")
    assert not [w for w in at.sidebar.warning if "晚于最近数据" in w.value]
    at.sidebar.selectbox[0].set_value(dt.date(2024, 12, 31)).run()
    assert not at.exception
    warnings = [w.value for w in at.sidebar.warning if "晚于最近数据" in w.value]
    assert len(warnings) == 1 and "2024-12-31" in warnings[0], warnings


def test_attention_list_orders_red_before_yellow() -> None:
    """Test that the 需要关注 shaping puts red first and, within a light, the most 万元 behind plan first
    (not the lowest ratio: 丙 is at 10% of plan but only 4.5 万元 behind; 乙 is 50 万元 behind)."""
    projects = pd.DataFrame({
        "project_id": [1, 2, 3], "seq": [1, 2, 3], "name": ["甲", "乙", "丙"], "code": ["A", "B", "C"],
        "execution_light": ["yellow", "red", "red"], "ratio": [70.0, 50.0, 10.0], "overspent": [False, False, False],
        "execution_reason": ["r1", "r2", "r3"],
        # behind plan by hand: 甲 300×50%−105 = 45; 乙 200×50%−50 = 50; 丙 10×50%−0.5 = 4.5 (万元)
        "budget": [300.0, 200.0, 10.0], "expected_pct": [50.0, 50.0, 50.0], "spent": [105.0, 50.0, 0.5],
    })
    indicators = pd.DataFrame(columns=["light"])
    s = Status(as_of=AS_OF, rules=None, departments=pd.DataFrame(), projects=projects, indicators=indicators)  # type: ignore[arg-type]
    out = views.attention_list(s)
    assert list(out["项目"]) == ["乙", "丙", "甲"]
    assert list(out["落后计划（万元）"]) == pytest.approx([50.0, 4.5, 45.0])


def test_long_project_names_are_not_cut_in_tables(dashboard_db: Path) -> None:
    """Test that the 偏差分析 table gives 项目名称 the width of the longest name, so it is read in full.

    The longest seed name, "冀财政法2023年49号提前下达2024年中央政法纪检监察转移支付资金-司法局", is 28 Chinese
    characters (14 px each at the grid's 14 px font = 392 px) and 11 digits or hyphens (7 px each = 77 px);
    with 28 px of cell padding the column is 392 + 77 + 28 = 497 px wide (by hand)."""
    import json

    at = run_page("pages/monitor/spend.py")
    table = next(d for d in at.dataframe if "项目名称" in d.value.columns)
    config = json.loads(table.proto.columns)
    name = next(v for k, v in config.items() if k.endswith("项目名称"))
    assert name["width"] == 497, config


def test_spend_grid_lists_the_names_it_cuts(dashboard_db: Path) -> None:
    """Test that the spend entry grid, which keeps its name column narrow for the months, lists in full the
    3 seed names longer than 24 characters (the three 39-character 冀财政法… transfers, counted by hand)."""
    at = run_page("pages/entry/entry_spend.py")
    box = next(e for e in at.expander if e.label.startswith("项目全称"))
    assert box.label == "项目全称（表中显示不全的 3 个）"
    assert "冀财政法2023年49号提前下达2024年中央政法纪检监察转移支付资金-司法局" in box.text[0].value.split("\n")


def test_light_comes_first_in_light_tables(dashboard_db: Path) -> None:
    """Test that the indicators table shows the light (dot, then 红灯/黄灯…) before the wide name columns,
    so it stays in view at 1366 px while the full project names take their width."""
    at = run_page("pages/monitor/indicators.py")
    table = next(d for d in at.dataframe if "三级指标" in d.value.columns)
    assert list(table.value.columns[:3]) == ["　", "灯", "项目"]
