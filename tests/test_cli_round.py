"""``python -m perfwatch import-declarations`` / ``export-declarations`` and ``status --format json``
on a real database file."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from perfwatch import dataset, db, entry, store
from perfwatch.cli import main


@pytest.fixture
def mini_path(tmp_path: Path, mini_data: dict[str, Any]) -> Path:
    """A closed mini database where P001 (budget 10.00) spent 1.00 by June: 10.00% against the
    plan's 50.00%, ratio 20.0 -> red (by hand); P002 (20.00) spent 9.00: 45.00% vs 50.00% -> green."""
    path = tmp_path / "cli.duckdb"
    conn = db.open_database(path)
    dataset.load_targets(conn, store.SYSTEM, mini_data)
    ids = dict(conn.execute("SELECT code, id FROM projects").fetchall())
    entry.record_spend(conn, store.SYSTEM, ids["P001"], dt.date(2024, 2, 1), "1.00")
    entry.record_spend(conn, store.SYSTEM, ids["P002"], dt.date(2024, 5, 1), "9.00")
    conn.close()
    return path


def rows(path: Path) -> list[tuple[Any, ...]]:
    conn = db.connect(path, read_only=True)
    try:
        return conn.execute("SELECT p.code, r.as_of, r.projected_amount, r.cause_categories, r.cause_text, r.measure,"
                            " r.progress_text, r.entered_by FROM project_reports r JOIN projects p ON p.id = r.project_id"
                            " ORDER BY p.code").fetchall()
    finally:
        conn.close()


def test_import_declarations_then_status_json(mini_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test that a CSV with the Chinese headers is imported and status JSON shows it as projections.owner."""
    f = tmp_path / "申报.csv"
    f.write_text("项目编码,截至日期,全年预计执行数,偏差原因类别,偏差原因,纠偏措施,项目进展\n"
                 "P001,2024-06-30,6.5,经费保障,资金6月底到位,7月集中支付,完成培训2次\n"
                 "P002,2024-06-30,20,,,,按计划推进\n", encoding="utf-8")
    assert main(["import-declarations", str(f), "--db", str(mini_path), "--dry-run"]) == 0
    assert "试运行" in capsys.readouterr().out and rows(mini_path) == []
    assert main(["import-declarations", str(f), "--db", str(mini_path), "--user", "老张"]) == 0
    assert "已导入：写入 2 条" in capsys.readouterr().out
    got = rows(mini_path)
    assert [(r[0], float(r[2]), r[3], r[4], r[5], r[6], r[7]) for r in got] == [
        ("P001", 6.5, ["经费保障"], "资金6月底到位", "7月集中支付", "完成培训2次", "cli:老张"),
        ("P002", 20.0, None, None, None, "按计划推进", "cli:老张"),
    ]
    assert main(["status", "--as-of", "2024-06-30", "--format", "json", "--db", str(mini_path)]) == 0
    out = json.loads(capsys.readouterr().out)
    owner = {p["code"]: p["projections"]["owner"] for p in out["projects"]}
    assert owner == {"P001": 6.5, "P002": 20.0}


def test_import_declarations_refuses_whole_file(mini_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test that a red project without measures refuses the file (exit 2, file/row/column named), nothing written."""
    f = tmp_path / "bad.csv"
    f.write_text("project_code,as_of,projected_amount,cause_categories,cause,measure,progress\n"
                 "P002,2024-06-30,20,,,,\n"
                 "P001,2024-06-30,6.5,经费保障,资金晚到,,\n", encoding="utf-8")
    assert main(["import-declarations", str(f), "--db", str(mini_path)]) == 2
    err = capsys.readouterr().err
    assert "错误：bad.csv 第 3 行「measure」列：支出进度为红灯，请填写纠偏措施。" in err
    assert "未导入任何数据" in err and "Traceback" not in err
    assert rows(mini_path) == []


def test_export_template_and_import_it_back(mini_path: Path, tmp_path: Path) -> None:
    """Test that the exported template, filled in Excel, imports back through the CLI."""
    out = tmp_path / "模板.xlsx"
    assert main(["export-declarations", "--as-of", "2024-06-30", "--out", str(out), "--db", str(mini_path)]) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb["项目填报"]
    assert [c.value for c in ws[1]][5] == "全年预计执行数"
    ws["F2"], ws["G2"], ws["H2"], ws["I2"], ws["F3"] = 9, "其他", "采购延后。", "8月完成采购。", 18
    buf = io.BytesIO()
    wb.save(buf)
    out.write_bytes(buf.getvalue())
    assert main(["import-declarations", str(out), "--db", str(mini_path)]) == 0
    assert [(r[0], float(r[2])) for r in rows(mini_path)] == [("P001", 9.0), ("P002", 18.0)]
