"""Document shapes the text parser must read (issue 14 item 4); expected values read off the seed by hand."""

from __future__ import annotations

import json
from pathlib import Path

from perfwatch.importers.targets_text import parse_targets_text

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "data" / "seed" / "julu-justice-bureau-2024-targets.txt"
DATASET = REPO / "data" / "julu-justice-bureau-2024.targets.json"
MARKET = REPO / "tests" / "fixtures" / "targets" / "county-market-regulation-2025-projects-only.txt"


def _projects(data: dict) -> list[dict]:
    return [{k: v for k, v in p.items()} for p in data["projects"]]


def test_project_part_only_with_split_heading_is_imported() -> None:
    """"第二部分" and "预算项目绩效目标" on their own lines, no 第一部分: the projects import, with a warning."""
    text = "第二部分\n\n预算项目\n绩效目标\n" + MARKET.read_text(encoding="utf-8")
    res = parse_targets_text(text, source=MARKET.name)
    plain = parse_targets_text(MARKET.read_text(encoding="utf-8"), source=MARKET.name)
    assert res.data["projects"] == plain.data["projects"]
    assert any("只导入项目绩效目标" in f.message and f.severity == "warning" for f in res.findings)
    # the headings are placed; the only unplaced text is the cover title (line 5), and it is reported
    unplaced = [f for f in res.findings if "无法归类" in f.message]
    assert [(f.line, "巨鹿县市场监督管理局2025年项目支出绩效目标" in f.message) for f in unplaced] == [(5, True)]


def test_seed_project_part_alone_equals_the_seed_projects() -> None:
    lines = SEED.read_text(encoding="utf-8").split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.strip() == "第二部分")
    res = parse_targets_text("\n".join(lines[start:]), source=SEED.name)
    want = json.loads(DATASET.read_text(encoding="utf-8"))
    assert res.data["projects"] == want["projects"]  # all 8 projects, 79 indicators, as in the committed dataset


def test_vertically_centred_plan_label_after_its_cells() -> None:
    """pdfplumber's line order for a centred label: "3 月底 6 月底 …" before "资金支出计划（%）"."""
    text = SEED.read_text(encoding="utf-8")
    block = "资金支出计\n\n划（%）\n\n3 月底 6 月底 10 月底 12 月底\n\n25% 50% 75% 100%"
    assert text.count(block) >= 1
    moved = text.replace(block, "3 月底 6 月底 10 月底 12 月底\n\n资金支出计\n\n划（%）\n\n25% 50% 75% 100%", 1)
    res = parse_targets_text(moved, source=SEED.name)
    # project 1 法律援助经费: 3/6/10/12 月底 at 25/50/75/100 (seed lines 149-151)
    assert res.data["projects"][0]["plan"] == [
        {"month": 3, "pct": 25.0}, {"month": 6, "pct": 50.0}, {"month": 10, "pct": 75.0}, {"month": 12, "pct": 100.0}]
    want = json.loads(DATASET.read_text(encoding="utf-8"))
    assert res.data["projects"] == want["projects"]


def test_2025_layout_cost_as_first_level_indicator() -> None:
    """2025 template: 成本指标 is a 一级指标 with 经济成本指标 beneath; the next 产出 row keeps its own level."""
    fixture = REPO / "tests" / "fixtures" / "targets" / "county-civil-affairs-2025-value-forms.txt"
    text = fixture.read_text(encoding="utf-8").replace(
        "成本指标 低保补助总成本 低保补助总成本 ≤120 万元", "成本指标\n\n经济成本指标 低保补助总成本 低保补助总成本 ≤120 万元")
    inds = parse_targets_text(text, source=fixture.name).data["projects"][0]["indicators"]
    assert [(i["level1"], i["level2"], i["level3"]) for i in inds[3:5]] == [
        ("成本指标", "经济成本指标", "低保补助总成本"), ("产出指标", "时效指标", "资料报送")]
    assert (inds[3]["kind"], inds[3]["value"], inds[3]["unit"]) == ("cost", 120.0, "万元")
