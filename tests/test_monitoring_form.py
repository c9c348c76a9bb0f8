"""The monitoring form workbook, opened with openpyxl and checked cell by cell against the database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import openpyxl
import pytest

from perfwatch.reports import data, monitoring_form
from perfwatch.reports.monitoring_form import MAX_SHEET, sheet_name
from tests.reports_testdata import AS_OF, Loaded, add_august_spend, load_actuals

CAUSE_COLUMNS = {"经费保障": "G", "制度保障": "H", "人员保障": "I", "硬件条件保障": "J", "其他": "K"}


@pytest.fixture
def loaded(seed_db: duckdb.DuckDBPyConnection) -> Loaded:
    """The seed targets with spend to July (plus an August figure that must not count) and results."""
    out = load_actuals(seed_db)
    add_august_spend(seed_db, out)
    return out


@pytest.fixture
def workbook(seed_db: duckdb.DuckDBPyConnection, loaded: Loaded, tmp_path: Path) -> openpyxl.Workbook:
    """The 1–7月 form of 巨鹿县司法局本级, written to a file and read back."""
    report = data.build_report(seed_db, 1, 7)
    path = tmp_path / "form.xlsx"
    monitoring_form.write_workbook(report, path)
    return openpyxl.load_workbook(path)


def _db_spent(conn: duckdb.DuckDBPyConnection, project_id: int, as_of: dt.date) -> float:
    """Spend to date straight from the table: the latest row of each month up to the cut-off."""
    row = conn.execute(
        "SELECT coalesce(sum(a), 0) FROM (SELECT arg_max(amount, id) AS a FROM spend_entries "
        "WHERE project_id = $p AND period <= $d GROUP BY period)", {"p": project_id, "d": as_of}
    ).fetchone()
    assert row is not None
    return float(row[0])


def _db_project(conn: duckdb.DuckDBPyConnection, project_id: int) -> tuple[str, str, float, float]:
    row = conn.execute("SELECT name, code, budget, fiscal_funds FROM projects WHERE id = $p", {"p": project_id}).fetchone()
    assert row is not None
    return str(row[0]), str(row[1]), float(row[2]), float(row[3])


def _row_of(ws: openpyxl.worksheet.worksheet.Worksheet, level3: str) -> int:
    for row in ws.iter_rows(min_col=3, max_col=3):
        if row[0].value == level3:
            return row[0].row
    raise AssertionError(f"{level3} not on sheet {ws.title}")


def test_one_sheet_per_project_plus_summary_with_valid_names(workbook: openpyxl.Workbook) -> None:
    """Test that there is a summary sheet and one sheet per project, names ≤31 chars, unique, legal."""
    names = workbook.sheetnames
    assert names[0] == "部门汇总" and len(names) == 1 + 8 + 1 and names[-1] == "系统测算"
    assert len({n.lower() for n in names}) == len(names)
    for n in names:
        assert len(n) <= MAX_SHEET and not set(n) & set("[]:*?/\\"), n
    assert names[1] == "1.法律援助经费"
    assert names[3].startswith("3.冀财政法2023年49号") and len(names[3]) == 31


def test_project_sheet_money_block_matches_the_database(
    workbook: openpyxl.Workbook, seed_db: duckdb.DuckDBPyConnection, loaded: Loaded
) -> None:
    """Test that 年初预算数, 1–7月执行数, 执行率 and 全年预计 of projects 1 and 2 equal the database figures."""
    pid = loaded.projects[1]
    name, code, budget, fiscal = _db_project(seed_db, pid)
    ws = workbook["1.法律援助经费"]
    assert ws["A1"].value == "项目支出绩效目标执行监控表"
    assert ws["B3"].value == name and ws["L3"].value == code
    # 主管部门 never entered: 待填报, not the unit repeated; 实施单位 is the unit with its code.
    assert ws["B4"].value == "待填报" and ws["L4"].value == "巨鹿县司法局本级（315001）"
    assert ws["J2"].value == "【草稿】"
    assert (ws["D5"].value, ws["F5"].value, ws["H5"].value, ws["L5"].value) == (
        "年初预算数", "1–7月执行数", "1–7月执行率", "全年预计执行数")
    assert [ws[f"B{r}"].value for r in range(6, 10)] == ["年度资金总额", "其中：财政拨款", "上年结转资金", "其他资金"]
    spent = _db_spent(seed_db, pid, AS_OF)
    assert spent == pytest.approx(0.35)  # the July correction (0.50 -> 0.05) counts, not the first entry
    assert ws["D6"].value == pytest.approx(budget) and ws["D7"].value == pytest.approx(fiscal)
    assert ws["F6"].value == pytest.approx(spent) and ws["F7"].value == pytest.approx(spent)
    assert ws["H6"].value == pytest.approx(spent / budget) and ws["H6"].number_format == "0.00%"
    assert ws["L6"].value == pytest.approx(1.80)  # the owner's 全年预计执行数
    assert "45 名困难群众" in ws["H11"].value
    assert "用于开展法律援助宣传" in ws["B11"].value  # 年度总体目标 = the project's goal lines

    pid3 = loaded.projects[3]
    ws3 = workbook[workbook.sheetnames[3]]
    assert ws3["F6"].value == pytest.approx(_db_spent(seed_db, pid3, AS_OF)) == pytest.approx(21.0)  # August excluded
    # Project 3 declared nothing: the official cell says 待填报, never the plan-shaped 37.33.
    assert ws3["L6"].value == "待填报" and ws3["L7"].value == "待填报"
    assert ws3["H11"].value == "待填报"


def test_indicator_rows_tick_the_causes_and_carry_likelihood_and_measure(
    workbook: openpyxl.Workbook, seed_db: duckdb.DuckDBPyConnection, loaded: Loaded
) -> None:
    """Test that the red indicator's row ticks exactly its cause categories and shows its texts."""
    level1, level2, level3, target = seed_db.execute(
        "SELECT level1, level2, level3, target_text FROM indicators WHERE id = $i", {"i": loaded.red_indicator}
    ).fetchone()  # type: ignore[misc]
    ws = workbook["2.法治工作经费"]
    assert [ws.cell(13, c).value for c in range(7, 12)] == ["经费保障", "制度保障", "人员保障", "硬件条件保障", "其他"]
    r = _row_of(ws, level3)
    assert ws[f"B{r}"].value == level2 and ws[f"D{r}"].value == target
    assert ws[f"E{r}"].value == "70%"
    assert ws[f"F{r}"].value == "预计全年达到80%"
    ticked = {c for c, col in CAUSE_COLUMNS.items() if ws[f"{col}{r}"].value == "√"}
    assert ticked == {"制度保障", "其他"}
    assert ws[f"L{r}"].value == "完全不可能"
    assert ws[f"M{r}"].value == "普法宣传制度修订尚未完成，部分乡镇未覆盖"
    assert ws[f"N{r}"].value == "9月底前完成制度修订，组织乡镇专场宣传"
    # 一级指标 cells of a run are merged, the value sits in the run's first row.
    assert any(str(rng).startswith(f"A{r - 1}:") or str(rng).startswith("A14:") for rng in ws.merged_cells.ranges)
    assert ws["A14"].value == level1 == "产出指标"


