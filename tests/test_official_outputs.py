"""The official outputs of a monitoring round, opened and checked against the database:
the per-project 监控表, the 部门整体 form, the 汇总表, the drafted 监控报告 (docx and pdf) and the brief.

Expected figures are worked out by hand from tests/reports_testdata.py (spend to 2024-07-31) plus the
declarations written here; the comments say how.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import docx
import duckdb
import openpyxl
import pdfplumber
import pytest

from perfwatch import entry, store
from perfwatch.cli import main
from perfwatch.reports import (
    briefing,
    data,
    declared,
    department_form,
    monitoring_form,
    narrative,
    report_docx,
    report_pdf,
    summary,
)
from perfwatch.status import compute_status
from tests.reports_testdata import AS_OF, Loaded, add_august_spend, load_actuals

ADMIN = store.Actor("admin1", "admin")


def _ensure_round_columns(conn: duckdb.DuckDBPyConnection) -> None:
    """The declaration columns of the monitoring-round migration (0006), added only when absent."""
    have = {r[0] for r in conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'project_reports'").fetchall()}
    for col, typ in (("cause_categories", "VARCHAR[]"), ("cause_text", "VARCHAR"), ("measure", "VARCHAR")):
        if col not in have:
            conn.execute(f"ALTER TABLE project_reports ADD COLUMN {col} {typ}")


@pytest.fixture
def loaded(seed_db: duckdb.DuckDBPyConnection) -> Loaded:
    """Spend to July (+ August, not counted), results, project 1's owner figure 1.80, and:
    project 3 declares 50.00 of its 72.00 with a cause and a measure; project 4's count is reported
    only at June's end (a stale value in a July report); the 主管部门 is entered."""
    out = load_actuals(seed_db)
    add_august_spend(seed_db, out)
    _ensure_round_columns(seed_db)
    seed_db.execute(
        "INSERT INTO project_reports (project_id, as_of, projected_amount, progress_text, cause_categories, cause_text, "
        "measure, entered_by) VALUES ($p, $d, 50.00, '装备采购已完成招标', ['经费保障'], '转移支付资金下达较晚', "
        "'9月底前完成装备验收付款', 'owner3')", {"p": out.projects[3], "d": AS_OF})
    count4 = seed_db.execute(
        "SELECT i.id FROM indicators i JOIN projects p ON p.id = i.project_id "
        "WHERE p.id = $p AND i.level2 = '数量指标'", {"p": out.projects[4]}).fetchone()
    assert count4 is not None
    entry.record_result(seed_db, store.SYSTEM, int(count4[0]), dt.date(2024, 6, 30), value=100.0)
    declared.set_supervisor(seed_db, ADMIN, 1, "巨鹿县司法局", "315")
    return out


@pytest.fixture
def report(seed_db: duckdb.DuckDBPyConnection, loaded: Loaded) -> data.DepartmentReport:
    return data.build_report(seed_db, 1, as_of=AS_OF)


@pytest.fixture
def form(report: data.DepartmentReport, tmp_path: Path) -> openpyxl.Workbook:
    path = tmp_path / "form.xlsx"
    monitoring_form.write_workbook(report, path)
    return openpyxl.load_workbook(path)


def _declared_in_db(conn: duckdb.DuckDBPyConnection, project_id: int) -> float | None:
    row = conn.execute(
        "SELECT projected_amount FROM project_reports WHERE project_id = $p AND as_of <= $d "
        "ORDER BY as_of DESC, id DESC LIMIT 1", {"p": project_id, "d": AS_OF}).fetchone()
    return None if row is None or row[0] is None else float(row[0])


def test_official_cells_hold_declared_figures_and_estimates_stay_on_their_own_sheet(
    form: openpyxl.Workbook, seed_db: duckdb.DuckDBPyConnection, loaded: Loaded
) -> None:
    """Test that 全年预计执行数 is the declared figure or 待填报 on every project sheet, never an estimate."""
    sheets = form.sheetnames[1:-1]
    assert len(sheets) == 8
    for seq, name in enumerate(sheets, 1):
        ws = form[name]
        want = _declared_in_db(seed_db, loaded.projects[seq])
        if want is None:
            assert ws["L6"].value == "待填报", name
        else:
            assert ws["L6"].value == pytest.approx(want), name
    assert form[sheets[0]]["L6"].value == pytest.approx(1.80)
    assert form[sheets[2]]["L6"].value == pytest.approx(50.00)
    assert "装备采购已完成招标" in form[sheets[2]]["H11"].value
    notes = " ".join(str(c.value) for row in form[sheets[2]].iter_rows(min_row=20) for c in row if c.value)
    assert "支出偏差原因：经费保障；转移支付资金下达较晚；纠偏措施：9月底前完成装备验收付款。" in notes
    system = form["系统测算"]
    row = next(r for r in range(4, 12) if system.cell(r, 1).value == 3)
    # Project 3: 21.00 spent ÷ 56.25% plan = 37.33 (by hand); its declared 50.00 beside it.
    assert system.cell(row, 5).value == pytest.approx(37.33)
    assert system.cell(row, 7).value == pytest.approx(50.00)
    assert "不作为填报数" in system["A1"].value


