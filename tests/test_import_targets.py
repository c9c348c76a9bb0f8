"""Targets import end to end: CLI, PDF text layer, Excel template, the review findings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fpdf import FPDF

from perfwatch import dataset, db
from perfwatch.importers.targets import read_targets
from perfwatch.importers.targets_pdf import NoTextLayerError
from perfwatch.importers.targets_xlsx import write_template
from perfwatch.reports.fonts import find_cjk_font, pdf_font
from perfwatch.store import ValidationError

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "data" / "seed" / "julu-justice-bureau-2024-targets.txt"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "perfwatch", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)


def _seed_pdf(path: Path) -> Path:
    """The seed text typeset into a real PDF with an embedded CJK font (one page per 60 lines)."""
    pdf = FPDF()
    font = pdf_font()
    pdf.add_font("cjk", fname=str(font.path), collection_font_number=font.index)
    pdf.set_font("cjk", size=9)
    lines = SEED.read_text(encoding="utf-8").splitlines()
    for start in range(0, len(lines), 60):
        pdf.add_page()
        for line in lines[start:start + 60]:
            pdf.cell(0, 4.4, line.strip() or " ", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def test_cli_json_matches_the_default_dataset(tmp_path: Path) -> None:
    """Test that import-targets --dry-run --format json on the seed prints the default dataset and findings."""
    res = _cli("import-targets", str(SEED), "--dry-run", "--format", "json", "--db", str(tmp_path / "x.duckdb"))
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    default = json.loads(dataset.DEFAULT_DATASET.read_text(encoding="utf-8"))
    assert out["projects"] == default["projects"] and out["departments"] == default["departments"]
    assert out["written"] is None and not (tmp_path / "x.duckdb").exists()
    kinds = {f["severity"] for f in out["findings"]}
    assert kinds <= {"warning", "info"}
    assert any("社区矫正对象接收率" in f["message"] and "再犯罪率" in f["message"] for f in out["findings"])
    first = out["projects"][0]["indicators"][0]
    assert set(first) >= {"level1", "level2", "level3", "description", "target_text", "comparator", "value",
                          "unit", "kind", "basis"}


def test_cli_import_writes_once_and_reimport_changes_nothing(tmp_path: Path) -> None:
    """Test that importing the seed twice into an empty database writes 8 projects once."""
    path = tmp_path / "i.duckdb"
    first = _cli("import-targets", str(SEED), "--db", str(path))
    assert first.returncode == 0, first.stderr
    assert "新增项目 8" in first.stdout and "新增指标 79" in first.stdout
    second = _cli("import-targets", str(SEED), "--db", str(path))
    assert "新增项目 0，更新项目 0" in second.stdout and "新增指标 0，更新指标 0，停用指标 0" in second.stdout
    conn = db.open_database(path, read_only=True)
    assert conn.execute("SELECT count(*), sum(budget) FROM projects").fetchone() == (8, 122.90) or \
        float(conn.execute("SELECT sum(budget) FROM projects").fetchone()[0]) == 122.90
    conn.close()


@pytest.mark.parametrize("content, name, message", [
    (b"", "empty.txt", "空文件"),                                                # empty file
    (b"project_code,date,amount\nP1,2024-01-31,3\n", "spend.txt", "第"),          # another kind of text: names a line
    (b"\x89PNG\r\n\x1a\n", "image.pdf", "不是 PDF"),                              # not a PDF
    (b"hello", "notes.doc", "不支持的文件类型"),                                    # unsupported type (old Word)
    (b"hello", "notes.docx", "不是有效的 Word"),                                     # a .docx that is not one
])
def test_bad_files_get_a_message(content: bytes, name: str, message: str) -> None:
    """Test that unusable files are refused with a Chinese message, not a traceback."""
    with pytest.raises(Exception, match=message) as err:
        read_targets(name, content)
    assert isinstance(err.value, (ValidationError, Exception)) and not isinstance(err.value, (KeyError, IndexError, TypeError))


def test_cli_bad_file_exit_2_without_traceback(tmp_path: Path) -> None:
    """Test that the CLI names the file and line for a garbled document and writes nothing."""
    bad = tmp_path / "garbled.txt"
    bad.write_text(SEED.read_text(encoding="utf-8").replace("≥80%", "≥ 八十%", 1), encoding="utf-8")
    res = _cli("import-targets", str(bad), "--db", str(tmp_path / "g.duckdb"))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "garbled.txt" in res.stderr and "行" in res.stderr
    assert not (tmp_path / "g.duckdb").exists()


def test_pdf_text_layer_parses_like_the_text(tmp_path: Path) -> None:
    """Test that a real PDF of the seed yields the same 8 projects and 56 indicators as the text."""
    pdf = _seed_pdf(tmp_path / "seed.pdf")
    result = read_targets("seed.pdf", pdf.read_bytes())
    default = json.loads(dataset.DEFAULT_DATASET.read_text(encoding="utf-8"))
    assert [p["code"] for p in result.data["projects"]] == [p["code"] for p in default["projects"]]
    assert sum(len(p["indicators"]) for p in result.data["projects"]) == 56
    assert result.data["projects"] == default["projects"]


def test_pdf_with_cff_font_is_read_through_pdfium(tmp_path: Path) -> None:
    """Test that a PDF embedding a CFF CJK face (pdfminer reads no text) is still read, via PDFium."""
    src = find_cjk_font()
    pdf = FPDF()
    pdf.add_font("cff", fname=str(src.path), collection_font_number=src.index)
    pdf.set_font("cff", size=10)
    pdf.add_page()
    pdf.cell(0, 5, "1.法律援助经费绩效目标表", new_x="LMARGIN", new_y="NEXT")
    from perfwatch.importers.targets_pdf import pdf_text

    assert "法律援助经费绩效目标表" in pdf_text(bytes(pdf.output()), "cff.pdf")


def test_scanned_pdf_says_it_has_no_text(tmp_path: Path) -> None:
    """Test that a PDF with only an image-like drawing is reported as a scan."""
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 150, style="F")
    with pytest.raises(NoTextLayerError, match="没有文字层"):
        read_targets("scan.pdf", bytes(pdf.output()))


def test_xlsx_template_round_trip_with_review(seed_db) -> None:
    """Test that the filled template imports to the same dataset and is reviewed like the text."""
    data = dataset.export_dataset(seed_db)
    result = read_targets("t.xlsx", write_template(data))
    assert result.data["projects"] == data["projects"]
    assert any("再犯罪率" in f.message for f in result.findings)


def test_empty_template_is_refused() -> None:
    """Test that uploading the blank template says there is nothing to import."""
    with pytest.raises(ValidationError, match="空模板"):
        read_targets("blank.xlsx", write_template(None))


def test_cli_reads_a_docx_with_the_default_plan_option(tmp_path: Path) -> None:
    """Test that a national-format .docx imports with the plan given on the command line and says so."""
    docx = REPO / "tests" / "fixtures" / "targets" / "generated" / "national-1-project.docx"
    res = _cli("import-targets", str(docx), "--dry-run", "--default-plan", "6:40,12:100")
    assert res.returncode == 0, res.stderr
    assert "按默认计划 6月40%/12月100% 导入" in res.stdout and "试运行" in res.stdout
    bad = _cli("import-targets", str(docx), "--dry-run", "--default-plan", "6:40,12:90")
    assert bad.returncode == 2 and "最后为 100" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_counts_pages_of_a_long_pdf(tmp_path: Path) -> None:
    """Test that a PDF of 5 pages or more shows a page counter on stderr while it is read."""
    import random

    from tests.targets_pdfgen import random_document, render_pdf

    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(render_pdf(random_document(random.Random(4), n_projects=8, max_rows=20)))
    res = _cli("import-targets", str(pdf), "--dry-run")
    assert res.returncode == 0, res.stderr
    assert "读取 long.pdf：第 1/" in res.stderr and "Traceback" not in res.stderr


def test_template_lists_the_guessed_natures(mini_data: dict) -> None:
    """Test that an Excel template whose 性质 cells are blank lists, in the 目标导入 findings, the nature
    guessed for each count (组织培训…次 → 集中开展: 培训 in 次; 办案数量 件 → 流量), and a count whose
    性质 is filled is not listed."""
    result = read_targets("t.xlsx", write_template(mini_data))
    notes = [f for f in result.findings if "“性质”列为空的数量指标" in f.message]
    assert [(f.severity, f.where) for f in notes] == [("info", "项目 1“甲项目”"), ("info", "分项目标 1“测试分项目标”")]
    assert notes[0].message.endswith("办案数量=流量") and notes[1].message.endswith("组织培训不少于 2次=集中开展")
    mini_data["projects"][0]["indicators"][0]["nature"] = "stock"
    result = read_targets("t.xlsx", write_template(mini_data))
    assert [f.where for f in result.findings if "“性质”列为空的数量指标" in f.message] == ["分项目标 1“测试分项目标”"]


def test_seed_text_lists_the_guessed_natures_of_department_counts_too() -> None:
    """Test that the seed's guesses are listed for projects and for the department-level part (read by
    hand from the words: 印刷 → 一次性, 系统维护 套 → 存量, 评查 次 → 集中开展, 培训 人次 → 流量)."""
    seed = REPO / "data" / "seed" / "julu-justice-bureau-2024-targets.txt"
    result = read_targets("seed.txt", seed.read_bytes())
    notes = {f.where: f.message.split("：", 1)[1] for f in result.findings if "性质按名称和单位推定" in f.message}
    assert notes["项目 7“人民调解经费”"] == "人民调解员培训次数=集中开展"
    assert notes["分项目标 1“组织推进依法行政水平整体提升”"] == (
        "组织年度行政执法案卷评查不少于 2次=集中开展、对县本级行政执法人员培训 100人次以上=流量")
    assert notes["分项目标 3“司法行政管理能力进一步提升”"] == "印刷宣传资料或制作法律援助宣传品 1000件以上=一次性"
    assert notes["分项目标 4“信息化保障水平进一步提高”"] == "业务信息化系统维护数量 10套以上=存量"
