"""Exports are data: hostile causes, measures and project names never become live formulas in any
workbook the project writes (monitoring form, page exports, targets template, results template,
audit export). Each workbook's sheet XML is scanned for ``<f>`` and the hostile cells are read back
unchanged, as text, with Excel's quote prefix."""

from __future__ import annotations

import copy
import datetime as dt
import io
from typing import Any

import duckdb
import openpyxl
import pandas as pd

from perfwatch import audit, dataset, entry, exports, store, xlsx_safe
from perfwatch.importers import targets_xlsx
from perfwatch.reports import data, monitoring_form

CAUSE = "=cmd|' /C calc'!A0"
MEASURE = '=HYPERLINK("http://evil.example/x","点此")'
NAME = "=1+1 项目"
NOTE = "@SUM(1+1)*cmd|' /C calc'!A0"
PLUS = "+1+1"
MINUS = "-2+3"
HOSTILE = (CAUSE, MEASURE, NAME, NOTE, PLUS, MINUS)
AS_OF = dt.date(2024, 7, 31)


def _hostile_db(conn: duckdb.DuckDBPyConnection, mini_data: dict[str, Any]) -> dict[str, Any]:
    """The mini dataset with a formula-looking project name, plus a result with hostile cause/measure."""
    d = copy.deepcopy(mini_data)
    d["projects"][0]["name"] = NAME
    d["projects"][1]["purpose"] = PLUS
    dataset.load_targets(conn, store.SYSTEM, d)
    pid = conn.execute("SELECT id FROM projects WHERE code = 'P001'").fetchone()[0]
    ind = conn.execute("SELECT min(id) FROM indicators WHERE project_id = ? AND kind = 'count'", [pid]).fetchone()[0]
    entry.record_spend(conn, store.SYSTEM, pid, dt.date(2024, 7, 1), 1.0)
    entry.record_result(conn, store.SYSTEM, ind, AS_OF, value=10.0, projected_text=MINUS,
                        cause_categories=["其他"], cause_text=CAUSE, likelihood="有可能", measure=MEASURE,
                        note=NOTE)
    entry.record_project_report(conn, store.SYSTEM, pid, AS_OF, projected_amount=5.0, progress_text=NOTE)
    return d


def _texts(book: bytes) -> dict[str, tuple[str, bool]]:
    """Every text cell of the workbook: value -> (cell data type, quote prefix)."""
    wb = openpyxl.load_workbook(io.BytesIO(book))
    out: dict[str, tuple[str, bool]] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    out[cell.value] = (cell.data_type, bool(cell.quotePrefix))
    return out


def _assert_safe(book: bytes, expected: tuple[str, ...]) -> None:
    assert xlsx_safe.formula_cells(book) == []
    texts = _texts(book)
    for text in expected:
        # The hostile text is there verbatim (not altered), as a string cell marked "text" for Excel.
        found = [v for k, v in texts.items() if text in k]
        assert found, f"{text!r} missing from workbook"
        for dtype, _ in found:
            assert dtype == "s"
        assert texts.get(text, ("s", True))[1] is True, text


def test_monitoring_form_has_no_formula(empty_db: duckdb.DuckDBPyConnection, mini_data: dict[str, Any]) -> None:
    """Test that the 监控表 shows the owner's formula-looking cause, measure and project name as text."""
    _hostile_db(empty_db, mini_data)
    report = data.build_report(empty_db, 1, 7)
    book = monitoring_form.workbook_bytes(report)
    _assert_safe(book, (CAUSE, MEASURE, NAME))


def test_page_export_has_no_formula() -> None:
    """Test that a page's Excel export writes formula-looking texts (and a link) as plain text."""
    frame = pd.DataFrame({"项目": list(HOSTILE) + ["http://evil.example"], "预算（万元）": [1.0] * 7})
    book = exports.dataframe_to_xlsx({"表": frame}, title=NAME)
    _assert_safe(book, HOSTILE)
    assert "<hyperlink" not in str(io.BytesIO(book).getvalue())


def test_targets_template_has_no_formula_and_round_trips(mini_data: dict[str, Any]) -> None:
    """Test that the targets template with a formula-looking name has no formula and reads back the same name."""
    d = copy.deepcopy(mini_data)
    d["projects"][0]["name"] = NAME
    d["projects"][0]["indicators"][0]["description"] = CAUSE
    book = targets_xlsx.write_template(d)
    _assert_safe(book, (NAME, CAUSE))
    back = targets_xlsx.read_template(book)
    back_data = back.data if hasattr(back, "data") else back
    assert NAME in str(back_data)


def test_results_template_has_no_formula(empty_db: duckdb.DuckDBPyConnection, mini_data: dict[str, Any]) -> None:
    """Test that the 指标填报 template pre-filled with hostile cause/measure/note has no formula."""
    _hostile_db(empty_db, mini_data)
    book = entry.results_template(empty_db, 1, AS_OF)
    _assert_safe(book, (CAUSE, MEASURE, NOTE, NAME))


def test_audit_export_has_no_formula(empty_db: duckdb.DuckDBPyConnection, mini_data: dict[str, Any]) -> None:
    """Test that the 操作日志 xlsx export keeps the hostile texts as text and the CSV export defuses them."""
    _hostile_db(empty_db, mini_data)
    frame = audit.audit_frame(empty_db)
    book = audit.to_xlsx_bytes(frame)
    assert xlsx_safe.formula_cells(book) == []
    texts = _texts(book)
    assert any(CAUSE in k for k in texts)
    csv = audit.to_csv_bytes(pd.DataFrame({"原值": [CAUSE, "正常"]})).decode("utf-8-sig")
    assert csv.splitlines()[1] == "'=cmd|' /C calc'!A0"


def test_is_risky_marks_the_formula_starts() -> None:
    """Test that = + - @ tab and CR starts are risky and ordinary text is not."""
    for text in ("=1", "+1", "-1", "@x", "\tx", "\rx"):
        assert xlsx_safe.is_risky(text)
    for text in ("甲项目", "1-2", " =1", "", "≥90%"):
        assert not xlsx_safe.is_risky(text)
    assert xlsx_safe.csv_safe("=1") == "'=1" and xlsx_safe.csv_safe(5) == 5