def test_form_header_has_the_supervising_department_and_the_unit_apart(form: openpyxl.Workbook,
                                                                        seed_db: duckdb.DuckDBPyConnection) -> None:
    """Test that 主管部门及代码 is the entered 巨鹿县司法局（315）, the 实施单位 the unit, with a 草稿 mark."""
    ws = form["1.法律援助经费"]
    assert ws["B4"].value == "巨鹿县司法局（315）"
    assert ws["L4"].value == "巨鹿县司法局本级（315001）"
    assert ws["J2"].value == "【草稿】"
    audit = seed_db.execute("SELECT actor, new_value FROM audit_log WHERE entity = 'department_attributes'").fetchall()
    assert audit and audit[-1][0] == "admin1" and "巨鹿县司法局" in audit[-1][1]


def test_supervisor_edits_keep_history_and_owners_may_not_edit(seed_db: duckdb.DuckDBPyConnection, loaded: Loaded) -> None:
    """Test that a second 主管部门 entry wins, the first stays in the table, and an owner is refused."""
    declared.set_supervisor(seed_db, ADMIN, 1, "巨鹿县司法局（新）", "315")
    assert declared.supervisor(seed_db, 1).name == "巨鹿县司法局（新）"
    assert seed_db.execute("SELECT count(*) FROM department_attributes WHERE department_id = 1").fetchone() == (2,)
    with pytest.raises(store.PermissionDenied):
        declared.set_supervisor(seed_db, store.Actor("o", "owner"), 1, "x", "")
    with pytest.raises(store.ValidationError, match="不能为空"):
        declared.set_supervisor(seed_db, ADMIN, 1, "  ", "")


def _indicator_rows(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, list[tuple[str, str]]]:
    """三级指标 -> [(年度指标值, 1–N月执行情况)] for every indicator row of a form sheet."""
    out: dict[str, list[tuple[str, str]]] = {}
    for r in range(1, ws.max_row + 1):
        level3, target, actual = ws.cell(r, 3).value, ws.cell(r, 4).value, ws.cell(r, 5).value
        if level3 and target and actual is not None and level3 not in ("三级指标",):
            out.setdefault(str(level3), []).append((str(target), str(actual)))
    return out


def test_rows_not_yet_due_say_so_instead_of_unfilled(
    form: openpyxl.Workbook, report: data.DepartmentReport, seed_db: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """Test that a row the status engine calls 未到期/待评 prints that word in 1–N月执行情况, never 未填报."""
    st = compute_status(seed_db, AS_OF, department_id=1)
    waiting = st.indicators[st.indicators["light"].eq("grey") & st.indicators["result_as_of"].isna()
                            & st.indicators["reason"].str.match(r"^(未到期|待评)")]
    assert len(waiting) >= 10  # deadlines, satisfaction surveys and qualitative rows of the seed
    path = tmp_path / "dept.xlsx"
    department_form.write_workbook(report, path)
    sheets = [form[n] for n in form.sheetnames[1:-1]] + [openpyxl.load_workbook(path).active]
    cells = {}
    for ws in sheets:
        for level3, rows in _indicator_rows(ws).items():
            for target, actual in rows:
                cells[(level3, target)] = cells.get((level3, target), []) + [actual]
    checked = 0
    for row in waiting.to_dict("records"):
        word = str(row["reason"]).split("：")[0].split("，")[0]
        for actual in cells[(row["level3"], row["target_text"])]:
            assert actual != "未填报"
        assert word in cells[(row["level3"], row["target_text"])]
        checked += 1
    assert checked == len(waiting)


def test_a_value_older_than_the_month_is_printed_with_its_date(form: openpyxl.Workbook) -> None:
    """Test that project 4's count, reported at 6月30日, reads '100 件（截至6月30日）' in the 1–7月 form."""
    rows = _indicator_rows(form[form.sheetnames[4]])
    assert rows["支持司法行政机关办案业务数量"] == [("≥210 件", "100 件（截至6月30日）")]


def test_the_import_quirk_reaches_the_remark_column(form: openpyxl.Workbook) -> None:
    """Test that project 5's 社会效益 row (named 接收率, described as 再犯罪率 ≤0.2%) carries the finding in 备注."""
    ws = form[form.sheetnames[5]]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 4).value == "≤0.2%")
    assert ws.cell(row, 3).value == "社区矫正对象接收率"
    remark = ws.cell(row, 13).value
    assert remark.startswith("来源提示：原文件此行三级指标为“社区矫正对象接收率”") and "犯罪率" in remark


