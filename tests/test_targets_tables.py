"""Ruled-table import of 绩效目标 documents (issue 14 items 1, 3, 4, 5, 7).

Documents are rendered by tests/targets_pdfgen.py (fpdf2 + a CJK TrueType font) and read back
through the public entry point ``read_targets``; the expected values are the generator's inputs,
not the importer's output. Committed fixtures (tests/fixtures/targets/generated) keep a few
rendered documents so a change in the generator cannot hide a change in the importer.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfwatch.dataset import validate_dataset
from perfwatch.importers.targets import read_targets
from perfwatch.importers.targets_checks import check_invariants
from perfwatch.importers.targets_tables import Row, TextLine, parse_events
from tests.targets_pdfgen import (
    expected,
    national_expected,
    observed,
    random_document,
    random_national,
    render_national_docx,
    render_national_pdf,
    render_pdf,
)

GENERATED = Path(__file__).resolve().parent / "fixtures" / "targets" / "generated"


def _as_json(x: Any) -> Any:
    return json.loads(json.dumps(x, ensure_ascii=False))


def test_committed_ruled_pdf_with_split_rows_and_repeated_headers() -> None:
    """4 projects over 4 pages: rows split by page breaks, headers repeated, merged 一级/二级 cells."""
    pdf = (GENERATED / "hebei-ruled-4-projects.pdf").read_bytes()
    want = json.loads((GENERATED / "hebei-ruled-4-projects.expected.json").read_text(encoding="utf-8"))
    res = read_targets("hebei-ruled-4-projects.pdf", pdf)
    validate_dataset(res.data, "fixture")
    assert _as_json(observed(res.data)) == want
    messages = [f.message for f in res.findings]
    # the fixture has rows split by a page break and headers repeated after a break (seen in the PNGs)
    assert any("跨页" in m and "逐列并入" in m for m in messages)
    assert any("重复的指标表头" in m for m in messages)
    assert not [f for f in res.findings if f.severity == "error"]
    # every indicator knows its page and table row for the preview
    assert len(res.rows) == sum(len(p["indicators"]) for p in res.data["projects"])
    assert all(r["page"] >= 1 and r["row"] >= 1 for r in res.rows)


@pytest.mark.parametrize("name", ["national-1-project.pdf", "national-1-project.docx"])
def test_national_format_gets_default_plan_and_a_finding(name: str) -> None:
    """项目支出绩效目标表: 年度资金总额/财政拨款/其他资金, 指标性质 and 度量单位 columns, no plan."""
    res = read_targets(name, (GENERATED / name).read_bytes())
    validate_dataset(res.data, name)
    want = json.loads((GENERATED / "national-1-project.expected.json").read_text(encoding="utf-8"))
    assert _as_json(observed(res.data)) == want
    plan_notes = [f for f in res.findings if "默认计划" in f.message]
    assert len(plan_notes) == 1 and plan_notes[0].severity == "warning" and "实际的分月支出计划" in plan_notes[0].message


def test_default_plan_is_a_parameter() -> None:
    p, rows, dept = random_national(random.Random(3))
    res = read_targets("n.docx", render_national_docx(p, rows, dept), default_plan=((6, 40.0), (12, 100.0)))
    assert res.data["projects"][0]["plan"] == [{"month": 6, "pct": 40.0}, {"month": 12, "pct": 100.0}]


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=10**6))
def test_render_parse_round_trip(seed: int) -> None:
    """Property: render -> parse gives the same dataset, or a warning/error naming each differing project."""
    rng = random.Random(seed)
    doc = random_document(rng, n_projects=rng.randint(1, 3), max_rows=rng.randint(3, 16))
    res = read_targets("generated.pdf", render_pdf(doc, rng))
    got, want = observed(res.data), expected(doc)
    for p in doc.projects:
        if got.get(p.code) != want[p.code]:
            label = f"项目 {p.seq}“{p.name}”"
            assert any(label in f.where and f.severity in ("warning", "error") for f in res.findings), (seed, p.code)
    assert len(res.rows) == sum(len(p["indicators"]) for p in res.data["projects"])


@settings(max_examples=3, deadline=None)
@given(st.integers(min_value=0, max_value=10**6))
def test_national_round_trip_pdf_and_docx(seed: int) -> None:
    p, rows, dept = random_national(random.Random(seed))
    want = national_expected(p, rows)
    assert observed(read_targets("n.pdf", render_national_pdf(p, rows, dept)).data) == want
    assert observed(read_targets("n.docx", render_national_docx(p, rows, dept)).data) == want


def _events(*rows: tuple[int, list[str | None]]) -> list[Any]:
    evs: list[Any] = [TextLine("1.测试项目绩效目标表", 1, 1), TextLine("315001 测试局 单位：万元", 1, 2)]
    evs += [Row(tuple(cells), page, k) for k, (page, cells) in enumerate(rows, 1)]
    return evs


_BLOCK = [
    (1, ["项目编码", "13052925P0000000001", "项目名称", "测试项目"]),
    (1, ["预算规模及资金用途", "预算数", "10.00", "其中：财政资金", "8.00", "其他资金", "1.00"]),
    (1, ["资金支出计划（%）", "6月底", "12月底"]),
    (1, [None, "60%", "50%"]),
    (1, ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]),
]


def test_invariants_are_findings_naming_page_row_and_column() -> None:
    """财政 8 + 其他 1 ≠ 预算 10; plan 60 -> 50 decreases; an empty 三级指标 cell on page 2 row 7."""
    evs = _events(*_BLOCK, (1, ["产出指标", "数量指标", "培训次数", "培训次数", "≥2 次", "工作计划"]),
                  (2, [None, "质量指标", "", "合格率", "≥90%", "工作计划"]))
    res = parse_events(evs, "t.pdf", 2025)
    from perfwatch.importers.targets_text import review_dataset

    findings = res.findings + review_dataset(res.data) + check_invariants(res.data, res.rows)
    text = [f"{f.where}：{f.message}" for f in findings]
    assert any("第 2 页表格第 7 行" in t and "“三级指标”为空（第 3 列）" in t for t in text)
    assert any("第 2 页表格第 7 行" in t and "缺少：三级指标" in t for t in text)  # the invariant, same row
    assert any("与预算数 10 不一致" in t for t in text)
    assert any("不是逐期递增" in t for t in text)


def test_rows_are_counted_even_when_values_are_unknown() -> None:
    """A value no form fits is kept verbatim, its row stays one row, and the finding names page/row."""
    evs = _events(*_BLOCK, (1, ["产出指标", "数量指标", "培训次数", "培训次数", "大约三成", "工作计划"]),
                  (1, [None, None, "宣传次数", "宣传次数", "≥1 次", "工作计划"]))
    res = parse_events(evs, "t.pdf", 2025)
    inds = res.data["projects"][0]["indicators"]
    assert [(i["level2"], i["level3"], i["target_text"], i["kind"]) for i in inds] == [
        ("数量指标", "培训次数", "大约三成", "qualitative"), ("数量指标", "宣传次数", "≥1 次", "count")]
    assert any("第 1 页表格第 6 行" in f.where and "大约三成" in f.message and f.severity == "warning" for f in res.findings)


def test_progress_is_reported_per_page() -> None:
    doc = random_document(random.Random(6), n_projects=2, max_rows=20)
    seen: list[tuple[int, int]] = []
    read_targets("p.pdf", render_pdf(doc), progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] and [d for d, _ in seen] == list(range(1, seen[-1][1] + 1))


def test_pdfplumber_reads_the_fixture_as_ruled_tables() -> None:
    """Guard: the committed PDF really is ruled (so the table path, not the text fallback, is tested)."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO((GENERATED / "hebei-ruled-4-projects.pdf").read_bytes())) as pdf:
        assert all(page.find_tables() for page in pdf.pages)


def test_national_format_from_a_spreadsheet() -> None:
    """A national table laid out in Excel (not our template): merged ranges read like merged cells."""
    from tests.targets_pdfgen import render_national_xlsx

    p, rows, dept = random_national(random.Random(5))
    res = read_targets("national.xlsx", render_national_xlsx(p, rows, dept))
    validate_dataset(res.data, "national.xlsx")
    assert observed(res.data) == national_expected(p, rows)
    assert any("默认计划" in f.message for f in res.findings)
