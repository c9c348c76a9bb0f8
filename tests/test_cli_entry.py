"""``python -m perfwatch import-spend`` / ``import-results`` on a real database file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from perfwatch import dataset, db, store
from perfwatch.cli import main

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def mini_path(tmp_path: Path, mini_data: dict[str, Any]) -> Path:
    """A closed database file holding the mini dataset, for the CLI to open."""
    path = tmp_path / "cli.duckdb"
    conn = db.open_database(path)
    dataset.load_targets(conn, store.SYSTEM, mini_data)
    conn.close()
    return path


def query(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = db.connect(path, read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def totals(path: Path) -> dict[tuple[str, int], float]:
    rows = query(path, "SELECT p.code, month(s.period), s.amount FROM spend_entries s JOIN projects p ON p.id = s.project_id "
                       "WHERE s.id IN (SELECT max(id) FROM spend_entries GROUP BY project_id, period)")
    return {(c, m): float(a) for c, m, a in rows}


def test_import_spend_english_headers(mini_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test that project_code,date,amount imports, prints the changes and audits as cli:<user>."""
    assert main(["import-spend", str(FIXTURES / "spend_transactions.csv"), "--db", str(mini_path)]) == 0
    out = capsys.readouterr().out
    assert "P001 甲项目 2024年3月：— → 1.50 万元" in out and "已导入：写入 3 条" in out
    assert totals(mini_path) == {("P001", 3): 1.5, ("P001", 4): 0.25005, ("P002", 4): 2.0}
    actors = {r[0] for r in query(mini_path, "SELECT actor FROM audit_log WHERE action = 'spend.record'")}
    assert len(actors) == 1 and next(iter(actors)).startswith("cli:")


def test_import_spend_chinese_headers_unit_and_user(mini_path: Path, tmp_path: Path) -> None:
    """Test 项目编码,支出日期,支出金额 with --unit 万元 and --user."""
    f = tmp_path / "cn.csv"
    f.write_text("项目编码,支出日期,支出金额\nP001,2024-03-10,1.2\nP001,2024-03-11,0.3\n", encoding="utf-8")
    assert main(["import-spend", str(f), "--db", str(mini_path), "--unit", "万元", "--user", "王出纳"]) == 0
    assert totals(mini_path) == {("P001", 3): 1.5}
    assert query(mini_path, "SELECT DISTINCT actor FROM audit_log WHERE action = 'spend.record'") == [("cli:王出纳",)]