def test_department_form_has_the_four_sub_goals_with_their_indicators(
    report: data.DepartmentReport, seed_db: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """Test that the 部门整体 form lists sub-goals 1–4, each followed by exactly its indicators from the database."""
    path = tmp_path / "dept.xlsx"
    department_form.write_workbook(report, path)
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "部门整体绩效目标执行监控表"
    headings = [r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value or "").startswith("分项目标")]
    assert len(headings) == 4
    total = 0
    for k, start in enumerate(headings):
        seq = k + 1
        want = [r[0] for r in seed_db.execute(
            "SELECT i.level3 FROM indicators i JOIN sub_goals g ON g.id = i.sub_goal_id "
            "WHERE g.department_id = 1 AND g.seq = $s AND NOT i.retired ORDER BY i.seq, i.id", {"s": seq}).fetchall()]
        title = seed_db.execute("SELECT title FROM sub_goals WHERE department_id = 1 AND seq = $s", {"s": seq}).fetchone()
        assert title is not None and ws.cell(start, 1).value.startswith(f"分项目标{seq}：{title[0]}")
        end = headings[k + 1] if k + 1 < len(headings) else start + 1 + len(want)
        got = [ws.cell(r, 3).value for r in range(start + 1, end)]
        assert got == want
        total += len(want)
        for r in range(start + 1, end):  # 一级/二级 filled in (classified from the indicator)
            assert ws.cell(r, 1).value in ("产出指标", "效益指标", "满意度指标") and ws.cell(r, 2).value
    assert total == 23  # DOMAIN §2 / the seed: 8 + 3 + 8 + 4 department-level indicators
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "部门整体指标 23 项" in text and "一级、二级指标按指标内容归类" in text
    # Money line: sum of the projects, 122.90 and 44.31 (by hand from the monthly spend table).
    assert ws["C5"].value == pytest.approx(122.90) and ws["E5"].value == pytest.approx(44.31)
    assert ws["L5"].value == "待填报"