def test_sheets_print_on_a4_landscape_fit_to_width_with_repeated_titles(workbook: openpyxl.Workbook) -> None:
    """Test the print setup: A4 landscape, fit to one page wide, header rows repeated, a CJK font."""
    for ws in workbook.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows
    assert workbook["1.法律援助经费"].print_title_rows == "$12:$13"
    assert workbook["1.法律援助经费"]["A1"].font.name == "宋体"
    assert workbook["1.法律援助经费"]["A1"].coordinate in {str(r).split(":")[0] for r in workbook["1.法律援助经费"].merged_cells.ranges}


def test_summary_sheet_lists_every_project_with_engine_figures(
    workbook: openpyxl.Workbook, seed_db: duckdb.DuckDBPyConnection, loaded: Loaded
) -> None:
    """Test that the summary has budget, spend, 执行率, expected, lights and 全年预计 for all projects."""
    ws = workbook["部门汇总"]
    heads = [c.value for c in ws[4]]
    assert heads[:8] == ["序号", "项目编码", "项目名称", "年初预算数", "1–7月执行数", "1–7月执行率", "计划应达进度", "序时进度"]
    rows = {ws.cell(r, 1).value: r for r in range(5, 13)}
    assert sorted(rows) == list(range(1, 9))
    r1 = rows[1]
    spent = _db_spent(seed_db, loaded.projects[1], AS_OF)
    assert ws.cell(r1, 5).value == pytest.approx(spent)
    assert ws.cell(r1, 6).value == pytest.approx(spent / 2.0, abs=5e-5)  # stored as the 2-decimal % shown
    assert ws.cell(r1, 7).value == pytest.approx(0.5625)  # DOMAIN §3: 07-31 on 25/50/75/100
    assert ws.cell(r1, 8).value == pytest.approx(0.5833)  # 7/12 = 58.333…% stored as shown, 58.33% (half-up)
    assert ws.cell(r1, 9).value == "红灯"
    assert ws.cell(r1, 12).value == pytest.approx(1.80)  # declared
    assert ws.cell(r1, 13).value == pytest.approx(0.20)  # 预计结转结余 = 2.00 − 1.80, by hand
    assert ws.cell(rows[3], 12).value == "待填报" and ws.cell(rows[3], 13).value == "待填报"
    assert ws.cell(13, 12).value == "待填报"  # a total of declared figures while 7 are missing
    assert ws.cell(rows[4], 9).value == "黄灯"  # 40.38% of 56.25%: ratio 71.8
    total = ws.cell(13, 1).value, ws.cell(13, 4).value
    assert total == ("合计", pytest.approx(122.90))
    assert ws.cell(13, 5).value == pytest.approx(sum(_db_spent(seed_db, p, AS_OF) for p in loaded.projects.values()))


