"""Review before commit (issue 14 item 6): rows beside their source and findings; audited corrections."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from perfwatch import db, store
from perfwatch.dataset import load_targets
from perfwatch.importers.targets import read_targets
from perfwatch.importers.targets_review import (
    apply_corrections,
    blocking_errors,
    corrections_between,
    review_rows,
)

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "targets" / "county-civil-affairs-2025-value-forms.txt"
UNKNOWN = FIXTURE.read_text(encoding="utf-8").replace("低保发放群众有效投诉 零投诉", "低保发放群众有效投诉 大约三成")


def test_rows_show_source_lines_and_their_findings() -> None:
    res = read_targets(FIXTURE.name, UNKNOWN.encode("utf-8"))
    rows = review_rows(res)
    assert len(rows) == 8
    row = rows[1]  # the row whose value "大约三成" no form fits (fixture lines 51 and 53)
    assert (row["三级指标"], row["指标值"], row["识别为"], row["来源"]) == ("群众投诉", "大约三成", "无法识别", "第 51–53 行")
    assert row["原文"] == "质量指标 群众投诉 低保发放群众有效投诉 大约三成 / 工作计划"
    assert row["有错误"] and "[错误]" in row["发现"] and "大约三成" in row["发现"]
    # the recurring deadline row carries its own note, not the error of row 2
    assert "周期性期限" in rows[2]["发现"] and "[错误]" not in rows[2]["发现"]


def test_correcting_the_row_lifts_the_block_and_rereads_the_value() -> None:
    res = read_targets(FIXTURE.name, UNKNOWN.encode("utf-8"))
    before = review_rows(res)
    assert blocking_errors(res, res.data, [])  # the unknown value blocks the write
    after = [dict(r) for r in before]
    after[1]["指标值"] = "≤30%"
    edits = corrections_between(before, after)
    assert edits == [{"project": 1, "index": 1, "field": "target_text", "old": "大约三成", "new": "≤30%"}]
    data, changes = apply_corrections(res.data, edits)
    ind = data["projects"][0]["indicators"][1]
    # "≤30%": a ceiling of 30 percent (read by hand)
    assert (ind["target_text"], ind["comparator"], ind["value"], ind["unit"], ind["kind"]) == ("≤30%", "<=", 30.0, "%", "ceiling")
    assert res.data["projects"][0]["indicators"][1]["target_text"] == "大约三成"  # the parse result is untouched
    assert changes[0]["old"] == "大约三成" and changes[0]["new"] == "≤30%"
    assert blocking_errors(res, data, changes) == []


def test_picking_a_kind_is_a_correction() -> None:
    res = read_targets(FIXTURE.name, FIXTURE.read_bytes())
    before = review_rows(res)
    after = [dict(r) for r in before]
    after[0]["类型"] = "定性"
    data, changes = apply_corrections(res.data, corrections_between(before, after))
    assert data["projects"][0]["indicators"][0]["kind"] == "qualitative"
    assert changes == [{"project_code": "13052925P0070100011", "project": "城乡低保补助资金", "indicator": 1,
                        "field": "kind", "old": "count", "new": "qualitative"}]


def test_corrections_are_audited_in_the_import_transaction(tmp_path: Path) -> None:
    res = read_targets(FIXTURE.name, UNKNOWN.encode("utf-8"))
    before = review_rows(res)
    after = [dict(r) for r in before]
    after[1]["指标值"] = "≤30%"
    data, changes = apply_corrections(res.data, corrections_between(before, after))
    conn = db.open_database(tmp_path / "t.duckdb")
    try:
        load_targets(conn, store.SYSTEM, data, source=FIXTURE.name, corrections=changes)
        rows = conn.execute(
            "SELECT actor, old_value, new_value FROM audit_log WHERE action = 'targets.import.correct'").fetchall()
        stored = conn.execute("SELECT target_text, kind FROM indicators WHERE level3 = '群众投诉'").fetchall()
    finally:
        conn.close()
    assert len(rows) == 1
    assert json.loads(rows[0][1])["target_text"] == "大约三成" and json.loads(rows[0][2])["target_text"] == "≤30%"
    assert stored == [("≤30%", "ceiling")]


@pytest.fixture
def app_db(tmp_path: Path, point_app: Callable[[Path], Path]) -> Iterator[Path]:
    path = tmp_path / "app.duckdb"
    db.open_database(path).close()
    yield point_app(path)


def test_page_shows_row_findings_and_blocks_until_corrected(app_db: Path) -> None:
    at = AppTest.from_file(str(REPO / "pages" / "targets" / "import_targets.py"), default_timeout=60).run()
    at.text_area[0].input(UNKNOWN).run()
    assert not at.exception, at.exception
    assert any("还有 1 条错误" in e.value for e in at.error)
    assert not any(b.label == "确认写入数据库" for b in at.button)
