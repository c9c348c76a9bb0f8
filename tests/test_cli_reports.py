"""``python -m perfwatch report``: xlsx and pdf from the command line, and its errors."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pdfplumber
import pytest

from perfwatch import db
from perfwatch.cli import main
from tests.reports_testdata import add_august_spend, load_actuals

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def report_db(seed_db_path: Path) -> Path:
    """The seed database file with actuals to July and one August figure, closed for the CLI."""
    conn = db.open_database(seed_db_path)
    add_august_spend(conn, load_actuals(conn))
    conn.close()
    return seed_db_path


def test_xlsx_at_the_end_of_july_excludes_august(report_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test that --as-of 2024-07-31 --format xlsx writes the 1–7月 form without August spend."""
    out = tmp_path / "out" / "form.xlsx"
    rc = main(["report", "--db", str(report_db), "--as-of", "2024-07-31", "--format", "xlsx", "--out", str(out),
               "--department", "315001"])
    assert rc == 0
    printed = capsys.readouterr().out
    assert "已生成项目支出绩效目标执行监控表" in printed and "1–7月" in printed
    wb = openpyxl.load_workbook(out)
    assert wb["部门汇总"]["E4"].value == "1–7月执行数"
    assert wb[wb.sheetnames[3]]["F6"].value == pytest.approx(21.0)


def test_pdf_with_format_from_the_file_name(report_db: Path, tmp_path: Path) -> None:
    """Test that --out x.pdf without --format writes a briefing naming the lagging projects."""
    out = tmp_path / "简报.pdf"
    assert main(["report", "--db", str(report_db), "--as-of", "2024-07-31", "--out", str(out)]) == 0
    with pdfplumber.open(io.BytesIO(out.read_bytes())) as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages)
    assert "巨鹿县司法局本级" in text and "法律援助经费" in text


def test_mid_month_as_of_is_labelled_with_the_day(report_db: Path, tmp_path: Path) -> None:
    """Test that a cut-off that is not a month end is named 1月1日–N月D日 on the form."""
    out = tmp_path / "mid.xlsx"
    assert main(["report", "--db", str(report_db), "--as-of", "2024-07-15", "--out", str(out)]) == 0
    assert openpyxl.load_workbook(out)["部门汇总"]["E4"].value == "1月1日–7月15日执行数"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2023-07-31"], "2023 年度没有"),
        (["--department", "999999"], "没有单位代码为 999999"),
        (["--out-suffix", ".txt"], "无法判断输出格式"),
    ],
)
def test_errors_are_one_chinese_line_and_exit_2(
    report_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """Test that a wrong year, department or format gives exit code 2 and no file."""
    suffix = ".xlsx"
    if args[0] == "--out-suffix":
        suffix, args = args[1], []
    out = tmp_path / f"x{suffix}"
    rc = main(["report", "--db", str(report_db), "--out", str(out), *args])
    assert rc == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_missing_database_is_reported_not_created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test that a database path that does not exist is an error (reports never create databases)."""
    missing = tmp_path / "none.duckdb"
    assert main(["report", "--db", str(missing), "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "不存在" in capsys.readouterr().err and not missing.exists()


def test_help_runs_as_a_module() -> None:
    """Test that python -m perfwatch report --help lists the options."""
    out = subprocess.run([sys.executable, "-m", "perfwatch", "report", "--help"], cwd=REPO, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0
    for opt in ("--as-of", "--format", "--out", "--db", "--department"):
        assert opt in out.stdout
