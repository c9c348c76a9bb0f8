"""The PDF briefing: Chinese text that extracts (pdfplumber), the lagging projects, the CJK font."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pdfplumber
import pytest

from perfwatch import db
from perfwatch.reports import briefing, data, fonts
from tests.reports_testdata import load_actuals

NOTO = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, seed_template: Path) -> data.DepartmentReport:
    """The 1–7月 report of the seed department with actuals loaded (built once: the tests only read it)."""
    path = tmp_path_factory.mktemp("briefing") / "seed.duckdb"
    shutil.copyfile(seed_template, path)
    conn = db.open_database(path)
    try:
        load_actuals(conn)
        return data.build_report(conn, 1, 7)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def pdf_text(report: data.DepartmentReport) -> tuple[str, int]:
    """All text of the generated PDF (whitespace removed: long names wrap) and its page count."""
    with pdfplumber.open(io.BytesIO(briefing.build_pdf(report))) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
        return re.sub(r"\s+", "", text), len(pdf.pages)


def test_pdf_text_has_department_kpis_and_every_lagging_project(
    report: data.DepartmentReport, pdf_text: tuple[str, int]
) -> None:
    """Test that the PDF text contains the department, its KPIs and each lagging project with cause and measure."""
    text, pages = pdf_text
    assert pages >= 4
    assert "巨鹿县司法局本级" in text and "预算绩效运行监控简报" in text
    assert "122.90万元" in text and "56.25%" in text and "58.33%" in text
    lagging = report.lagging
    assert {p.seq for p in lagging} == {1, 2, 3, 4}  # 6 is ahead of plan, not a cost overrun (§5a)
    assert lagging[0].combined_light == "red"
    for p in lagging:
        assert re.sub(r"\s+", "", p.name) in text, p.name
    # Table cells wrap, and extraction interleaves the lines of neighbouring cells: check phrases
    # short enough to sit on one line of their cell.
    for phrase in ("经费拨付滞后", "协调财政加快拨付", "制度保障、其他", "9月底前完成", "完全不可能"):
        assert phrase in text, phrase


def test_pdf_lists_every_indicator_with_its_light(report: data.DepartmentReport, pdf_text: tuple[str, int]) -> None:
    """Test that the indicator table has every project's indicators and the light names."""
    text, _ = pdf_text
    for p in report.projects:
        for ind in p.indicators:
            assert re.sub(r"\s+", "", ind.level3)[:6] in text
    assert "红灯" in text and "黄灯" in text and "灰灯" in text


def test_pdf_embeds_a_cjk_truetype_font(report: data.DepartmentReport) -> None:
    """Test that the Chinese font is embedded (as a subset) and the text is not lost to missing glyphs."""
    raw = briefing.build_pdf(report)
    assert b"/FontFile2" in raw  # TrueType outlines: extractable with the standard Identity-H encoding
    with pdfplumber.open(io.BytesIO(raw)) as pdf:
        names = {c["fontname"] for c in pdf.pages[0].chars}
    assert names and all("+" in n for n in names)  # subset-embedded, e.g. ABCDEF+NotoSansCJKsc-Regular


def test_missing_font_gives_a_chinese_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Test that a font path that does not exist gives a Chinese message naming fonts-noto-cjk."""
    monkeypatch.setenv(fonts.ENV_FONT, str(tmp_path / "nope.ttf"))
    with pytest.raises(fonts.FontNotFound) as err:
        fonts.find_cjk_font()
    assert "fonts-noto-cjk" in str(err.value) and "中文字体" in str(err.value)


def test_no_font_anywhere_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    """Test that with no candidate and no fc-match the hint names what to install on Debian and Windows."""
    monkeypatch.delenv(fonts.ENV_FONT, raising=False)
    monkeypatch.setattr(fonts, "candidate_paths", lambda: [])
    monkeypatch.setattr(fonts, "_fc_match", lambda: None)
    with pytest.raises(fonts.FontNotFound) as err:
        fonts.find_cjk_font()
    assert "apt-get install fonts-noto-cjk" in str(err.value) and "simhei.ttf" in str(err.value)


@pytest.mark.skipif(not NOTO.exists(), reason="fonts-noto-cjk not installed")
def test_noto_collection_uses_the_simplified_chinese_face_converted_once() -> None:
    """Test that the Noto CJK collection resolves to its SC face and the TrueType copy is cached."""
    assert fonts._pick_face(NOTO) == 2
    first = fonts.pdf_font(fonts.FontSource(NOTO, 2))
    again = fonts.pdf_font(fonts.FontSource(NOTO, 2))
    assert first.truetype and first.path == again.path and first.path.suffix == ".ttf"
    assert first.path.parent == fonts.cache_dir() / "fonts"


def test_pdf_rule_note_states_count_natures_stale_results_and_cost_rules(pdf_text: tuple[str, int]) -> None:
    """Test that a reader of the brief can see why a training count is grey in July (集中开展, DOMAIN §5a),
    why an old result is dated, and why a project that spent nothing has a grey cost light."""
    text, _ = pdf_text
    for phrase in ("指标灯规则", "集中开展", "存量", "一次性", "截至7月31日", "尚未支出"):
        assert phrase in text, phrase
