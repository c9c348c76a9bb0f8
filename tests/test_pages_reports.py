"""报表导出 under AppTest: nothing is generated on load; a button makes the chosen output, which opens."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import docx
import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from perfwatch import dataset, db
from tests.reports_testdata import load_actuals

REPO = Path(__file__).resolve().parents[1]
PAGE = str(REPO / "pages" / "meeting" / "reports.py")


@pytest.fixture
def app_db(point_app: Callable[[Path], Path], tmp_path: Path) -> Iterator[Path]:
    """A database with actuals to 2024-07-31 for the app, sign-in off."""
    path = tmp_path / "app.duckdb"
    conn = dataset.open_seeded(path)
    load_actuals(conn)
    conn.close()
    yield point_app(path)


def test_nothing_is_generated_on_load_then_the_button_makes_the_form(app_db: Path) -> None:
    """Test that the page opens with a 生成 button and no download; clicking it offers the 1–7月 form."""
    at = AppTest.from_file(PAGE, default_timeout=90).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="reports_month_1").value == 7
    assert not at.get("download_button")
    at.button(key="reports_make").click().run()
    assert not at.exception, at.exception
    assert len(at.get("download_button")) == 1
    assert any("已生成：315001_2024年1–7月_绩效目标执行监控表.xlsx" in s.value for s in at.success)
    # Changing the month asks for a new generation instead of offering the old file.
    at.selectbox(key="reports_month_1").set_value(6).run()
    assert not at.get("download_button")
    assert any("请重新生成" in c.value for c in at.caption)


def test_report_in_word_for_one_project(app_db: Path) -> None:
    """Test the 监控报告 choice: Word format, one project, a .docx whose title names the project."""
    at = AppTest.from_file(PAGE, default_timeout=90).run()
    at.radio(key="reports_kind").set_value("report").run()
    assert at.radio(key="reports_format").value == "docx"
    scope = at.selectbox(key="reports_scope")
    assert scope.value == 0
    assert scope.options[1] == "1. 法律援助经费"
    scope.set_value(1).run()  # project id 1 of the seed: 法律援助经费
    at.button(key="reports_make").click().run()
    assert not at.exception, at.exception
    made = at.session_state["reports_made"][1]
    assert made.file_name.endswith("_预算绩效运行监控报告.docx")
    first = docx.Document(io.BytesIO(made.payload)).paragraphs[0].text
    assert first == "法律援助经费项目2024年1–7月预算绩效运行监控报告"


def test_summary_with_the_unit_selected(app_db: Path) -> None:
    """Test the 汇总表 choice: the year's unit preselected, an xlsx with both sheets and the 122.90 total."""
    at = AppTest.from_file(PAGE, default_timeout=90).run()
    at.radio(key="reports_kind").set_value("summary").run()
    assert at.multiselect(key="reports_units").value == [1]
    at.button(key="reports_make").click().run()
    assert not at.exception, at.exception
    made = at.session_state["reports_made"][1]
    wb = openpyxl.load_workbook(io.BytesIO(made.payload))
    assert wb.sheetnames == ["按项目", "按单位"]
    total = next(r for r in wb["按项目"].iter_rows(values_only=True) if r[1] == "合计")
    assert total[4] == pytest.approx(122.90)


def test_department_summary_page_downloads_the_summary_of_every_unit(app_db: Path) -> None:
    """Test that 部门汇总 offers the 监控汇总表 on a button: both units, totals equal the status total."""
    import streamlit as st

    from perfwatch import store
    from perfwatch.status import compute_status

    conn = db.open_database(app_db)
    dataset.load_targets(conn, store.SYSTEM, dataset.read_dataset(REPO / "tests" / "fixtures" / "mini.targets.json"))
    conn.close()
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(REPO / "pages" / "monitor" / "departments.py"), default_timeout=90).run()
    assert not at.exception, at.exception
    assert not [b for b in at.get("download_button") if "汇总表" in str(b.proto.label)]
    at.button(key="departments_summary_make").click().run()
    assert not at.exception, at.exception
    made = at.session_state["departments_summary"][1]
    ws = openpyxl.load_workbook(io.BytesIO(made.payload))["按单位"]
    units = [r[1] for r in ws.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert len(units) == 2 and any("315001" in u for u in units)
    total = next(r for r in ws.iter_rows(values_only=True) if r[1] == "合计")
    conn = db.open_database(app_db)
    st_all = compute_status(conn, made_as_of(made.file_name), fiscal_year=2024)
    conn.close()
    assert total[4] == pytest.approx(st_all.total["budget"])
    assert total[5] == pytest.approx(round(st_all.total["spent"], 2))


def made_as_of(file_name: str) -> dt.date:
    """The as-of date in a summary's file name (…_20240731_监控汇总表.xlsx)."""
    stamp = file_name.split("_")[1]
    return dt.date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:8]))