def test_import_spend_twice_is_idempotent(mini_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test that running the same import twice writes nothing the second time."""
    args = ["import-spend", str(FIXTURES / "spend_transactions.csv"), "--db", str(mini_path)]
    assert main(args) == 0 and main(args) == 0
    assert "写入 0 条，3 条与现有数值相同" in capsys.readouterr().out
    assert query(mini_path, "SELECT count(*) FROM spend_entries") == [(3,)]


def test_import_spend_dry_run_writes_nothing(mini_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test that --dry-run shows the changes and writes nothing."""
    assert main(["import-spend", str(FIXTURES / "spend_transactions.csv"), "--db", str(mini_path), "--dry-run"]) == 0
    assert "试运行" in capsys.readouterr().out
    assert query(mini_path, "SELECT count(*) FROM spend_entries") == [(0,)]


def test_import_spend_xlsx(mini_path: Path, tmp_path: Path) -> None:
    """Test an .xlsx export with a title row above the header."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["国库支付明细"])
    ws.append(["项目编码", "支出日期", "支出金额（元）"])
    ws.append(["P002", "2024-05-06", 30000])
    f = tmp_path / "export.xlsx"
    wb.save(f)
    assert main(["import-spend", str(f), "--db", str(mini_path)]) == 0
    assert totals(mini_path) == {("P002", 5): 3.0}


def test_import_spend_errors_exit_2_and_write_nothing(mini_path: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Test that row errors are printed with file, row and column, exit 2, nothing written."""
    f = tmp_path / "bad.csv"
    # A negative (refund) row is refused only when it takes the month below zero: 100 - 101 < 0.
    f.write_text("project_code,date,amount\nP001,2024-03-01,100\nPX,2024-03-01,5\nP001,2024-03-02,-101\n", encoding="utf-8")
    assert main(["import-spend", str(f), "--db", str(mini_path)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv 第 3 行「project_code」列：未知的项目编码 PX" in err
    assert "bad.csv 第 4 行「amount」列：金额不能为负数" in err and "未导入任何数据" in err
    assert query(mini_path, "SELECT count(*) FROM spend_entries") == [(0,)]


def test_import_spend_over_budget_needs_flag(mini_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test that spend beyond the budget needs --confirm-over-budget."""
    f = tmp_path / "big.csv"
    f.write_text("project_code,date,amount\nP001,2024-03-01,150000\n", encoding="utf-8")
    assert main(["import-spend", str(f), "--db", str(mini_path)]) == 2
    assert "--confirm-over-budget" in capsys.readouterr().err
    assert main(["import-spend", str(f), "--db", str(mini_path), "--confirm-over-budget"]) == 0
    assert totals(mini_path) == {("P001", 3): 15.0}


def test_import_spend_unknown_headers_and_map(mini_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test that unknown headers are explained, and --map FIELD=HEADER fixes them."""
    f = tmp_path / "odd.csv"
    f.write_text("编码,时间,钱\nP001,2024-03-01,100\n", encoding="utf-8")
    assert main(["import-spend", str(f), "--db", str(mini_path)]) == 2
    assert "无法识别以下列" in capsys.readouterr().err
    assert main(["import-spend", str(f), "--db", str(mini_path), "--map", "project_code=编码",
                 "--map", "date=时间", "--map", "amount=钱"]) == 0


def test_import_results_english_and_chinese(mini_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test import-results with the English and the Chinese headers."""
    assert main(["import-results", str(FIXTURES / "results_en.csv"), "--db", str(mini_path)]) == 0
    assert main(["import-results", str(FIXTURES / "results_cn.csv"), "--db", str(mini_path)]) == 0
    assert "已导入" in capsys.readouterr().out
    assert query(mini_path, "SELECT count(*) FROM indicator_results") == [(5,)]


def test_import_results_by_indicator_id_dry_run(mini_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test the indicator_id header and --dry-run."""
    iid = query(mini_path, "SELECT id FROM indicators WHERE level3 = '办案数量'")[0][0]
    f = tmp_path / "ids.csv"
    f.write_text(f"indicator_id,as_of,value,likelihood\n{iid},2024-06-30,50,确定能\n", encoding="utf-8")
    assert main(["import-results", str(f), "--db", str(mini_path), "--dry-run"]) == 0
    assert "办案数量" in capsys.readouterr().out
    assert query(mini_path, "SELECT count(*) FROM indicator_results") == [(0,)]


def test_import_results_missing_cause_exit_2(mini_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test that 完全不可能 without cause and measure is refused with the row named."""
    f = tmp_path / "r.csv"
    f.write_text("project_code,level3,as_of,value,likelihood,cause,measure\nP002,总成本,2024-06-30,5,完全不可能,,\n",
                 encoding="utf-8")
    assert main(["import-results", str(f), "--db", str(mini_path)]) == 2
    err = capsys.readouterr().err
    assert "r.csv 第 2 行「cause」列" in err and "r.csv 第 2 行「measure」列" in err


def test_missing_file_and_missing_database(mini_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test one Chinese line and exit 2 for a missing input file or database, no traceback."""
    assert main(["import-spend", str(tmp_path / "nope.csv"), "--db", str(mini_path)]) == 2
    assert main(["import-spend", str(FIXTURES / "spend_transactions.csv"), "--db", str(tmp_path / "none.duckdb")]) == 2
    err = capsys.readouterr().err
    assert "无法读取文件" in err and "不存在" in err and "Traceback" not in err


def test_module_entry_point(mini_path: Path) -> None:
    """Test that ``python -m perfwatch import-spend`` runs as a process."""
    proc = subprocess.run([sys.executable, "-m", "perfwatch", "import-spend", str(FIXTURES / "spend_transactions.csv"),
                           "--db", str(mini_path), "--dry-run"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "试运行" in proc.stdout