def test_summary_totals_equal_status_and_rows_run_from_most_lagging(
    report: data.DepartmentReport, seed_db: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """Test the 汇总表: totals equal compute_status' department row, red rows first, declared figures only."""
    st = compute_status(seed_db, AS_OF, department_id=1)
    dep = st.departments.iloc[0]
    s = summary.build_summary(seed_db, [1], AS_OF)
    path = tmp_path / "sum.xlsx"
    summary.write_workbook(s, path)
    wb = openpyxl.load_workbook(path)
    ws = wb["按项目"]
    rows = [r for r in range(4, ws.max_row + 1) if isinstance(ws.cell(r, 1).value, int)]
    assert len(rows) == 8
    total = rows[-1] + 1
    assert ws.cell(total, 2).value == "合计"
    assert ws.cell(total, 5).value == pytest.approx(float(dep["budget"]))
    assert ws.cell(total, 6).value == pytest.approx(round(float(dep["spent"]), 2))
    # Percentages are stored as shown: 2 decimals, half-up (44.31 ÷ 122.90 = 36.0537% -> 36.05%).
    def shown(pct: float) -> float:
        return float(Decimal(str(pct)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)) / 100
    assert ws.cell(total, 7).value == pytest.approx(shown(float(dep["execution_pct"])))
    assert ws.cell(total, 8).value == pytest.approx(shown(float(dep["expected_pct"])))
    assert ws.cell(total, 14).value == data.light_name(str(dep["combined_light"]))
    assert ws.cell(total, 10).value == "待填报"  # 6 of 8 projects declared nothing
    lights = [ws.cell(r, 14).value for r in rows]
    order = {"红灯": 0, "黄灯": 1}
    assert [order.get(x, 2) for x in lights] == sorted(order.get(x, 2) for x in lights)
    names = [ws.cell(r, 4).value for r in rows]
    # Red ones by execution ÷ plan: project 1 (17.50/56.25) before project 3 (29.17/56.25) before project 2.
    assert names[:3] == ["法律援助经费", report.projects[2].name, "法治工作经费"]
    r3 = rows[names.index(report.projects[2].name)]
    assert ws.cell(r3, 10).value == pytest.approx(50.00) and ws.cell(r3, 11).value == pytest.approx(22.00)
    assert "转移支付资金下达较晚" in ws.cell(r3, 15).value
    units = wb["按单位"]
    assert units.cell(4, 2).value == "巨鹿县司法局本级（315001）"
    assert units.cell(4, 5).value == pytest.approx(122.90)


def test_summary_across_units_totals_equal_the_status_total(seed_db: duckdb.DuckDBPyConnection, loaded: Loaded) -> None:
    """Test that two units' summary total is the status engine's total over the year (both units)."""
    seed_db.execute("INSERT INTO departments (code, name, fiscal_year) VALUES ('999001', '测试单位', 2024)")
    dep2 = seed_db.execute("SELECT id FROM departments WHERE code = '999001'").fetchone()[0]  # type: ignore[index]
    seed_db.execute("INSERT INTO projects (department_id, seq, code, name, budget, fiscal_funds) "
                    "VALUES ($d, 1, 'T1', '测试项目', 10, 10)", {"d": dep2})
    s = summary.build_summary(seed_db, [1, int(dep2)], AS_OF)
    st = compute_status(seed_db, AS_OF, fiscal_year=2024)
    assert s.total["budget"] == pytest.approx(st.total["budget"]) == pytest.approx(132.90)
    assert s.total["spent"] == pytest.approx(st.total["spent"])
    assert s.total["execution_pct"] == pytest.approx(st.total["execution_pct"])
    assert s.total["expected_pct"] == pytest.approx(st.total["expected_pct"])


def _docx_text(payload: bytes) -> str:
    d = docx.Document(io.BytesIO(payload))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def test_report_numbers_equal_the_dashboard(report: data.DepartmentReport, seed_db: duckdb.DuckDBPyConnection) -> None:
    """Test that the drafted report's figures are compute_status' figures, formatted like the dashboard."""
    st = compute_status(seed_db, AS_OF, department_id=1)
    dep = st.departments.iloc[0]
    text = _docx_text(report_docx.document_bytes(report))
    assert text.splitlines()[0] == "巨鹿县司法局本级2024年1–7月预算绩效运行监控报告"
    for heading in ("一、基本情况", "二、监控工作开展情况", "三、预算执行情况", "四、绩效目标完成情况",
                    "五、偏差原因及纠偏措施", "六、全年预计执行及结转结余", "七、下一步工作及结果应用建议"):
        assert heading in text
    assert f"累计执行 {float(dep['spent']):,.2f} 万元，执行率 {float(dep['execution_pct']):.2f}%" in text
    assert "累计执行 44.31 万元，执行率 36.05%" in text  # by hand: 44.31 ÷ 122.90
    assert f"按支出计划应达 {float(dep['expected_pct']):.2f}%" in text
    for p in st.projects.to_dict("records"):
        line = (f"{p['seq']}.{p['name']} | {float(p['budget']):,.2f} | {float(p['spent']):,.2f} | "
                f"{float(p['execution_pct']):.2f}% | {float(p['expected_pct']):.2f}% | {float(p['time_pct']):.2f}% | "
                f"{data.light_name(p['execution_light'])}")
        assert line in text
    n_project = int((st.indicators["project_id"].notna()).sum())
    n_dept = int((st.indicators["project_id"].isna()).sum())
    assert (n_project, n_dept) == (56, 23)
    assert f"项目绩效指标共 {n_project} 项" in text and f"部门整体指标共 {n_dept} 项" in text
    # Declared causes and measures of lagging project 3 and the red indicator of project 2.
    assert "支出偏差原因：经费保障；转移支付资金下达较晚。纠偏措施：9月底前完成装备验收付款" in text
    assert "9月底前完成制度修订，组织乡镇专场宣传" in text
    # 六: project 3 declared 50.00 of 72.00 -> carry-over 22.00, 69.44% (by hand).
    assert "| 72.00 | 50.00 | 22.00 | 69.44%" in text
    # 七: 22.00 short of 72.00 is 30.56% > the 10% default threshold -> suggestion; project 1 (0.20 of
    # 2.00 = 10.00%) is not above it.
    assert "建议调减预算或收回资金 22.00 万元" in text
    assert text.count("建议调减预算或收回资金") == 1


def test_report_threshold_and_basis_are_settings(seed_db: duckdb.DuckDBPyConnection, loaded: Loaded) -> None:
    """Test that a 5% threshold adds project 1 (10.00% short) and the entered notice replaces 136号."""
    declared.set_cut_threshold_pct(seed_db, ADMIN, 5)
    declared.set_basis_line(seed_db, ADMIN, "依据《河北省财政厅关于做好2024年预算绩效运行监控工作的通知》")
    r = data.build_report(seed_db, 1, as_of=AS_OF)
    text = narrative.plain_text(narrative.blocks(r))
    assert text.count("建议调减预算或收回资金") == 2
    assert "依据《河北省财政厅关于做好2024年预算绩效运行监控工作的通知》，现将" in text and "136号" not in text
    with pytest.raises(store.ValidationError):
        declared.set_cut_threshold_pct(seed_db, ADMIN, 150)


def test_per_project_report_and_pdf_carry_the_same_text(report: data.DepartmentReport) -> None:
    """Test the one-project option and that the PDF says what the Word document says."""
    p3 = report.projects[2]
    text = _docx_text(report_docx.document_bytes(report, p3.project_id))
    assert text.startswith(f"{p3.name}项目2024年1–7月预算绩效运行监控报告")
    assert "法律援助经费" not in text and "部门整体指标共" not in text
    pdf = report_pdf.document_bytes(report)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        pdf_text = "".join((page.extract_text() or "") for page in doc.pages).replace("\n", "")
    assert "累计执行 44.31 万元，执行率 36.05%" in pdf_text
    assert "建议调减预算或收回资金 22.00 万元" in pdf_text
    assert "七、下一步工作及结果应用建议" in pdf_text


def test_brief_counts_typesetting_legend_and_basis(report: data.DepartmentReport) -> None:
    """Test the brief: project and 部门整体 indicators counted apart, five-light legend, no line starting
    with ）or 、, the 部门整体 section, declared year end only."""
    with pdfplumber.open(io.BytesIO(briefing.build_pdf(report))) as doc:
        lines = [ln for page in doc.pages for ln in (page.extract_text() or "").splitlines()]
    text = "\n".join(lines)
    assert "项目绩效指标 56 个" in text and "部门整体指标 23 个" in text
    assert "五、部门整体绩效目标执行情况" in text and "分项目标4：信息化保障水平进一步提高" in text
    for label in ("红灯：", "黄灯：", "绿灯：", "蓝灯：", "灰灯："):
        assert label in text
    bad = [ln for ln in lines if ln.startswith(("）", "、"))]
    assert not bad, bad
    assert "预计全年执行率" not in text  # 6 projects have not declared: no total rate from estimates
    assert "全年预计执行数已填报 2 个项目，6 个待填报" in "".join(lines)
    assert "财预〔2019〕136号" in text  # no basis entered: the fallback


def test_cli_writes_every_kind(seed_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test report --kind for each output, department set and report-settings, opening what was written."""
    from perfwatch import db

    conn = db.open_database(seed_db_path)
    load_actuals(conn)
    conn.close()
    base = ["--db", str(seed_db_path)]
    assert main(["department", "set", *base, "--supervisor-name", "巨鹿县司法局", "--supervisor-code", "315"]) == 0
    assert main(["report-settings", *base, "--basis", "依据《冀财绩〔2022〕4号》", "--cut-threshold", "20"]) == 0
    outs = {}
    for kind, fmt in (("form", "xlsx"), ("department", "xlsx"), ("summary", "xlsx"), ("report", "docx"),
                      ("report", "pdf"), ("brief", "pdf")):
        out = tmp_path / f"{kind}.{fmt}"
        assert main(["report", *base, "--as-of", "2024-07-31", "--kind", kind, "--format", fmt, "--out", str(out)]) == 0
        outs[(kind, fmt)] = out
    assert openpyxl.load_workbook(outs[("form", "xlsx")])["1.法律援助经费"]["B4"].value == "巨鹿县司法局（315）"
    assert openpyxl.load_workbook(outs[("department", "xlsx")]).active["A1"].value == "部门整体绩效目标执行监控表"
    assert openpyxl.load_workbook(outs[("summary", "xlsx")]).sheetnames == ["按项目", "按单位"]
    assert "依据《冀财绩〔2022〕4号》" in _docx_text(outs[("report", "docx")].read_bytes())
    assert main(["report", *base, "--kind", "form", "--format", "pdf", "--out", str(tmp_path / "f.pdf")]) == 2
    assert "只提供 xlsx 格式" in capsys.readouterr().err
    assert main(["report", *base, "--kind", "report", "--project", "NOPE", "--out", str(tmp_path / "r.docx")]) == 2


def test_an_approved_round_is_marked_on_its_form(seed_db: duckdb.DuckDBPyConnection, loaded: Loaded, tmp_path: Path) -> None:
    """Test that a project whose round finance approved prints 【已审核】, the others 【草稿】
    (needs the monitoring-round module; skipped on a branch without it)."""
    review = pytest.importorskip("perfwatch.review")
    finance = store.Actor("fin1", "finance")
    review.submit(seed_db, finance, loaded.projects[3], AS_OF)
    review.approve(seed_db, finance, loaded.projects[3], AS_OF)
    report = data.build_report(seed_db, 1, as_of=AS_OF)
    path = tmp_path / "form.xlsx"
    monitoring_form.write_workbook(report, path)
    wb = openpyxl.load_workbook(path)
    assert wb[wb.sheetnames[3]]["J2"].value == "【已审核】"
    assert wb[wb.sheetnames[1]]["J2"].value == "【草稿】"
    text = narrative.plain_text(narrative.blocks(report, loaded.projects[3]))
    assert "（已审核　数据截至 2024-07-31）" in text


def test_each_values_attachments_are_listed_on_the_form(seed_db: duckdb.DuckDBPyConnection, loaded: Loaded,
                                                        tmp_path: Path) -> None:
    """Test that the 监控表 lists 佐证材料 by file name: in a value's 备注 (its own round's files and the
    reporting round's; not a removed one, not a later round's) and in the notes for the declaration."""
    from perfwatch import attachments

    owner = store.Actor("owner4", "owner")
    p3, p4 = loaded.projects[3], loaded.projects[4]
    count4 = int(seed_db.execute("SELECT i.id FROM indicators i WHERE i.project_id = $p AND i.level2 = '数量指标'",
                                 {"p": p4}).fetchone()[0])
    pdf, png = b"%PDF-1.4\n%%EOF\n", b"\x89PNG\r\n\x1a\n" + b"\0" * 16
    june = dt.date(2024, 6, 30)
    attachments.add(seed_db, owner, p4, june, "6月办案台账.pdf", pdf, indicator_id=count4)   # the value's round
    attachments.add(seed_db, owner, p4, AS_OF, "7月签到表.png", png, indicator_id=count4)   # the reporting round
    gone = attachments.add(seed_db, owner, p4, AS_OF, "错传的文件.pdf", pdf, indicator_id=count4)
    attachments.remove(seed_db, owner, gone)
    attachments.add(seed_db, owner, p4, dt.date(2024, 8, 31), "8月台账.pdf", pdf, indicator_id=count4)  # later
    attachments.add(seed_db, owner, p3, AS_OF, "资金下达文件.pdf", pdf)                       # the declaration
    report = data.build_report(seed_db, 1, as_of=AS_OF)
    path = tmp_path / "form.xlsx"
    monitoring_form.write_workbook(report, path)
    wb = openpyxl.load_workbook(path)
    ws = wb[wb.sheetnames[4]]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 3).value == "支持司法行政机关办案业务数量")
    assert ws.cell(row, 5).value == "100 件（截至6月30日）"
    assert ws.cell(row, 13).value == "佐证材料：6月办案台账.pdf、7月签到表.png"
    notes3 = [c.value for c in wb[wb.sheetnames[3]]["A"] if isinstance(c.value, str)]
    # note 6: after the three fixed notes, the declared figure (4) and project 3's declared cause (5)
    assert "6. 项目填报（全年预计与偏差原因）佐证材料：资金下达文件.pdf。" in notes3
    all_text = [c.value for s in wb.worksheets for line in s.iter_rows() for c in line if isinstance(c.value, str)]
    assert not [t for t in all_text if "错传的文件" in t or "8月台账" in t]