def test_default_month_is_the_last_month_with_data(seed_db: duckdb.DuckDBPyConnection, loaded: Loaded) -> None:
    """Test that without a month the form is cut at the last month with data (August here)."""
    report = data.build_report(seed_db, 1)
    assert report.month == 8 and report.period == "1–8月" and report.as_of == dt.date(2024, 8, 31)


def test_mini_dataset_with_other_funds_leaves_source_rows_unsplit(mini_db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Test that a project with 其他资金 shows its budget split but no per-source execution (not recorded)."""
    from perfwatch import entry, store

    pid = mini_db.execute("SELECT id FROM projects WHERE code = 'P001'").fetchone()[0]  # type: ignore[index]
    entry.record_spend(mini_db, store.SYSTEM, pid, dt.date(2024, 3, 1), 2.5)
    report = data.build_report(mini_db, 1, 3)
    path = tmp_path / "mini.xlsx"
    monitoring_form.write_workbook(report, path)
    ws = openpyxl.load_workbook(path)["1.甲项目"]
    assert (ws["D6"].value, ws["D7"].value, ws["D9"].value) == (10, 8, 2)
    assert ws["F6"].value == pytest.approx(2.5) and ws["H6"].value == pytest.approx(0.25)
    assert ws["F7"].value == "—" and ws["F9"].value == "—"
    assert ws["L6"].value == "待填报"  # no declaration: never the plan-shaped estimate
    notes = " ".join(str(c.value) for row in ws.iter_rows(min_row=20) for c in row if c.value)
    assert "系统测算" in notes and "未按资金来源拆分" in notes


@pytest.mark.parametrize(
    ("title", "taken", "expected"),
    [
        ("1.法律援助经费", set(), "1.法律援助经费"),
        ("a/b\\c[d]e:f*g?h", set(), "a_b_c_d_e_f_g_h"),
        ("x" * 40, set(), "x" * 31),
        ("x" * 40, {"x" * 31}, "x" * 28 + "(2)"),
        ("部门汇总", {"部门汇总"}, "部门汇总(2)"),
        ("'quoted'", set(), "quoted"),
        ("History", set(), "History_"),
    ],
)
def test_sheet_names_are_valid_and_unique(title: str, taken: set[str], expected: str) -> None:
    """Test that sheet names are shortened to 31 characters, cleaned and made unique."""
    assert sheet_name(title, set(taken)) == expected
